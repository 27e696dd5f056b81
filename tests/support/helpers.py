"""Small project builders for tests that need one specific piece of content, and
check-jsonschema for the files `init` and `new` write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CONFIG = "title: Test Exchange\nbase_url: https://news.example.org/\n"


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def project(
    root: Path, posts: dict[str, str] | None = None, members: dict[str, str] | None = None
) -> Path:
    """A valid project: two members, one edition on 2026-11-19, the given posts."""
    write(root, "newsletter.yaml", CONFIG)
    for handle, text in (
        members
        or {"ada": "name: Ada Lovelace\norg: Engines\n", "grace": "name: Grace Hopper\norg: Navy\n"}
    ).items():
        write(root, f"content/members/{handle}.yaml", text)
    for slug, text in (posts or {"hello": post("Hello", "ada")}).items():
        write(root, f"content/posts/2026/{slug}.md", text)
    write(root, "content/editions/1.md", "---\ntitle: First\ndate: 2026-11-19\n---\nHello all.\n")
    return root


def post(title: str, by: str, body: str = "Body.", date: str = "2026-11-10", **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\ntitle: {title}\nby: {by}\ndate: {date}\n{extra}---\n{body}\n"


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema against one of the schemas it ships (GitHub's workflows, issue
    forms, Dependabot): offline."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
    )
