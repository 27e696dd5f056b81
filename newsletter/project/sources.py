"""Sources: where a newsletter project's files are, and reading them as text.

Owns the project layout (newsletter.yaml, content/, templates/, .newsletter/): which
files under content/ are read, as what kind of file, and which are not (each named, with
what would be read in its place, so nothing is ignored without a word). Knows nothing
of what the files say.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.errors import ProjectError
from newsletter.project import limits

CONFIG_NAME = "newsletter.yaml"
MEMBER_SUFFIXES = (".yaml", ".yml")
"""A member's file: both spellings of YAML are common; .yaml wins if a member has both."""
MARKDOWN_SUFFIXES = (".md", ".markdown")
"""A post, an edition or a page: both spellings of Markdown; .md wins a clash."""
FOLDER_POST = "index.md"
"""The text of a post that is a folder, with its images and PDFs beside it."""
SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
"""What file managers leave behind: never read, never mentioned (nor are hidden names)."""
CONTENT_FOLDERS = ("members", "posts", "editions", "pages")

POSTS_HOLD = (
    "content/posts/ holds posts as <year>/<slug>.md, or <year>/<slug>/index.md "
    "with the post's images and PDFs beside it"
)


@dataclass(frozen=True)
class Unread:
    """A file or folder under content/ that is not read: why, and what to do instead."""

    path: Path
    why: str
    hint: str


@dataclass(frozen=True)
class Clash:
    """Two files for one name (ada.yaml and ada.yml): only ``read`` is read."""

    read: Path
    other: Path


@dataclass(frozen=True)
class ContentFiles:
    """Every file under content/ by what it is read as, and those not read."""

    members: list[Path]
    posts: list[Path]
    editions: list[Path]
    pages: list[Path]
    clashes: list[Clash]
    unread: list[Unread]


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
        """``path`` relative to the project, as diagnostics name it; as it is if outside.
        (By its string: ``relative_to`` was 2.7 s of loading 50,000 posts, profiled.)"""
        text, root = os.fspath(path), os.fspath(self.root)
        if text.startswith(root) and text[len(root) : len(root) + 1] == os.sep:
            return text[len(root) + 1 :].replace(os.sep, "/")
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def member_files(self) -> list[Path]:
        """content/members/<handle>.yaml (or .yml)."""
        return _named(self.content / "members", MEMBER_SUFFIXES)[0]

    def post_files(self) -> list[Path]:
        """content/posts/<yyyy>/<slug>.md (or .markdown), or <slug>/index.md with its
        images beside it."""
        return _posts(self, [])

    def edition_files(self) -> list[Path]:
        """content/editions/<number>.md (or .markdown)."""
        return _named(self.content / "editions", MARKDOWN_SUFFIXES)[0]

    def page_files(self) -> list[Path]:
        """content/pages/<slug>.md (or .markdown): the site's standalone pages."""
        return _named(self.content / "pages", MARKDOWN_SUFFIXES)[0]

    def content_files(self) -> ContentFiles:
        """Every file under content/ by its kind, the clashes, and what is not read."""
        unread: list[Unread] = []
        folder = self.content
        members, member_clashes, others = _named(folder / "members", MEMBER_SUFFIXES)
        handles = {f.stem for f in members}
        for path in others:
            if path.suffix == ".md" and path.stem in handles:
                continue  # the member's bio
            unread.append(_not_a_member_file(path))
        editions, edition_clashes, others = _named(folder / "editions", MARKDOWN_SUFFIXES)
        unread += (_unread(p, "content/editions/ holds <number>.md files", "") for p in others)
        pages, page_clashes, others = _named(folder / "pages", MARKDOWN_SUFFIXES)
        unread += (_unread(p, "content/pages/ holds one <slug>.md per page", "") for p in others)
        posts = _posts(self, unread)
        unread += (_outside_folders(p) for p in _visible(folder) if p.name not in CONTENT_FOLDERS)
        clashes = member_clashes + edition_clashes + page_clashes
        return ContentFiles(members, posts, editions, pages, clashes, unread)


