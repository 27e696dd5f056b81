"""Benchmark `newsletter build` against Pelican and Hugo on the same synthetic corpus.

    python benchmarks/compare.py [--sizes 2000,10000,20000] [--skip pelican,hugo]
                                 [--twir CLONE] [--markdown FILE] [--keep]

For each size: generate a project (benchmarks/generate.py, in the proportions of
issue 17's corpus: a member for 20 posts, an edition for 25) into a temporary
folder, convert its posts into a Pelican project and a Hugo site, then build
each, every build in its own child process:

    ours     cold, warm, one-edit as in run.py, with --no-search (neither of the
             others makes a search index), then all three again with the search
             index, the default ("cold+search", "warm+search", "one-edit+search")
    pelican  cold (no output, empty content cache), warm (content cache loaded)
    hugo     cold (no public/, resources/ or cache), warm (a second run)

With ``--twir CLONE``, also This Week in Rust converted from a local clone
(benchmarks/twir.py): ours cold, without and with search.

Pelican 4.12 is installed into its own venv, benchmarks/.venv-pelican, when it
is missing; Hugo is Debian's `hugo` (installed with apt-get when this runs as
root and none is on PATH). Each row gives wall time, CPU time (user + system,
workers and threads included), the peak memory of all the build's processes
(run.py's ``measure_all``), the files in the output and, for Pelican and Hugo,
their wall and CPU times divided by ours without search for the same size and
scenario. ``--markdown FILE`` writes the table in Markdown too, with the date,
the machine, the versions and the load. Figures are for people to read;
nothing asserts a threshold. Standard library only (the memory sampler comes
with profile_build.py, which needs pyinstrument). Exits 1 if a build fails,
printing its stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from run import (
    TODAY,
    BuildError,
    count_files,
    edit_one_post,
    measure_all,
    newsletter_command,
    parse_sizes,
)

PELICAN_VERSION = "4.12.0"
PELICAN_VENV = Path(__file__).resolve().parent / ".venv-pelican"
TOOLS = ("pelican", "hugo")
# without recommends: Debian's hugo recommends the whole Go toolchain
APT_INSTALL_HUGO = ["apt-get", "install", "-y", "--no-install-recommends", "hugo"]
PER_PAGE = 10
"""Posts per list page for Pelican and Hugo (both tools' usual default)."""
SIZES = (2000, 10000, 20000)
RACY_SECONDS = 2.1
"""More than newsletter/project/buildcache.py's RACY_NS, 2 s."""
SCENARIOS = ("cold", "warm", "one-edit")
POSTS_PER_MEMBER = 20
POSTS_PER_EDITION = 25
"""The proportions of issue 17's corpus (2,000 posts, 100 members, 80 editions), kept at
every size."""
SITE_TITLE = "The Bench Exchange"
SITE_URL = "https://bench.example.org/"

# -- the corpus ----------------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """One post of the corpus, as Pelican and Hugo need it."""

    slug: str
    """Unique over the whole corpus (ours are unique per year only)."""
    title: str
    date: str
    tags: tuple[str, ...]
    author: str
    body: str


def _scalar(text: str) -> str:
    # generate.py writes plain scalars, or JSON strings when YAML needs quotes
    return json.loads(text) if text.startswith('"') else text


def _fields(lines: list[str]) -> dict[str, str | list[str]]:
    """The `key: value` lines generate.py writes (flow lists included); no YAML
    parser, so that this script needs the standard library only."""
    fields: dict[str, str | list[str]] = {}
    for line in lines:
        key, _, value = line.partition(": ")
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            inner = value[1:-1].strip()
            fields[key] = [_scalar(v.strip()) for v in inner.split(", ")] if inner else []
        else:
            fields[key] = _scalar(value)
    return fields


def read_corpus(project: Path) -> list[Article]:
    """The posts of a project written by generate.py, in path order."""
    content = project / "content"
    names = {
        path.stem: _fields(path.read_text(encoding="utf-8").splitlines())["name"]
        for path in (content / "members").glob("*.yaml")
    }
    paths = sorted((content / "posts").rglob("*.md"))
    slugs = Counter(path.stem for path in paths)
    articles = []
    for path in paths:
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        fields = _fields(front.splitlines())
        year = int(path.parent.name)
        # Pelican treats two articles with one slug as translations and keeps one
        slug = path.stem if slugs[path.stem] == 1 else f"{path.stem}-{year}"
        articles.append(
            Article(
                slug=slug,
                title=str(fields["title"]),
                date=str(fields["date"]),
                tags=tuple(fields["tags"]),
                author=str(names[str(fields["by"])]),
                body=body,
            )
        )
    return articles


def write_files(out: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)


# -- Pelican -------------------------------------------------------------------

PELICANCONF = f"""\
# Written by benchmarks/compare.py: the synthetic corpus with Pelican's default theme.
SITENAME = {SITE_TITLE!r}
SITEURL = {SITE_URL.rstrip("/")!r}
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "posts"
DEFAULT_PAGINATION = {PER_PAGE}
ARTICLE_URL = "posts/{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "posts/{{date:%Y}}/{{slug}}/index.html"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""


def pelican_files(articles: list[Article]) -> dict[str, str]:
    """A Pelican project: pelicanconf.py and content/posts/<slug>.md."""
    files = {"pelicanconf.py": PELICANCONF}
    for a in articles:
        files[f"content/posts/{a.slug}.md"] = (
            f"Title: {a.title}\nDate: {a.date}\nTags: {', '.join(a.tags)}\n"
            f"Author: {a.author}\nSlug: {a.slug}\n\n{a.body}"
        )
    return files


def to_pelican(project: Path, out: Path) -> None:
    write_files(out, pelican_files(read_corpus(project)))


# -- Hugo ----------------------------------------------------------------------

HUGO_LAYOUTS = {
    "layouts/_default/baseof.html": """\
<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" \
href="{{ .RelPermalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
  <nav><a href="{{ "tags/" | relURL }}">Topics</a>
    <a href="{{ "authors/" | relURL }}">Members</a></nav>
</header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "layouts/_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>{{ range .GetTerms "authors" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
  · <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}
<li><a href="{{ .RelPermalink }}">#{{ .LinkTitle }}</a></li>{{ end }}
</ul>
</article>
{{ end }}
""",
    "layouts/_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}
{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end }}
{{ partial "posts.html" (.Paginate $pages) }}
{{ end }}
""",
    # one tag's or one member's posts (Hugo 0.111 calls this kind "term")
    "layouts/_default/taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ partial "posts.html" .Paginator }}
{{ end }}
""",
    # every tag, or every member, with its number of posts
    "layouts/_default/terms.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}
</ul>
{{ end }}
""",
    "layouts/partials/posts.html": """\
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.author }}
  · <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 Jan 2006" }}</time>
</li>{{ end }}
</ul>
<nav>{{ with .Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ .PageNumber }} / {{ .TotalPages }}
{{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
""",
}


def hugo_config(version: tuple[int, int]) -> str:
    # `paginate` became `pagination.pagerSize` in 0.128; the old key is refused later on
    old = version < (0, 128)
    return (
        "# Written by benchmarks/compare.py: the synthetic corpus as a minimal Hugo site.\n"
        f"baseURL = {json.dumps(SITE_URL)}\n"
        'languageCode = "en"\n'
        f"title = {json.dumps(SITE_TITLE)}\n"
        + (f"paginate = {PER_PAGE}\n" if old else f"\n[pagination]\npagerSize = {PER_PAGE}\n")
        + '\n[permalinks]\nposts = "/posts/:year/:filename/"\n'
        + '\n[taxonomies]\ntag = "tags"\nauthor = "authors"\n'
    )


def hugo_files(articles: list[Article], version: tuple[int, int] = (0, 111)) -> dict[str, str]:
    """A Hugo site: hugo.toml, the layouts above and content/posts/<slug>.md with
    YAML front matter (`authors` is the taxonomy that gives each member a page)."""
    files = {"hugo.toml": hugo_config(version), **HUGO_LAYOUTS}
    for a in articles:
        author = json.dumps(a.author, ensure_ascii=False)
        files[f"content/posts/{a.slug}.md"] = (
            f"---\ntitle: {json.dumps(a.title, ensure_ascii=False)}\ndate: {a.date}\n"
            f"tags: {json.dumps(list(a.tags))}\nauthor: {author}\nauthors: [{author}]\n"
            f"---\n{a.body}"
        )
    return files


def to_hugo(project: Path, out: Path, version: tuple[int, int] = (0, 111)) -> None:
    write_files(out, hugo_files(read_corpus(project), version))


# -- the tools -------------------------------------------------------------------

Report = Callable[[str], None]


class SetupError(Exception):
    """A tool could not be installed or found."""


def _output(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def _install(command: list[str], report: Report) -> None:
    report(f"$ {' '.join(command)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=sys.stderr, env=env)
    if done.returncode != 0:
        raise SetupError(f"`{' '.join(command)}` exited with {done.returncode}")


def pelican_command(report: Report) -> tuple[list[str], str]:
    """benchmarks/.venv-pelican's `pelican`, installing it first if missing; and its version."""
    pelican = PELICAN_VENV / "bin" / "pelican"
    try:
        version = _output([str(pelican), "--version"])
    except (OSError, subprocess.CalledProcessError):
        version = ""
    if version != PELICAN_VERSION:
        report(f"installing Pelican {PELICAN_VERSION} into {PELICAN_VENV}")
        if not (PELICAN_VENV / "bin" / "python").exists():
            _install([sys.executable, "-m", "venv", str(PELICAN_VENV)], report)
        # the same Python-Markdown as ours, so that both render with the same code
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as installed

        try:
            markdown = f"markdown=={installed('markdown')}"
        except PackageNotFoundError:
            markdown = "markdown"
        python = str(PELICAN_VENV / "bin" / "python")
        pins = [f"pelican=={PELICAN_VERSION}", markdown]
        _install([python, "-m", "pip", "install", "--quiet", *pins], report)
        version = _output([str(pelican), "--version"])
    return [str(pelican)], version


def hugo_command(report: Report) -> tuple[list[str], tuple[int, int], str]:
    """Debian's `hugo` (installed with apt-get when root and missing); its version."""
    hugo = shutil.which("hugo")
    if hugo is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise SetupError(
                "hugo is not installed: run `sudo apt-get install -y hugo`, or pass --skip hugo"
            )
        report("hugo is not on PATH: installing Debian's package")
        try:
            _install(APT_INSTALL_HUGO, report)
        except SetupError:
            _install(["apt-get", "update"], report)
            _install(APT_INSTALL_HUGO, report)
        hugo = shutil.which("hugo")
        if hugo is None:
            raise SetupError("apt-get installed hugo, but it is not on PATH")
    text = _output([hugo, "version"])
    found = re.search(r"v(\d+)\.(\d+)\.(\d+)", text)
    if not found:
        raise SetupError(f"cannot read hugo's version from {text!r}")
    return [hugo], (int(found[1]), int(found[2])), found[0][1:]


def search_option(command: list[str]) -> bool:
    """Whether `newsletter build` has --no-search (search is a newer feature)."""
    return "--no-search" in _output([*command, "build", "--help"])


# -- measuring -------------------------------------------------------------------


@dataclass
class Row:
    size: int
    tool: str
    scenario: str
    seconds: float
    cpu: float
    peak_mb: float
    files: int


def post_pages(output: Path) -> int:
    """Pages at posts/<year>/<slug>/index.html: every tool must write one per post
    (a tool that silently dropped some would look faster than it is)."""
    return sum(1 for _ in output.glob("posts/[0-9][0-9][0-9][0-9]/*/index.html"))


@dataclass
class Tools:
    ours: list[str]
    no_search: bool
    pelican: list[str] | None
    hugo: list[str] | None
    hugo_version: tuple[int, int]


def bench_size(
    size: int, seed: int, base: Path, tools: Tools, rows: list[Row], report: Report
) -> None:
    """Generate one corpus, convert it, build it with each tool; rows go to ``rows``."""
    folder = base / str(size)
    project, pelican_dir, hugo_dir = folder / "newsletter", folder / "pelican", folder / "hugo"
    start = time.perf_counter()
    generate(
        project,
        size,
        seed,
        members=max(20, size // POSTS_PER_MEMBER),
        editions=max(1, size // POSTS_PER_EDITION),
    )
    report(f"generated {size} posts in {time.perf_counter() - start:.2f} s into {project}")
    if tools.pelican:
        to_pelican(project, pelican_dir)
    if tools.hugo:
        to_hugo(project, hugo_dir, tools.hugo_version)

    def run(tool: str, scenario: str, command: list[str], output: Path) -> None:
        rows.append(build_row(size, tool, scenario, command, output, report))

    bench_ours(project, tools, run, base / SET_ASIDE)

    if tools.pelican:
        pelican = [*tools.pelican, "-s", str(pelican_dir / "pelicanconf.py"), "-q"]
        pelican += ["--fatal", "errors"]
        _set_aside(base / SET_ASIDE, pelican_dir / "output", pelican_dir / "cache")
        run("pelican", "cold", pelican, pelican_dir / "output")
        run("pelican", "warm", pelican, pelican_dir / "output")

    if tools.hugo:
        public = hugo_dir / "public"
        hugo = [*tools.hugo, "--source", str(hugo_dir), "--destination", str(public)]
        hugo += ["--cacheDir", str(hugo_dir / "cache"), "--quiet"]
        _set_aside(base / SET_ASIDE, public, hugo_dir / "resources", hugo_dir / "cache")
        run("hugo", "cold", hugo, public)
        run("hugo", "warm", hugo, public)


def build_row(
    size: int, tool: str, scenario: str, command: list[str], output: Path, report: Report
) -> Row:
    """One build in its own child process, measured; a build that wrote fewer post pages
    than ``size`` fails."""
    seconds, cpu, peak = measure_all(command, f"{tool} {scenario}")
    written = post_pages(output)
    if written != size:
        raise BuildError(f"{tool} {scenario}", 0, f"{written} post pages for {size} posts")
    report(f"  {tool} {scenario}: {seconds:.2f} s ({cpu:.2f} s CPU), {peak:.0f} MB")
    return Row(size, tool, scenario, seconds, cpu, peak, count_files(output))


Run = Callable[[str, str, list[str], Path], None]


def bench_ours(
    project: Path, tools: Tools, run: Run, trash: Path, scenarios: tuple[str, ...] = SCENARIOS
) -> None:
    """Ours: each scenario without the search index (like Pelican and Hugo, which make
    none), then each again with it (what users get by default, `+search`)."""
    build = [*tools.ours, "-C", str(project), "build", "--today", TODAY, "--quiet"]
    site = project / "site"
    ways = [("", [*build, "--no-search"]), ("+search", build)] if tools.no_search else [("", build)]
    for suffix, command in ways:
        _set_aside(trash, site, project / ".newsletter")
        # The build cache does not trust a file written within 2 s of a build's stamp
        # (it may change again within the same mtime tick): the build after one that
        # started right after writing the corpus would redo everything, which no one
        # who writes, builds and builds again later sees.
        time.sleep(RACY_SECONDS)
        for scenario in scenarios:
            if scenario == "one-edit":
                edit_one_post(project)
            run("ours", scenario + suffix, command, site)


def bench_twir(clone: Path, base: Path, tools: Tools, rows: list[Row], report: Report) -> None:
    """This Week in Rust converted (benchmarks/twir.py), built cold by ours both ways."""
    from twir import convert, write_project

    project = base / "twir"
    files = convert(clone)
    write_project(project, files)
    posts = sum(1 for name in files if name.startswith("content/posts/"))
    report(f"converted This Week in Rust: {posts} posts into {project}")

    def run(tool: str, scenario: str, command: list[str], output: Path) -> None:
        rows.append(build_row(posts, tool, f"TWiR {scenario}", command, output, report))

    bench_ours(project, tools, run, base / SET_ASIDE, scenarios=("cold",))


SET_ASIDE = "set-aside"
"""Where the outputs of earlier builds go, in the run's folder, deleted with it."""


def _set_aside(trash: Path, *folders: Path) -> None:
    """Move ``folders`` into ``trash`` rather than delete them: a cold build measured
    right after thousands of files were deleted pays for the deletion. On ext4 without a
    journal (this development machine's disk), each new file or folder skips, one by
    one, every inode deleted in the last minute or more (the kernel's
    ``recently_deleted``): a cold 2,000-post build took 7–9 s of system CPU right after
    the last one's output was deleted, 1.6–2.1 s when it was moved away."""
    trash.mkdir(exist_ok=True)
    for folder in folders:
        if folder.exists():
            folder.rename(trash / uuid.uuid4().hex)


# -- the table -------------------------------------------------------------------


def ratio(theirs: float, ours: float) -> str:
    """Theirs over ours: "5.3×" when theirs takes 5.3 times as long."""
    return f"{theirs / max(ours, 0.005):.1f}×"


HEADER = (
    "size",
    "tool",
    "scenario",
    "seconds",
    "CPU s",
    "peak MB",
    "files",
    "time ÷ ours",
    "CPU ÷ ours",
)
LEFT = {1, 2}
"""Columns that read better left-aligned: tool and scenario."""


def table_cells(rows: list[Row]) -> list[tuple[str, ...]]:
    """Each row's cells under HEADER; Pelican's and Hugo's ratios to ours for the same
    size and scenario (ours without search: neither makes a search index)."""
    ours = {(r.size, r.scenario): r for r in rows if r.tool == "ours"}

    def ratios(r: Row) -> tuple[str, str]:
        base = ours.get((r.size, r.scenario)) if r.tool != "ours" else None
        return (ratio(r.seconds, base.seconds), ratio(r.cpu, base.cpu)) if base else ("", "")

    return [
        (
            f"{r.size:,}",
            r.tool,
            r.scenario,
            f"{r.seconds:.2f}",
            f"{r.cpu:.2f}",
            f"{r.peak_mb:.0f}",
            f"{r.files:,}",
            *ratios(r),
        )
        for r in rows
    ]


def print_table(rows: list[Row]) -> None:
    cells = table_cells(rows)
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(HEADER)]

    def line(values: tuple[str, ...]) -> str:
        return "  ".join(
            v.ljust(w) if i in LEFT else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    print(line(HEADER))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))


@dataclass(frozen=True)
class Setting:
    """Where and when a table was measured, for the reader of the Markdown table."""

    date: str
    machine: str
    python: str
    versions: tuple[str, ...]
    load: str
    """The load average before and after the run."""


def markdown_table(rows: list[Row], setting: Setting) -> str:
    """The table in Markdown (GitHub's tables), after a line saying when, on what machine,
    with which Python and tools, and under what load it was measured."""
    head = (
        f"Measured on {setting.date} by `benchmarks/compare.py`: {setting.machine}; "
        f"Python {setting.python}; {', '.join(setting.versions)}; load average {setting.load}."
    )

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    align = tuple(":--" if i in LEFT else "--:" for i in range(len(HEADER)))
    body = [line(c) for c in table_cells(rows)]
    return "\n".join([head, "", line(HEADER), line(align), *body]) + "\n"


def machine() -> str:
    """'2 CPUs (AMD EPYC 7B13), Linux x86_64': os.cpu_count() and /proc/cpuinfo's model."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), ""
            )
    except OSError:
        pass
    cpus = f"{os.cpu_count()} CPUs" + (f" ({model})" if model else "")
    return f"{cpus}, {platform.system()} {platform.machine()}"


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_skip(text: str) -> set[str]:
    skip = {s.strip() for s in text.split(",") if s.strip()}
    if unknown := skip - set(TOOLS):
        unknown_text = ", ".join(sorted(unknown))
        raise argparse.ArgumentTypeError(f"can skip {' and '.join(TOOLS)} only, not {unknown_text}")
    return skip


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=list(SIZES),
        help="comma-separated numbers of posts (default: 2000,10000,20000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default: 1)")
    parser.add_argument(
        "--skip", type=parse_skip, default=set(), help="tools not to run: pelican, hugo or both"
    )
    parser.add_argument(
        "--twir",
        type=Path,
        metavar="CLONE",
        help="also build This Week in Rust, converted from this local clone (benchmarks/twir.py)",
    )
    parser.add_argument(
        "--markdown", type=Path, metavar="FILE", help="also write the table to FILE in Markdown"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the generated projects and their output"
    )
    args = parser.parse_args(argv)
    if args.twir and not (args.twir / "content").is_dir():
        parser.error(f"--twir {args.twir}: no content/ there; is it a clone of this-week-in-rust?")
    return args


def setup(skip: set[str], report: Report) -> tuple[Tools, list[str]]:
    """The three tools, Pelican and Hugo installed if missing, and their versions."""
    ours = newsletter_command()
    versions = [f"newsletter {_output([*ours, '--version']).rsplit(' ', 1)[-1]}"]
    tools = Tools(ours, search_option(ours), None, None, (0, 0))
    if "pelican" not in skip:
        tools.pelican, version = pelican_command(report)
        versions.append(f"pelican {version}")
    if "hugo" not in skip:
        tools.hugo, tools.hugo_version, version = hugo_command(report)
        versions.append(f"hugo {version}")
    return tools, versions


def print_commands(tools: Tools, versions: list[str]) -> None:
    print(
        f"python {platform.python_version()} ({platform.python_implementation()}), "
        f"{machine()}, os.cpu_count() = {os.cpu_count()}"
    )
    print("versions: " + ", ".join(versions))
    search = " [--no-search]" if tools.no_search else " (no --no-search option: search not built)"
    print(f"ours: {' '.join(tools.ours)} -C DIR build --today {TODAY} --quiet{search}")
    if tools.pelican:
        print(f"pelican: {tools.pelican[0]} -s DIR/pelicanconf.py -q --fatal errors")
    if tools.hugo:
        print(f"hugo: {tools.hugo[0]} --source DIR --destination DIR/public --quiet")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def report(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    load_before = load_average()
    try:
        tools, versions = setup(args.skip, report)
    except SetupError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print_commands(tools, versions)
    base = Path(tempfile.mkdtemp(prefix="newsletter-compare-"))
    rows: list[Row] = []
    failed = False
    try:
        for size in args.sizes:
            bench_size(size, args.seed, base, tools, rows, report)
        if args.twir:
            bench_twir(args.twir, base, tools, rows, report)
    except BuildError as err:
        failed = True
        print(f"error: {err}; its stderr:", file=sys.stderr)
        print(err.stderr.rstrip(), file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    load = f"{load_before} before, {load_average()} after"
    if rows:
        print()
        print_table(rows)
        print(f"\nload average: {load}")
    if rows and args.markdown:
        python = f"{platform.python_version()} ({platform.python_implementation()})"
        setting = Setting(dt.date.today().isoformat(), machine(), python, tuple(versions), load)
        args.markdown.write_text(markdown_table(rows, setting), encoding="utf-8")
        print(f"Markdown table: {args.markdown}")
    if args.keep:
        print(f"kept: {base}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
