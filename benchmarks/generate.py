"""Generate a synthetic newsletter project for benchmarking `newsletter build`.

    python benchmarks/generate.py OUT_DIR --posts N [--seed S] [--members M] [--editions E]

Writes newsletter.yaml, content/members/, content/posts/<yyyy>/<slug>.md and
content/editions/<n>.md into OUT_DIR. The same (N, seed) always gives the same
bytes. The result passes `newsletter -C OUT_DIR check --today 2026-11-25`
with no errors: every reference names a real member, every intro connects two
other members, every shared link is unique, every edition has posts and
every internal link points at a page that exists.

Also usable as a module: ``generate(Path("out"), posts=1000, seed=1)``.
Standard library only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

END = dt.date(2026, 11, 19)
"""The last post and the last edition are dated this day."""
EDITION_EVERY = 14
POSTS_PER_DAY = 40
POSTS_PER_MEMBER = 50
MIN_MEMBERS = 20
WORDS_PER_POST = 300

TAGS = [
    "open-data",
    "mapping",
    "accessibility",
    "civic-tech",
    "research-methods",
    "data-engineering",
    "visualisation",
    "statistics",
    "machine-learning",
    "privacy",
    "public-health",
    "transport",
    "housing",
    "climate",
    "air-quality",
    "education",
    "teaching",
    "careers",
    "community-building",
    "user-research",
    "design",
    "journalism",
    "fact-checking",
    "policy",
    "evaluation",
    "surveys",
    "qualitative-methods",
    "reproducibility",
    "python",
    "r-stats",
    "sql",
    "geospatial",
    "archives",
    "digital-humanities",
    "ethics",
    "funding",
    "volunteering",
    "open-source",
    "energy",
    "procurement",
]
TAG_WORDS = {
    "r-stats": "R",
    "sql": "SQL",
    "python": "Python",
    "open-source": "open source",
    "civic-tech": "civic tech",
    "user-research": "user research",
}

ORGS = [
    ("Harbourton City Council", "harbourton.example.gov"),
    ("Northbank University", "northbank.example.ac"),
    ("Riverside Health Trust", "riverside-health.example.org"),
    ("Civic Lab Collective", "civiclab.example.org"),
    ("The Harbour Herald", "harbourherald.example.com"),
    ("Open Streets Association", "openstreets.example.org"),
    ("Eastside Community Trust", "eastside.example.org"),
    ("Meridian Analytics", "meridian.example.com"),
]
ROLES = [
    "Data analyst",
    "Research fellow",
    "Service designer",
    "Data engineer",
    "Reporter",
    "Policy officer",
    "GIS specialist",
    "Community organiser",
    "PhD student",
    "Statistician",
    "Product manager",
    "Librarian",
    "Lecturer",
    "Volunteer coordinator",
    "Developer",
]
FIRST = [
    "Ada",
    "Ben",
    "Chidi",
    "Dev",
    "Elena",
    "Felix",
    "Grace",
    "Hana",
    "Ines",
    "Jo",
    "Kwame",
    "Lucia",
    "Mei",
    "Noor",
    "Oskar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tomas",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zainab",
    "Aiko",
    "Bruno",
    "Carmen",
    "Dara",
    "Emeka",
    "Farah",
    "Goran",
    "Helen",
    "Ivan",
    "Jamal",
    "Kirsten",
    "Leila",
    "Marta",
    "Nikhil",
]
LAST = [
    "Okafor",
    "Tanaka",
    "Novak",
    "Silva",
    "Haddad",
    "Kowalski",
    "Mensah",
    "Lindqvist",
    "Ferreira",
    "Nguyen",
    "Rossi",
    "Abebe",
    "Fischer",
    "Moreau",
    "Santos",
    "Petrov",
    "O'Brien",
    "Kaur",
    "Yilmaz",
    "Jensen",
    "Mwangi",
    "Dubois",
    "Castro",
    "Ahmed",
    "Park",
    "Murphy",
    "Costa",
    "Bianchi",
    "Larsen",
    "Osei",
    "Reyes",
    "Wójcik",
    "Chen",
    "Ibrahim",
    "Schmidt",
    "Varga",
    "Nakamura",
    "Adeyemi",
    "Horvat",
    "Lopez",
]
PLACES = [
    "the Engine Room",
    "Harbourton Central Library",
    "Northbank University, room 2.14",
    "Online",
    "the Eastside Community Centre",
    "the Old Fire Station",
    "Meridian's office",
    "the Harbour Herald newsroom",
]

KIND_WEIGHTS = {
    "article": 38,
    "ask": 15,
    "offer": 11,
    "event": 10,
    "intro": 9,
    "job": 7,
    "spotlight": 10,
}
LINK_CHANCE = {
    "article": 0.7,
    "ask": 0.1,
    "offer": 0.2,
    "event": 0.8,
    "intro": 0.0,
    "job": 0.9,
    "spotlight": 0.5,
}

THINGS = [
    "pipeline",
    "dashboard",
    "checklist",
    "survey",
    "dataset",
    "workshop",
    "guide",
    "template",
    "style guide",
    "code review",
    "data dictionary",
    "reading list",
    "interview protocol",
    "map",
    "toolkit",
    "audit",
    "prototype",
    "style sheet",
]
ADJ = [
    "small",
    "practical",
    "honest",
    "quick",
    "careful",
    "cheap",
    "boring",
    "shared",
    "open",
    "tiny",
    "reusable",
    "accessible",
]

TITLES = {
    "article": [
        "What we learned from {num} months of {topic}",
        "A practical guide to {topic} for small teams",
        "Why {topic} needs a better {thing}",
        "Notes on {topic} and {topic2}",
        "{Topic}: three mistakes we made with our {thing}",
        "The {adj} {thing} that changed how we do {topic}",
        "Reading list: {topic} beyond the hype",
        "How {org} rebuilt its {topic} {thing}",
    ],
    "ask": [
        "Has anyone built a {thing} for {topic}?",
        "Looking for advice on {topic} and {topic2}",
        "Who knows a good {thing} for {topic}?",
        "Ask: reviewers for a {topic} {thing}",
    ],
    "offer": [
        "Offer: {num} hours of {topic} help",
        "Free {topic} {thing} reviews for community projects",
        "Offer: our {topic} {thing}, ready to reuse",
    ],
    "event": [
        "{Topic} meetup: {adj} {thing}s",
        "Workshop: {topic} for beginners",
        "Hack night on {topic} and {topic2}",
        "Talk: {name} on {topic}",
    ],
    "intro": [
        "{a}, meet {b}: {topic}",
        "Introducing {a} and {b} on {topic}",
    ],
    "job": [
        "Hiring: {role} for {topic} at {org}",
        "Job: {role}, {topic} team",
    ],
    "spotlight": [
        "Spotlight: {name}'s {topic} {thing}",
        "Spotlight on {org}'s {adj} {thing}",
    ],
}

SENTENCES = [
    "Over the last {num} months we have been working on a {adj} {thing} for {topic}.",
    "The first version was built in a week, and the second took most of a year.",
    "Most of the effort went into talking to the people who would actually use it.",
    "We assumed that {topic} would be the hard part, but {topic2} turned out to matter more.",
    "If you have tried something similar at {org}, I would love to compare notes.",
    "The {thing} is deliberately {adj}: one page, no jargon, and a named owner.",
    "It is not perfect, and we still argue about the defaults every few weeks.",
    "Several people asked how we kept it going once the funding ran out.",
    "The short answer is that we made it part of somebody's job rather than a side project.",
    "We also learned that a {adj} {thing} beats a clever one nobody opens.",
    "Colleagues in {topic2} pointed out problems we had not even noticed.",
    "Most of the data came from public sources, with a few gaps we filled by hand.",
    "We wrote down every decision in a plain text log, which saved us more than once.",
    "The numbers are modest: about {num} regular users and a handful of contributors.",
    "Still, it has already answered questions that used to take a week of emails.",
    "The hardest conversations were about who is allowed to change what.",
    "Next we want to make the {thing} easier to reuse for other teams.",
    "There is a longer write-up with the details for anyone who wants them.",
    "None of this needs a big budget; it needs patience and a shared vocabulary.",
    "We tested it with {num} people from three different teams before launching.",
    "A surprising amount of {topic} work is really about naming things consistently.",
    "If something here is wrong, please say so; the point is to get better at it together.",
]
LIST_ITEMS = [
    "start with the question, not the {thing}",
    "write the {adj} version first and keep it",
    "ask someone outside {topic} to read it",
    "keep a changelog people can find",
    "budget time for {topic2}, it always takes longer",
    "publish the {thing} under an open licence",
    "name one person who answers questions",
    "test with real users, not colleagues",
    "agree on definitions before building anything",
    "plan for the day the original author leaves",
]
LINK_TEXTS = [
    "the full write-up",
    "the slides",
    "the repository",
    "our notes",
    "the report",
    "a longer thread",
    "the project page",
    "the recording",
]


@dataclass
class Member:
    handle: str
    name: str
    org: str
    domain: str
    role: str
    topics: list[str]


@dataclass
class Post:
    year: int
    slug: str
    title: str
    date: dt.date
    tags: list[str]
    front: dict[str, object] = field(default_factory=dict)
    body: str = ""

    @property
    def url(self) -> str:
        return f"/posts/{self.year}/{self.slug}/"


def _words(tag: str) -> str:
    return TAG_WORDS.get(tag, tag.replace("-", " "))


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "post"


def _yaml(value: object) -> str:
    """A YAML flow value: JSON strings and lists are valid YAML."""
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, str):
        if re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:\d\d)?", value):
            return value  # a date, or a date and time YAML leaves as text
        if re.fullmatch(r"https://[A-Za-z0-9./-]+", value):
            return value
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ,.'()/-]*", value) and not _ambiguous(value):
            return value
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _ambiguous(value: str) -> bool:
    """Plain scalars YAML would read as something other than a string."""
    return value.lower() in {"yes", "no", "true", "false", "on", "off", "null", "y", "n"} or bool(
        re.fullmatch(r"[0-9][0-9 .:-]*", value)
    )


def _front_matter(fields: dict[str, object]) -> str:
    return "".join(f"{k}: {_yaml(v)}\n" for k, v in fields.items())


# -- members -------------------------------------------------------------------


def make_members(rng: random.Random, count: int) -> list[Member]:
    members: list[Member] = []
    used: set[str] = set()
    pairs = [(f, s) for f in FIRST for s in LAST]
    rng.shuffle(pairs)
    for i in range(count):
        first, last = pairs[i % len(pairs)]
        base = slugify(f"{first}-{last}")
        handle, n = base, 2
        while handle in used:
            handle, n = f"{base}{n}", n + 1
        used.add(handle)
        org, domain = ORGS[i % len(ORGS)] if i < len(ORGS) else rng.choice(ORGS)
        members.append(
            Member(
                handle,
                f"{first} {last}",
                org,
                domain,
                rng.choice(ROLES),
                rng.sample(TAGS, rng.randint(2, 4)),
            )
        )
    return members


def member_yaml(rng: random.Random, m: Member) -> str:
    text = _front_matter({"name": m.name, "org": m.org, "role": m.role, "topics": m.topics})
    text += f"offers: [{json.dumps('help with ' + _words(m.topics[0]), ensure_ascii=False)}]\n"
    text += f"asks: [{json.dumps('advice on ' + _words(m.topics[-1]), ensure_ascii=False)}]\n"
    text += f"links: {{site: https://{m.handle}.example.com}}\n"
    if rng.random() < 0.5:
        bio = (
            f"{m.role} at {m.org}, working on {_words(m.topics[0])} and "
            f"{_words(m.topics[1])}. Happy to talk about either over coffee."
        )
        text += f"bio: {json.dumps(bio, ensure_ascii=False)}\n"
    text += "network: true\n"
    return text


# -- posts ---------------------------------------------------------------------


def _fill(rng: random.Random, template: str, ctx: dict[str, str]) -> str:
    values = dict(ctx)
    values.setdefault("thing", rng.choice(THINGS))
    values.setdefault("adj", rng.choice(ADJ))
    values.setdefault("num", str(rng.randint(3, 40)))
    values["Topic"] = values["topic"][:1].upper() + values["topic"][1:]
    return re.sub(r"\b([Aa]) ([aeiou])", r"\1n \2", template.format(**values))


def _emphasise(rng: random.Random, sentence: str) -> str:
    words = sentence.split(" ")
    if len(words) < 6:
        return sentence
    i = rng.randrange(1, len(words) - 2)
    if not re.fullmatch(r"[A-Za-z]{4,}", words[i]):
        return sentence
    mark = "**" if rng.random() < 0.3 else "*"
    words[i] = f"{mark}{words[i]}{mark}"
    return " ".join(words)


def make_body(
    rng: random.Random, ctx: dict[str, str], extra_links: list[tuple[str, str]], lead: str
) -> str:
    """About WORDS_PER_POST words: paragraphs, a list, a link and some emphasis."""
    target = WORDS_PER_POST + rng.randint(-40, 40)
    paragraphs: list[str] = []
    count = 0

    def paragraph(n: int) -> str:
        nonlocal count
        sentences = [_fill(rng, s, ctx) for s in rng.sample(SENTENCES, n)]
        sentences = [_emphasise(rng, s) if rng.random() < 0.3 else s for s in sentences]
        text = " ".join(sentences)
        count += len(text.split())
        return text

    first = (lead + " " if lead else "") + paragraph(rng.randint(3, 4))
    count += len(lead.split())
    paragraphs.append(first)
    items = [_fill(rng, s, ctx) for s in rng.sample(LIST_ITEMS, rng.randint(3, 5))]
    count += sum(len(s.split()) for s in items) + 4
    paragraphs.append("What worked for us:\n\n" + "\n".join(f"- {s}" for s in items))
    while count < target - 20:
        paragraphs.append(paragraph(rng.randint(3, 5)))
    links = [f"[{text}]({url})" for text, url in extra_links]
    link_text = rng.choice(LINK_TEXTS)
    links.append(f"[{link_text}](https://{ctx['domain']}/notes/{ctx['slug']})")
    paragraphs.append("More in " + " and ".join(links) + ".")
    return "\n\n".join(paragraphs) + "\n"


def make_posts(
    rng: random.Random, count: int, members: list[Member], span: int
) -> tuple[list[Post], int]:
    start = END - dt.timedelta(days=span - 1)
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    used: set[tuple[int, str]] = set()
    posts: list[Post] = []
    for i in range(count):
        date = start + dt.timedelta(days=i * span // count)
        kind = rng.choices(kinds, weights)[0]
        author = rng.choice(members)
        others = [m for m in members if m is not author]
        pool = author.topics + rng.sample(TAGS, 2)
        tags = list(dict.fromkeys(rng.sample(pool, rng.randint(1, 3))))
        other = rng.choice(others)
        ctx = {
            "topic": _words(tags[0]),
            "topic2": _words(rng.choice(TAGS)),
            "org": author.org,
            "name": other.name,
            "role": rng.choice(ROLES).lower(),
            "domain": author.domain,
        }
        connects: list[Member] = []
        if kind == "intro":
            connects = rng.sample(others, 2)
            ctx["a"] = connects[0].name.split()[0]
            ctx["b"] = connects[1].name.split()[0]
        title = _fill(rng, rng.choice(TITLES[kind]), ctx)
        base = slugify(title)
        slug, n = base, 2
        while (date.year, slug) in used:
            slug, n = f"{base}-{n}", n + 1
        used.add((date.year, slug))
        ctx["slug"] = slug
        post = Post(date.year, slug, title, date, tags)
        front: dict[str, object] = {"title": title, "by": author.handle, "kind": kind}
        if rng.random() < LINK_CHANCE[kind]:
            front["link"] = f"https://{rng.choice(ORGS)[1]}/{date.year}/{slug}"
        if kind == "intro":
            front["connects"] = [m.handle for m in connects]
        elif rng.random() < 0.25:
            front["for"] = [m.handle for m in rng.sample(others, rng.randint(1, 2))]
        if rng.random() < 0.15:
            front["via"] = rng.choice(others).handle
        front["tags"] = tags
        lead = ""
        if kind == "event":
            start_time = dt.time(rng.choice([10, 12, 14, 18, 19]), rng.choice([0, 30]))
            when = dt.datetime.combine(date + dt.timedelta(days=rng.randint(3, 30)), start_time)
            front["when"] = when.strftime("%Y-%m-%d %H:%M")
            place = rng.choice(PLACES)
            front["where"] = place
            lead = f"Join us on {when.day} {when:%B} at {when:%H:%M}, {place}."
        elif kind == "intro":
            a, b = connects
            lead = (
                f"[{a.name}](/members/{a.handle}/) and [{b.name}](/members/{b.handle}/) "
                f"are both working on {ctx['topic']}, and should talk."
            )
        front["date"] = date.isoformat()
        extra: list[tuple[str, str]] = []
        if rng.random() < 0.3:
            extra.append((other.name, f"/members/{other.handle}/"))
        if posts and rng.random() < 0.2:
            earlier = rng.choice(posts[-50:])
            extra.append((f"an earlier post on {ctx['topic2']}", earlier.url))
        post.front = front
        post.body = make_body(rng, ctx, extra, lead)
        posts.append(post)
    return posts, span


# -- editions ------------------------------------------------------------------


def make_editions(rng: random.Random, posts: list[Post], span: int) -> list[tuple[int, str]]:
    start = END - dt.timedelta(days=span - 1)
    dates = []
    day = END
    while day >= start:
        dates.append(day)
        day -= dt.timedelta(days=EDITION_EVERY)
    dates.reverse()
    editions = []
    previous: dt.date | None = None
    for number, date in enumerate(dates, 1):
        window = [p for p in posts if (previous is None or p.date > previous) and p.date <= date]
        picks = rng.sample(window, min(2, len(window)))
        mentions = " and ".join(f"[{p.title}]({p.url})" for p in picks)
        note = (
            f"Welcome to edition {number}. {len(window)} things were shared in the last "
            f"fortnight. Do not miss {mentions}.\n\nThank you to everyone who asked, "
            "answered and introduced; reply to this email with what you are working on.\n"
        )
        tags = Counter(t for p in window for t in p.tags)
        title = (
            f"Mostly {_words(tags.most_common(1)[0][0])}, and more" if tags else f"Edition {number}"
        )
        text = f"---\n{_front_matter({'title': title, 'date': date.isoformat()})}---\n{note}"
        editions.append((number, text))
        previous = date
    return editions


# -- the whole project -----------------------------------------------------------


def generate(
    out: Path,
    posts: int,
    seed: int = 1,
    *,
    members: int | None = None,
    editions: int | None = None,
) -> None:
    """Write a synthetic project with ``posts`` posts into ``out``.

    ``out`` must not already hold a project's content (no content/ folder).
    By default there are ``posts`` / 50 members (at least 20) and the posts are
    spread over ``posts`` / 40 days; ``members`` and ``editions`` choose instead
    (with ``editions``, the posts are spread over that many fortnights), e.g. the
    100 members and 80 editions of issue 17's 2,000-post comparison.
    """
    if posts < 1:
        raise ValueError("posts must be at least 1")
    if (members is not None and members < 3) or (editions is not None and editions < 1):
        raise ValueError("members must be at least 3 and editions at least 1")
    out = Path(out)
    if (out / "content").exists():
        raise FileExistsError(f"{out / 'content'} already exists; choose an empty folder")
    rng = random.Random(seed)
    if editions is None:
        span = max(1, round(posts / POSTS_PER_DAY))
    else:
        span = (editions - 1) * EDITION_EVERY + 1
    people = make_members(rng, members or max(MIN_MEMBERS, posts // POSTS_PER_MEMBER))
    all_posts, span = make_posts(rng, posts, people, span)
    numbered = make_editions(rng, all_posts, span)

    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)

    write(
        out / "newsletter.yaml",
        "# A synthetic newsletter for benchmarks (benchmarks/generate.py).\n"
        "title: The Bench Exchange\n"
        f"description: {posts} synthetic posts by {len(people)} members (seed {seed}).\n"
        "base_url: https://bench.example.org/\n"
        "language: en\n"
        f"editors: [{people[0].handle}]\n",
    )
    for m in people:
        write(out / "content" / "members" / f"{m.handle}.yaml", member_yaml(rng, m))
    for p in all_posts:
        write(
            out / "content" / "posts" / str(p.year) / f"{p.slug}.md",
            f"---\n{_front_matter(p.front)}---\n{p.body}",
        )
    for number, text in numbered:
        write(out / "content" / "editions" / f"{number}.md", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, metavar="OUT_DIR")
    parser.add_argument("--posts", type=int, required=True, metavar="N")
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--members", type=int, metavar="M", help="default: N/50, at least 20")
    parser.add_argument(
        "--editions", type=int, metavar="E", help="one a fortnight; default: over N/40 days"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace OUT_DIR/content, newsletter.yaml and site/ if present",
    )
    args = parser.parse_args(argv)
    if args.force:
        for name in ("content", "site", ".newsletter"):
            shutil.rmtree(args.out / name, ignore_errors=True)
    try:
        generate(args.out, args.posts, args.seed, members=args.members, editions=args.editions)
    except (ValueError, FileExistsError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
