"""The site's HTML pages: home, editions, posts, archive, members, topics, 404."""

from __future__ import annotations

from itertools import islice

from newsletter.model import Site
from newsletter.progress import Progress, quiet
from newsletter.render.environment import Theme, globals_for

RELATED = 4
"""How many other posts on the same topic a post's page suggests."""


def render_pages(site: Site, theme: Theme, progress: Progress = quiet) -> dict[str, bytes]:
    ctx = globals_for(site)
    out: dict[str, bytes] = {}
    latest = site.editions[0] if site.editions else None
    out["index.html"] = theme.page("home.html", ctx, view=latest, page_url="")
    for view in site.editions:
        out[f"{view.edition.url}index.html"] = theme.page(
            "edition.html", ctx, view=view, page_url=view.edition.url
        )
    views = {view.edition.number: view for view in site.editions}
    total = len(site.posts)
    for done, post in enumerate(site.posts, 1):
        if done % 50 == 0 or done == total:
            progress("render", done, total)
        number = site.edition_of.get(post.key)
        topic = site.topics[post.tags[0]] if post.tags else []
        out[f"{post.url}index.html"] = theme.page(
            "post.html",
            ctx,
            post=post,
            page_url=post.url,
            ev=views.get(number) if number else None,
            # the newest few on its first tag; never a scan of the whole topic per post
            related=[p for p in islice(topic, RELATED + 1) if p is not post][:RELATED],
            related_total=len(topic),
        )
    out["archive/index.html"] = theme.page("archive.html", ctx, page_url="archive/")
    out["members/index.html"] = theme.page("members.html", ctx, page_url="members/")
    for member in site.members.values():
        out[f"{member.url}index.html"] = theme.page(
            "member.html", ctx, m=member, act=site.activity[member.handle], page_url=member.url
        )
    out["topics/index.html"] = theme.page("topics.html", ctx, page_url="topics/")
    for tag, posts in site.topics.items():
        people = [m for m in site.members.values() if tag in m.topics]
        out[f"topics/{tag}/index.html"] = theme.page(
            "topic.html", ctx, tag=tag, posts=posts, people=people, page_url=f"topics/{tag}/"
        )
    out["404.html"] = theme.page("404.html", ctx, page_url="404.html")
    out["robots.txt"] = (
        f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}sitemap.xml\n".encode()
    )
    out.update(theme.static_bytes())
    return out
