"""The JSON document's parts, defined once: its head (format, version, contract,
clauses), a record, a record's row, a period, and the canonical text. The record engine's
:class:`~rulebook.document.records.Adjudication`, the columnar plan's
:class:`~rulebook.document.frames.FrameAdjudication` and Spark all write their documents
with these, so the three give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from rulebook import model as m
from rulebook._version import __version__
from rulebook.engine.measure import Given, Measure, availability_target, percent
from rulebook.engine.remedy import Remedy
from rulebook.engine.run import Verdict
from rulebook.errors import RulebookError
from rulebook.intake.records import RecordError, format_instant, parse_instant
from rulebook.units import show_number
from rulebook.versions import Chain


def deciding(verdict: Verdict) -> list[str]:
    """The clauses that decided a record: the decisive reasons, then the clauses of its
    segments, each once, in that order."""
    names = [r.clause for r in verdict.reasons if r.decisive]
    names += [s.clause for s in verdict.segments if s.clause]
    return list(dict.fromkeys(names))


#: The facts that trace a record to the incident it came from (an importer keeps them):
#: the document's key, the fact.
INCIDENT = (("title", "incident_title"), ("impact", "impact"), ("url", "incident_url"))
INCIDENT_FACTS = tuple(fact for _, fact in INCIDENT)


def incident_of(facts: Mapping[str, Any]) -> dict[str, str] | None:
    """A record's incident (title, impact, URL, those it has), or None when it has none."""
    found = {key: str(facts[fact]) for key, fact in INCIDENT if facts.get(fact) is not None}
    return found or None


def given_span(
    since: str | dt.datetime | None, until: str | dt.datetime | None, tz: dt.tzinfo
) -> Given:
    """The span a log covers as given (``since``, ``until``: a date is its midnight, a time
    without an offset is in ``tz``), as instants; a bad one is an argument error."""
    try:
        found = tuple(
            parse_instant(value, tz, name, None) if value is not None else None
            for name, value in (("since", since), ("until", until))
        )
    except RecordError as exc:
        raise exc.of("argument") from None
    first, last = found
    if first is not None and last is not None and last <= first:
        problem = f"{until} is not after since {since}"
        raise RecordError("until", None, problem, "a later until").of("argument")
    return first, last


def document_head(
    contract: m.Contract,
    tz: dt.tzinfo,
    as_of: int | None,
    project_file: Mapping[str, str | None] | None = None,
    chain: Chain | None = None,
) -> dict[str, Any]:
    """The parts of the document before the records: format, version, contract, the
    project file the inputs were read with (path, SHA-256, the timezone it reads naive
    times in; null without one), clauses (of every version, the latest text of each id),
    and a contract's versions (only where it has amendments)."""
    clauses = {c.id: c for c in contract.clauses} if chain is None else chain.latest()
    head = {
        "format": 1,
        "rulebook": __version__,
        "contract": {
            "id": contract.id,
            "title": contract.title,
            "source": contract.get("source"),
            "sha256": contract.sha256,
        },
        "project_file": dict(project_file) if project_file is not None else None,
        "clauses": {cid: _clause_dict(c) for cid, c in clauses.items()},
        "as_of": format_instant(as_of, tz) if as_of is not None else None,
    }
    if chain is not None:
        head["versions"] = chain.to_list(_clause_dict)
    return head


