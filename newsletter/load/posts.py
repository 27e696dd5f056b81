"""Posts: ``content/posts/<yyyy>/<slug>.md`` (or ``<slug>/index.md``) → ``Post``.

A post's fields (who wrote it, what kind it is, whom it is for or connects, its tags,
an event's time), its Markdown rendered, and, for a post that is a folder, the images
and attachments beside it (``load.assets``). Its URL takes the year from the folder
it is filed in. Whether the members it names exist is ``check``'s job.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from newsletter.core import urls
from newsletter.core.community import ASK_STATUSES
from newsletter.core.diagnostics import Diagnostics, Location, did_you_mean
from newsletter.core.markup import render_markdown
from newsletter.core.model import Asset, Config, Kind, Post
from newsletter.load.assets import check_images, load_assets, sized_images
from newsletter.load.documents import read_document
from newsletter.load.fields import SLUG_RE, WEB_URL_RE, Fields
from newsletter.load.marks import pack_marks
from newsletter.project.sources import Project

POST_FIELDS = {
    "title",
    "by",
    "kind",
    "link",
    "for",
    "via",
    "connects",
    "tags",
    "when",
    "where",
    "date",
    "draft",
    "answers",
    "status",
    "summary",
    "image",
    "end",
    "slug",
    "lang",
}
ANSWERS_RE = re.compile(
    r"(?:.*?/)?(?:posts/)?(\d{4})/([^/?#]+?)(?:\.md|/index\.md|/)?/?(?:[?#].*)?$"
)
"""``answers:`` names an ask as its key ('2026/who-has-a-geocoder'), its file path or
its URL (path or absolute): each comes down to the year and the slug."""


def load_post(project: Project, file: Path, config: Config, diags: Diagnostics) -> Post | None:
    """A post's file → its ``Post``; None, with the reasons reported, if it cannot be one."""
    path = project.relative(file)
    where = Location(path)
    document = read_document(project, file, diags, POST_FIELDS, config.privacy)
    if document is None:
        return None
    fields, body, body_line = document
    where = fields.location  # its path is the marks' too: one string, once pickled
    path = where.path
    slug = _slug(file, fields)
    if slug is None:
        return None
    title = fields.text("title", required=True, example=slug.replace("-", " ").capitalize())
    by = fields.text("by", required=True, example="ada").lstrip("@").lower()
    date = fields.date("date", required=True)
    kind = _kind(fields)
    tags = fields.texts("tags", example="[careers, networks]")
    fields.slugs("tags", tags)
    when, end = _event_times(fields, kind)
    via = _via(fields)
    link = fields.url("link", fields.text("link"), example="https://example.org/article")
    if not title or not by or date is None:
        _, assets = _body(project, file, config, body, body_line, urls.post_url(0, slug), diags)
        _read_the_rest(fields, kind, file, assets, config)
        return None
    year = _year(file, date, fields)
    body_html, assets = _body(
        project, file, config, body, body_line, urls.post_url(year, slug), diags
    )
    return Post(
        year=year,
        slug=slug,
        title=title,
        by=by,
        kind=kind,
        date=date,
        location=where,
        body_location=Location(path, body_line),
        body_md=body,
        body_html=body_html,
        assets=assets,
        link=link,
        for_=fields.handles("for"),
        via=via,
        connects=_handles(fields, "connects"),
        tags=tuple(t.lower() for t in tags),
        when=when,
        where=fields.text("where"),
        draft=fields.flag("draft", False),
        answers=_answers(fields),
        status=_status(fields, kind),
        summary=fields.text("summary", example="What it is, in one line"),
        image=_image(fields, file, assets),
        end=end,
        lang=_lang(fields, config),
        marks=pack_marks(fields.marks),  # last: reading the fields above adds to them
    )


