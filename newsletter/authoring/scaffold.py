"""Scaffold: create a new newsletter project, and new content files in one.

Writes files that pass ``newsletter check`` as written. Never overwrites a
file: an existing path is an error the caller reports. The GitHub files of a new
project (the share form, workflows, Dependabot's configuration) are the files in
``newsletter/authoring/workflows/``, written as they are but for the package CI installs.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import shutil
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import yaml

from newsletter import __version__
from newsletter.authoring.frontmatter import front_matter, yaml_text
from newsletter.authoring.issueform import parse_issue, post_text
from newsletter.authoring.newpost import PostDraft
from newsletter.core.errors import ProjectError
from newsletter.core.model import Kind
from newsletter.project.sources import CONFIG_NAME, Project
from newsletter.project.theme import builtin_theme

GITIGNORE = """\
# Build output: published by CI, never committed.
/site/
# Local state: feed cache, build cache, delivery ledger.
/.newsletter/
# Subscribers and who unsubscribed are private: keep them out of git.
/private/
subscribers*.csv
__pycache__/
"""

PACKAGE_PLACEHOLDER = "__NEWSLETTER_PACKAGE__"
"""Where the files in newsletter/authoring/workflows/ name what CI pip-installs: replaced
by a YAML string."""

GITHUB_FILES = {
    ".github/ISSUE_TEMPLATE/share.yml": "share-form.yml",
    ".github/workflows/newsletter.yml": "newsletter.yml",
    ".github/workflows/share.yml": "share.yml",
    ".github/dependabot.yml": "dependabot.yml",
}
"""Where ``init`` writes each of the files in newsletter/authoring/workflows/."""


def github_file(name: str, package: str) -> str:
    """``newsletter/authoring/workflows/<name>`` with ``package`` (a ``pip install``
    argument) in place of PACKAGE_PLACEHOLDER, written as a quoted YAML string: whatever it
    holds, it stays one value."""
    template = (resources.files("newsletter.authoring") / "workflows" / name).read_text(
        encoding="utf-8"
    )
    quoted = yaml.safe_dump(package, default_style='"', allow_unicode=True, width=10_000)
    return template.replace(PACKAGE_PLACEHOLDER, quoted.rstrip("\n"))


def _create(path: Path, text: str) -> Path:
    if path.exists():
        raise ProjectError(f"{path} already exists; choose another name or edit that file")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def package_spec() -> str:
    """How CI should install the `newsletter` that is running now.

    Installed from a repository (``pip install git+https://…``), that URL at the
    same commit; otherwise this version by name. (PEP 610 records the origin.)
    """
    from importlib import metadata

    try:
        origin = json.loads(metadata.distribution("newsletter").read_text("direct_url.json") or "")
    except (metadata.PackageNotFoundError, ValueError):
        origin = {}
    url, vcs = origin.get("url", ""), origin.get("vcs_info", {})
    if vcs.get("vcs") == "git" and url.startswith("https://"):
        return f"newsletter @ git+{url}@{vcs.get('commit_id', '')}".rstrip("@")
    return f"newsletter=={__version__}"


def title_of(root: Path) -> str:
    """A newsletter's default title, from its folder's name: our-exchange → Our Exchange."""
    return root.name.replace("-", " ").replace("_", " ").title()


HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
"""One label of a host name (between dots), once internationalised names are in ASCII."""

ADDRESS_EXAMPLE = "give the address the site will have, like https://news.example.org/"


def site_address(given: str) -> tuple[str, str]:
    """The site's address as ``newsletter.yaml`` keeps it (absolute, ending in '/'), and a
    sentence when it is not what was typed ('' when it is).

    A bare host ('news.example.org') gets https://. Anything that cannot be a web
    site's address raises ValueError, with a sentence saying why and what to give.
    """
    text = given.strip()
    if not text or any(c.isspace() for c in text):
        raise ValueError(f"{given!r} is not a web address; {ADDRESS_EXAMPLE}")
    bare = "://" not in text
    parts = urlsplit(f"https://{text}" if bare else text)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{given!r} starts with {parts.scheme}://; {ADDRESS_EXAMPLE}")
    for there, what in ((parts.username, "an '@' (an email address?)"), (parts.query, "a '?'")):
        if there:
            raise ValueError(f"{given!r} has {what} in it; {ADDRESS_EXAMPLE}")
    if parts.fragment or text.endswith("#"):
        raise ValueError(f"{given!r} has a '#' in it; {ADDRESS_EXAMPLE}")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            f"{given!r} has a port that is not 1 to 65535; {ADDRESS_EXAMPLE}"
        ) from None
    host = _host(parts.hostname or "")
    if not host:
        raise ValueError(f"{given!r} has no host name like example.org; {ADDRESS_EXAMPLE}")
    netloc = host + (f":{port}" if port else "")
    url = urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/") + "/", "", ""))
    said = f"--base-url: no http:// or https:// in {given!r}, so using {url}" if bare else ""
    return url, said


def _host(name: str) -> str:
    """``name`` as it goes in an address if it is a host (a domain name with a dot,
    'localhost' or an IP address), '' if not."""
    try:
        address = ipaddress.ip_address(name)
        return f"[{address}]" if address.version == 6 else str(address)
    except ValueError:
        pass
    try:
        labels = name.encode("idna").decode("ascii").split(".")
    except UnicodeError:
        return ""
    if (len(labels) < 2 and name != "localhost") or labels[-1].isdigit():
        return ""
    return name if all(HOST_LABEL_RE.match(label) for label in labels) else ""


def init_project(
    root: Path,
    title: str,
    base_url: str,
    handle: str,
    name: str,
    today: dt.date,
    package: str | None = None,
) -> list[Path]:
    """A new newsletter in ``root`` (created, or empty): builds as it is."""
    if (root / CONFIG_NAME).exists():
        raise ProjectError(f"{root / CONFIG_NAME} already exists: this is a newsletter already")
    package = package or package_spec()
    created = [
        _create(root / CONFIG_NAME, _config_text(title, base_url, handle)),
        _create(root / ".gitignore", GITIGNORE),
        *(_create(root / rel, github_file(file, package)) for rel, file in GITHUB_FILES.items()),
        *_first_content(Project(root), handle, name, today),
    ]
    shutil.copytree(builtin_theme(), root / "templates", dirs_exist_ok=False)
    created.append(root / "templates")
    return created


def _config_text(title: str, base_url: str, editor: str) -> str:
    return yaml_text(
        {
            "title": title,
            "description": "What our members learned, asked and shared this fortnight.",
            "base_url": base_url,
            "language": "en",
            "editors": [editor],
            "email": {"from": f"{title} <newsletter@{_domain(base_url)}>"},
        }
    )


def _first_content(project: Project, handle: str, name: str, today: dt.date) -> list[Path]:
    """The editor's member file, a welcome post and the first edition: enough to build."""
    return [
        new_member(project, handle, name=name, org="", role="Editor", topics=["community"]),
        new_post(
            project,
            PostDraft(
                title="Welcome to the exchange",
                by=handle,
                kind=Kind.SPOTLIGHT.value,
                date=today,
                tags=["community"],
                body="This is where members share what they know: an article "
                "for someone who needs it, an ask, an offer, an introduction.\n\n"
                "Add yours as a file in `content/posts/`, or with `newsletter new post`.",
            ),
        ),
        new_edition(
            project,
            date=today,
            title="The first edition",
            body="Welcome! This is our first edition.",
        ),
    ]


def _domain(base_url: str) -> str:
    """The site's domain, for the From address; example.org for a site on this machine
    or at an IP address, which no mail comes from."""
    host = urlsplit(base_url).hostname or ""
    named = "." in host and not host.replace(".", "").isdigit() and ":" not in host
    return host if named else "example.org"


def new_member(
    project: Project,
    handle: str,
    *,
    name: str,
    org: str = "",
    role: str = "",
    topics: list[str] | None = None,
) -> Path:
    """``content/members/<handle>.yaml``: every field of the README's example, in its
    order, those not given left empty for the member to fill in."""
    return _create(member_path(project, handle), member_text(name, org, role, topics or []))


def member_path(project: Project, handle: str) -> Path:
    """The member's file: the one there is (``.yaml`` or ``.yml``), else a new ``.yaml``."""
    found = next((f for f in project.member_files() if f.stem == handle), None)
    return found or project.content / "members" / f"{handle}.yaml"


def member_text(name: str, org: str, role: str, topics: list[str]) -> str:
    return yaml_text(
        {
            "name": name,
            "org": org or None,
            "role": role or None,
            "topics": topics,
            "offers": [],
            "asks": [],
            "feeds": [],
            "links": {},
            "network": True,
        }
    )


def post_path(project: Project, draft: PostDraft, taken: set[str]) -> Path:
    """Where ``draft`` is written: ``content/posts/<year>/<name>.md``, its name free among
    ``taken`` (the names in the addresses of that year's posts) and the files there."""
    folder = project.content / "posts" / str(draft.date.year)
    files = {p.stem for p in folder.iterdir()} if folder.is_dir() else set()
    return folder / f"{draft.name(taken | files)}.md"


def new_post(project: Project, draft: PostDraft, path: Path | None = None) -> Path:
    """The post ``draft`` describes, at ``path`` (by default, ``post_path``'s)."""
    return _create(path or post_path(project, draft, set()), draft.text())


def new_post_from_issue(project: Project, body_path: Path, date: dt.date) -> Path:
    """The post an issue made with the share form describes (its rendered body in
    ``body_path``), as ``content/posts/<year>/<slug>.md``.

    Refused with every problem listed, and nothing written, if the form was not
    filled in right. The slug comes from the title; if a post has it already,
    '-2', '-3'… is added: an existing file is never overwritten.
    """
    post = parse_issue(body_path.read_text(encoding="utf-8", errors="replace"))
    if post.problems:
        raise ProjectError(
            "the issue cannot become a post:\n" + "\n".join(f"  - {p}" for p in post.problems)
        )
    draft = PostDraft(title=post.title, by=post.by, kind=post.kind, date=date)
    return _create(post_path(project, draft, set()), post_text(post, date))


def next_edition_number(project: Project) -> int:
    numbers = [int(p.stem) for p in project.edition_files() if p.stem.isdigit()]
    return max(numbers, default=0) + 1


def edition_path(project: Project, number: int) -> Path:
    return project.content / "editions" / f"{number}.md"


def edition_text(title: str, date: dt.date, body: str = "") -> str:
    body = body or "A few words from the editor about this edition."
    return front_matter({"title": title, "date": date}, body)


def new_edition(project: Project, *, date: dt.date, title: str, body: str = "") -> Path:
    return _create(
        edition_path(project, next_edition_number(project)), edition_text(title, date, body)
    )
