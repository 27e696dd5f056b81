"""Jobs: the unit of rendering, and running a list of them into one set of files.

A :class:`Job` is one page, feed, email or card, with what it shows (``inputs``), so
that a build can skip a job whose inputs are unchanged and spread the others over
processes. Running jobs only calls them and gathers their bytes: nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsletter.core.progress import Progress, quiet

Output = dict[str, bytes]
"""Rendered files: path relative to site/ → bytes."""


@dataclass(frozen=True)
class Job:
    """One unit of rendering.

    ``name`` is its main output path (unique). ``inputs`` is everything it shows beyond
    the site-wide context (config, members, theme): model objects and plain values, which
    make its key. ``templates`` are the templates it renders: when one of them (or what it
    includes) reads ``site``, the whole site is an input too. ``whole_site`` says so for a
    job that reads it in code.
    """

    name: str
    inputs: tuple[Any, ...]
    run: Callable[[], Output]
    templates: tuple[str, ...] = ()
    whole_site: bool = False


def run_jobs(jobs: list[Job], progress: Progress = quiet) -> Output:
    """Each job's files, in one mapping; two jobs claiming one path is a bug."""
    out: Output = {}
    for done, job in enumerate(jobs, 1):
        part = job.run()
        clash = out.keys() & part.keys()
        if clash:  # never a silent overwrite
            raise RuntimeError(f"rendered twice: {sorted(clash)[:3]}")
        out.update(part)
        if done % 50 == 0 or done == len(jobs):
            progress("render", done, len(jobs))
    return out