def _lang(fields: Fields, config: Config) -> str:
    """``lang:``, one of newsletter.yaml's languages; '' for the main one (given or not)."""
    lang = fields.text("lang", example=config.language)
    if not lang:
        return ""
    languages = config.site_languages
    found = config.language_named(lang)
    if found is None:
        more = len(languages) > 1
        fields.diags.error(
            fields.at("lang"),
            "post.lang",
            f"lang: {lang} is not one of this newsletter's languages ({', '.join(languages)})",
            f"write one of {', '.join(languages)}, or add {lang} to 'languages:' in newsletter.yaml"
            if more
            else f"remove it (the newsletter is in {config.language}), or list the newsletter's "
            f"languages in newsletter.yaml: languages: [{config.language}, {lang}]",
        )
        return ""
    return "" if found == config.language else found


def _read_the_rest(
    fields: Fields, kind: Kind, file: Path, assets: tuple[Asset, ...], config: Config
) -> None:
    """Read what a file that cannot be a post (no title, no author, no date) still says,
    for its diagnostics alone, so that all its mistakes are reported in one run. (The
    fields ``load_post`` reads after the title, author and date; its text was read too.)"""
    fields.handles("for")
    _handles(fields, "connects")
    fields.text("where")
    fields.flag("draft", False)
    _answers(fields)
    _status(fields, kind)
    fields.text("summary")
    _image(fields, file, assets)
    _lang(fields, config)


def _slug(file: Path, fields: Fields) -> str | None:
    """The post's name in its URL: ``slug:`` if given, else the file's, or its folder's
    for an ``index.md``; None, reported, if it cannot be one."""
    given = fields.text("slug", example="weak-ties")
    slug = given or (file.parent.name if file.name == "index.md" else file.stem)
    if SLUG_RE.match(slug):
        return slug
    fields.diags.error(
        fields.at("slug") if given else fields.location,
        "post.slug",
        f"'{slug}' is not a valid post name",
        f"use lowercase letters, digits and '-', like slug: {urls.slugify(slug) or 'weak-ties'}"
        if given
        else "rename the file: lowercase letters, digits and '-', like "
        f"{urls.slugify(slug) or 'weak-ties'}.md (or give the address with a line slug: …)",
    )
    return None


def _year(file: Path, date: dt.date, fields: Fields) -> int:
    """The year in the post's URL: its folder's (a warning if that is not its date's), or
    its date's for a post filed outside a year's folder."""
    folder = file.parent.parent if file.name == "index.md" else file.parent
    year = int(folder.name) if re.fullmatch(r"\d{4}", folder.name) else date.year
    if year != date.year:
        fields.diags.warning(
            fields.at("date"),
            "post.year",
            f"dated {date.isoformat()} but filed under {folder.name}/",
            f"move it to content/posts/{date.year}/ (its URL uses the folder's year)",
        )
    return year


def _event_times(fields: Fields, kind: Kind) -> tuple[dt.datetime | None, dt.datetime | None]:
    """An event's ``when:`` (required) and ``end:`` (optional, after ``when``)."""
    when = fields.datetime("when", required=kind is Kind.EVENT)
    end = fields.datetime("end")
    if end is None:
        return when, None
    if kind is not Kind.EVENT:
        fields.diags.warning(
            fields.at("end"),
            "event.end",
            f"'end' is only used by events, and this is kind: {kind}",
            "set kind: event, or remove 'end'",
        )
        return when, None
    if when is not None and end <= when:
        fields.diags.error(
            fields.at("end"),
            "event.end",
            f"the event ends ({end:%Y-%m-%d %H:%M}) before it starts ({when:%Y-%m-%d %H:%M})",
            "'end' is when it finishes, after 'when'; for example: "
            f"end: {when + dt.timedelta(hours=2):%Y-%m-%d %H:%M}",
        )
        return when, None
    return when, end


