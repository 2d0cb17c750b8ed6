"""What an importer makes of a source's impact words: an outage, a degradation or nothing,
by a default table each importer documents (docs/formats.md) and a project file's
``[import]`` section overrides.

- ``outage``: an outage record, ``impact = outage``: counted as the contract says;
- ``degradation``: a record with ``impact = degradation`` (slower or partly failing, still
  working): not downtime unless the contract tests ``impact`` itself
  (:func:`rulebook.conditions.degradation_clause`);
- ``none``: no record (an informational notice), with a note.

A long advisory — an incident longer than ``advisory_days`` whose title speaks of a
migration, a deprecation, an upgrade or an end of life — is a notice to customers, not an
outage: it makes no record, whatever its impact (``advisory_days = 0`` turns this off).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import attrs

from rulebook import limits
from rulebook.reprs import with_repr

MEANINGS = ("outage", "degradation", "none")
_MEANINGS_SAID = "outage, degradation or none"  # as a message says them

#: Each importer's default table: the source's impact word -> what it becomes.
DEFAULTS: dict[str, dict[str, str]] = {
    "gcp-status": {
        "SERVICE_OUTAGE": "outage",
        "SERVICE_DISRUPTION": "degradation",
        "SERVICE_INFORMATION": "none",
    },
    # Statuspage: a record only for a component that was down (docs/formats.md)
    "statuspage": {"none": "none", "minor": "outage", "major": "outage", "critical": "outage"},
}
#: Longer than this (days), an incident whose title names a migration is an advisory.
ADVISORY_DAYS = 7
ADVISORY_WORDS = re.compile(
    r"migrat|deprecat|upgrad|end[ -]of[ -](life|support)|\bEOL\b|retire|decommission",
    re.IGNORECASE,
)
ACCEPTED = (
    "[import.impact] of the source's impact words and outage, degradation or none "
    '("SERVICE_DISRUPTION" = "outage"), advisory_days (a whole number; 0: off), and since '
    "and until: the span the log covers (dates or timestamps)"
)


@with_repr
@attrs.frozen(repr=False)
class ImportTable:
    """What each impact word becomes, and the length past which an advisory is one."""

    impacts: Mapping[str, str]
    advisory_days: int = ADVISORY_DAYS

    def meaning(self, impact: str) -> str:
        """``outage``, ``degradation`` or ``none``; a word not in the table is an outage."""
        return self.impacts.get(impact, "outage")

    def advisory(self, title: str, seconds: int) -> bool:
        """Whether an incident of this title and length is a long advisory, not an outage."""
        days = self.advisory_days
        return days > 0 and seconds > days * 86400 and bool(ADVISORY_WORDS.search(title))


def import_table(source: str, overrides: Mapping[str, Any] | None = None) -> ImportTable:
    """``source``'s default table with a project file's ``[import]`` applied (checked by
    :func:`import_problems`)."""
    table = dict(DEFAULTS.get(source, {}))
    given = overrides or {}
    table.update({str(k): str(v) for k, v in (given.get("impact") or {}).items()})
    days = given.get("advisory_days", ADVISORY_DAYS)
    return ImportTable(table, int(days))


def import_problems(value: Any) -> list[tuple[tuple[str, ...], str]]:
    """What is wrong with a project file's ``[import]`` section: (key, problem) pairs."""
    if not isinstance(value, dict):
        return [(("import",), "is not a table")]
    problems: list[tuple[tuple[str, ...], str]] = []
    for key, item in value.items():
        if key == "advisory_days":
            if isinstance(item, bool) or not isinstance(item, int) or item < 0:
                problems.append(
                    (("import", key), f"{limits.shown(item)} is not a whole number of days")
                )
        elif key in ("since", "until"):
            if not isinstance(item, dt.date | str) or not _instant(item):
                problems.append(
                    (("import", key), f"{limits.shown(item)} is not a date or a timestamp")
                )
        elif key == "impact" and isinstance(item, dict):
            for word, meaning in item.items():
                if meaning not in MEANINGS:
                    problems.append(
                        (
                            ("import", "impact", word),
                            f"{limits.shown(meaning)} is not {_MEANINGS_SAID}",
                        )
                    )
        else:
            problems.append((("import", key), "is not a setting of [import]"))
    return problems


def _instant(value: dt.date | str) -> bool:
    """Whether a setting is a date or an ISO 8601 timestamp (TOML dates are dates)."""
    if isinstance(value, dt.date):
        return True
    try:
        dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return False
    return True


def span_setting(settings: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``since`` and ``until`` of a project file's ``[import]`` as ISO 8601 text."""
    since, until = (settings.get(k) for k in ("since", "until"))
    return (
        since.isoformat() if isinstance(since, dt.date) else since,
        until.isoformat() if isinstance(until, dt.date) else until,
    )
