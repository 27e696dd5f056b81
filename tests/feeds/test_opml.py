"""OPML: the blogroll out (command and site), feeds in from a reader's export."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from support.cli import run
from support.clock import TODAY
from support.helpers import project, write

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="Tech">
      <outline type="rss" text="Ada's blog" xmlUrl="https://ada.example.org/feed.xml"
               htmlUrl="https://ada.example.org/"/>
      <outline type="rss" text="Notes" xmlUrl="https://ada.example.org/notes.xml?format=rss&amp;x=1"/>
    </outline>
    <outline type="rss" text="Twice" xmlUrl="https://ada.example.org/feed.xml"/>
    <outline type="rss" text="Not web" xmlUrl="ftp://ada.example.org/feed.xml"/>
    <outline type="rss" text="Secret" xmlUrl="https://me:pw@ada.example.org/private.xml"/>
  </body>
</opml>
"""


def test_export_lists_every_members_feed(built_example: Path, example: Path) -> None:
    result = run("feeds", "export", cwd=example)
    assert result.exit_code == 0
    root = ET.fromstring(result.output)
    outlines = root.findall("./body/outline")
    feeds = {
        url
        for f in (example / "content/members").glob("*.yaml")
        for spec in yaml.safe_load(f.read_text()).get("feeds", [])
        for url in [spec if isinstance(spec, str) else spec["url"]]
    }
    assert {o.get("xmlUrl") for o in outlines} == feeds and len(feeds) >= 6
    assert all(o.get("type") == "rss" and o.get("text") for o in outlines)
    # the site publishes the same file, and the members page links it
    assert (built_example / "feeds.opml").read_text() == result.output
    assert 'href="/feeds.opml"' in (built_example / "members/index.html").read_text()
    out = example / "roll.opml"
    written = run("feeds", "export", "-o", str(out), cwd=example)
    assert written.exit_code == 0 and out.read_text() == result.output
    assert f"wrote {len(feeds)} feeds" in written.output


@pytest.mark.parametrize(
    "member",
    [
        "name: Ada\n",
        "name: Ada\nfeeds: [https://old.example.org/rss]   # keep\nrole: Writer\n",
        "name: Ada\nfeeds:\n  - url: https://old.example.org/rss\n    tags: [maths]\n# end\n",
    ],
    ids=["no-feeds", "flow-list", "block-list"],
)
def test_import_adds_feeds_and_keeps_the_file(tmp_path: Path, member: str) -> None:
    root = project(tmp_path / "p", members={"ada": member})
    opml = write(tmp_path, "subs.opml", OPML)
    result = run("feeds", "import", str(opml), "--member", "ada", cwd=root)
    assert result.exit_code == 0, result.output
    # the duplicate, the ftp: feed and the one with a password are not taken
    assert result.output.endswith("✓ 2 feeds added to content/members/ada.yaml\n")
    text = (root / "content/members/ada.yaml").read_text()
    data = yaml.safe_load(text)
    urls = [f if isinstance(f, str) else f["url"] for f in data["feeds"]]
    assert urls[-2:] == [
        "https://ada.example.org/feed.xml",
        "https://ada.example.org/notes.xml?format=rss&x=1",
    ]
    for line in member.splitlines():  # comments and other fields are untouched
        if not line.startswith("feeds: ["):
            assert line in text
    again = run("feeds", "import", str(opml), "--member", "ada", cwd=root)
    assert "✓ 0 feeds added to content/members/ada.yaml (2 already there)" in again.output
    assert run("check", "--today", TODAY, cwd=root).exit_code == 0


def test_import_into_a_member_file_named_yml(tmp_path: Path) -> None:
    root = project(tmp_path / "p", members={"ada": "name: Ada\n", "bo": "name: Bo\n"})
    (root / "content/members/bo.yaml").rename(root / "content/members/bo.yml")
    result = run(
        "feeds", "import", str(write(tmp_path, "a.opml", OPML)), "--member", "bo", cwd=root
    )
    assert result.exit_code == 0, result.output
    feeds = yaml.safe_load((root / "content/members/bo.yml").read_text())["feeds"]
    assert "https://ada.example.org/feed.xml" in feeds
    assert not (root / "content/members/bo.yaml").exists()


def test_import_refuses_what_it_cannot_use(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    unknown = run(
        "feeds", "import", str(write(tmp_path, "a.opml", OPML)), "--member", "adda", cwd=root
    )
    assert unknown.exit_code == 2 and "did you mean 'ada'" in unknown.output
    bomb = write(
        tmp_path,
        "bomb.opml",
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaa">]><opml>&a;</opml>',
    )
    refused = run("feeds", "import", str(bomb), "--member", "ada", cwd=root)
    assert refused.exit_code == 2 and "DOCTYPE" in refused.output
    broken = write(tmp_path, "broken.opml", "<opml>\n<body>\n<outline xmlUrl='x'\n</opml>")
    bad = run("feeds", "import", str(broken), "--member", "ada", cwd=root)
    assert bad.exit_code == 2 and "broken.opml:4:" in bad.output and "not valid OPML" in bad.output
    empty = write(tmp_path, "empty.opml", "<opml><body/></opml>")
    nothing = run("feeds", "import", str(empty), "--member", "ada", cwd=root)
    assert nothing.exit_code == 1 and "lists no http(s) feeds" in nothing.output
    assert "Traceback" not in unknown.output + refused.output + bad.output + nothing.output