def _visible(folder: Path) -> list[Path]:
    """The entries of ``folder`` that are anyone's files: not hidden, not system clutter."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:  # no such folder (or not one): nothing in it
        return []
    return [folder / n for n in names if not n.startswith(".") and n not in SYSTEM_FILES]


def _named(folder: Path, suffixes: tuple[str, ...]) -> tuple[list[Path], list[Clash], list[Path]]:
    """The files of ``folder`` with one of ``suffixes``, one per name (the first suffix
    wins); the clashes; and the other entries."""
    chosen: dict[str, Path] = {}
    clashes, others = [], []
    for path in _visible(folder):
        if path.suffix not in suffixes or path.is_dir():
            others.append(path)
        elif path.stem in chosen:
            first, second = chosen[path.stem], path
            if suffixes.index(second.suffix) < suffixes.index(first.suffix):
                first, second = second, first
            chosen[path.stem] = first
            clashes.append(Clash(first, second))
        else:
            chosen[path.stem] = path
    return sorted(chosen.values()), clashes, others


def _posts(project: Project, unread: list[Unread]) -> list[Path]:
    """The posts of ``project`` (content/posts/), in path order; the files that are
    not read go to ``unread``. A folder with an index.md is a post: the rest of it is
    its assets (``load.assets`` says which of those cannot be published)."""
    posts: list[Path] = []
    folder = project.content / "posts"
    for here, dirs, files in os.walk(folder):
        top = Path(here)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = sorted(f for f in files if not f.startswith(".") and f not in SYSTEM_FILES)
        if FOLDER_POST in names and top != folder and not _is_year(top):
            posts.append(top / FOLDER_POST)
            unread += (
                _unread(top / n, "beside index.md, only images and PDFs are read", "")
                for n in names
                if n != FOLDER_POST and Path(n).suffix in MARKDOWN_SUFFIXES
            )
            dirs[:] = []  # a folder in a post's folder is reported with its assets
            continue
        for name in names:
            path = top / name
            if name == "index.markdown":
                unread.append(_unread(path, "a post's folder has its text in index.md", ""))
            elif path.suffix in MARKDOWN_SUFFIXES and name != FOLDER_POST:
                posts.append(path)
            else:
                unread.append(_not_a_post(path))
        # a link to a folder outside the project is limits.check_tree's error
        unread += (
            _unread(top / d, "a link to a folder is not followed", "move the folder here")
            for d in dirs
            if (top / d).is_symlink() and limits.outside(project.root, top / d) is None
        )
    return sorted(posts)


def _is_year(folder: Path) -> bool:
    return len(folder.name) == 4 and folder.name.isdigit()


def _unread(path: Path, why: str, hint: str) -> Unread:
    return Unread(path, why, hint or "move it out of content/, or delete it")


def _not_a_member_file(path: Path) -> Unread:
    if path.suffix == ".md":
        return _unread(
            path,
            f"a bio is read beside its member's file, and there is no {path.stem}.yaml",
            f"add content/members/{path.stem}.yaml, or rename the bio after its member",
        )
    return _unread(path, "content/members/ holds one <handle>.yaml per member", "")


def _not_a_post(path: Path) -> Unread:
    if path.name == FOLDER_POST:
        return _unread(path, POSTS_HOLD, "put it in a folder named after the post")
    if path.suffix.lower() in (".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf"):
        return _unread(
            path,
            "images and PDFs are read beside a post that is a folder",
            "make the post a folder, <year>/<slug>/index.md, and put the file beside it",
        )
    return _unread(path, POSTS_HOLD, "")


def _outside_folders(path: Path) -> Unread:
    """A file or folder beside content/'s own folders."""
    holds = "content/ holds the folders members/, posts/, editions/ and pages/"
    if path.is_dir():
        close = did_you_mean(path.name, CONTENT_FOLDERS)
        hint = f"if it is meant to be one of them, rename it{close}" if close else ""
        return _unread(path, holds.replace("holds", "holds only"), hint)
    return _unread(path, holds, "")


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
    from newsletter.core.markup import CONTROL_RE  # Markdown's and nh3's: not for finding a project

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
