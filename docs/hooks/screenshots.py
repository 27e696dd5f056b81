"""The documentation's screenshots, taken of the real site: ``python docs/hooks/screenshots.py``.

Builds two newsletters with the real command line, each served on 127.0.0.1 and opened
in Debian's Chromium (Playwright), and writes ``docs/assets/*.webp``:

* the tutorial's own newsletter, made by the tutorial's commands (``init``, ``new
  member``, ``new post``, ``new edition``, ``build``) with their dates given, so that it
  shows what a reader of the tutorial sees;
* the bundled example, *The Commons Exchange*, built as of 2026-11-25.

Run it after a change to the theme, look at the images, and commit them. It is not part
of the docs' build (MkDocs never imports it: ``docs/hooks/`` is excluded) nor of the
tests: it needs Chromium, and a picture is checked by eye. Nothing is fetched from the
network; Chromium's background networking is off.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
ASSETS = REPO / "docs/assets"
TODAY = "2026-11-25"
NEWSLETTER = [sys.executable, "-c", "from newsletter.cli import main; main()"]
WIDTH, HEIGHT = 1200, 760
QUALITY = 80
"""WebP quality: text stays sharp and each image well under 200 KB."""

EXAMPLE_PAGES = {
    "home": "/",
    "edition": "/editions/10/",
    "ask": "/posts/2026/ask-describing-run-charts-for-screen-readers/",
    "member": "/members/grace/",
    "network": "/network/",
    "search": "/search/?q=geocoding",
}
TUTORIAL_PAGES = {"tutorial-home": "/", "tutorial-edition": "/editions/2/"}


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        example = build(REPO, tmp / "example")
        tutorial = build(tutorial_project(tmp / "our-exchange"), tmp / "tutorial")
        with browser_page() as page:
            with serving(example) as base:
                for name, path in EXAMPLE_PAGES.items():
                    shoot(page, base + path, name)
                shoot(page, base + "/email/10.html", "email", width=760)
            with serving(tutorial) as base:
                for name, path in TUTORIAL_PAGES.items():
                    shoot(page, base + path, name)
                shoot(page, base + "/email/2.html", "tutorial-email", width=760)


def newsletter(*args: str, cwd: Path) -> None:
    subprocess.run([*NEWSLETTER, *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def build(project: Path, output: Path) -> Path:
    newsletter("build", "--today", TODAY, "--output", str(output), cwd=project)
    return output


def tutorial_project(root: Path) -> Path:
    """The newsletter the tutorial makes, by its own commands."""
    newsletter(
        "init", root.name, "--title", "Our Exchange", "--base-url", "https://news.example.org/",
        "--editor", "ada", "--name", "Ada Lovelace", "--date", "2026-11-02", cwd=root.parent,
    )  # fmt: skip
    newsletter(
        "new", "member", "grace", "--name", "Grace Hopper", "--org", "Navy Labs",
        "--topics", "compilers, mentoring", cwd=root,
    )  # fmt: skip
    newsletter(
        "new", "post", "--title", "Who has a geocoder?", "--by", "grace", "--kind", "ask",
        "--tags", "mapping", "--date", "2026-11-16",
        "--body", "We need to geocode 2,000 street addresses, once. What do you use?",
        cwd=root,
    )  # fmt: skip
    newsletter(
        "new", "post", "--title", "Why weak ties find you the next job", "--by", "ada",
        "--link", "https://example.org/weak-ties", "--for", "grace", "--tags", "careers",
        "--date", "2026-11-18",
        "--body", "Granovetter's classic: acquaintances bring news your close friends can't.",
        cwd=root,
    )  # fmt: skip
    newsletter("new", "edition", "--title", "Maps and weak ties", "--today", TODAY, cwd=root)
    return root


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``python -m http.server`` on a free port of 127.0.0.1, for as long as needed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


@contextlib.contextmanager
def browser_page() -> Iterator[Page]:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian's chromium is needed: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--headless", "--disable-background-networking"],
        )
        try:
            yield browser.new_page(color_scheme="light")
        finally:
            browser.close()


def shoot(page: Page, url: str, name: str, width: int = WIDTH) -> None:
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page.goto(url, wait_until="networkidle")
    if "/search/" in url:  # Pagefind shows its results as they come
        page.wait_for_selector(".pagefind-ui__result", timeout=10_000)
    image = Image.open(io.BytesIO(page.screenshot()))
    target = ASSETS / f"{name}.webp"
    image.save(target, "WEBP", quality=QUALITY, method=6)
    print(f"{target.relative_to(REPO)}: {target.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
