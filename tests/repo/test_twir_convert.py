"""benchmarks/twir.py turns a clone of This Week in Rust into a newsletter project.

The clone here is made up: three editions in the archive's real formats (copied from
real files and cut short: 2013's reference links and no editors, 2018's sections and
'edited by' line, 2025's nested events, comments and stray blank line), and a post of
another category. The converted project must pass `newsletter check` with no error.
"""

# ruff: noqa: E501 (the editions' lines are as long as the archive's)
from __future__ import annotations

import datetime as dt_
import sys
from pathlib import Path

import pytest
import yaml

from support.cli import run
from support.clock import TODAY
from support.paths import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from twir import convert, diagnostic_codes, write_project

EDITION_1 = """\
Title: This Week In Rust 1
Date: 2013-06-07 18:46
Tags: this-week-in-rust, rust, programming
Category: This Week in Rust

Hello and welcome to the first issue of *This Week In Rust*, a weekly overview
of Rust and its community. Any ideas, email them
to me, <mailto:corey+rust@octayn.net>.

<!-- more -->

# What's cooking in incoming?

There were 30 pull requests merged this week.

## Notable additions, bugfixes, and cleanups

- Ben Striegel added the `as_c_str` string function as a method as part of the
  overall methodization covered by [6045][is6045].
- James Miller landed a much better optimization pipeline in [6881][is6881],
  fixing a bunch of nascent optimization problems.
- Patrick fixed the unsafe checker to safe code can no longer call unsafe
  methods.

[is6045]: https://github.com/mozilla/rust/issues/6045
[is6881]: https://github.com/mozilla/rust/pull/6881
"""

EDITION_215 = """\
Title: This Week in Rust 215
Number: 215
Date: 2018-01-02
Category: This Week in Rust

Hello and welcome to another issue of *This Week in Rust*!
[Rust](http://rust-lang.org) is a systems language pursuing the trifecta: safety, concurrency, and speed.

# Updates from Rust Community

## News & Blog Posts

* [Not explicit](https://boats.gitlab.io/blog/post/2017-12-27-things-explicit-is-not/). What it means for Rust syntax to be explicit.
* [Porting a roguelike game to WebAssembly](https://aimlesslygoingforward.com/blog/2017/12/25/dose-response-ported-to-webassembly/).

# Crate of the Week

This week's crate is [YEW](https://github.com/DenisKolodin/yew), a framework for making Elm/React/Angular-like client web-apps with Rust. Thanks to [Willi Kappler](https://users.rust-lang.org/u/willi_kappler) for the suggestion!

[Submit your suggestions and votes for next week][submit_crate]!

[submit_crate]: https://users.rust-lang.org/t/crate-of-the-week/2704

# Call for Participation

* [Get started with these beginner-friendly issues](https://www.rustaceans.org/findwork/starters).
* [easy] [gluon: Add syntax aware contexts to errors](https://github.com/gluon-lang/gluon/issues/145).

# Upcoming Events

* [Jan  6. Rust Bangalore - Rust and Go compared](https://www.meetup.com/rustox/events/246234333/).
* [Dec 15 & 16. Moscow, RU - RustRush 2018](https://rustrush.ru).

If you are running a Rust event please add it to the [calendar] to get
it mentioned here. Email the [Rust Community Team][community] for access.

[calendar]: https://www.google.com/calendar/embed?src=apd9vmbc22egenmtu5l6c5jbfc%40group.calendar.google.com
[community]: mailto:community-team@rust-lang.org

# Rust Jobs

* [Rust Developer at Ahrefs (Singapore & San Francisco)](https://ahrefs.com/jobs/rust-developer).
* Write to jobs@ahrefs.com about [Rust Developer at Ahrefs (again)](https://ahrefs.com/jobs/rust-developer-2).

# Quote of the Week

> If C is like playing with knives and C++ is like juggling chainsaws then Rust is like parkour.

— [u/llogiq on r/rust](https://www.reddit.com/r/rust/comments/7kjnu7/hey_rustaceans_got_an_easy_question_ask_here/drj63ti/).

*This Week in Rust is edited by: [nasa42](https://github.com/nasa42) and [llogiq](https://github.com/llogiq).*
"""

EDITION_604 = """\
Title: This Week in Rust 604
Number: 604
Date: 2025-06-18

Category: This Week in Rust

Hello and welcome to another issue of *This Week in Rust*!

## Updates from Rust Community

<!--

Each submitted link should be of the form:

* [Title of the Linked Page](https://example.com/my_article)

-->

### Official
* [Rust compiler performance survey 2025](https://blog.rust-lang.org/2025/06/16/rust-compiler-performance-survey-2025/)
* [Get started with these beginner-friendly issues](https://www.rustaceans.org/findwork/starters).

## Upcoming Events

Rusty Events between 2025-06-18 - 2025-07-16 🦀

### Virtual
* 2025-06-18 | Virtual (Vancouver, BC, CA) | [Vancouver Rust](https://www.meetup.com/vancouver-rust/events/)
    * [**Rust Panics and FFI Boundaries**](https://www.meetup.com/vancouver-rust/events/307730493)
* 2025-06-19 | Virtual (Berlin, DE) | [Rust Berlin](https://www.meetup.com/rust-berlin)
    * [**Rust Hack and Learn**](https://www.meetup.com/rust-berlin/events/300820303)

# Quote of the Week

> ass-bind is peak

This Week in Rust is edited by:

* [nellshamrell](https://github.com/nellshamrell)
* [llogiq](https://github.com/llogiq)
* [U007D](https://github.com/U007D)
"""

