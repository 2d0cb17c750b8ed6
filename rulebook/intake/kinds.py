"""What an input file looks like: an outage log, maintenance notices, billing entries or a
timeline of events, told by its columns (after the project file's maps), so that a file
given as one kind that cannot be it is refused with what it looks like instead.

A file is refused, as given to ``kind``, when

- it has columns of another kind that no file of ``kind`` has (``cause``, ``location``: an
  outage log; ``announced_at``, ``channel``: notices; ``monthly_fee``: billing; ``record``,
  ``event``, ``at``: events) and none that only ``kind`` has;
- no column is a field of ``kind`` at all;
- it lacks what every item of ``kind`` needs and no map can supply: a notice's window
  (``start`` and ``end``), an event's ``record``, ``event`` and ``at``, a billing entry's
  ``service``, ``monthly_fee`` and ``currency``.

A column that only two kinds share (``id``, ``service``, ``start``, ``end``) tells
nothing, so a file of those alone is read as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rulebook.intake.billing import BILLING_FIELDS
from rulebook.intake.records import EVENT_FIELDS, NOTICE_FIELDS

#: Each kind of input in words, and the argument that gives it on the command line.
KINDS = {
    "outages": ("an outage log", "OUTAGES"),
    "notices": ("maintenance notices", "--notices"),
    "billing": ("billing entries", "--billing"),
    "events": ("a timeline of events", "--events"),
}
#: What each item of a kind needs, as columns of its file.
NEEDED = {
    "outages": (),
    "notices": ("start", "end"),
    "billing": ("service", "monthly_fee", "currency"),
    "events": ("record", "event", "at"),
}
#: Where each kind's columns are mapped in the project file.
MAPPED_IN = {
    "outages": "[columns]",
    "notices": "[notices.columns]",
    "billing": "[billing.columns]",
    "events": "[events.columns]",
}


def fields_of(outage_fields: Iterable[str]) -> dict[str, frozenset[str]]:
    """Every kind's fields (an outage log's: ``outage_fields``, the contract's)."""
    return {
        "outages": frozenset(outage_fields),
        "notices": frozenset(NOTICE_FIELDS),
        "billing": frozenset(BILLING_FIELDS),
        "events": frozenset(EVENT_FIELDS),
    }


_LATIN = re.compile(r"[A-Za-z]")


def refusal(
    kind: str, name: str, columns: Iterable[str], outage_fields: Iterable[str]
) -> str | None:
    """Why the file ``name`` with ``columns`` cannot be ``kind`` (None: it can be)."""
    present = [c for c in dict.fromkeys(columns) if c]
    if not present:
        return None
    fields = fields_of(outage_fields)
    own = {k: fields[k] - frozenset().union(*(fields[o] for o in fields if o != k)) for k in fields}
    what, flag = KINDS[kind]
    head = f"{name}: given as {what} ({flag}), but"
    accepted = f"; accepted: {_accepted(kind, fields)}"
    remedy = f"; map the file's own names in rulebook.toml {MAPPED_IN[kind]} (docs/formats.md)"
    likes = sorted(
        ((len([c for c in present if c in own[o]]), o) for o in fields if o != kind),
        key=lambda x: (-x[0], list(KINDS).index(x[1])),
    )
    if likes and likes[0][0] and not any(c in own[kind] for c in present):
        other = likes[0][1]
        theirs = [c for c in present if c in own[other]]
        mine = _OWN_SHOWN.get(kind) or ", ".join(sorted(own[kind]))
        return (
            f"{head} this looks like {KINDS[other][0]}: its column(s) {', '.join(theirs)} "
            f"are fields of {KINDS[other][0]}, and none is a field of {what} alone ({mine})"
            + f"; give it as {KINDS[other][1]}"
            + (", or map its columns in rulebook.toml" if kind != "outages" else "")
            + (f" {MAPPED_IN[kind]}" if kind != "outages" else "")
            + accepted
        )
    if not any(c in fields[kind] for c in present):
        if len(present) == 1 and len(present[0]) > 40 and not _LATIN.search(present[0]):
            # ASCII names read in another encoding (UTF-8 as UTF-16): no comma is left
            return (
                f"{head} its header reads as one column of {len(present[0])} characters, "
                "none a Latin letter: is the file in the encoding it was read in "
                "(--encoding, or the project file's encoding)?"
            )
        shown = ", ".join(present[:8]) + (", …" if len(present) > 8 else "")
        return f"{head} no column is a field of {what} (columns: {shown}){accepted}{remedy}"
    missing = [f for f in NEEDED[kind] if f not in present]
    if missing:
        why = {
            "notices": "a notice is a window, from start to end",
            "billing": "a billing entry needs them",
            "events": "an event is an instant of a record",
        }[kind]
        return f"{head} no column is read as {', '.join(missing)}: {why}{accepted}{remedy}"
    return None


_OWN_SHOWN = {"outages": "cause, location, detected_by, … the contract's facts"}


def _accepted(kind: str, fields: dict[str, frozenset[str]]) -> str:
    if kind == "outages":
        return "id, service, start, end and the facts of the contract's vocabulary"
    order = {"notices": NOTICE_FIELDS, "billing": BILLING_FIELDS, "events": EVENT_FIELDS}[kind]
    return ", ".join(order)
