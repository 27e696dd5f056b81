"""``summary:`` and ``image:`` on posts, as Hugo and Pelican users write them: the summary
in lists of posts and in the page's description (search engines, link previews), the
image as the preview image (Open Graph, Twitter); each mistake said by `check`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    assert found, name
    return found[1]


def test_summary_and_image_reach_lists_and_previews(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        posts={
            "summed": post(
                "Summed up",
                "ada",
                "A long first sentence that would otherwise be the description.",
                tags="[maps]",
                summary='"Street trees, counted by ward & mapped."',
                image="https://images.example.org/trees.jpg",
            ),
            "plain": post("Plain", "grace", "Its own first sentence. And more.", tags="[maps]"),
        },
    )
    write(
        root,
        "content/posts/2026/chart/index.md",
        post("Chart", "ada", "![A bar chart](bars.png)\n\n![Cover](cover.png)", image="cover.png"),
    )
    Image.new("RGB", (300, 200), "navy").save(root / "content/posts/2026/chart/bars.png")
    Image.new("RGB", (240, 120), "teal").save(root / "content/posts/2026/chart/cover.png")
    result = run("build", "--today", TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    site = root / "site"
    summed = (site / "posts/2026/summed/index.html").read_text()
    said = "Street trees, counted by ward &amp; mapped."
    assert meta(summed, "description") == meta(summed, "og:description") == said
    assert meta(summed, "og:image") == "https://images.example.org/trees.jpg"
    assert meta(summed, "twitter:card") == "summary_large_image"
    assert 'property="og:image:width"' not in summed  # a remote image's size is not known
    plain = (site / "posts/2026/plain/index.html").read_text()
    assert meta(plain, "og:description") == "Its own first sentence."
    topic = (site / "topics/maps/index.html").read_text()
    assert f'<p class="post-row-summary">{said}</p>' in topic
    assert topic.count('class="post-row-summary"') == 1  # a post without one shows none
    member = (site / "members/ada/index.html").read_text()
    assert f'<p class="post-row-summary">{said}</p>' in member
    chart = (site / "posts/2026/chart/index.html").read_text()
    assert meta(chart, "og:image") == "https://news.example.org/posts/2026/chart/cover.png"
    assert meta(chart, "og:image:width") == "240" and meta(chart, "og:image:height") == "120"
    assert meta(chart, "og:image:alt") == "Cover"


def test_without_the_fields_previews_are_as_before(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "content/posts/2026/chart/index.md", post("Chart", "ada", "![Bars](bars.png)"))
    Image.new("RGB", (300, 200), "navy").save(root / "content/posts/2026/chart/bars.png")
    assert run("build", "--today", TODAY, "--no-search", cwd=root).exit_code == 0
    chart = (root / "site/posts/2026/chart/index.html").read_text()
    assert meta(chart, "og:image") == "https://news.example.org/posts/2026/chart/bars.png"
    assert "post-row-summary" not in (root / "site/members/ada/index.html").read_text()


@pytest.mark.parametrize(
    ("image", "said"),
    [
        (
            "http://images.example.org/a.png",
            "'image': 'http://images.example.org/a.png' is not an https:// address",
        ),
        ("javascript:alert(1)", "'image': 'javascript:alert(1)' is not an https:// address"),
        (
            "cover.png",
            "'image': 'cover.png' cannot be the post's image: only a post that is a folder "
            "has files beside it",
        ),
    ],
)
def test_a_wrong_image_on_a_post_is_said(tmp_path: Path, image: str, said: str) -> None:
    root = project(tmp_path, posts={"hello": post("Hello", "ada", image=f'"{image}"')})
    result = run("check", "--today", TODAY, cwd=root)
    assert f"content/posts/2026/hello.md:5:8: error: {said} [post.image]" in result.output
    assert result.exit_code == 1


def test_an_image_not_beside_a_folder_post_gets_a_did_you_mean(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "content/posts/2026/chart/index.md", post("Chart", "ada", "Text.", image="bar.png"))
    Image.new("RGB", (30, 20), "navy").save(root / "content/posts/2026/chart/bars.png")
    write(root, "content/posts/2026/chart/slides.pdf", "%PDF-1.4\n")
    result = run("check", "--today", TODAY, cwd=root)
    assert (
        "content/posts/2026/chart/index.md:5:8: error: 'image': 'bar.png' cannot be the "
        "post's image: there is no such image beside index.md (did you mean 'bars.png'?)"
    ) in result.output
    assert "hint: images: bars.png, or give an https:// address" in result.output
    pdf = post("Chart", "ada", "Text.", image="slides.pdf")
    write(root, "content/posts/2026/chart/index.md", pdf)
    assert (
        "'slides.pdf' cannot be the post's image" in run("check", "--today", TODAY, cwd=root).output
    )