def record_dict(
    rid: str,
    service: str,
    start: int,
    end: int,
    ongoing: bool,
    verdict: str,
    segments: Iterable[tuple[int, int, str, str, str | None]],
    clauses: list[str],
    tz: dt.tzinfo,
    incident: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One record's figures: verdict, seconds by status, segments, deciding clauses; and
    the incident it came from, when the record says (:func:`incident_of`)."""
    seconds = {"counted": 0, "excluded": 0, "not_downtime": 0}
    cut = []
    for s_start, s_end, period, status, clause in segments:
        if status in seconds:
            seconds[status] += s_end - s_start
        cut.append(
            {
                "start": format_instant(s_start, tz),
                "end": format_instant(s_end, tz),
                "period": period,
                "status": status,
                "clause": clause,
            }
        )
    out = {
        "id": rid,
        "service": service,
        "start": format_instant(start, tz),
        "end": format_instant(end, tz),
        "ongoing": ongoing,
        "verdict": verdict,
        "counted_seconds": seconds["counted"],
        "excluded_seconds": seconds["excluded"],
        "not_downtime_seconds": seconds["not_downtime"],
        "segments": cut,
        "deciding": clauses,
    }
    if incident is not None:
        out["incident"] = incident
    return out


def record_row(
    rid: str,
    service: str,
    start: int,
    end: int,
    verdict: str,
    seconds: tuple[int, int, int],
    clauses: Iterable[str],
    tz: dt.tzinfo,
) -> dict[str, Any]:
    """One record as a flat row (``to_rows``): seconds are (counted, excluded, not
    downtime); the deciding clauses joined by ", "."""
    counted, excluded, not_downtime = seconds
    return {
        "id": rid,
        "service": service,
        "start": format_instant(start, tz),
        "end": format_instant(end, tz),
        "verdict": verdict,
        "counted_seconds": counted,
        "excluded_seconds": excluded,
        "not_downtime_seconds": not_downtime,
        "deciding": ", ".join(clauses),
    }


def period_dict(
    contract: m.Contract,
    service: str,
    p: Measure,
    owed: Remedy | None,
    tz: dt.tzinfo,
    as_of: int | None,
    chain: Chain | None = None,
) -> dict[str, Any]:
    """One service's period (under the text of ``chain`` in force at its start, for a
    contract with versions): seconds,
    availability, target, met, remedy; ``provisional``
    when the period is still running at ``as_of`` (its end is after it), so that ``met``
    is not final; ``no_data`` when it is outside the span the log covers (availability and
    met null: not measured)."""
    if chain is not None:
        contract = chain.text_at(p.period.start)
    target = availability_target(contract)
    out = {
        "service": service,
        "period": p.period.label,
        "period_seconds": p.period.seconds,
        "denominator_seconds": p.denominator,
        "downtime_seconds": p.downtime,
        "excluded_seconds": p.excluded,
        "availability": percent(p.availability) if p.availability is not None else None,
        "availability_exact": _fraction(p.availability),
        "target": f"{target.op or '>='} {_percent_text(target.quantity.value)}" if target else None,
        "met": p.met,
        "provisional": as_of is not None and p.period.end > as_of,
        "remedy": owed.to_dict(tz) if owed is not None else None,
    }
    if not p.observed:  # outside the span the log covers: records fall in it, no data
        out["no_data"] = True
    if chain is not None:
        out["version"] = chain.version_at(p.period.start).name
    return out


def canonical_json(document: Any, indent: int | None = None) -> str:
    """Same data, same bytes: keys in insertion order, UTF-8 text, one final newline."""
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(document, ensure_ascii=False, indent=indent, separators=separators) + "\n"


LANGUAGES = ("ja", "en")


FORMATS = ("text", "markdown")


def check_rendering(lang: str, fmt: str) -> None:
    if lang not in LANGUAGES:
        raise RulebookError(f"no explanations in '{lang}'; languages: {', '.join(LANGUAGES)}")
    if fmt not in FORMATS:
        raise RulebookError(f"no explanation format '{fmt}'; formats: {', '.join(FORMATS)}")


def _clause_dict(clause: m.AnyClause) -> dict[str, Any]:
    """A clause as the reasons refer to it: kind, title and citation."""
    citation = clause.citation
    return {
        "kind": clause.kind,
        "title": clause.title,
        "article": citation.article if citation else None,
        "quotes": list(citation.quotes) if citation else [],
    }


def _fraction(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _percent_text(value: Fraction) -> str:
    return f"{show_number(value)}%"
