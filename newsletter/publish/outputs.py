"""Outputs: run the render jobs a build needs and put their files in site/.

Two ways to update site/, both leaving a visitor only whole files:

- **staged** (a first build, a damaged or unknown site/, or many changes): every file
  is placed in a staging folder beside site/ (a job that did not change is hard-linked
  from the old site), then the folders are swapped. A failure or a kill leaves site/
  as it was; leftovers of an interrupted build are removed by the next.
- **in place** (a few pages changed in an intact site/): those files are rendered,
  checked, and each replaced by a rename; a journal in .newsletter/ marks the update
  until it is done, and a build that finds it rebuilds site/ staged.

Jobs run in this process, or spread over ``jobs`` forked processes
(``core.parallel``) that write their files themselves, so no process holds the whole
site in memory. A file whose bytes
did not change keeps its inode and mtime (static hosts and rsync see nothing changed).
Every file is checked for email addresses before it can be published.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsletter.core.diagnostics import Diagnostic
from newsletter.core.errors import OutputError
from newsletter.core.parallel import map_in_processes
from newsletter.core.progress import Progress, quiet
from newsletter.project.buildcache import OutputFile, OutputRecord
from newsletter.publish.shards import indexed_digest, page_language
from newsletter.publish.write import (
    KEEP,
    WriteReport,
    clean_leftovers,
    place,
    prune_empty,
    safe_relative,
    same_bytes,
    swap,
)
from newsletter.render import Job, Output

IN_PLACE_MAX = 300
"""Jobs to redo at most for an in-place update; more, and site/ is rebuilt staged."""

PARALLEL_MIN = 64
"""Jobs to run at least before processes are worth their start."""

Check = Callable[[Output], list[Diagnostic]]
"""The leak check: files → diagnostics (none when they may be published)."""


@dataclass
class OutputsWritten:
    records: dict[str, OutputRecord]
    report: WriteReport
    leaks: list[Diagnostic]
    files: int
    rendered: int


def _put(
    folder: Path, old_site: Path | None, name: str, data: bytes, made: set[Path]
) -> tuple[OutputFile, bool]:
    """Write ``data`` as ``name`` under ``folder``: linked from ``old_site`` when it holds
    the same bytes. (The file, whether it was written.) ``made``: the folders this
    process has made under ``folder`` (each made once, not once a file: 55,000 files
    for This Week in Rust)."""
    rel = safe_relative(name)
    target = folder.joinpath(*rel.parts)
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    old = old_site.joinpath(*rel.parts) if old_site else None
    wrote = True
    if old is not None and same_bytes(old, data):
        place(old, target)
        wrote = False
    else:
        target.write_bytes(data)
    st = target.stat()
    return OutputFile(name, st.st_size, st.st_mtime_ns), wrote


# -- running jobs, here or in forked processes -----------------------------------------

Seen = dict[str, tuple[str, str]]
"""Searched pages as Pagefind will read them: path → (its language, its
:func:`~newsletter.publish.shards.indexed_digest`), worked out where each page is made,
while its bytes are in memory, so that the search step reads no page it does not index."""

Searched = Callable[[str], bool]
"""Whether the search index has the page at a path (relative to site/)."""

Finish = Callable[[Path, dict[str, OutputRecord], Seen], dict[str, OutputRecord]]
"""The step after the jobs (the search index): the folder being built, the records of
every file in it, what the jobs made of the searched pages → its own records."""

Done = tuple[str, tuple[OutputFile, ...], int, list[Diagnostic], Seen]
"""A job's name, its files, how many were written, the leaks found in them, and its
searched pages."""

PROGRESS_EVERY = 50
"""Jobs done between two reports of progress."""


def _run(
    job: Job,
    folder: Path,
    old_site: Path | None,
    check: Check,
    searched: Searched | None,
    made: set[Path],
) -> Done:
    files = job.run()
    leaks = check(files)
    placed, written = [], 0
    if not leaks:
        for name in sorted(files):
            entry, wrote = _put(folder, old_site, name, files[name], made)
            placed.append(entry)
            written += wrote
    return job.name, tuple(placed), written, leaks, _seen(files, searched)


def _seen(files: Output, searched: Searched | None) -> Seen:
    if searched is None:
        return {}
    return {
        name: (page_language(data), indexed_digest(data))
        for name, data in files.items()
        if searched(name)
    }


def run_into(
    jobs: list[Job],
    folder: Path,
    old_site: Path | None,
    check: Check,
    workers: int,
    progress: Progress = quiet,
    searched: Searched | None = None,
) -> list[Done]:
    """Run ``jobs``, writing their files under ``folder``, in ``workers`` forked processes
    when there are enough of them (the workers share the site in memory with this process
    and write their files themselves); what each did, in the order of ``jobs``."""
    total = len(jobs)
    reported = 0

    def advance(done: int) -> None:
        nonlocal reported
        if done == total or done // PROGRESS_EVERY > reported // PROGRESS_EVERY:
            progress("render", done, total)
            reported = done

    made: set[Path] = set()  # each process's own, once forked
    return map_in_processes(
        lambda job: _run(job, folder, old_site, check, searched, made),
        jobs,
        workers,
        min_items=PARALLEL_MIN,
        min_chunk=8,
        max_chunk=200,
        progress=advance,
    )


# -- the two ways to update site/ ---------------------------------------------------------


def build_staged(
    output: Path,
    todo: list[Job],
    kept: dict[str, OutputRecord],
    keys: dict[str, str],
    check: Check,
    workers: int,
    progress: Progress = quiet,
    finish: Finish | None = None,
    searched: Searched | None = None,
) -> OutputsWritten:
    """A whole new site/ in a staging folder, swapped in at the end."""
    clean_leftovers(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    except OSError as err:
        raise OutputError(f"could not create {output}: {err.strerror or err}") from err
    old_site = output if output.is_dir() else None
    before = _all_files(output) if old_site else set()
    try:
        for record in kept.values():
            for f in record.files:
                rel = safe_relative(f.path)
                target = staging.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                place(output.joinpath(*rel.parts), target)
        done = run_into(todo, staging, old_site, check, workers, progress, searched)
        leaks = [d for _, _, _, found, _ in done for d in found]
        records = dict(kept)
        written = 0
        seen: Seen = {}
        for name, placed, wrote, _, pages in done:
            records[name] = OutputRecord(keys[name], placed)
            written += wrote
            seen |= pages
        if leaks:
            shutil.rmtree(staging, ignore_errors=True)
            return OutputsWritten({}, WriteReport(0, 0, 0), leaks, 0, len(done))
        if finish:
            records.update(finish(staging, records, seen))
        _check_clashes(records)
        for keep in KEEP:
            if old_site and (output / keep).is_file():
                place(output / keep, staging / keep)
        files = sum(len(r.files) for r in records.values())
        swap(output, staging)
    except OSError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"could not write {output}: {err.strerror or err}") from err
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    removed = len(before - {f.path for r in records.values() for f in r.files})
    return OutputsWritten(
        records, WriteReport(written, files - written, removed), [], files, len(done)
    )


def update_in_place(
    output: Path,
    journal: Path,
    todo: list[Job],
    previous: dict[str, OutputRecord],
    current: set[str],
    keys: dict[str, str],
    check: Check,
    finish: Finish | None = None,
    searched: Searched | None = None,
) -> OutputsWritten:
    """Only the jobs in ``todo`` are rendered; their files replace the old ones one by one."""
    rendered = {job.name: job.run() for job in todo}
    leaks = [d for files in rendered.values() for d in check(files)]
    if leaks:
        return OutputsWritten({}, WriteReport(0, 0, 0), leaks, 0, len(todo))
    records = {name: r for name, r in previous.items() if name in current}
    written = removed = 0
    try:
        journal.write_text("site/ is being updated in place\n")
        # every new file is written aside before any is put in place: a full disk or a
        # refused write leaves site/ as it was, and no half-written file is ever in it
        aside, changed = _write_aside(output, rendered)
        try:
            for temp, target in changed:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(temp, target)
        finally:
            shutil.rmtree(aside, ignore_errors=True)
        written = len(changed)
        for name, files in rendered.items():
            placed = []
            for path in sorted(files):
                target = output.joinpath(*safe_relative(path).parts)
                st = target.stat()
                placed.append(OutputFile(path, st.st_size, st.st_mtime_ns))
            records[name] = OutputRecord(keys[name], tuple(placed))
        wanted = {f.path for r in records.values() for f in r.files}
        for record in previous.values():
            for f in record.files:
                if f.path not in wanted:
                    (output / f.path).unlink(missing_ok=True)
                    prune_empty(output, (output / f.path).parent)
                    removed += 1
        if finish:
            seen = {k: v for files in rendered.values() for k, v in _seen(files, searched).items()}
            records.update(finish(output, records, seen))
        _check_clashes(records)
        journal.unlink(missing_ok=True)
    except OSError as err:
        raise OutputError(f"could not update {output}: {err.strerror or err}") from err
    count = sum(len(r.files) for r in records.values())
    return OutputsWritten(
        records, WriteReport(written, count - written, removed), [], count, len(todo)
    )


def _write_aside(output: Path, rendered: dict[str, Output]) -> tuple[Path, list[tuple[Path, Path]]]:
    """Each changed file written into a staging folder beside ``output`` (removed by the
    next build if this one is killed): (the folder, [(temp, target)]). On a failure the
    folder is removed before the error is raised."""
    aside = Path(tempfile.mkdtemp(prefix=f".{output.name}.new-", dir=output.parent))
    changed: list[tuple[Path, Path]] = []
    try:
        for files in rendered.values():
            for path in sorted(files):
                target = output.joinpath(*safe_relative(path).parts)
                if not same_bytes(target, files[path]):
                    temp = aside / str(len(changed))
                    temp.write_bytes(files[path])
                    changed.append((temp, target))
    except BaseException:
        shutil.rmtree(aside, ignore_errors=True)
        raise
    return aside, changed


def _check_clashes(records: dict[str, OutputRecord]) -> None:
    seen: dict[str, str] = {}
    for name, record in records.items():
        for f in record.files:
            if f.path in seen:  # two jobs claiming one path is a bug, never a silent overwrite
                raise RuntimeError(f"rendered twice: {f.path} ({seen[f.path]}, {name})")
            seen[f.path] = name


def _all_files(output: Path) -> set[str]:
    return {
        os.path.relpath(os.path.join(folder, name), output).replace(os.sep, "/")
        for folder, _, files in os.walk(output)
        for name in files
        if name not in KEEP
    }
