"""load.yaml's syntax errors in a person's words: whatever the text, no exception, and a
text with no error reads as PyYAML reads it; a mistake that can be mended lets the rest
of the file be read (tests/fixtures/invalid/yaml-* show the messages through `check`)."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from newsletter.core.diagnostics import Diagnostics
from newsletter.load.yaml import SafeLoader, parse_yaml

LINES = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "title: Weak ties",
                "by: ada",
                "by: @ada",
                "\tby: ada",
                "title: 'open",
                'title: "open',
                "role: Admiral: retired",
                "tags: [a, b",
                "tags:",
                "  - a",
                " - b",
                "\t- c",
                "links: {site: x",
                "by:ada",
                "just words",
                "  indented: yes",
                "title: `code`",
                "title: | x",
                "",
            ]
        ),
        st.text(alphabet="ab :-'\"\t[]{}@`#|>!%,&*\n", max_size=12),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_any_text_is_data_or_diagnostics(lines: list[str]) -> None:
    text = "\n".join(lines)
    diags = Diagnostics()
    data, marks = parse_yaml(text, "x.yaml", diags)
    errors = [d for d in diags.items if d.is_error]
    for d in errors:
        assert d.code in ("syntax.yaml", "yaml.alias") and d.message and d.hint
        assert "found character" not in d.message or d.message.startswith("invalid YAML")
        assert d.location.line >= 1 and d.location.col >= 1
    if not errors:
        expected = yaml.load(text, Loader=SafeLoader)  # the loader load.yaml chose
        assert data == ({} if expected is None else expected)
    if data is None:
        assert errors and marks == {}


def test_a_mended_mistake_lets_the_other_fields_be_read() -> None:
    diags = Diagnostics()
    data, marks = parse_yaml("title: 'Weak ties\nby: @ada\nfor:\n\t- grace\n", "p.md", diags, 2)
    assert [(d.location.line, d.location.col) for d in diags.items] == [(2, 8), (3, 5), (5, 1)]
    assert data == {"title": "Weak ties", "by": "ada", "for": ["grace"]}
    assert str(marks["by"]) == "p.md:3:5"


def test_a_mistake_that_cannot_be_mended_stops_the_file() -> None:
    diags = Diagnostics()
    data, marks = parse_yaml("tags:\n  - a\n - b\nby: ada\n", "p.md", diags)
    assert (data, marks) == (None, {})
    assert [d.message for d in diags.items] == ["this line is not lined up with the lines above it"]
