"""Nothing under content/ is ignored without a word: `.yml` members and `.markdown`
posts, editions and pages are read; two files for one name are an error naming both;
every other file that is not read is a warning naming it and saying what would be read.
All through `newsletter check` as a member runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from support.cli import run
from support.clock import TODAY
from support.helpers import post, project, write


def check(root: Path) -> tuple[int, list[dict[str, Any]]]:
    result = run("check", "--today", TODAY, "--format", "json", cwd=root)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.output)


def by_path(diagnostics: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for diag in diagnostics:
        found.setdefault(diag["path"], []).append(diag)
    return found


def test_yml_members_and_markdown_posts_are_read(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "content/members/ada.yaml").rename(root / "content/members/ada.yml")
    write(root, "content/members/ada.md", "Ada writes programs.\n")
    # a .markdown post by the .yml member, naming someone unknown: proof it is read
    write(root, "content/posts/2026/long-name.markdown", post("Long", "ada", via="grce"))
    write(root, "content/posts/2026/short.md", post("Short", "ada"))
    write(root, "content/editions/2.markdown", "---\ntitle: Two\ndate: 2026-11-20\n---\n")
    write(root, "content/posts/2026/late.md", post("Late", "ada", date="2026-11-20"))
    code, diagnostics = check(root)
    assert [(d["path"], d["code"]) for d in diagnostics] == [
        ("content/posts/2026/long-name.markdown", "ref.member")
    ]
    assert "did you mean 'grace'" in diagnostics[0]["message"]
    assert code == 1


def test_a_member_with_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "content/members/ada.yml", "name: Ada (old)\n")
    write(root, "content/pages/about.md", "---\ntitle: About\n---\nUs.\n")
    write(root, "content/pages/about.markdown", "---\ntitle: About us\n---\nUs.\n")
    write(root, "content/editions/1.markdown", "---\ntitle: One\ndate: 2026-11-19\n---\n")
    code, diagnostics = check(root)
    duplicates = [d for d in diagnostics if d["code"] == "file.duplicate"]
    assert code == 1
    assert [(d["path"], d["severity"]) for d in duplicates] == [
        ("content/editions/1.markdown", "error"),
        ("content/members/ada.yml", "error"),
        ("content/pages/about.markdown", "error"),
    ]
    message = duplicates[1]["message"]
    assert "content/members/ada.yml" in message and "content/members/ada.yaml" in message
    assert "only ada.yaml is read" in message


UNREAD = {
    "content/notes.txt": "content/ holds the folders members/, posts/, editions/ and pages/",
    "content/drafts/": "content/ holds only the folders",
    "content/posts/2026/minutes.docx": "content/posts/ holds posts as <year>/<slug>.md",
    "content/posts/2026/chart.png": "images and PDFs are read beside a post that is a folder",
    "content/posts/2026/index.md": "content/posts/ holds posts",
    "content/posts/2026/folder-post/notes.md": "beside index.md, only images and PDFs are read",
    "content/posts/2026/other/index.markdown": "a post's folder has its text in index.md",
    "content/members/zed.md": "there is no zed.yaml",
    "content/members/photos/": "content/members/ holds one <handle>.yaml per member",
    "content/editions/plan.txt": "content/editions/ holds <number>.md files",
    "content/pages/logo.png": "content/pages/ holds one <slug>.md per page",
}


def test_every_file_not_read_is_named_with_what_would_be_read(tmp_path: Path) -> None:
    root = project(tmp_path)
    for name in UNREAD:
        if name.endswith("/"):
            write(root, name + "inside.md", "x\n")
        else:
            write(root, name, "x\n")
    # read, so never mentioned: a folder post's text and image, a bio, hidden files,
    # what file managers leave behind
    write(root, "content/posts/2026/folder-post/index.md", post("Folder", "grace"))
    Image.new("RGB", (4, 3), "teal").save(root / "content/posts/2026/folder-post/photo.png")
    write(root, "content/members/ada.md", "A bio.\n")
    write(root, "content/posts/.DS_Store", "x")
    write(root, "content/.gitkeep", "")
    write(root, "content/posts/2026/.hidden/thing.txt", "x")
    code, diagnostics = check(root)
    found = by_path(diagnostics)
    assert sorted(found) == sorted(UNREAD)
    for path, why in UNREAD.items():
        (diag,) = found[path]
        assert diag["code"] == "file.unread" and diag["severity"] == "warning", diag
        assert why in diag["message"], (path, diag["message"])
        assert diag["hint"], diag
    assert code == 0  # warnings: the build goes on


def test_a_folder_named_like_a_content_folder_gets_a_did_you_mean(tmp_path: Path) -> None:
    root = project(tmp_path)
    write(root, "content/post/2026/typo.md", post("Typo", "ada"))
    result = run("check", "--today", TODAY, cwd=root)
    assert "content/post/:1:1: warning: not read: content/ holds only the folders" in result.output
    assert "(did you mean 'posts'?)" in result.output
    assert result.exit_code == 0


@pytest.mark.parametrize("name", ["ada.yaml", "ada.yml"])
def test_a_member_is_read_from_either_spelling(tmp_path: Path, name: str) -> None:
    root = project(tmp_path, members={"grace": "name: Grace Hopper\n"})
    write(root, f"content/members/{name}", "name: Ada Lovelace\nrole: [not, text]\n")
    code, diagnostics = check(root)
    assert [(d["path"], d["code"]) for d in diagnostics] == [
        (f"content/members/{name}", "field.type")
    ]
    assert code == 1
