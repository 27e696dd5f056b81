"""The asks as ``newsletter asks`` lists them: the selection (open ones, one member's)
and the asks as records for other tools (JSON and CSV), and their figures (how many
are open, answered, withdrawn; the median days to a first answer), which the network
report's ``asks`` part shows too.

Pure: an ``AskReport`` (``newsletter.analysis.asks`` makes it) in, data or text out;
it ranks no helper and prints nothing. The tables people read are in
``newsletter.analysis.report``.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, replace

from newsletter.analysis.network import network_json
from newsletter.core.community import ASK_STATUSES, Ask, AskReport, Network

SCORE_DECIMALS = 3
"""A helper's score is written rounded to this many decimal places (Python's round:
halves to even); scores are only comparable within one ask."""


def select_asks(report: AskReport, open_only: bool = False, member: str | None = None) -> AskReport:
    """The report with only the open asks (``open_only``) and only those ``member``
    asked, answered, or is suggested to help with; in the same order."""
    kept = [
        ask
        for ask in report.asks
        if (not open_only or ask.status == "open") and (member is None or _involves(ask, member))
    ]
    return replace(report, asks=kept)


def _involves(ask: Ask, member: str) -> bool:
    return (
        ask.by == member
        or any(a.by == member for a in ask.answers)
        or any(h.handle == member for h in ask.helpers)
    )


def ask_record(ask: Ask, report: AskReport) -> dict[str, object]:
    """One ask as plain values, keys in the order of the documented JSON: dates in ISO
    8601, the ask and its answers by their path ('2026/<slug>'), scores rounded; then
    the days to the first answer (None while unanswered) and the days an open ask has
    waited (None for a closed one)."""
    return {
        "path": ask.key,
        "title": ask.title,
        "by": ask.by,
        "date": ask.date.isoformat(),
        "status": ask.status,
        "answers": [{"path": a.key, "by": a.by, "date": a.date.isoformat()} for a in ask.answers],
        "helpers": [
            {"handle": h.handle, "score": round(h.score, SCORE_DECIMALS), "reason": h.reason}
            for h in ask.helpers
        ],
        "days_to_first_answer": ask.first_answer_days,
        "waiting_days": ask.waiting(report.today) if ask.status == "open" else None,
    }


def asks_json(report: AskReport) -> str:
    """``{"asks": [...]}``: every ask of the report as :func:`ask_record` gives it."""
    records = [ask_record(ask, report) for ask in report.asks]
    return json.dumps({"asks": records}, ensure_ascii=False, indent=2) + "\n"


def ask_rows(report: AskReport) -> list[dict[str, object]]:
    """One flat row per ask for CSV: the fields of :func:`ask_record`, the answers as
    'path by handle on date' and the helpers as 'handle (score): reason', each list
    joined with '; ', and an empty cell for None."""
    rows = []
    for ask in report.asks:
        record = ask_record(ask, report)
        answers = "; ".join(f"{a.key} by {a.by} on {a.date.isoformat()}" for a in ask.answers)
        helpers = "; ".join(
            f"{h.handle} ({round(h.score, SCORE_DECIMALS)}): {h.reason}" for h in ask.helpers
        )
        record.update(answers=answers, helpers=helpers)
        rows.append({k: "" if v is None else v for k, v in record.items()})
    return rows


def counts(asks: Sequence[Ask]) -> dict[str, int]:
    """How many asks have each status, every status named (in ``ASK_STATUSES`` order)."""
    return {status: sum(1 for a in asks if a.status == status) for status in ASK_STATUSES}


def median_days(asks: Sequence[Ask]) -> float | None:
    """The median days to a first answer over the asks that have one; None if none has."""
    days = [d for a in asks if (d := a.first_answer_days) is not None]
    return statistics.median(days) if days else None


def days_text(days: float) -> str:
    """'4 days', '1 day', '4.5 days': a median as a person reads it."""
    shown = f"{days:g}"
    return f"{shown} day{'' if shown == '1' else 's'}"


def summary_line(asks: Sequence[Ask]) -> str:
    """'12 asks: 5 open, 6 answered, 1 withdrawn; median 4 days to a first answer'."""
    found = counts(asks)
    median = median_days(asks)
    parts = ", ".join(f"{n} {status}" for status, n in found.items())
    speed = (
        f"median {days_text(median)} to a first answer" if median is not None else "no answer yet"
    )
    return f"{len(asks)} ask{'' if len(asks) == 1 else 's'}: {parts}; {speed}"


def asks_figures(report: AskReport) -> dict[str, object]:
    """What the network report says of the asks, as plain values: how many have each
    status, the median days to a first answer, per quarter, and the gaps (topics whose
    open asks found no helper, with those asks' paths)."""
    return {
        **counts(report.asks),
        "median_days_to_first_answer": median_days(report.asks),
        "quarters": [asdict(q) for q in report.quarters],
        "gaps": [{"topic": g.topic, "asks": list(g.asks)} for g in report.gaps],
    }


def network_and_asks_json(network: Network, report: AskReport) -> str:
    """``newsletter network --format json``: the network exactly as
    ``newsletter.analysis.network.network_json`` writes it (its keys unchanged, for the
    tools that read them) and ``asks``, its figures (:func:`asks_figures`); keys sorted."""
    found = json.loads(network_json(network))
    found["asks"] = asks_figures(report)
    return json.dumps(found, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