def _image(fields: Fields, file: Path, assets: tuple[Asset, ...]) -> str:
    """``image:``: the name of an image beside a folder post, or an https URL; '' (and a
    diagnostic) for anything else."""
    value = fields.text("image", example="chart.png")
    if not value:
        return ""
    if value.startswith("//") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):  # an address
        if value.lower().startswith("https://") and WEB_URL_RE.match(value):
            return value
        fields.diags.error(
            fields.at("image"),
            "post.image",
            f"'image': {value!r} is not an https:// address",
            "pages are served over https and cannot show an image from elsewhere; "
            "for example: image: https://example.org/chart.png",
        )
        return ""
    name = value.removeprefix("./")
    images = [a.name for a in assets if a.is_image]
    if name in images:
        return name
    if file.name != "index.md":
        why = "only a post that is a folder has files beside it"
        hint = f"make the post a folder, <slug>/index.md, with {name} beside it"
    else:
        why = "there is no such image beside index.md" + did_you_mean(name, images)
        hint = "images: " + ", ".join(images) if images else "put the image beside index.md"
    fields.diags.error(
        fields.at("image"),
        "post.image",
        f"'image': {name!r} cannot be the post's image: {why}",
        f"{hint}, or give an https:// address",
    )
    return ""


def _kind(fields: Fields) -> Kind:
    """``kind:``, an article when it is not given or not known (that is reported)."""
    kind_text = fields.text("kind") or "article"
    try:
        return Kind(kind_text.lower())
    except ValueError:
        kinds = [k.value for k in Kind]
        fields.diags.error(
            fields.at("kind"),
            "field.kind",
            f"unknown kind '{kind_text}'{did_you_mean(kind_text.lower(), kinds)}",
            "kind is one of: " + ", ".join(kinds),
        )
        return Kind.ARTICLE


def _via(fields: Fields) -> str:
    """``via:``, the one member a post came through; '' when none, or more (reported)."""
    via = fields.texts("via", example="grace")
    if len(via) > 1:
        fields.diags.error(
            fields.at("via"),
            "field.type",
            "'via' names one member, not a list",
            "for example: via: grace",
        )
    return via[0].lstrip("@").lower() if len(via) == 1 else ""


def _answers(fields: Fields) -> str:
    """``answers:`` as the key of the ask it names; whether that ask exists is ``check``'s."""
    text = fields.text("answers", example="2026/who-has-a-geocoder")
    if not text:
        return ""
    found = ANSWERS_RE.match(text.strip())
    if found is None:
        fields.diags.error(
            fields.at("answers"),
            "answers.format",
            f"'answers' names an ask by its year and name, not {text!r}",
            "for example: answers: 2026/who-has-a-geocoder (the ask's file, "
            "content/posts/2026/who-has-a-geocoder.md, without the extension)",
        )
        return ""
    return f"{found[1]}/{found[2].lower()}"


def _status(fields: Fields, kind: Kind) -> str:
    """An ask's ``status:``, lower-cased; '' when not given or not one of ASK_STATUSES."""
    status = fields.text("status").lower()
    if not status:
        return ""
    if status not in ASK_STATUSES:
        fields.diags.error(
            fields.at("status"),
            "ask.status",
            f"unknown status '{status}'{did_you_mean(status, ASK_STATUSES)}",
            "an ask's status is one of: " + ", ".join(ASK_STATUSES),
        )
        return ""
    if kind is not Kind.ASK:
        fields.diags.warning(
            fields.at("status"),
            "ask.status",
            f"'status' is only used by asks, and this is kind: {kind}",
            "set kind: ask, or remove 'status'",
        )
        return ""
    return status


def _handles(fields: Fields, name: str) -> tuple[str, ...]:
    return tuple(h.lstrip("@").lower() for h in fields.texts(name, example="[grace, linus]"))


def _body(
    project: Project,
    file: Path,
    config: Config,
    body: str,
    body_line: int,
    url: str,
    diags: Diagnostics,
) -> tuple[str, tuple[Asset, ...]]:
    """The post's text as HTML, and the assets beside it (a post that is a folder, whose
    page is at ``url``, where its assets are published too), checked; its images are
    linked at their sizes."""
    folder_url = config.base_path + url
    assets_of = file.name == "index.md"
    assets = load_assets(project, file.parent, diags) if assets_of else ()
    check_images(body, body_line, project.relative(file), assets, diags)
    html = render_markdown(body, config.base_path, folder_url if assets_of else "")
    return sized_images(html, folder_url, assets), assets