NOT_AN_EDITION = """\
Title: The State of Rust 0.7
Date: 2013-07-05 09:51
Category: Rust

Given the influx of newcomers from the 0.7 release, a [summary](https://example.org/rust).
"""


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    content = tmp_path / "clone" / "content"
    content.mkdir(parents=True)
    (content / "2013-06-07-this-week-in-rust.markdown").write_text(EDITION_1)
    (content / "2013-07-05-the-state-of-rust.markdown").write_text(NOT_AN_EDITION)
    (content / "2018-01-02-this-week-in-rust.md").write_text(EDITION_215)
    (content / "2025-06-18-this-week-in-rust.md").write_text(EDITION_604)
    return tmp_path / "clone"


def front(text: str) -> dict[str, object]:
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    return data


def posts(files: dict[str, str]) -> dict[str, dict[str, object]]:
    """The posts' front matter by link."""
    found = {}
    for name, text in files.items():
        if name.startswith("content/posts/"):
            data = front(text)
            found[str(data["link"])] = {**data, "path": name}
    return found


def test_editions_members_and_config(clone: Path) -> None:
    files = convert(clone)
    editions = {n: front(t) for n, t in files.items() if n.startswith("content/editions/")}
    assert editions == {
        "content/editions/1.md": {"title": "This Week In Rust 1", "date": dt("2013-06-07")},
        "content/editions/215.md": {"title": "This Week in Rust 215", "date": dt("2018-01-02")},
        "content/editions/604.md": {"title": "This Week in Rust 604", "date": dt("2025-06-18")},
    }
    assert "weekly overview" in files["content/editions/1.md"]  # the introduction is the note
    members = {n: yaml.safe_load(t) for n, t in files.items() if n.startswith("content/members/")}
    assert members == {
        "content/members/twir.yaml": {"name": "This Week in Rust"},
        "content/members/nasa42.yaml": {"name": "nasa42"},
        "content/members/llogiq.yaml": {"name": "llogiq"},
        "content/members/nellshamrell.yaml": {"name": "nellshamrell"},
        "content/members/u007d.yaml": {"name": "U007D"},
    }
    config = yaml.safe_load(files["newsletter.yaml"])
    # the addresses the converted text prints, and only those (the calendar's, only in a
    # reference an item does not use, is left behind)
    assert config["privacy"]["public_addresses"] == ["corey+rust@octayn.net", "jobs@ahrefs.com"]


def test_each_linked_item_is_a_post(clone: Path) -> None:
    files = convert(clone)
    found = posts(files)
    assert len(found) == 14  # 2 in 1, 9 in 215, 3 new ones in 604
    pr = found["https://github.com/mozilla/rust/issues/6045"]
    assert pr["by"] == "twir" and pr["date"] == dt("2013-06-07")  # no editors in 2013
    assert str(pr["title"]).startswith("Ben Striegel added the as_c_str string function")
    assert pr["tags"] == ["what-s-cooking-in-incoming", "notable-additions-bugfixes-and-cleanups"]
    # the item's text is its body, with the reference definitions it uses
    body = files[str(pr["path"])].split("---\n", 2)[2]
    assert body.endswith("[is6045]: https://github.com/mozilla/rust/issues/6045\n")
    assert "https://github.com/mozilla/rust/pull/6881" in found  # its reference link
    article = found["https://boats.gitlab.io/blog/post/2017-12-27-things-explicit-is-not/"]
    assert article["title"] == "Not explicit. What it means for Rust syntax to be explicit."
    assert "kind" not in article and article["by"] in {"nasa42", "llogiq"}
    crate = found["https://github.com/DenisKolodin/yew"]
    assert crate["kind"] == "spotlight" and crate["title"] == "Crate of the week: YEW"
    cfp = found["https://github.com/gluon-lang/gluon/issues/145"]
    assert cfp["title"] == "gluon: Add syntax aware contexts to errors"
    assert cfp["tags"] == ["call-for-participation"]
    old_event = found["https://www.meetup.com/rustox/events/246234333/"]
    assert old_event["kind"] == "event" and old_event["when"] == "2018-01-06 00:00"
    assert old_event["title"] == "Rust Bangalore - Rust and Go compared"
    assert found["https://rustrush.ru"]["title"] == "Moscow, RU - RustRush 2018"
    assert found["https://rustrush.ru"]["when"] == "2018-12-15 00:00"
    assert found["https://ahrefs.com/jobs/rust-developer"]["kind"] == "job"
    event = found["https://www.meetup.com/vancouver-rust/events/307730493"]
    assert event["title"] == "Rust Panics and FFI Boundaries (Vancouver Rust)"
    assert event["where"] == "Virtual (Vancouver, BC, CA)"
    assert event["when"] == "2025-06-18 00:00"
    assert event["tags"] == ["upcoming-events", "virtual"]
    assert event["by"] in {"nellshamrell", "llogiq", "u007d"}
    # not items: the quote's link, the editors', a comment's example, another category
    for link in ("https://github.com/llogiq", "https://example.com/my_article"):
        assert link not in found
    assert not any("reddit.com" in link or "example.org" in link for link in found)


def test_a_link_listed_again_is_posted_once_unless_asked(clone: Path) -> None:
    starters = "https://www.rustaceans.org/findwork/starters"
    once = posts(convert(clone))
    assert once[starters]["date"] == dt("2018-01-02")  # the first edition that lists it
    every = [p for p in convert(clone, dedupe=False).values() if starters in p]
    assert len(every) == 2


def test_the_converted_project_passes_check(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_project(out, convert(clone))
    result = run("check", "--today", TODAY, cwd=out)
    assert result.exit_code == 0, result.output
    codes = diagnostic_codes(result.output)
    assert not any(code.startswith("privacy.") for code in codes), result.output
    assert "0 errors" in result.output


def dt(text: str) -> dt_.date:
    return dt_.date.fromisoformat(text)
