"""Assets: images and attachments beside a post (``content/posts/<yyyy>/<slug>/``).

A post that is a folder (``index.md``) may keep files next to it: images (JPEG, PNG,
GIF, WebP), resized to at most ``MAX_WIDTH`` pixels wide with their metadata (EXIF,
GPS, comments) dropped, and PDF attachments, copied as they are. Anything else — SVG, which
can carry script, executables, archives — is refused with a diagnostic, and so is a
file that is too large or not what its name says. Processed images are cached in
``.newsletter/images/`` (a ``project.blobcache``) by a digest of their bytes and of how
they are processed (this code, Pillow's version), so an unchanged image is not
processed again. Posts load in worker processes: an entry is written whole or not at
all, and one that is damaged is processed again.
"""

from __future__ import annotations

import codecs
import io
import re
import warnings
from functools import cache
from pathlib import Path

import PIL
from PIL import Image, ImageOps, UnidentifiedImageError, features

from newsletter.core.diagnostics import Diagnostics, Location
from newsletter.core.model import Asset
from newsletter.project.blobcache import BlobCache, blob_key
from newsletter.project.sources import Project

IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".gif": "GIF", ".webp": "WEBP"}
ATTACHMENTS = {".pdf": b"%PDF-"}
MAX_WIDTH = 1200
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
"""Larger images are refused before decoding: a small file can claim to be enormous."""
IGNORED = {".DS_Store", "Thumbs.db", "desktop.ini"}


def load_assets(project: Project, folder: Path, diags: Diagnostics) -> tuple[Asset, ...]:
    """The files beside ``folder/index.md``, checked and (images) processed."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".md" or path.name in IGNORED or path.name.startswith("."):
            continue  # index.md is the post; other Markdown beside it, its notes
        where = Location(project.relative(path))
        suffix = path.suffix.lower()
        if path.is_dir() or path.is_symlink():
            diags.error(
                where,
                "asset.type",
                "a folder or link beside a post is not published",
                "keep only the post's images and PDFs next to index.md",
            )
            continue
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", path.name):
            diags.error(
                where,
                "asset.name",
                f"'{path.name}' cannot be an address on the site",
                "rename it with letters, digits, '-', '_' and '.' only, like chart-2026.png",
            )
            continue
        if suffix not in IMAGE_FORMATS and suffix not in ATTACHMENTS:
            why = "SVG can carry script" if suffix == ".svg" else "only images and PDFs are"
            diags.error(
                where,
                "asset.type",
                f"'{path.name}' is not published: {why}",
                "use JPEG, PNG, GIF or WebP for images (export an SVG as PNG), PDF for documents",
            )
            continue
        limit = MAX_IMAGE_BYTES if suffix in IMAGE_FORMATS else MAX_ATTACHMENT_BYTES
        size = path.stat().st_size
        if size > limit:
            diags.error(
                where,
                "asset.too-large",
                f"'{path.name}' is {size / 1048576:.1f} MB, over the {limit // 1048576} MB limit",
                "make it smaller (an image needs no more than 2400 pixels across)",
            )
            continue
        data = path.read_bytes()
        if suffix in ATTACHMENTS:
            if not data.startswith(ATTACHMENTS[suffix]):
                diags.error(where, "asset.type", f"'{path.name}' is not a PDF", "export it again")
                continue
            found.append(Asset(path.name, data))
            continue
        image = _image(project, path, data, IMAGE_FORMATS[suffix], where, diags)
        if image is not None:
            found.append(image)
    return tuple(found)


IMAGE_CACHE = "images"
"""The processed images' folder in the project's state folder (.newsletter/images/)."""


@cache
def _processing_stamp() -> str:
    """A digest of how images are processed: this module's code (MAX_WIDTH, the
    quality, what is dropped) and the versions of Pillow and the codecs it uses."""
    codecs_used = (features.version(name) or "" for name in ("jpg", "webp", "zlib", "zlib_ng"))
    return blob_key(Path(__file__).read_bytes(), PIL.__version__, *codecs_used)


def _image(
    project: Project, path: Path, data: bytes, kind: str, where: Location, diags: Diagnostics
) -> Asset | None:
    store = BlobCache(project.state / IMAGE_CACHE, ".image")
    key = blob_key(data, kind, _processing_stamp())
    cached = store.get(key)
    if cached is not None:
        try:
            with Image.open(io.BytesIO(cached)) as image:  # reads the header alone
                return Asset(path.name, cached, image.width, image.height)
        except (OSError, ValueError):
            pass  # whole, yet no image: processed again below
    try:
        out, width, height = process(data, kind)
    except (
        OSError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as err:
        message, hint = _unreadable(path.name, kind, data, err)
        diags.error(where, "asset.image", message, hint)
        return None
    store.put(key, out)
    return Asset(path.name, out, width, height)


class WrongFormat(ValueError):
    """The bytes are an image, of another format than the file's name says."""

    def __init__(self, actual: str) -> None:
        super().__init__(actual)
        self.actual = actual


class TooManyPixels(ValueError):
    """The image would take too much memory to decode."""


