"""Scaffold: create a new newsletter project, and new content files in one.

Writes files that pass ``newsletter check`` as written. Never overwrites a
file: an existing path is an error the caller reports. The GitHub files of a new
project (the share form, workflows, Dependabot's configuration) are the files in
``newsletter/authoring/workflows/``, written as they are but for the package CI installs.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib import resources
from pathlib import Path

import yaml

from newsletter import __version__
from newsletter.authoring.frontmatter import front_matter, post_file, yaml_text
from newsletter.authoring.issueform import parse_issue, post_text
from newsletter.core.errors import ProjectError
from newsletter.core.model import Kind
from newsletter.core.urls import slugify
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
            title="Welcome to the exchange",
            by=handle,
            kind=Kind.SPOTLIGHT,
            date=today,
            tags=["community"],
            body="This is where members share what they know: an article "
            "for someone who needs it, an ask, an offer, an introduction.\n\n"
            "Add yours as a file in `content/posts/`.",
        ),
        new_edition(
            project,
            date=today,
            title="The first edition",
            body="Welcome! This is our first edition.",
        ),
    ]


def _domain(base_url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(base_url).hostname or "example.org"


def new_member(
    project: Project,
    handle: str,
    *,
    name: str,
    org: str = "",
    role: str = "",
    topics: list[str] | None = None,
) -> Path:
    fields = {
        "name": name,
        "org": org,
        "role": role,
        "topics": topics or [],
        "offers": [],
        "asks": [],
        "feeds": [],
        "links": {},
        "network": True,
    }
    return _create(project.content / "members" / f"{handle}.yaml", yaml_text(fields))


def new_post(
    project: Project,
    *,
    title: str,
    by: str,
    kind: Kind,
    date: dt.date,
    link: str = "",
    for_: list[str] | None = None,
    via: str = "",
    connects: list[str] | None = None,
    tags: list[str] | None = None,
    when: dt.datetime | None = None,
    where: str = "",
    body: str = "",
) -> Path:
    text = post_file(
        title=title,
        by=by,
        kind=kind.value,
        date=date,
        link=link,
        for_=for_,
        via=via,
        connects=connects,
        tags=tags,
        when=when.strftime("%Y-%m-%d %H:%M") if when else "",
        where=where,
        body=body or "Say in a few lines what this is and why it matters to us.",
    )
    path = project.content / "posts" / str(date.year) / f"{slugify(title) or 'post'}.md"
    return _create(path, text)


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
    folder = project.content / "posts" / str(date.year)
    base = slugify(post.title) or "post"
    slug, n = base, 1
    while (folder / f"{slug}.md").exists() or (folder / slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return _create(folder / f"{slug}.md", post_text(post, date))


def next_edition_number(project: Project) -> int:
    numbers = [int(p.stem) for p in project.edition_files() if p.stem.isdigit()]
    return max(numbers, default=0) + 1


def new_edition(project: Project, *, date: dt.date, title: str, body: str = "") -> Path:
    number = next_edition_number(project)
    body = body or "A few words from the editor about this edition."
    return _create(
        project.content / "editions" / f"{number}.md",
        front_matter({"title": title, "date": date}, body),
    )
