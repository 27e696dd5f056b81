"""The command line as a user runs it: in this process through Click, or as a process of
its own (for what only a real process shows: signals, a terminal, a lock held by another)."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner, Result

from newsletter.cli import main

NEWSLETTER = [sys.executable, "-c", "from newsletter.cli import main; main()"]
"""`newsletter` as a subprocess, in this interpreter (wherever its console script is)."""


def run(*args: str, cwd: Path | None = None) -> Result:
    """Run `newsletter ARGS` through Click, as a user would, in ``cwd``."""
    runner = CliRunner()
    argv = ["-C", str(cwd), *args] if cwd else list(args)
    return runner.invoke(main, argv, catch_exceptions=False)
