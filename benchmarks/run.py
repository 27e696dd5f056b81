"""Benchmark `newsletter build` on synthetic corpora of several sizes.

    python benchmarks/run.py [--sizes 1000,10000] [--seed S] [--keep]

For each size: generate a project (benchmarks/generate.py) into a temporary
folder, then run the real command line, each build in its own child process:

    cold      no site/ (and no .newsletter/): everything is rendered and written
    warm      a second build with nothing changed
    one-edit  one sentence appended to one post, then a build

Each row gives wall time (perf_counter around the child), the child's peak
RSS (from os.wait4, so exactly that child, not the maximum over all of them),
the number of files in site/ afterwards, and milliseconds per post. Figures
are measurements for people to read; nothing here asserts a threshold.
Standard library only. Exits 1 if a build fails, printing its stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

TODAY = "2026-11-25"
EDIT = "\nOne more sentence, appended for the one-edit benchmark.\n"


@dataclass
class Row:
    size: int
    scenario: str
    seconds: float
    peak_mb: float
    files: int

    @property
    def ms_per_post(self) -> float:
        return self.seconds * 1000 / self.size


class BuildError(Exception):
    def __init__(self, scenario: str, code: int, stderr: str) -> None:
        super().__init__(f"{scenario} build exited with {code}")
        self.scenario, self.code, self.stderr = scenario, code, stderr


def newsletter_command() -> list[str]:
    """The `newsletter` console script, preferring the one beside this interpreter
    (a version-manager shim on PATH would add its own start-up to every timing)."""
    scripts = sysconfig.get_path("scripts")
    path = os.pathsep.join(p for p in (scripts, os.environ.get("PATH", "")) if p)
    found = shutil.which("newsletter", path=path)
    if found:
        return [found]
    return [sys.executable, "-c", "from newsletter.cli import main; main()"]


def maxrss_mb(rusage: resource.struct_rusage) -> float:
    rss: int = rusage.ru_maxrss
    # Linux reports kilobytes; macOS reports bytes.
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def measure(command: list[str], scenario: str) -> tuple[float, float]:
    """Run one build in a fresh child; (wall seconds, peak RSS in MB of that child)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, rusage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            err.seek(0)
            out.seek(0)
            text = err.read().decode("utf-8", "replace") or out.read().decode("utf-8", "replace")
            raise BuildError(scenario, proc.returncode, text)
    return seconds, maxrss_mb(rusage)


def cpu_seconds() -> float:
    """User + system time of this process's reaped children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_all(command: list[str], scenario: str) -> tuple[float, float, float]:
    """Run one command in a fresh child: (wall seconds, CPU seconds, peak MB of all
    its processes). CPU is user + system time of the child and of the processes it
    waited for. The peak is the PSS summed over the child and its descendants (workers,
    Pagefind), sampled from /proc every 50 ms by profile_build.py's sampler, which comes
    with pyinstrument (the dev extra); without it, the peak RSS of the child alone."""
    try:
        from profile_build import run_child
    except ImportError:
        before = cpu_seconds()
        seconds, peak = measure(command, scenario)
        return seconds, cpu_seconds() - before, peak
    seconds, usage, memory = run_child(command, scenario)
    return seconds, usage.ru_utime + usage.ru_stime, memory.peak_pss


def count_files(folder: Path) -> int:
    return sum(1 for p in folder.rglob("*") if p.is_file())


def edit_one_post(project: Path) -> Path:
    posts = sorted((project / "content" / "posts").rglob("*.md"))
    target = posts[len(posts) // 2]
    with open(target, "a", encoding="utf-8", newline="\n") as f:
        f.write(EDIT)
    return target


def bench_size(
    size: int,
    seed: int,
    base: Path,
    command: list[str],
    rows: list[Row],
    report: Callable[[str], None],
) -> float:
    """Generate one corpus and append its three rows to ``rows``; the generation time."""
    project = base / f"newsletter-{size}"
    start = time.perf_counter()
    generate(project, size, seed)
    generated = time.perf_counter() - start
    report(f"generated {size} posts in {generated:.2f} s into {project}")
    build = [*command, "-C", str(project), "build", "--today", TODAY, "--quiet"]

    def run(scenario: str) -> None:
        seconds, peak = measure(build, scenario)
        row = Row(size, scenario, seconds, peak, count_files(project / "site"))
        report(f"  {scenario}: {seconds:.2f} s, {peak:.0f} MB")
        rows.append(row)

    shutil.rmtree(project / "site", ignore_errors=True)
    shutil.rmtree(project / ".newsletter", ignore_errors=True)
    run("cold")
    run("warm")
    edit_one_post(project)
    run("one-edit")
    return generated


def print_table(rows: list[Row]) -> None:
    header = ("size", "scenario", "seconds", "peak MB", "files", "ms/post")
    cells = [
        (
            f"{r.size:,}",
            r.scenario,
            f"{r.seconds:.2f}",
            f"{r.peak_mb:.0f}",
            f"{r.files:,}",
            f"{r.ms_per_post:.2f}",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    left = {1}  # the scenario column reads better left-aligned

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.ljust(w) if i in left else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    print(line(header))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list like 1000,10000") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive numbers of posts")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10000],
        help="comma-separated numbers of posts (default: 1000,10000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated projects and their site/ (paths are printed)",
    )
    args = parser.parse_args(argv)

    command = newsletter_command()

    def report(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, os.cpu_count() = {os.cpu_count()}"
    )
    print(f"command: {' '.join(command)} -C DIR build --today {TODAY} --quiet")
    sys.stdout.flush()
    base = Path(tempfile.mkdtemp(prefix="newsletter-bench-"))
    rows: list[Row] = []
    generation: list[tuple[int, float]] = []
    failed: BuildError | None = None
    try:
        for size in args.sizes:
            generation.append((size, bench_size(size, args.seed, base, command, rows, report)))
    except BuildError as err:
        failed = err
        print(f"error: {err} (size {size}); its stderr:", file=sys.stderr)
        print(err.stderr.rstrip(), file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    if rows:
        print()
        print_table(rows)
    if generation:
        print()
        print("generation: " + ", ".join(f"{s:,} posts in {t:.2f} s" for s, t in generation))
    if args.keep:
        print(f"kept: {base}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
