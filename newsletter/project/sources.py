"""Sources: where a newsletter project's files are, and reading them as text.

Owns the project layout (newsletter.yaml, content/, templates/, .newsletter/); knows nothing
of what files mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.errors import ProjectError
from newsletter.core.markup import CONTROL_RE
from newsletter.project import limits

CONFIG_NAME = "newsletter.yaml"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def state(self) -> Path:
        """Local state (.newsletter/): caches and ledgers, never published."""
        return self.root / ".newsletter"

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def member_files(self) -> list[Path]:
        return sorted((self.content / "members").glob("*.yaml"))

    def post_files(self) -> list[Path]:
        """content/posts/<yyyy>/<slug>.md, or <slug>/index.md with its images beside it
        (other Markdown files in such a folder are the post's notes, not posts)."""
        files = sorted((self.content / "posts").rglob("*.md"))
        folders = {f.parent for f in files if f.name == "index.md"}
        return [f for f in files if f.name == "index.md" or f.parent not in folders]

    def edition_files(self) -> list[Path]:
        return sorted((self.content / "editions").glob("*.md"))


def find_project(start: Path) -> Project:
    """The project whose newsletter.yaml is in ``start`` or the nearest parent."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return Project(folder)
    raise ProjectError(
        f"no {CONFIG_NAME} in {start} or any parent folder; "
        "run `newsletter init` to start a newsletter, or pass --project DIR"
    )


def read_text(project: Project, path: Path, diags: Diagnostics) -> str | None:
    """The file as text, or None after a diagnostic saying why it cannot be read."""
    where = Location(project.relative(path))
    if not limits.refuse_outside(project.root, path, where, diags):
        return None
    try:
        if not limits.check_file(path, path.stat(), where, diags):
            return None
        raw = path.read_bytes()
    except OSError as err:
        diags.error(where, "file.unreadable", f"cannot read file: {err.strerror}")
        return None
    if not limits.check_binary(raw, where, diags):
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = raw.rfind(b"\n", 0, err.start) + 1
        line = raw[: err.start].count(b"\n") + 1
        col = len(raw[line_start : err.start].decode("utf-8", "replace")) + 1
        diags.error(
            Location(where.path, line, col),
            "file.encoding",
            f"not valid UTF-8 (byte 0x{raw[err.start]:02x})",
            "save the file as UTF-8",
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return strip_control_characters(text, where.path, diags)


def strip_control_characters(text: str, path: str, diags: Diagnostics) -> str:
    """The text without control characters, each reported (once per line) as a warning."""
    lines_seen: set[int] = set()
    for match in CONTROL_RE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        if line in lines_seen:
            continue
        lines_seen.add(line)
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        diags.warning(
            Location(path, line, col),
            "file.control-character",
            f"invisible control character U+{ord(match.group()):04X} removed",
            "it usually comes from copy and paste; delete it to silence this warning",
        )
    return CONTROL_RE.sub("", text) if lines_seen else text
