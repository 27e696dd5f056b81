"""`newsletter new`: never writes what `check` rejects; every mistake is answered with
`check`'s own diagnostic, at the option that sets it; files look like the docs' examples;
slugs for every script; editions that cannot be empty by accident; placeholders kept
off the site."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from support.cli import NEWSLETTER, run
from support.clock import TODAY
from support.helpers import post, project, write
from support.paths import REPO

PLACEHOLDER = "Say in a few lines what this is and why it matters to us."


def exchange(root: Path) -> Path:
    """A new newsletter (first edition on 2026-11-19) with members ada (the editor),
    grace and linus."""
    made = run("init", str(root), "--editor", "ada", "--name", "Ada", "--date", "2026-11-19")
    assert made.exit_code == 0, made.output
    for handle, name in (("grace", "Grace Hopper"), ("linus", "Linus")):
        assert run("new", "member", handle, "--name", name, cwd=root).exit_code == 0
    return root


def files(root: Path) -> set[Path]:
    return {p for p in (root / "content").rglob("*") if p.is_file()}


def front(path: Path) -> tuple[list[str], str]:
    """A written file's front matter lines and its text."""
    text = path.read_text(encoding="utf-8")
    head, body = text.removeprefix("---\n").split("\n---\n", 1)
    return head.split("\n"), body


def assert_checks(root: Path) -> None:
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 0, result.output
    assert re.search(r"✓ 0 errors, \d+ warnings?", result.output), result.output


def documented_post_order() -> list[str]:
    """The fields of the example post in the docs' front-matter reference, in its order."""
    page = (REPO / "docs/reference/front-matter.md").read_text(encoding="utf-8")
    example = page.split("## A post:", 1)[1].split("```markdown\n---\n", 1)[1]
    return [line.split(":", 1)[0] for line in example.split("\n---\n", 1)[0].split("\n")]


# -- every variant passes check -----------------------------------------------------------

VARIANTS: list[tuple[str, ...]] = [
    ("member", "mo", "--name", "Mo"),
    ("member", "Анна Петрова", "--name", "Анна", "--org", "Open Labs", "--role", "Lead",
     "--topics", "Open Data, maps"),
    ("post", "--title", "Plain words", "--by", "ada", "--date", "2026-11-20", "--body", "Hi."),
    ("post", "--title", "Placeholder only", "--by", "grace", "--date", "2026-11-20"),
    ("post", "--title", "Who has a geocoder?", "--by", "grace", "--kind", "ask",
     "--tags", "Open Data,mapping", "--for", "@Ada", "--date", "2026-11-20", "--body", "Need one."),
    ("post", "--title", "Mentoring on maps", "--by", "linus", "--kind", "offer", "--via", "grace",
     "--date", "2026-11-21", "--body", "Ask me."),
    ("post", "--title", "Compiler night", "--by", "grace", "--kind", "event",
     "--when", "2026-12-03T18:00", "--where", "Room 2", "--link", "https://events.example.org/c",
     "--date", "2026-11-21", "--body", "Come along."),
    ("post", "--title", "Grace, meet Linus", "--by", "ada", "--kind", "intro",
     "--connects", "grace", "--connects", "linus", "--date", "2026-11-21", "--body", "Meet."),
    ("post", "--title", "A cartographer, part time", "--by", "ada", "--kind", "job",
     "--link", "http://jobs.example.org/1", "--date", "2026-11-22", "--body", "Apply."),
    ("post", "--title", "Meet Linus", "--by", "linus", "--kind", "spotlight", "--date",
     "2026-11-22", "--slug", "linus-himself", "--body", "Me."),
    ("post", "--title", "Открытые данные", "--by", "ada", "--date", "2026-11-22", "--body", "Да."),
    ("post", "--title", "Plain words", "--by", "linus", "--date", "2026-11-23", "--body", "Again."),
    ("post", "--title", "From standard input", "--by", "ada", "--date", "2026-11-23",
     "--body", "-"),
    ("edition", "--title", "Maps and mentors", "--today", "2026-11-21"),
    ("edition", "--title", "More maps", "--date", "2026-11-23"),
]  # fmt: skip
"""Every kind of file `new` writes, with and without its options."""