def _unreadable(name: str, kind: str, data: bytes, err: Exception) -> tuple[str, str]:
    """(message, hint) for an image that cannot be published, in a person's words: no
    Python object names or decoder messages."""
    label = _LABELS.get(kind, kind)
    if isinstance(err, WrongFormat):
        actual = _LABELS.get(err.actual, err.actual)
        suffix = next((s for s, k in IMAGE_FORMATS.items() if k == err.actual), "")
        rename = f"rename it {name.rsplit('.', 1)[0]}{suffix}, or " if suffix else ""
        return (
            f"'{name}' is a {actual} image, not a {label}",
            f"{rename}export it again as {label}",
        )
    if isinstance(err, UnidentifiedImageError) and not data.startswith(_MAGIC[kind]):
        return (
            f"'{name}' is not a {label} image: {_what_it_holds(data)}",
            f"open the picture in an image editor and export it as {label}",
        )
    if isinstance(
        err, TooManyPixels | Image.DecompressionBombError | Image.DecompressionBombWarning
    ):
        return (
            f"'{name}' cannot be read as a {label} image: it has too many pixels "
            f"(at most {MAX_PIXELS // 1_000_000} million)",
            f"make it smaller: {MAX_WIDTH * 2} pixels across is plenty",
        )
    return (
        f"'{name}' cannot be read as a {label} image: it is damaged or cut short",
        "open it in an image editor and export it again",
    )


_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
_MAGIC = {"JPEG": b"\xff\xd8", "PNG": b"\x89PNG", "GIF": b"GIF8", "WEBP": b"RIFF"}
"""How each format's files start: one that starts so but cannot be read is damaged."""


def _what_it_holds(data: bytes) -> str:
    """What a file that is no image holds, as far as its first bytes tell."""
    head = data[:2048]
    if not data.strip():
        return "the file is empty"
    if head.startswith(b"%PDF-"):
        return "it is a PDF document"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "it is a HEIC photo (an iPhone's format)"
    if b"<html" in head.lower() or b"<!doctype html" in head.lower():
        return "it holds a web page (HTML), perhaps saved instead of the picture"
    try:  # incremental: a character cut at the end of ``head`` is no reason to doubt
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return "its content is no image that can be recognised"
    if re.search(rb"[\x00-\x08\x0e-\x1f]", head):
        return "its content is no image that can be recognised"
    return "it holds text"


def process(data: bytes, kind: str) -> tuple[bytes, int, int]:
    """An image at most MAX_WIDTH wide, turned upright, without metadata: (bytes, w, h).
    UnidentifiedImageError if the bytes are no image, WrongFormat if they are another
    format's, TooManyPixels, or another OSError or ValueError if they are damaged."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image: Image.Image = Image.open(io.BytesIO(data))
        if image.format != kind:
            raise WrongFormat(image.format or "unknown")
        if image.width * image.height > MAX_PIXELS:
            raise TooManyPixels(f"{image.width}×{image.height} pixels is too many")
        image.info.pop("comment", None)  # a GIF or JPEG comment could carry anything
        if kind == "GIF" and getattr(image, "is_animated", False):
            out = io.BytesIO()  # every frame kept, at its size; the comment left behind
            image.save(out, "GIF", save_all=True, comment=b"")
            return out.getvalue(), image.width, image.height
        image = ImageOps.exif_transpose(image)
        image.load()
    if image.width > MAX_WIDTH:
        height = round(image.height * MAX_WIDTH / image.width)
        image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options: dict[str, object] = {"optimize": True}
    if kind == "GIF":
        options["comment"] = b""
    if kind in ("JPEG", "WEBP"):
        options["quality"] = 82
    image.save(out, kind, **options)  # no exif= or pnginfo=: metadata is not carried over
    return out.getvalue(), image.width, image.height


_IMAGE_REF_RE = re.compile(r"!\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)")
r"""An image and its alt text, which may hold one level of brackets. No unbounded
``[^\]]*``: on a text of many '![' that would search to the end from each one."""


def check_images(
    body: str, body_line: int, path: str, assets: tuple[Asset, ...], diags: Diagnostics
) -> None:
    """Every image in the Markdown has alt text, and a relative one is beside the post.
    (One that is beside it but was refused, reported where it is, is not reported again.)"""
    names = {a.name for a in assets}
    folder = path.rpartition("/")[0] + "/"
    refused = {
        d.location.path.removeprefix(folder)
        for d in diags.items
        if d.code.startswith("asset.") and d.location.path.startswith(folder)
    }
    for match in _IMAGE_REF_RE.finditer(body):
        line = body.count("\n", 0, match.start()) + body_line
        col = match.start() - (body.rfind("\n", 0, match.start()) + 1) + 1
        alt, target = match.group(1).strip(), match.group(2)
        if not alt:
            diags.error(
                Location(path, line, col),
                "image.alt",
                f"the image '{target}' has no alt text",
                "describe it for readers who cannot see it: ![A map of bus stops](map.png)",
            )
        if re.match(r"[a-z][a-z0-9+.-]*:|/|#", target, re.I):
            continue
        if ".." in re.split(r"[/\\]", target):
            diags.error(
                Location(path, line, col),
                "image.path",
                f"the image '{target}' is outside the post's folder ('..')",
                "put the image next to index.md and give its name alone, like chart.png",
            )
        elif target not in names and target not in refused:
            hint = (
                f"put {target} next to index.md"
                if assets or path.endswith("/index.md")
                else f"make the post a folder: {path[:-3]}/index.md with {target} beside it"
            )
            diags.error(
                Location(path, line, col),
                "image.missing",
                f"the image '{target}' is not beside the post",
                hint,
            )


def sized_images(html: str, base_url: str, assets: tuple[Asset, ...]) -> str:
    """<img> of the post's own images with their width, height and loading="lazy"."""
    sizes = {base_url + a.name: a for a in assets if a.is_image}
    if not sizes:
        return html

    def add(match: re.Match[str]) -> str:
        asset = sizes.get(match.group(2))
        if asset is None or " width=" in match.group(0):
            return match.group(0)
        return (
            f'{match.group(1)}src="{match.group(2)}"{match.group(3)} width="{asset.width}" '
            f'height="{asset.height}" loading="lazy">'
        )

    return re.sub(r'(<img\b[^>]*?\s)src="([^"]+)"([^>]*?)/?>', add, html)
