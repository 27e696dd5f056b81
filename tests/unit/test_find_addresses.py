"""core.markup.find_addresses: the matches of EMAIL_RE.finditer, found from each '@'
(the last guard against addresses in site/ reads every page with an '@')."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.core.markup import EMAIL_RE, find_addresses

# the characters that decide where an address starts and ends: either part's, the '@',
# the dot, and what ends an address in HTML or text
PIECES = st.sampled_from([*"aZ9é_.-+@ \n<>\"'/", "com", "x.org"])


def spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


@settings(max_examples=3000)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_same_matches_as_the_regular_expression(text: str) -> None:
    assert spans(find_addresses(text)) == spans(EMAIL_RE.finditer(text))


def test_addresses_in_a_page() -> None:
    page = (
        '<p>Write to <a href="mailto:ann.lee+news@example.org">Ann</a>, not @rustlang '
        "or a@b, nor x@@y.com; lists@groups.example.co.uk and é@tld.io.</p>"
    )
    found = [m.group() for m in find_addresses(page)]
    assert found == ["ann.lee+news@example.org", "lists@groups.example.co.uk", "é@tld.io"]
    assert found == [m.group() for m in EMAIL_RE.finditer(page)]
