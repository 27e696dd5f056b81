"""OPML: the members' feeds as a blogroll out, and a reader's subscriptions in.

Export is pure (members → bytes), published on the site as ``feeds.opml`` and
printed by ``newsletter feeds export``. Import reads an OPML file (untrusted: no
DOCTYPE, so no entity expansion) and adds its feeds to a member's file by editing
the text of ``feeds:``, so the member's comments and layout stay as they were.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from newsletter.core.errors import NewsletterError
from newsletter.core.model import Config, Member

MAX_OPML_BYTES = 2_000_000


class OPMLError(NewsletterError):
    """The OPML file cannot be read, or the member's file cannot take its feeds."""


@dataclass(frozen=True)
class Subscription:
    url: str
    title: str = ""
    site_url: str = ""


def export_opml(config: Config, members: Iterable[Member]) -> bytes:
    """An OPML 2.0 blogroll of every member's feeds, by member name."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{config.title}: members' feeds"
    ET.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    for member in sorted(members, key=lambda m: (m.name.lower(), m.handle)):
        site = next((href for label, href in member.links if label.lower() in ("site", "blog")), "")
        for spec in member.feeds:
            outline = ET.SubElement(body, "outline", type="rss", text=member.name)
            outline.set("title", member.name)
            outline.set("xmlUrl", spec.url)
            if site:
                outline.set("htmlUrl", site)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + bytes(ET.tostring(root, "utf-8")) + b"\n"


def read_opml(path: Path) -> list[Subscription]:
    """The feeds an OPML file lists (in any folder depth), http(s) only, once each."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise OPMLError(f"cannot read {path}: {err.strerror or err}") from err
    if len(data) > MAX_OPML_BYTES:
        raise OPMLError(f"{path} is larger than {MAX_OPML_BYTES // 1_000_000} MB; is it OPML?")
    if b"<!DOCTYPE" in data.upper():
        raise OPMLError(f"{path} has a DOCTYPE; OPML needs none (refused: entity expansion)")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        line, col = err.position
        raise OPMLError(f"{path}:{line}:{col + 1}: not valid OPML: {err.msg}") from err
    if root.tag != "opml":
        raise OPMLError(f"{path} is XML but not OPML (its root is <{root.tag}>)")
    found: dict[str, Subscription] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if re.match(r"https?://[^\s/@]+(/\S*)?$", url, re.I) and url not in found:
            found[url] = Subscription(
                url,
                (outline.get("title") or outline.get("text") or "").strip(),
                (outline.get("htmlUrl") or "").strip(),
            )
    return list(found.values())


def add_feeds(member_file: Path, urls: list[str]) -> list[str]:
    """Add ``urls`` to the ``feeds:`` of a member's YAML file; returns those added.

    Only the ``feeds:`` part of the text changes: a block list gets new ``- url``
    lines, a flow list gets new items, a file without feeds gets a ``feeds:`` list.
    """
    text = member_file.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise OPMLError(f"{member_file} is not valid YAML; fix it first ({err})") from err
    feeds = None
    if isinstance(node, yaml.MappingNode):
        feeds = next((v for k, v in node.value if k.value == "feeds"), None)
    elif node is not None:
        raise OPMLError(f"{member_file} is not a mapping of fields")
    existing = set()
    if isinstance(feeds, yaml.SequenceNode):
        for item in feeds.value:
            if isinstance(item, yaml.ScalarNode):
                existing.add(item.value)
            elif isinstance(item, yaml.MappingNode):
                existing |= {v.value for k, v in item.value if k.value == "url"}
    elif feeds is not None and not (isinstance(feeds, yaml.ScalarNode) and feeds.value == ""):
        raise OPMLError(f"{member_file}: 'feeds' is not a list; make it one, then import again")
    new = [u for u in dict.fromkeys(urls) if u not in existing]
    if not new:
        return []
    changed = _with_feeds(text, feeds, new)
    try:
        after = yaml.safe_load(changed).get("feeds") or []
    except yaml.YAMLError as err:  # pragma: no cover - a bug here must not damage the file
        raise OPMLError(f"could not add the feeds to {member_file} safely ({err})") from err
    listed = {f if isinstance(f, str) else f.get("url") for f in after}
    if not set(new) <= listed:  # pragma: no cover - same
        raise OPMLError(f"could not add the feeds to {member_file} safely; add them by hand")
    member_file.write_text(changed, encoding="utf-8")
    return new


def _quoted(url: str) -> str:
    return yaml.safe_dump(url, default_style=None, width=10_000).removesuffix("\n...\n").strip()


def _with_feeds(text: str, feeds: yaml.Node | None, new: list[str]) -> str:
    if not isinstance(feeds, yaml.SequenceNode) or not feeds.value:
        # no list yet: the key goes (again) at the end as a block list
        if feeds is not None:
            lines = text.splitlines(keepends=True)
            line = feeds.start_mark.line
            lines[line] = re.sub(r"^feeds:.*$", "feeds:", lines[line].rstrip("\n")) + "\n"
            return "".join(
                lines[: line + 1] + [f"  - {_quoted(u)}\n" for u in new] + lines[line + 1 :]
            )
        body = text if text.endswith("\n") or not text else text + "\n"
        return body + "feeds:\n" + "".join(f"  - {_quoted(u)}\n" for u in new)
    if feeds.flow_style:
        start, end = feeds.start_mark.index, feeds.end_mark.index
        inner = text[start + 1 : end - 1].strip().rstrip(",").strip()
        # double quotes: a '?' or ',' in a URL would end a plain item in a flow list
        items = ([inner] if inner else []) + [json.dumps(u) for u in new]
        return text[:start] + "[" + ", ".join(items) + "]" + text[end:]
    first = feeds.value[0]
    indent = " " * (first.start_mark.column - 2)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    end = feeds.end_mark.line if feeds.end_mark.column == 0 else feeds.end_mark.line + 1
    while end > first.start_mark.line + 1 and lines[end - 1].strip()[:1] in ("", "#"):
        end -= 1  # comments and blank lines after the list stay after it
    added = [f"{indent}- {_quoted(u)}\n" for u in new]
    return "".join(lines[:end] + added + lines[end:])
