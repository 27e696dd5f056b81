"""Profile `newsletter build`: where the time goes, by category, and the peak memory.

    python benchmarks/profile_build.py [--posts 2000] [--scenario cold|warm|edit|all]
                                 [--project DIR] [--keep] [--html FILE] [--top 10]

Generates a synthetic project (benchmarks/generate.py; by default 2,000 posts,
100 members and 80 editions, the corpus of issue 17's comparison) or reuses
the one in ``--project DIR``, then for each scenario runs the real command line
twice, each time in a fresh child process:

- **profiled**: ``newsletter build --jobs 1`` under pyinstrument (wall-clock
  samples every millisecond). One process, so that every function shows in one
  profile: with the default ``--jobs`` the pages are rendered in forked workers
  (newsletter/core/parallel.py), which a profiler in the parent does not see.
  The breakdown table and the hotspots come from this run.
- **timed**: ``newsletter build`` with the default ``--jobs`` (one process per
  core), not profiled: its wall time, CPU time and peak memory are what users get.

Scenarios: ``cold`` (no site/, no .newsletter/), ``warm`` (nothing changed since
the last build), ``edit`` (one sentence appended to one post; a new sentence
before each of the two runs).

The time of the profiled run is shared out among the categories of CATEGORIES
(see ``categorise``): every sample belongs to the innermost frame on its stack that
a rule names, so Markdown rendered inside a Jinja template counts as Markdown,
and an import made in the middle of rendering counts as imports. Interpreter
start-up (from launching the child to its first line) counts as imports too.

Peak memory is sampled from /proc every 50 ms in the timed run: the sum over the
build's process and all its descendants (workers, the Pagefind binary) of PSS
(shared pages divided among the processes that share them, so forked workers
are not counted twice) and of RSS (what adding up ``ps`` would say); plus the
largest single process's peak RSS. Linux only (the /proc file system).
Figures are for people to read; nothing asserts a threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyinstrument.renderers import HTMLRenderer
from pyinstrument.session import Session

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from run import TODAY, BuildError, count_files, edit_one_post, newsletter_command

CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Pagefind (search)",
        (
            "newsletter/publish/search.py",
            "newsletter/publish/searchstep.py",
            "newsletter/publish/shards.py",
        ),
    ),
    ("social cards", ("newsletter/render/social.py",)),
    ("Markdown", ("newsletter/core/markup.py", "/markdown/")),
    ("Jinja rendering", ("newsletter/render/", "/jinja2/", "/templates/")),
    ("network & asks", ("newsletter/analysis/", "/networkx/", "/igraph/")),
    ("images (pillow)", ("newsletter/load/assets.py",)),
    ("writing", ("newsletter/publish/write.py", "newsletter/publish/outputs.py")),
    ("loading & parsing", ("newsletter/load/", "/yaml/")),
)
"""Which source files make up each category (substrings of a frame's file path; the
first rule that matches a frame names its category). Pillow and numpy have no rule
of their own: they count for whoever called them (a card, an image beside a post,
the network's layout). Jinja rendering includes the rest of newsletter/render/ (the
page, email and feed jobs, the email's CSS inlining) and the compiled templates."""
IMPORTS = "imports"
"""Interpreter start-up, and every frame under ``importlib``'s ``_find_and_load`` or in
a module's top-level code (``<module>``), wherever the import happens."""
OTHER = "other"
"""The rest: the command line, pipeline/ (the checks and the build's steps),
project/ (the build cache, the lock), core/, the standard library's own work."""
ORDER = (IMPORTS, *(name for name, _ in CATEGORIES), OTHER)

MEMBERS, EDITIONS = 100, 80
SAMPLE_EVERY = 0.05
CHILD = """
import json, sys, time
started = time.time()
from pyinstrument import Profiler
profiler = Profiler(interval=0.001)
profiler.start()
from newsletter.cli import main
try:
    main(sys.argv[3:], prog_name="newsletter")
    code = 0
except SystemExit as stop:
    code = stop.code if isinstance(stop.code, int) else 1
profiler.stop().save(sys.argv[1])
with open(sys.argv[2], "w") as meta:
    json.dump({"started": started, "code": code}, meta)
sys.exit(code)
"""
"""The profiled child: ``python -c CHILD SESSION.json META.json ARGS…`` runs the
console script's ``main`` with ARGS under pyinstrument, started before the first
import of newsletter, and records when its first line ran (for the start-up)."""


def categorise(file_path: str, function: str) -> str | None:
    """The category a frame names, or None when it counts for its caller's."""
    path = file_path.replace("\\", "/")
    if function == "_find_and_load" or (function == "<module>" and path != "<string>"):
        return IMPORTS
    for name, parts in CATEGORIES:
        if any(part in path for part in parts):
            return name
    return None


@dataclass(frozen=True)
class Hotspot:
    function: str
    where: str
    category: str


@dataclass(frozen=True)
class Profile:
    """One profiled build: seconds by category, and own seconds by function."""

    seconds: dict[str, float]
    functions: dict[Hotspot, float]

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def breakdown(session: Session, startup: float) -> Profile:
    seconds = dict.fromkeys(ORDER, 0.0)
    seconds[IMPORTS] = startup
    functions: dict[Hotspot, float] = {}
    root = session.root_frame(trim_stem=False)
    stack = [(root, OTHER, "")] if root else []
    while stack:  # a loop, not recursion: template and Markdown stacks run deep
        frame, inherited, caller = stack.pop()
        path = frame.file_path or ""
        category = categorise(path, frame.function) or inherited
        real = [c for c in frame.children if not c.is_synthetic]
        own = frame.time - sum(c.time for c in real)  # pyinstrument's [self] included
        seconds[category] += own
        where = f"{frame.file_path_short or path}:{frame.line_no or 0}"
        if path in ("", "<built-in>"):  # read, open, compile…: say whose
            where = f"called by {caller}"
        hotspot = Hotspot(frame.function, where, category)
        functions[hotspot] = functions.get(hotspot, 0.0) + own
        here = f"{frame.function} {where}"
        stack.extend((c, category, here) for c in real)
    return Profile(seconds, functions)


class MemorySampler:
    """Peak PSS and RSS summed over a process and its descendants, and the peak RSS of
    the largest one, read from /proc. (Not ``os.wait4``'s ``ru_maxrss``: Linux carries
    it over ``exec`` from the process that forked the child, here this script, which
    holds the profiles it has read.)"""

    PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 0.0

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_pss, self.peak_rss, self.largest = pid, 0.0, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_EVERY) and Path("/proc").is_dir():
            pids = list(self._tree())
            pss = rss = largest = 0.0
            for pid in pids:
                one = _read_int(f"/proc/{pid}/statm", 1) * self.PAGE_MB
                rss, pss = rss + one, pss + _pss_kb(pid) / 1024
                largest = max(largest, one)
            # a process forked or ended while the others were read: kept, the sample
            # could count a parent as it was before it forked and its child after, their
            # shared pages one and a half times (a 2,000-post build once showed 220 MB
            # where eight other runs peaked at 139 to 152 MB)
            if sorted(self._tree()) != sorted(pids):
                continue
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            self.largest = max(self.largest, largest)

    def _tree(self) -> Iterator[int]:
        children: dict[int, list[int]] = {}
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(f"/proc/{entry.name}/stat").read_bytes()
                except OSError:
                    continue
                parent = int(stat.rsplit(b")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
        todo = [self.pid]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            yield pid


def _read_int(path: str, field: int) -> int:
    try:
        return int(Path(path).read_text().split()[field])
    except (OSError, IndexError, ValueError):
        return 0  # the process ended between listing and reading


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass(frozen=True)
class Timed:
    """One unprofiled build with the default --jobs."""

    seconds: float
    cpu: float
    peak_pss: float
    peak_rss: float
    largest: float
    files: int


def run_child(
    command: list[str], scenario: str
) -> tuple[float, resource.struct_rusage, MemorySampler]:
    """Run a child to its end: wall seconds, its rusage (its waited-for descendants
    included), and what was sampled of its memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        with MemorySampler(proc.pid) as memory:
            _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            err.seek(0)
            out.seek(0)
            text = err.read().decode("utf-8", "replace") or out.read().decode("utf-8", "replace")
            raise BuildError(scenario, proc.returncode, text)
    return seconds, usage, memory


def timed_build(build: list[str], project: Path, scenario: str) -> Timed:
    seconds, usage, memory = run_child([*newsletter_command(), *build], scenario)
    cpu = usage.ru_utime + usage.ru_stime
    files = count_files(project / "site")
    return Timed(seconds, cpu, memory.peak_pss, memory.peak_rss, memory.largest, files)


def profiled_build(build: list[str], scenario: str, html: Path | None) -> Profile:
    with tempfile.TemporaryDirectory() as tmp:
        session_file, meta_file = Path(tmp, "session.json"), Path(tmp, "meta.json")
        launched = time.time()
        command = [sys.executable, "-c", CHILD, str(session_file), str(meta_file)]
        run_child([*command, *build, "--jobs", "1"], scenario)
        session = Session.load(session_file)
        started = json.loads(meta_file.read_text())["started"]
    if html:
        html.write_text(HTMLRenderer().render(session), encoding="utf-8")
    return breakdown(session, max(0.0, started - launched))


def html_path(html: Path | None, scenario: str, several: bool) -> Path | None:
    if html is None or not several:
        return html
    return html.with_name(f"{html.stem}-{scenario}{html.suffix}")


def prepare(project: Path, scenario: str, report: Report) -> None:
    """Put the project in the state the scenario starts from."""
    if scenario == "cold":
        shutil.rmtree(project / "site", ignore_errors=True)
        shutil.rmtree(project / ".newsletter", ignore_errors=True)
    elif scenario == "edit":
        report(f"    appended a sentence to {edit_one_post(project).relative_to(project)}")


class Report:
    def __call__(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)


def measure_scenario(
    project: Path, scenario: str, html: Path | None, report: Report
) -> tuple[Profile, Timed]:
    build = ["-C", str(project), "build", "--today", TODAY, "--quiet"]
    if scenario != "cold" and not (project / ".newsletter").exists():
        report(f"  {scenario}: a first build, not measured, to start from")
        timed_build(build, project, "first")
    report(f"  {scenario}: profiled build (--jobs 1)")
    prepare(project, scenario, report)
    profile = profiled_build(build, scenario, html)
    report(f"    {profile.total:.2f} s profiled; timed build (default --jobs)")
    prepare(project, scenario, report)
    timed = timed_build(build, project, scenario)
    report(f"    {timed.seconds:.2f} s wall, {timed.peak_pss:.0f} MB")
    return profile, timed


def table(header: list[str], rows: list[list[str]], left: frozenset[int]) -> None:
    """Columns aligned; those in ``left`` (text) to the left, numbers to the right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for values in (header, ["-" * w for w in widths], *rows):
        cells = (
            v.ljust(w) if i in left else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )
        print("  ".join(cells).rstrip())


def print_breakdown(results: dict[str, tuple[Profile, Timed]]) -> None:
    names = list(results)
    header = ["category"] + [h for n in names for h in (f"{n} s", "%")]
    rows = []
    for category in ORDER:
        row = [category]
        for profile, _ in results.values():
            row += [
                f"{profile.seconds[category]:.2f}",
                f"{100 * profile.seconds[category] / profile.total:.0f}",
            ]
        rows.append(row)
    rows.append(
        ["total, profiled --jobs 1"]
        + [c for p, _ in results.values() for c in (f"{p.total:.2f}", "100")]
    )
    summary: tuple[tuple[str, Callable[[Timed], str]], ...] = (
        ("default --jobs: wall s", lambda t: f"{t.seconds:.2f}"),
        ("default --jobs: CPU s", lambda t: f"{t.cpu:.2f}"),
        ("peak MB, all processes (PSS)", lambda t: f"{t.peak_pss:.0f}"),
        ("peak MB, all processes (RSS sum)", lambda t: f"{t.peak_rss:.0f}"),
        ("peak MB, largest process", lambda t: f"{t.largest:.0f}"),
        ("files in site/", lambda t: f"{t.files:,}"),
    )
    for label, cell in summary:
        rows.append([label] + [c for _, t in results.values() for c in (cell(t), "")])
    table(header, rows, frozenset({0}))


def print_hotspots(scenario: str, profile: Profile, top: int) -> None:
    print(f"\n{scenario}: the {top} functions with the most own time (profiled, --jobs 1)")
    rows = [
        [f"{s:.2f}", f"{100 * s / profile.total:.0f}", h.category, h.function, h.where]
        for h, s in sorted(profile.functions.items(), key=lambda item: -item[1])[:top]
    ]
    table(["own s", "%", "category", "function", "file:line"], rows, frozenset({2, 3, 4}))


def project_for(args: argparse.Namespace, report: Report) -> tuple[Path, bool]:
    """The project to build, and whether this run made it in a temporary folder."""
    if args.project and (args.project / "content").exists():
        report(f"reusing the project in {args.project}")
        return args.project, False
    folder = args.project or Path(tempfile.mkdtemp(prefix="newsletter-profile-"))
    start = time.perf_counter()
    generate(folder, args.posts, args.seed, members=args.members, editions=args.editions)
    report(f"generated {args.posts:,} posts in {time.perf_counter() - start:.2f} s into {folder}")
    return folder, args.project is None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000, help="default: 2000")
    parser.add_argument("--members", type=int, default=MEMBERS, help=f"default: {MEMBERS}")
    parser.add_argument("--editions", type=int, default=EDITIONS, help=f"default: {EDITIONS}")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument("--scenario", choices=["cold", "warm", "edit", "all"], default="all")
    parser.add_argument(
        "--project", type=Path, help="build this project (generated there if it has no content/)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated project (path printed)"
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="save pyinstrument's HTML report")
    parser.add_argument("--top", type=int, default=10, help="hotspots listed (default: 10)")
    args = parser.parse_args(argv)
    report = Report()
    scenarios = ["cold", "warm", "edit"] if args.scenario == "all" else [args.scenario]
    load = os.getloadavg()
    project, temporary = project_for(args, report)
    results: dict[str, tuple[Profile, Timed]] = {}
    try:
        for scenario in scenarios:
            html = html_path(args.html, scenario, len(scenarios) > 1)
            results[scenario] = measure_scenario(project, scenario, html, report)
    except BuildError as err:
        print(f"error: {err}; its stderr:\n{err.stderr.rstrip()}", file=sys.stderr)
        return 1
    finally:
        if temporary and not args.keep:
            shutil.rmtree(project, ignore_errors=True)
    print(
        f"python {platform.python_version()}, {platform.system()} {platform.machine()}, "
        f"os.cpu_count() = {os.cpu_count()}, load average {load[0]:.2f} before, "
        f"{os.getloadavg()[0]:.2f} after"
    )
    print(f"project: {project}" + (" (kept)" if temporary and args.keep else ""))
    print(
        f"command: newsletter -C DIR build --today {TODAY} --quiet [--jobs 1 under pyinstrument]\n"
    )
    print_breakdown(results)
    for scenario, (profile, _) in results.items():
        print_hotspots(scenario, profile, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
