"""URLs: normalizing shared links, so one article is recognised however it was copied."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "si",
    "ref",
    "ref_src",
    "ref_url",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "yclid",
    "spm",
}


def is_tracking(param: str) -> bool:
    param = param.lower()
    return param.startswith(("utm_", "pk_", "hsa_")) or param in TRACKING_PARAMS


def normalize_link(url: str) -> str:
    """A canonical form of a shared link: no tracking parameters, fragment or 'www.'."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    query = urlencode(
        sorted(
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)
        )
    )
    path = parts.path.rstrip("/") or ""
    return urlunsplit(
        (
            "https" if parts.scheme in ("http", "https") else parts.scheme.lower(),
            host,
            path,
            query,
            "",
        )
    )


def strip_tracking(url: str) -> str:
    """``url`` without its tracking parameters (utm_*, fbclid…); otherwise as given."""
    parts = urlsplit(url.strip())
    if not parts.query:
        return url.strip()
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in pairs if not is_tracking(k)]
    if len(kept) == len(pairs):
        return url.strip()
    return urlunsplit(parts._replace(query=urlencode(kept)))


def slugify(text: str, length: int = 60) -> str:
    """'Why weak ties — find you a job!' → 'why-weak-ties-find-you-a-job'; '' if no letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:length].rstrip("-")