def test_every_new_variant_passes_check(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    for args in VARIANTS:
        before = files(root)
        result = run("new", *args, cwd=root) if "-" not in args else _stdin(root, args)
        assert result.exit_code == 0, (args, result.output)
        (made,) = files(root) - before
        assert result.output.count("✓ created") == 1, result.output
        assert_checks(root)  # after each one, not only at the end
        assert made.suffix in (".md", ".yaml")
    posts = root / "content/posts/2026"
    assert {p.name for p in posts.iterdir()} >= {
        "plain-words.md",
        "plain-words-2.md",
        "linus-himself.md",
        "otkrytye-dannye.md",
    }
    assert (root / "content/members/anna-petrova.yaml").is_file()
    draft, body = front(posts / "placeholder-only.md")
    assert draft[-1] == "draft: true" and body.strip() == PLACEHOLDER
    lines, body = front(posts / "from-standard-input.md")
    assert body == "Typed into a pipe.\n" and "draft: true" not in lines
    assert (
        (root / "content/editions/2.md")
        .read_text()
        .startswith("---\ntitle: Maps and mentors\ndate: 2026-11-21\n---\n")
    )
    assert len(VARIANTS) == 15


def _stdin(root: Path, args: tuple[str, ...]) -> object:
    from click.testing import CliRunner

    from newsletter.cli import main

    return CliRunner().invoke(
        main, ["-C", str(root), "new", *args], input="Typed into a pipe.\n", catch_exceptions=False
    )


def test_files_look_like_the_docs(tmp_path: Path) -> None:
    """Block style, one field a line, in the documented order, in every file written."""
    root = exchange(tmp_path / "exchange")
    long_title = "A title long enough to have been folded onto a second line " * 2
    args = ("--by", "ada", "--date", "2026-11-20", "--body", "Words.", "--tags", "a,b")
    assert run("new", "post", "--title", long_title.strip(), *args, cwd=root).exit_code == 0
    assert run("new", "edition", "--title", "Two", "--today", "2026-11-20", cwd=root).exit_code == 0
    order = documented_post_order()
    assert order[:3] == ["title", "by", "kind"]
    for path in files(root):
        if path.suffix not in (".md", ".yaml"):
            continue
        text = path.read_text(encoding="utf-8")
        lines = front(path)[0] if path.suffix == ".md" else text.rstrip("\n").split("\n")
        for line in lines:
            assert re.match(r"^[a-z_]+:( |$)", line), (path, line)  # one field a line
            assert not line.endswith(" ")
        if "/posts/" in str(path):
            keys = [line.split(":")[0] for line in lines]
            known = [k for k in keys if k in order]
            assert known == sorted(known, key=order.index), (path, keys)
    config = (root / "newsletter.yaml").read_text()
    assert "email:\n  from: Exchange <newsletter@example.org>\n" in config  # a block, as documented
    member = (root / "content/members/grace.yaml").read_text()
    assert member.startswith("name: Grace Hopper\norg:\nrole:\ntopics: []\n")
    assert yaml.safe_load(member)["org"] is None  # empty, for the member to fill in
    edition = (root / "content/editions/2.md").read_text()
    assert edition.startswith("---\ntitle: Two\ndate: 2026-11-20\n---\n")


# -- mistakes: check's diagnostic, at the option, nothing written ---------------------------

MISTAKES = [
    (("--by", "grce"), "--by: error: unknown member 'grce' (did you mean 'grace'?) [ref.member]"),
    (("--by", "ada", "--kind", "event"), "--when: error: missing required field 'when'"),
    (("--by", "ada", "--kind", "event", "--when", "soon"), "--when: error: 'when' is not a"),
    (("--by", "ada", "--kind", "intro", "--connects", "grace"), "--connects: error: an intro must"),
    (("--by", "ada", "--kind", "intro"), "--connects: error: an intro must connect two"),
    (("--by", "ada", "--kind", "intro", "--connects", "ada,grace"), "[intro.self]"),
    (("--by", "ada", "--link", "ftp://example.org/x"), "--link: error: 'link': 'ftp://"),
    (("--by", "ada", "--link", "example.org/x"), "is not an http(s) URL [field.link]"),
    (("--by", "ada", "--tags", "!!!"), "--tags: error: '!!!' is not a valid tag [field.tag]"),
    (("--by", "ada", "--for", "lins"), "--for: error: unknown member 'lins' (did you mean 'linus'"),
    (("--by", "ada", "--via", "nobody"), "--via: error: unknown member 'nobody' [ref.member]"),
    (("--by", "ada", "--slug", "welcome-to-the-exchange"), "--slug: error: another post has"),
    (("--by", "ada", "--body", "Write to me@example.org"), "--body: error: email address"),
    (("--by", "ada", "--body", "[x](/posts/2026/nowhere/)"), "--body: error: broken link"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "said"), MISTAKES, ids=[m[1][:40] for m in MISTAKES])
def test_a_mistake_is_checks_diagnostic_and_nothing_is_written(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    root = exchange(tmp_path / "exchange")
    before = files(root)
    body = () if "--body" in args else ("--body", "Words.")
    result = run(
        "new", "post", "--title", "A thing", "--date", "2026-11-20", *args, *body, cwd=root
    )
    assert result.exit_code == 2, result.output
    assert said in result.output, result.output
    assert "✗ nothing written: content/posts/2026/" in result.output
    assert "hint: " in result.output
    assert "Traceback" not in result.output
    assert files(root) == before


def test_every_problem_is_said_at_once(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    result = run(
        "new", "post", "--title", "Intro", "--by", "grce", "--kind", "intro", "--connects",
        "grace", "--tags", "Open Data", "--link", "ftp://x", "--date", "2026-11-20", cwd=root,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "note: tag 'Open Data' written as open-data" in result.output
    for option in ("--by", "--connects", "--link"):
        assert f"{option}: error:" in result.output
    assert "(3 errors, 0 warnings)" in result.output


def test_a_warning_is_said_and_the_post_written(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    args = ("--title", "For me", "--by", "ada", "--for", "ada", "--date", "2026-11-20")
    result = run("new", "post", *args, "--body", "Hi.", cwd=root)
    assert result.exit_code == 0
    assert "--for: warning: 'ada' shares this for themselves [share.self]" in result.output


def test_new_member_mistakes(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    result = run("new", "member", "9lives", "--name", "Cat", cwd=root)
    assert result.exit_code == 2
    assert "'9lives' is not a valid member handle [member.handle]" in result.output
    assert not (root / "content/members/9lives.yaml").exists()
    result = run("new", "member", "@Grace H", "--name", "G", "--topics", "Open Data", cwd=root)
    assert result.exit_code == 0, result.output
    assert "note: handle '@Grace H' written as grace-h" in result.output
    assert "topics: [open-data]" in (root / "content/members/grace-h.yaml").read_text()
    result = run("new", "member", "grace", "--name", "Someone else", cwd=root)
    assert result.exit_code == 2 and "already exists" in result.output
    (root / "content/members/bo.yml").write_text("name: Bo\n")  # .yml is a member file too
    result = run("new", "member", "bo", "--name", "Another Bo", cwd=root)
    assert result.exit_code == 2 and "bo.yml already exists" in result.output
    assert not (root / "content/members/bo.yaml").exists()


# -- slugs for every script ----------------------------------------------------------------

SCRIPTS = [
    ("Открытые данные в Москве", "otkrytye-dannye-v-moskve"),
    ("Ανοιχτά δεδομένα στην Αθήνα", "anoichta-dedomena-stin-athina"),
    ("東京のオープンデータ", "dongjingnoopundeta"),
    ("オープンデータ入門", "opundetarumen"),
    ("البيانات المفتوحة في القاهرة", "lbynt-lmftwhh-fy-lqhrh"),
    ("Straße & Café — ½ Ørsted", "strasse-cafe-12-orsted"),
    ("🎉🎉🎉", "article-by-ada"),
]


@pytest.mark.parametrize(("title", "slug"), SCRIPTS, ids=[s for _, s in SCRIPTS])
def test_a_title_in_any_script_gets_a_readable_slug(tmp_path: Path, title: str, slug: str) -> None:
    root = exchange(tmp_path / "exchange")
    args = ("--title", title, "--by", "ada", "--date", "2026-11-20", "--body", "Words.")
    for n in ("", "-2", "-3"):  # the same title again: a number, never an overwrite
        result = run("new", "post", *args, cwd=root)
        assert result.exit_code == 0, result.output
        assert f"✓ created content/posts/2026/{slug}{n}.md" in result.output
    assert not (root / "content/posts/2026/post.md").exists()
    assert_checks(root)


def test_slug_option_and_field_name_the_address(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    args = (
        "--title",
        "東京のオープンデータ",
        "--by",
        "ada",
        "--date",
        "2026-11-20",
        "--body",
        "W.",
    )
    result = run("new", "post", *args, "--slug", "Tokyo Open Data", cwd=root)
    assert result.exit_code == 0, result.output
    assert "note: --slug 'Tokyo Open Data' written as tokyo-open-data" in result.output
    assert (root / "content/posts/2026/tokyo-open-data.md").is_file()
    # a file named as its author likes, with its address in slug: the address is the field
    write(root, "content/posts/2026/東京.md", post("東京", "ada", date="2026-11-20", slug="tokyo"))
    link = "[Tokyo](/posts/2026/tokyo/) and [the other](/posts/2026/tokyo-open-data/)"
    write(root, "content/posts/2026/links.md", post("Links", "grace", link, "2026-11-20"))
    assert_checks(root)  # both links resolve: the field is the address
    taken = run("new", "post", *args, "--slug", "tokyo", cwd=root)
    assert taken.exit_code == 2 and "--slug: error: another post has the same address" in (
        taken.output
    )
    assert run("build", "--today", TODAY, "--no-search", cwd=root).exit_code == 0
    assert (root / "site/posts/2026/tokyo/index.html").is_file()


def test_a_slug_field_is_checked_at_its_line(tmp_path: Path) -> None:
    root = project(tmp_path / "p", posts={"x": post("X", "ada", slug="Not A Slug")})
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert (
        "content/posts/2026/x.md:5:7: error: 'Not A Slug' is not a valid post name [post.slug]"
        in result.output
    )
    assert "hint: use lowercase letters, digits and '-', like slug: not-a-slug" in result.output
    named = project(tmp_path / "q", posts={"Αθήνα": post("X", "ada")})
    result = run("check", "--today", TODAY, cwd=named)
    assert "error: 'Αθήνα' is not a valid post name [post.slug]" in result.output
    assert "like athina.md (or give the address with a line slug: …)" in result.output


# -- placeholders stay off the site ---------------------------------------------------------


def test_a_post_without_text_is_a_draft_until_written(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    args = ("--title", "Not yet", "--by", "ada", "--date", "2026-11-20")
    result = run("new", "post", *args, cwd=root)
    assert result.exit_code == 0
    assert "it is a draft (draft: true)" in result.output
    path = root / "content/posts/2026/not-yet.md"
    lines, body = front(path)
    assert "draft: true" in lines and body.strip() == PLACEHOLDER
    assert_checks(root)
    assert run("build", "--today", TODAY, "--no-search", cwd=root).exit_code == 0
    assert not (root / "site/posts/2026/not-yet").exists()
    path.write_text(path.read_text().replace("draft: true\n", ""))
    result = run("check", "--today", TODAY, cwd=root)
    assert result.exit_code == 1
    assert (
        "content/posts/2026/not-yet.md:7:1: error: the text is still the placeholder that "
        "`newsletter new post` wrote [post.placeholder]" in result.output
    )
    assert "hint: replace it with a few lines in your own words" in result.output
    path.write_text(path.read_text().replace(PLACEHOLDER, "Now in my own words."))
    assert_checks(root)


# -- editions that can't be empty by accident ----------------------------------------------


def test_new_edition_is_dated_for_the_posts_waiting(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    nothing = run("new", "edition", "--title", "Two", "--today", "2026-11-25", cwd=root)
    assert nothing.exit_code == 2
    assert nothing.output == (
        "error: no post is waiting for a new edition: none is dated after edition 1 of "
        "2026-11-19 (drafts aside); add posts first (newsletter new post)\n"
    )
    for day in ("2026-11-20", "2026-11-22", "2026-11-30"):
        made = ("--title", f"On {day}", "--by", "ada", "--date", day, "--body", "W.")
        assert run("new", "post", *made, cwd=root).exit_code == 0
    empty = run("new", "edition", "--title", "Two", "--date", "2026-11-19", cwd=root)
    assert empty.exit_code == 2
    assert empty.output == (
        "error: edition 2 of 2026-11-19 would hold no item: no post is dated after edition 1 "
        "of 2026-11-19 up to 2026-11-19; the next post waiting is dated 2026-11-20: give "
        "--date 2026-11-20 or later\n"
    )
    made = run("new", "edition", "--title", "Two", "--today", "2026-11-25", cwd=root)
    assert made.exit_code == 0, made.output
    assert made.output == (
        "✓ created content/editions/2.md\n"
        "  edition 2 of 2026-11-25 will hold 2 items, dated 2026-11-20 to 2026-11-22 "
        "(after edition 1 of 2026-11-19); 1 item dated after 2026-11-25 will wait for the "
        "next.\n"
    )
    early = run("new", "edition", "--title", "Three", "--today", "2026-11-26", cwd=root)
    assert early.exit_code == 0, early.output  # the waiting post is later than today
    assert "date: 2026-11-30" in (root / "content/editions/3.md").read_text()
    assert (
        "edition 3 of 2026-11-30 will hold 1 item, dated 2026-11-30 (after edition 2 of "
        "2026-11-25); dated after today (2026-11-26), it is a draft until then." in early.output
    )
    assert_checks(root)


# -- init --base-url ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("news.example.org", "https://news.example.org/"),
        ("news.example.org/letters", "https://news.example.org/letters/"),
        ("http://localhost:8000", "http://localhost:8000/"),
        ("HTTPS://News.Example.org/Path", "https://news.example.org/Path/"),
    ],
)
def test_init_base_url_is_made_absolute(tmp_path: Path, given: str, written: str) -> None:
    result = run("init", str(tmp_path), "--base-url", given, "--date", TODAY)
    assert result.exit_code == 0, result.output
    config = yaml.safe_load((tmp_path / "newsletter.yaml").read_text())
    assert config["base_url"] == written
    said = f"--base-url: no http:// or https:// in {given!r}, so using {written}"
    assert (said in result.output) == ("://" not in given.lower())
    assert_checks(tmp_path)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("garbage", "has no host name like example.org"),
        ("not a url", "is not a web address"),
        ("ftp://files.example.org/", "starts with ftp://"),
        ("editor@example.org", "has an '@' (an email address?)"),
        ("https://example.org/?page=1", "has a '?'"),
        ("https://example.org:99999/", "has a port that is not 1 to 65535"),
        ("https://", "has no host name"),
    ],
)
def test_init_refuses_an_address_that_cannot_be_a_site(
    tmp_path: Path, given: str, why: str
) -> None:
    result = run("init", str(tmp_path / "x"), "--base-url", given, "--date", TODAY)
    assert result.exit_code == 2
    assert f"Invalid value for --base-url: {given!r} {why}" in result.output, result.output
    assert "like https://news.example.org/" in result.output
    assert not (tmp_path / "x").exists()


# -- on a terminal: asks instead of failing -------------------------------------------------


def in_terminal(args: list[str], cwd: Path, answers: list[str], env: dict[str, str]) -> str:
    """`newsletter ARGS` on a pseudo-terminal; each answer typed after a prompt (a line
    ending in ':'). Returns all it showed; fails if it did not exit 0."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*NEWSLETTER, *args], cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
        env={**os.environ, "COLUMNS": "200", **env}, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    shown, pending = b"", list(answers)
    deadline = time.monotonic() + 60  # a bound on a hung prompt, not a timing assert
    while time.monotonic() < deadline:
        if not select.select([master], [], [], 0.2)[0]:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        shown += chunk
        if pending and re.search(rb":\s*$", shown):
            os.write(master, pending.pop(0).encode() + b"\n")
            shown += b"\n"
    if proc.poll() is None:
        proc.kill()
    code = proc.wait(timeout=30)
    os.close(master)
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown.decode("utf-8", "replace")).replace("\r", "")
    assert code == 0 and not pending, text
    return text


NO_EDITOR = {"EDITOR": "", "VISUAL": ""}


@pytest.mark.slow
def test_on_a_terminal_what_is_missing_or_wrong_is_asked_for(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    shown = in_terminal(
        ["new", "post", "--kind", "intro", "--by", "grce", "--date", "2026-11-20", "--body", "x"],
        root,
        ["Grace, meet Linus", "ada", "grace, linus"],
        NO_EDITOR,
    )
    assert "--by: error: unknown member 'grce' (did you mean 'grace'?)" in shown
    assert "The two members introduced (handles, comma-separated):" in shown
    lines, _ = front(root / "content/posts/2026/grace-meet-linus.md")
    assert "by: ada" in lines and "connects: [grace, linus]" in lines
    shown = in_terminal(
        ["new", "post", "--title", "Meetup", "--by", "ada", "--kind", "event", "--date",
         "2026-11-20", "--body", "x"],
        root,
        ["soon", "2026-12-03 18:00"],
        NO_EDITOR,
    )  # fmt: skip
    assert shown.count("When it starts (YYYY-MM-DD HH:MM):") == 2  # asked again after 'soon'
    assert "when: 2026-12-03 18:00" in front(root / "content/posts/2026/meetup.md")[0]
    assert_checks(root)


@pytest.mark.slow
def test_on_a_terminal_the_text_is_written_in_the_editor(tmp_path: Path) -> None:
    root = exchange(tmp_path / "exchange")
    editor = write(
        tmp_path,
        "editor.py",
        "import sys, pathlib\npathlib.Path(sys.argv[1]).write_text('Written in my editor.')\n",
    )
    args = ["new", "post", "--title", "Edited", "--by", "ada", "--date", "2026-11-20"]
    env = {"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}
    shown = in_terminal(args, root, ["y"], env)
    assert "Write the text now, in" in shown
    lines, body = front(root / "content/posts/2026/edited.md")
    assert body == "Written in my editor.\n" and "draft: true" not in lines
    no = in_terminal([*args[:3], "Not now", *args[4:]], root, ["n"], env)
    assert "it is a draft (draft: true)" in no
    assert_checks(root)


def test_the_docs_document_slugs_and_drafts() -> None:
    page = (REPO / "docs/how-to/write-a-post.md").read_text(encoding="utf-8")
    for words in ("--slug", "slug: ", "--body", "`post.placeholder`", "transliterated"):
        assert words in page, words
