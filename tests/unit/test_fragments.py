"""``{% shared %}`` (``newsletter.render.fragments``): a part is rendered once for each set
of values it reads, and never shows one page's values on another.

The theme's own use of it (the masthead, the footer, lists of posts) is held by the
golden pages and the parallel-equals-serial tests; these pin the tag's rules with a
counter the part calls, so that "rendered again" and "reused" are told apart.
"""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup

from newsletter.render import fragments
from newsletter.render.fragments import SharedFragments


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return ""


@pytest.fixture
def env() -> jinja2.Environment:
    return jinja2.Environment(autoescape=True, extensions=[SharedFragments])


def test_a_part_is_rendered_once_for_each_set_of_values_it_reads(
    env: jinja2.Environment,
) -> None:
    counter = Counter()
    page = env.from_string(
        "<h1>{{ page }}</h1>{% shared %}<p>{{ title }}{{ tick() }}</p>{% endshared %}"
    )
    out = [page.render(page=n, title="Bulletin", tick=counter) for n in range(5)]
    assert out[3] == "<h1>3</h1><p>Bulletin</p>"
    assert counter.calls == 1
    assert page.render(page=9, title="Other", tick=counter) == "<h1>9</h1><p>Other</p>"
    assert counter.calls == 2


def test_a_part_that_reads_a_page_value_is_rendered_for_each_page(
    env: jinja2.Environment,
) -> None:
    counter = Counter()
    part = env.from_string("{% shared %}{{ here }}{{ tick() }}{% endshared %}")
    assert [part.render(here=h, tick=counter) for h in ("a/", "b/", "a/")] == ["a/", "b/", "a/"]
    assert counter.calls == 2


@pytest.mark.parametrize(
    ("one", "other"),
    [(1, True), (1, 1.0), (0, False), ("1", 1), ([1, 2], (1, 2)), ("<b>", Markup("<b>"))],
)
def test_values_equal_in_python_but_shown_differently_are_not_confused(
    env: jinja2.Environment, one: object, other: object
) -> None:
    part = env.from_string("{% shared %}{{ v }}{% endshared %}")
    assert part.render(v=one) == jinja2.Template("{{ v }}", autoescape=True).render(v=one)
    assert part.render(v=other) == jinja2.Template("{{ v }}", autoescape=True).render(v=other)


def test_objects_are_told_apart_by_identity_not_by_equality(env: jinja2.Environment) -> None:
    class Post:
        def __init__(self, title: str) -> None:
            self.title = title

        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 0

    part = env.from_string("{% shared %}{{ post.title }}{% endshared %}")
    assert [part.render(post=Post(t)) for t in ("one", "two")] == ["one", "two"]


def test_a_name_the_part_sets_before_reading_it_is_not_read_from_the_page(
    env: jinja2.Environment,
) -> None:
    """A post's page has its own ``post``; the list of others in it loops over ``post``
    too: the list is the same on every page that shows the same others."""
    counter = Counter()
    page = env.from_string(
        "<h1>{{ post }}</h1>{% shared %}{{ tick() }}"
        "{% for post in posts %}<li>{{ post }}</li>{% endfor %}{% endshared %}"
    )
    others = ["b", "c"]
    out = [page.render(post=p, posts=others, tick=counter) for p in ("a", "d", "e")]
    assert out[1] == "<h1>d</h1><li>b</li><li>c</li>"
    assert counter.calls == 1


def test_names_set_inside_a_part_stay_in_it(env: jinja2.Environment) -> None:
    page = env.from_string(
        "{% shared %}{% set x = 'in' %}{{ x }}{% endshared %}|{{ x | default('out') }}"
    )
    assert page.render() == "in|out"


@pytest.mark.parametrize(
    "body",
    [
        "{% include 'x.html' %}",
        "{% import 'x.html' as x %}",
        "{% from 'x.html' import y %}",
        "{% block b %}{% endblock %}",
    ],
)
def test_a_part_may_not_include_import_or_hold_a_block(env: jinja2.Environment, body: str) -> None:
    with pytest.raises(jinja2.TemplateSyntaxError, match="cannot include or import") as error:
        env.from_string(f"line one\n{{% shared %}}\n{body}\n{{% endshared %}}")
    assert error.value.lineno == 3


def test_the_least_recently_used_parts_go_first_past_the_limit(
    env: jinja2.Environment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fragments, "KEPT_CHARACTERS", 25)
    counter = Counter()
    part = env.from_string("{% shared %}{{ v }}{{ tick() }}{% endshared %}")
    for v in ("a" * 10, "b" * 10, "a" * 10, "c" * 10):  # a used again: b is the oldest
        part.render(v=v, tick=counter)
    assert counter.calls == 3
    part.render(v="a" * 10, tick=counter)
    assert counter.calls == 3
    part.render(v="b" * 10, tick=counter)
    assert counter.calls == 4
    (extension,) = env.extensions.values()
    assert isinstance(extension, SharedFragments)
    assert extension.size == sum(len(out) for _, out in extension.kept.values()) <= 25
