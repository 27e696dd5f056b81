"""The bundled example built in each language the package ships, with only the shipped
catalogs: the home page speaks it (the navigation, the skip link, a heading), dates are
the locale's, and Arabic reads right to left."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.cli import run
from support.clock import EXAMPLE_TODAY
from support.example import copy_example, speak

HOME_WORDS = {
    "fr": ("Aller au contenu", ">Membres<", ">Numéros<", "Numéros précédents", "19 novembre 2026"),
    "de": (
        "Zum Inhalt springen",
        ">Mitglieder<",
        ">Ausgaben<",
        "Frühere Ausgaben",
        "19. November 2026",
    ),
    "es": (
        "Saltar al contenido",
        ">Miembros<",
        ">Ediciones<",
        "Ediciones anteriores",
        "19 de noviembre de 2026",
    ),
    "pt": (
        "Pular para o conteúdo",
        ">Membros<",
        ">Edições<",
        "Edições anteriores",
        "19 de novembro de 2026",
    ),
    "ar": ("انتقل إلى المحتوى", ">الأعضاء<", ">الأعداد<", "أعداد سابقة", "19 نوفمبر 2026"),
}
"""Words of each language's home page: from its catalog, and its date from Babel."""


@pytest.mark.slow
@pytest.mark.parametrize("tag", sorted(HOME_WORDS))
def test_the_example_speaks_each_shipped_language(tmp_path: Path, tag: str) -> None:
    root = copy_example(tmp_path / "example")
    speak(root, tag)
    result = run("build", "--today", EXAMPLE_TODAY, "--no-search", cwd=root)
    assert result.exit_code == 0, result.output
    assert "config.language" not in result.output  # the theme is translated: no warning
    home = (root / "site/index.html").read_text(encoding="utf-8")
    direction = ' dir="rtl"' if tag == "ar" else ""
    assert f'<html lang="{tag}"{direction}>' in home
    missing = [word for word in HOME_WORDS[tag] if word not in home]
    assert not missing, f"{tag}: {missing}"
    for english in (">Members<", "Skip to content", "Earlier editions"):
        assert english not in home, english
