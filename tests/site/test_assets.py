"""Images and attachments beside a post: real images made here, through the whole
pipeline into the site and the email; and every file that must be refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

import newsletter.load.assets

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write

FOLDER = "content/posts/2026/street-trees"


def jpeg(width: int, height: int, *, gps: bool = False) -> bytes:
    image = Image.new("RGB", (width, height), (40, 120, 60))
    out = io.BytesIO()
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo: where the photo was taken
        exif[0x010F] = "PhoneMaker"
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 20)).save(out, "PNG")
    return out.getvalue()


def folder_post(root: Path, body: str, files: dict[str, bytes]) -> Path:
    project(root)
    write(root, f"{FOLDER}/index.md", post("Street trees", "ada", body=body))
    for name, data in files.items():
        (root / FOLDER / name).write_bytes(data)
    return root


BODY = (
    "Our canopy survey.\n\n![Canopy cover by ward](canopy.jpg)\n\n"
    "![Bar chart of species](species.png)\n\n[The slides](slides.pdf)\n"
)


def test_images_beside_a_post_reach_the_site_and_the_email(tmp_path: Path) -> None:
    root = folder_post(
        tmp_path / "p",
        BODY,
        {
            "canopy.jpg": jpeg(2400, 1600, gps=True),
            "species.png": png(800, 400),
            "slides.pdf": b"%PDF-1.4\n%fake but well-formed enough\n",
            "notes.md": b"# my notes, not a post\n",
        },
    )
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    site = root / "site/posts/2026/street-trees"
    with Image.open(site / "canopy.jpg") as canopy:
        assert canopy.size == (1200, 800)  # resized to the widest a page needs
        assert not canopy.getexif()  # no GPS or camera data published
    with Image.open(site / "species.png") as species:
        assert species.size == (800, 400)  # small enough: kept
    assert (site / "slides.pdf").read_bytes().startswith(b"%PDF-")
    assert not (root / "site/posts/2026/notes").exists()
    page = (site / "index.html").read_text()
    tag = re.search(r'<img [^>]*src="/posts/2026/street-trees/canopy\.jpg"[^>]*>', page)
    assert tag is not None
    for attribute in (
        'alt="Canopy cover by ward"',
        'width="1200"',
        'height="800"',
        'loading="lazy"',
    ):
        assert attribute in tag.group()
    assert 'width="800" height="400"' in page
    assert 'href="/posts/2026/street-trees/slides.pdf"' in page
    edition = (root / "site/editions/1/index.html").read_text()
    assert 'src="/posts/2026/street-trees/canopy.jpg"' in edition
    email = (root / "site/email/1.html").read_text()
    assert 'src="https://news.example.org/posts/2026/street-trees/canopy.jpg"' in email


@pytest.mark.slow
def test_unchanged_images_are_not_processed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = folder_post(
        tmp_path / "p", BODY, {"canopy.jpg": jpeg(2400, 1600), "species.png": png(80, 40)}
    )
    (root / FOLDER / "slides.pdf").write_bytes(b"%PDF-1.4\n")
    assert run("build", "--today", TODAY, cwd=root).exit_code == 0
    first = (root / "site/posts/2026/street-trees/canopy.jpg").read_bytes()

    def boom(data: bytes, kind: str) -> tuple[bytes, int, int]:
        raise AssertionError("an unchanged image was processed again")

    monkeypatch.setattr(newsletter.load.assets, "process", boom)
    assert run("build", "--today", TODAY, cwd=root).exit_code == 0
    assert (root / "site/posts/2026/street-trees/canopy.jpg").read_bytes() == first


def test_a_missing_alt_text_or_file_is_reported_at_its_line(tmp_path: Path) -> None:
    root = folder_post(
        tmp_path / "p",
        "Intro.\n\n![](canopy.jpg)\n\nAnd ![a map](map.png) here.\n",
        {"canopy.jpg": jpeg(100, 100)},
    )
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    where = f"{FOLDER}/index.md"
    assert (
        f"{where}:8:1: error: the image 'canopy.jpg' has no alt text [image.alt]" in result.output
    )
    assert f"{where}:10:5: error: the image 'map.png' is not beside the post [image.missing]" in (
        result.output
    )
    flat = project(tmp_path / "flat", posts={"x": post("X", "ada", body="![A chart](chart.png)")})
    hint = run("check", "--today", TODAY, cwd=flat).output
    assert "make the post a folder: content/posts/2026/x/index.md" in hint


@pytest.mark.parametrize(
    ("name", "data", "code", "words"),
    [
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "asset.type",
            "SVG can carry script",
        ),
        ("tool.exe", b"MZ\x90\x00", "asset.type", "only images and PDFs"),
        ("photo.jpg", png(10, 10), "asset.image", "'photo.jpg' is a PNG image, not a JPEG"),
        ("fake.pdf", b"<html>not a pdf</html>", "asset.type", "is not a PDF"),
        ("broken.png", b"\x89PNG\r\n\x1a\nnot really", "asset.image", "cannot be read"),
        ("my photo.jpg", jpeg(10, 10), "asset.name", "cannot be an address"),
    ],
    ids=["svg", "exe", "wrong-format", "fake-pdf", "broken", "spaces"],
)
def test_files_that_must_not_be_published(
    tmp_path: Path, name: str, data: bytes, code: str, words: str
) -> None:
    root = folder_post(tmp_path / "p", "Text.\n", {name: data})
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert f"{FOLDER}/{name}:" in result.output and f"[{code}]" in result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_too_large_and_too_many_pixels(tmp_path: Path) -> None:
    big = png(10, 10) + b"\0" * (newsletter.load.assets.MAX_IMAGE_BYTES + 1)
    bomb = io.BytesIO()
    Image.new("1", (8000, 8000)).save(bomb, "PNG")  # a few KB that decode to 64 M pixels
    root = folder_post(tmp_path / "p", "Text.\n", {"big.png": big, "bomb.png": bomb.getvalue()})
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert "big.png:" in result.output and "[asset.too-large]" in result.output
    assert "bomb.png:" in result.output and "too many" in result.output


def test_gif_comments_are_not_published(tmp_path: Path) -> None:
    def gif(frames: int) -> bytes:
        images = [Image.new("RGB", (40, 20), (i * 80, 40, 200 - i * 60)) for i in range(frames)]
        out = io.BytesIO()
        images[0].save(
            out,
            "GIF",
            save_all=True,
            append_images=images[1:],
            duration=200,
            loop=0,
            comment=b"from reader@private.example.net",
        )
        return out.getvalue()

    body = "![Still](still.gif)\n\n![Moving](moving.gif)\n"
    root = folder_post(tmp_path / "p", body, {"still.gif": gif(1), "moving.gif": gif(3)})
    result = run("build", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    site = root / "site/posts/2026/street-trees"
    for name in ("still.gif", "moving.gif"):
        assert b"private.example.net" not in (site / name).read_bytes()
    with Image.open(site / "moving.gif") as moving:
        assert moving.n_frames == 3  # the animation is kept
