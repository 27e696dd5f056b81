"""Messages for readers, marked where they are written and translated where they are shown.

``N_("…")`` marks a message for the theme's catalog (``pybabel extract`` reads it) and
returns it unchanged: what is decided before any page's language is known (a reason for
a suggestion, a constant) is kept in English and translated when it is rendered, with
``Language.gettext`` (newsletter/render/locale.py). Marks, never translates.
"""

from __future__ import annotations


def N_(message: str) -> str:  # gettext's conventional name, which pybabel reads
    return message
