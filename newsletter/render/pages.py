"""The site's HTML pages: home, editions, posts, archive, members, topics, the network
page with its map, 404."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice

from newsletter.model import Member, Site
from newsletter.progress import Progress, quiet
from newsletter.render.environment import Theme, globals_for
from newsletter.render.netmap import MapEdge, MapNode, network_svg
from newsletter.render.social import Previews


@dataclass(frozen=True)
class MemberTies:
    """What a member page shows of the network: only members who take part in it."""

    received_from: list[tuple[str, int]]
    introduced: list[tuple[str, str]]
    meet: list[tuple[str, str]]  # (other member, why)


def member_ties(site: Site, member: Member) -> MemberTies | None:
    if site.network is None or not member.network:
        return None
    shown = {h for h, m in site.members.items() if m.network}
    act = site.activity[member.handle]
    received = Counter(p.by for p in act.received if p.by in shown)
    return MemberTies(
        received_from=sorted(received.items(), key=lambda kv: (-kv[1], kv[0])),
        introduced=[
            (p.connects[0], p.connects[1])
            for p in act.introduced
            if len(p.connects) == 2 and set(p.connects) <= shown
        ],
        meet=[
            (s.b if s.a == member.handle else s.a, s.reason)
            for s in site.network.member(member.handle).suggestions
        ],
    )


MAP_SUGGESTIONS = 8
"""How many introductions the network page suggests, each member at most once."""


NETWORK_DESCRIPTION = (
    "Who shares with whom in {title}: the map, the people who bridge groups, "
    "and introductions worth making."
)


def network_page(site: Site, theme: Theme, ctx: dict[str, object]) -> bytes:
    network = site.network
    shown = {h: m for h, m in site.members.items() if m.network}
    activity = {
        h: len(a.shared) + len(a.received) + len(a.introduced) + len(a.introduced_to)
        for h, a in site.activity.items()
    }
    ties = [t for t in network.ties if t.exchanges] if network else []  # not org-only
    nodes = [
        MapNode(h, m.name, m.org, float(activity.get(h, 0)), site.config.base_path + m.url)
        for h, m in shown.items()
    ]
    svg = network_svg(
        nodes, [MapEdge(t.a, t.b, t.weight) for t in ties], title="Who shares with whom"
    )
    suggestions, used = [], set()
    for s in network.suggestions if network else []:
        if s.a in used or s.b in used:
            continue
        suggestions.append(s)
        used |= {s.a, s.b}
        if len(suggestions) == MAP_SUGGESTIONS:
            break
    return theme.page(
        "network.html",
        ctx,
        network=network,
        map_svg=svg,
        net_members=len(nodes),
        net_ties=len(ties),
        suggestions=suggestions,
        page_url="network/",
        meta=Previews(site).page(
            "network/", "The network", NETWORK_DESCRIPTION.format(title=site.config.title)
        ),
    )


RELATED = 4
"""How many other posts on the same topic a post's page suggests."""


def render_pages(site: Site, theme: Theme, progress: Progress = quiet) -> dict[str, bytes]:
    ctx = globals_for(site)
    previews = Previews(site)
    title = site.config.title
    out: dict[str, bytes] = {}
    latest = site.editions[0] if site.editions else None
    out["index.html"] = theme.page(
        "home.html", ctx, view=latest, page_url="", meta=previews.page("", site.config.title)
    )
    for view in site.editions:
        out[f"{view.edition.url}index.html"] = theme.page(
            "edition.html", ctx, view=view, page_url=view.edition.url, meta=previews.edition(view)
        )
    views = {view.edition.number: view for view in site.editions}
    total = len(site.posts)
    for done, post in enumerate(site.posts, 1):
        if done % 50 == 0 or done == total:
            progress("render", done, total)
        number = site.edition_of.get(post.key)
        topic = site.topics[post.tags[0]] if post.tags else []
        for asset in post.assets:
            out[f"{post.url}{asset.name}"] = asset.data
        ev = views.get(number) if number else None
        out[f"{post.url}index.html"] = theme.page(
            "post.html",
            ctx,
            post=post,
            page_url=post.url,
            meta=previews.post(post, ev),
            ev=ev,
            # the newest few on its first tag; never a scan of the whole topic per post
            related=[p for p in islice(topic, RELATED + 1) if p is not post][:RELATED],
            related_total=len(topic),
        )
    out["archive/index.html"] = theme.page(
        "archive.html", ctx, page_url="archive/", meta=previews.page("archive/", "All editions")
    )
    out["members/index.html"] = theme.page(
        "members.html", ctx, page_url="members/", meta=previews.page("members/", "Members")
    )
    for member in site.members.values():
        out[f"{member.url}index.html"] = theme.page(
            "member.html",
            ctx,
            m=member,
            act=site.activity[member.handle],
            ties=member_ties(site, member),
            page_url=member.url,
            meta=previews.member(member),
        )
    out["network/index.html"] = network_page(site, theme, ctx)
    out["topics/index.html"] = theme.page(
        "topics.html", ctx, page_url="topics/", meta=previews.page("topics/", "Topics")
    )
    for tag, posts in site.topics.items():
        people = [m for m in site.members.values() if tag in m.topics]
        path = f"topics/{tag}/"
        out[f"{path}index.html"] = theme.page(
            "topic.html",
            ctx,
            tag=tag,
            posts=posts,
            people=people,
            page_url=path,
            meta=previews.page(path, f"#{tag}", f"Posts and members on #{tag} in {title}."),
        )
    # a 404 is served at any address: a canonical URL would claim that one
    out["404.html"] = theme.page(
        "404.html", ctx, page_url="404.html", meta=previews.page(None, "Page not found")
    )
    out["robots.txt"] = (
        f"User-agent: *\nAllow: /\nSitemap: {site.config.base_url}sitemap.xml\n".encode()
    )
    out.update(theme.static_bytes())
    return out
