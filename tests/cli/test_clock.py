"""No output depends on the day a command runs: only on --today and --date.

The whole flow an editor goes through (init, new, check, build, contacts, network,
send --dry-run) runs under three real clocks years apart, moved in this process by
time-machine; every file and every line it produces is the same. .ci/run also runs
the whole suite under clocks moved by libfaketime, which reaches subprocesses too.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import time_machine

from newsletter.core import clock

from support.cli import run
from support.clock import TODAY
from support.paths import REPO, TESTS

CLOCKS = ["2019-03-01 09:00:00", "2026-11-25 12:00:00", "2041-07-15 23:30:00"]
"""Before the example's dates, on its day, and long after it."""


def flow(root: Path) -> dict[str, bytes]:
    """An editor's first week, every date given; everything it produced, by name."""
    steps = [
        ("init", str(root), "--editor", "ada", "--name", "Ada", "--date", "2026-11-01"),
        ("new", "member", "grace", "--name", "Grace", "--topics", "maps"),
        ("new", "member", "linus", "--name", "Linus", "--topics", "kernels,maps"),
        (
            "new", "post", "--title", "Who has a geocoder?", "--by", "grace", "--kind", "ask",
            "--tags", "maps", "--date", "2026-11-10", "--body", "An offline one, for 40,000 rows.",
        ),
        (
            "new", "post", "--title", "Grace, meet Linus", "--by", "ada", "--kind", "intro",
            "--connects", "grace,linus", "--date", "2026-11-12", "--body", "Both map kernels.",
        ),
        (
            "new", "post", "--title", "A kernel for maps", "--by", "linus", "--for", "grace",
            "--via", "ada", "--date", "2026-11-14", "--body", "Maps in the kernel.",
        ),
        ("new", "edition", "--title", "Maps and kernels", "--date", "2026-11-20"),
    ]  # fmt: skip
    said: dict[str, bytes] = {}
    for i, args in enumerate(steps):
        result = run(*args, cwd=None if args[0] == "init" else root)
        assert result.exit_code == 0, result.output
        said[f"step {i}"] = result.output.replace(str(root), "ROOT").encode()
    (root / "private").mkdir(exist_ok=True)
    (root / "private/subscribers.csv").write_text(
        "email,name,member,status\ngrace@example.org,Grace,grace,\nreader@example.org,,,\n"
    )
    config = (root / "newsletter.yaml").read_text()
    (root / "newsletter.yaml").write_text(
        config.replace("email:\n", "email:\n  unsubscribe: leave@example.org\n")
    )
    for args in (
        ("check", "--today", TODAY),
        ("build", "--today", TODAY),
        ("contacts", "--today", TODAY, "--format", "json"),
        ("network", "--today", TODAY, "--format", "json"),
        ("send", "1", "--dry-run", str(root / "outbox"), "--today", TODAY),
    ):
        result = run(*args, cwd=root)
        assert result.exit_code == 0, result.output
        output = re.sub(r" in \d+\.\d+ s", " in … s", result.output)  # how long it took
        said[args[0]] = output.replace(str(root), "ROOT").encode()
    files = {
        str(path.relative_to(root)): path.read_bytes()
        for folder in ("content", "site", "outbox")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }
    return said | files


def without_date_header(eml: bytes) -> bytes:
    """A message as sent, less its Date: when it was sent is the one thing that moves."""
    message = message_from_bytes(eml, policy=policy.default)
    del message["Date"]
    return message.as_bytes()


@pytest.mark.slow
def test_the_whole_flow_is_the_same_under_any_clock(tmp_path: Path) -> None:
    seen: dict[str, dict[str, bytes]] = {}
    for moment in CLOCKS:
        with time_machine.travel(dt.datetime.fromisoformat(moment).astimezone(), tick=True):
            assert clock.now().year == int(moment[:4])  # the clock did move
            produced = flow(tmp_path / moment[:4] / "exchange")
        dates = [
            message_from_bytes(data)["Date"]
            for name, data in produced.items()
            if name.endswith(".eml")
        ]
        assert dates and all(moment[:4] in d for d in dates), dates  # sent "now", honestly
        seen[moment] = {
            name: without_date_header(data) if name.endswith(".eml") else data
            for name, data in produced.items()
        }
    first, *others = seen.values()
    assert len(first) > 40 and any(name.startswith("site/") for name in first)
    for moment, produced in zip(CLOCKS[1:], others, strict=True):
        assert sorted(produced) == sorted(first), moment
        changed = [name for name in first if produced[name] != first[name]]
        assert not changed, f"under the clock of {moment}, these differ: {changed}"


@pytest.mark.real_clock
def test_init_and_new_use_the_real_day_when_none_is_given(tmp_path: Path) -> None:
    """Users get the real date as the default; a test that wants it says so (real_clock)."""
    with time_machine.travel(dt.datetime(2033, 5, 17, 10, 0).astimezone(), tick=False):
        assert run("init", str(tmp_path), "--editor", "ada").exit_code == 0
        new_post = ("new", "post", "--title", "Hi", "--by", "ada", "--body", "Hello.")
        assert run(*new_post, cwd=tmp_path).exit_code == 0
    assert "date: 2033-05-17" in (tmp_path / "content/posts/2033/hi.md").read_text()
    with time_machine.travel(dt.datetime(2033, 5, 24, 10, 0).astimezone(), tick=False):
        new_post = ("new", "post", "--title", "Later", "--by", "ada", "--body", "Again.")
        assert run(*new_post, cwd=tmp_path).exit_code == 0
        assert run("new", "edition", "--title", "Hello", cwd=tmp_path).exit_code == 0
    editions = sorted((tmp_path / "content/editions").glob("*.md"))
    assert "date: 2033-05-24" in editions[-1].read_text()


@pytest.mark.real_clock  # the pinning of the inner test is what is tested
def test_a_test_that_reads_the_real_day_fails(pytester: pytest.Pytester) -> None:
    """tests/conftest.py's day_is_pinned is itself tested: a command run without --today
    reads the real date, and the test that ran it fails, naming where."""
    pytester.makeconftest((TESTS / "conftest.py").read_text())
    pytester.makepyfile(
        """
        from support.cli import run
        from support.clock import TODAY

        def test_forgets(tmp_path):
            assert run("init", str(tmp_path)).exit_code == 0

        def test_remembers(tmp_path):
            assert run("init", str(tmp_path), "--date", TODAY).exit_code == 0
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*the test read the real date*", "*newsletter/cli/*in init*"])


CLOCK_READS = {"today", "now", "utcnow", "time", "time_ns", "localtime", "gmtime"}
"""Attributes that read the real clock: date.today(), datetime.now(), time.time()…"""


def test_the_library_reads_the_real_clock_in_one_module() -> None:
    """Every reading of the clock is in newsletter/core/clock.py, where the tests can see it:
    anywhere else it would be a date no --today reaches. (perf_counter and monotonic
    measure durations, not dates, and are not readings of this kind.)"""
    package = REPO / "newsletter"
    readings = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CLOCK_READS
                and isinstance(node.func.value, ast.Name | ast.Attribute)
                and ast.unparse(node.func.value).split(".")[-1] in ("date", "datetime", "time")
            ):
                readings.append(f"{path.relative_to(package)}:{node.lineno}: {ast.unparse(node)}")
    assert not readings, "read the clock through newsletter.core.clock:\n" + "\n".join(readings)
    cli = "".join(p.read_text(encoding="utf-8") for p in (package / "cli").rglob("*.py"))
    assert "clock.today()" in cli  # the test can see the calls
