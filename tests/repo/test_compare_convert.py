"""benchmarks/compare.py turns the synthetic corpus into a Pelican project and a Hugo site.

Conversion only: neither Pelican nor Hugo runs here (the benchmark does that).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from support.paths import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from compare import PER_PAGE, Row, Setting, markdown_table, read_corpus, to_hugo, to_pelican
from generate import generate

POSTS = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("corpus")
    generate(project, POSTS, seed=1)
    return project


def source_posts(project: Path) -> dict[str, dict[str, object]]:
    """Each post's front matter, read with a real YAML parser, by slug; `by` as a name."""
    names = {
        p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))["name"]
        for p in (project / "content" / "members").glob("*.yaml")
    }
    posts = {}
    for path in (project / "content" / "posts").rglob("*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        front["author"] = names[front["by"]]
        posts[path.stem] = front
    return posts


def test_pelican_project(corpus: Path, tmp_path: Path) -> None:
    to_pelican(corpus, tmp_path)
    expected = source_posts(corpus)
    files = sorted((tmp_path / "content" / "posts").glob("*.md"))
    assert len(files) == POSTS
    for path in files:
        head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        meta = dict(line.split(": ", 1) for line in head.splitlines())
        assert list(meta) == ["Title", "Date", "Tags", "Author", "Slug"], path.name
        source = expected[path.stem]
        assert meta["Slug"] == path.stem
        assert meta["Title"] == source["title"]
        assert dt.date.fromisoformat(meta["Date"]) == source["date"]
        assert meta["Tags"].split(", ") == source["tags"]
        assert meta["Author"] == source["author"]
        assert body.strip()
    settings: dict[str, object] = {}
    exec(compile((tmp_path / "pelicanconf.py").read_text(), "pelicanconf.py", "exec"), settings)
    assert settings["DEFAULT_PAGINATION"] == PER_PAGE
    assert settings["CACHE_CONTENT"] is True and settings["LOAD_CONTENT_CACHE"] is True
    assert "THEME" not in settings  # Pelican's default theme


def test_hugo_site(corpus: Path, tmp_path: Path) -> None:
    to_hugo(corpus, tmp_path)
    expected = source_posts(corpus)
    files = sorted((tmp_path / "content" / "posts").glob("*.md"))
    assert len(files) == POSTS
    for path in files:
        _, front_text, body = path.read_text(encoding="utf-8").split("---\n", 2)
        front = yaml.safe_load(front_text)
        source = expected[path.stem]
        assert front == {
            "title": source["title"],
            "date": source["date"],
            "tags": source["tags"],
            "author": source["author"],
            "authors": [source["author"]],
        }
        assert body.strip()
    config = tomllib.loads((tmp_path / "hugo.toml").read_text())
    assert config["paginate"] == PER_PAGE
    assert config["taxonomies"] == {"tag": "tags", "author": "authors"}
    layouts = {p.name for p in (tmp_path / "layouts" / "_default").iterdir()}
    assert layouts == {"baseof.html", "single.html", "list.html", "taxonomy.html", "terms.html"}


def test_newer_hugo_gets_the_newer_pagination_key(corpus: Path, tmp_path: Path) -> None:
    to_hugo(corpus, tmp_path, version=(0, 150))
    config = tomllib.loads((tmp_path / "hugo.toml").read_text())
    assert "paginate" not in config
    assert config["pagination"] == {"pagerSize": PER_PAGE}


def test_a_slug_used_in_two_years_gets_the_year(corpus: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(corpus, project)
    first = sorted((project / "content" / "posts" / "2026").glob("*.md"))[0]
    (project / "content" / "posts" / "2025").mkdir()
    shutil.copy(first, project / "content" / "posts" / "2025" / first.name)
    slugs = [a.slug for a in read_corpus(project)]
    assert len(slugs) == len(set(slugs)) == POSTS + 1
    assert {f"{first.stem}-2025", f"{first.stem}-2026"} <= set(slugs)
    assert first.stem not in slugs


def test_the_markdown_table() -> None:
    rows = [
        Row(2000, "ours", "cold", 4.0, 3.5, 151.4, 4876),
        Row(2000, "ours", "cold+search", 6.0, 5.0, 300.0, 4900),
        Row(2000, "pelican", "cold", 8.0, 7.0, 63.0, 1588),
        Row(2000, "hugo", "warm", 1.5, 2.8, 263.0, 1657),  # ours has no warm row here
    ]
    setting = Setting(
        date="2026-12-07",
        machine="2 CPUs (AMD EPYC 7B13), Linux x86_64",
        python="3.11.7 (CPython)",
        versions=("newsletter 0.1", "pelican 4.12.0", "hugo 0.111.3"),
        load="1.20, 1.00, 0.90 before, 2.00, 1.50, 1.00 after",
    )
    assert markdown_table(rows, setting) == (
        "Measured on 2026-12-07 by `benchmarks/compare.py`: 2 CPUs (AMD EPYC 7B13), "
        "Linux x86_64; Python 3.11.7 (CPython); newsletter 0.1, pelican 4.12.0, hugo 0.111.3; "
        "load average 1.20, 1.00, 0.90 before, 2.00, 1.50, 1.00 after.\n"
        "\n"
        "| size | tool | scenario | seconds | CPU s | peak MB | files "
        "| time ÷ ours | CPU ÷ ours |\n"
        "| --: | :-- | :-- | --: | --: | --: | --: | --: | --: |\n"
        "| 2,000 | ours | cold | 4.00 | 3.50 | 151 | 4,876 |  |  |\n"
        "| 2,000 | ours | cold+search | 6.00 | 5.00 | 300 | 4,900 |  |  |\n"
        "| 2,000 | pelican | cold | 8.00 | 7.00 | 63 | 1,588 | 2.0× | 2.0× |\n"
        "| 2,000 | hugo | warm | 1.50 | 2.80 | 263 | 1,657 |  |  |\n"
    )


def test_no_benchmark_script_hides_a_module_of_the_standard_library() -> None:
    """benchmarks/ is on sys.path for this module's imports: a script named like a standard
    module (profile.py) would be imported in its place by whatever imports that module
    (cProfile imports profile)."""
    names = {p.stem for p in (REPO / "benchmarks").glob("*.py")}
    assert not names & set(sys.stdlib_module_names)
