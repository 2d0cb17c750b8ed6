"""The Atlassian Statuspage v2 importer: ``incidents.json`` to outage records, one per
affected component, and ``scheduled-maintenances.json`` to notices (``summary.json``, which
has both, gives both). docs/formats.md has the whole mapping.

- **Impact.** ``none`` is not an outage: no record. ``maintenance`` is a scheduled
  maintenance listed among the incidents: it becomes notices, as maintenances do.
  ``minor``, ``major``, ``critical`` and no impact at all make records.
- **Components.** The components of ``components`` and of the updates'
  ``affected_components``. Where the updates give a component's statuses, a component that
  was only ``operational`` or ``degraded_performance`` (slower, not down — Statuspage's own
  uptime does not count it either) makes no record; ``partial_outage``, ``major_outage`` and
  ``under_maintenance`` do. ``components[].status`` is the status when the export was taken,
  not during the incident, and is not used.
- **Updates.** The first posted update is ``status_posted_at``; the first ``postmortem``
  update is ``report_submitted_at``.
- **Timestamps** are taken to the second (Statuspage writes milliseconds).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rulebook import limits
from rulebook.io.exports import (
    Notes,
    Unusable,
    export_id,
    objects,
    shown,
    timed_updates,
    timestamp,
    to_second,
)
from rulebook.io.impacts import ImportTable, import_table
from rulebook.io.readers import Case, InputError, Item

IMPACTS = ("none", "minor", "major", "critical", "maintenance")
#: An incident's updates: when each was posted, its index in the export, the update.
Updates = list[tuple[dt.datetime, int, dict[str, Any]]]
#: Component statuses that make a record, and those that do not.
DOWN = ("partial_outage", "major_outage", "under_maintenance")
UP = ("operational", "degraded_performance")
_ENTRY = {
    "incidents": "is not an incident with an 'id'",
    "scheduled_maintenances": "is not a maintenance with an 'id'",
}
_ID = "an object with an 'id' (text or a number)"


def statuspage_case(
    data: Any, name: str, verbose: bool = False, table: ImportTable | None = None
) -> tuple[Case, list[str]]:
    """The records and notices of an export, and notes on what each entry became
    (``table``: what each incident impact becomes; the default table when None)."""
    table = table or import_table("statuspage")
    if not isinstance(data, dict) or not ("incidents" in data or "scheduled_maintenances" in data):
        raise InputError(
            f"{name}: a Statuspage v2 export has 'incidents' (incidents.json) or "
            "'scheduled_maintenances' (scheduled-maintenances.json)"
        )
    for key in _ENTRY:
        if not isinstance(data.get(key) or [], list):
            raise InputError(f"{name}: '{key}' is not a list; accepted: a list of objects")
    case, notes = Case(), Notes(name, verbose)
    planned = {export_id(m.get("id")) for m in objects(data.get("scheduled_maintenances"))}
    for key in _ENTRY:
        for i, entry in enumerate(data.get(key) or []):
            where = f"{name}: {key}[{i}]"
            items = case.outages if key == "incidents" else case.notices
            eid = export_id(entry.get("id")) if isinstance(entry, dict) else None
            if eid is None:
                items.append(Item(where, {}, _ENTRY[key], _ID))
                continue
            label = f"{key}[{i}] ({limits.shorten(eid)})"
            try:
                if key == "incidents" and entry.get("impact") != "maintenance":
                    items.extend(Item(where, r) for r in _outages(entry, eid, label, notes, table))
                    continue
                if key == "incidents" and eid in planned:
                    notes.add("a maintenance also under scheduled_maintenances: read there", label)
                    continue
                if key == "incidents":
                    notes.add("impact maintenance: a maintenance, read as notices", label)
                case.notices.extend(Item(where, n) for n in _notices(entry, eid))
            except Unusable as exc:
                items.append(Item(where + exc.part, {}, exc.problem, exc.accepted))
    read = [len(data.get(key) or []) for key in _ENTRY]
    made = [sum(i.problem is None for i in items) for items in (case.outages, case.notices)]
    headline = (
        f"{read[0]} incident(s) and {read[1]} scheduled maintenance(s) became {made[0]} "
        f"outage record(s), one per affected component, and {made[1]} notice(s), one per "
        "component"
    )
    return case, notes.lines(headline)


def _outages(
    entry: dict[str, Any], eid: str, label: str, notes: Notes, table: ImportTable
) -> list[dict[str, Any]]:
    impact = entry.get("impact")
    if impact is not None and impact not in IMPACTS:
        raise Unusable("", f"impact {shown(impact)} is not an impact", ", ".join(IMPACTS))
    updates = _updates(entry)
    meaning = table.meaning(impact or "major")
    if meaning == "none":
        notes.add(f"impact {impact}: not an outage, no record", label)
        return []
    if impact is None:
        notes.add("no impact given: taken as an outage", label)
    fields = {
        "start": timestamp(entry.get("started_at") or entry.get("created_at")),
        "end": timestamp(entry.get("resolved_at")),
        **_events(updates),
        **_said(entry, updates),
        "impact": meaning,
    }
    components = _components(entry, updates)
    if not components:
        notes.add("names no component: its service is the incident's name", label)
        return [{"id": eid, "service": entry.get("name"), **fields}]
    records = []
    for cid, (component, statuses) in components.items():
        if statuses and not any(s in DOWN for s in statuses):
            worst = "degraded_performance" if "degraded_performance" in statuses else "operational"
            what = f"component at worst {worst}: not an outage, no record"
            notes.add(what, f"{label} {component!s}", "component(s)")
            continue
        records.append({"id": f"{eid}@{cid}", "service": component, **fields})
    return records


def _said(entry: dict[str, Any], updates: Updates) -> dict[str, str]:
    """What the export says of the incident, as facts: ``severity`` (the incident's impact
    as given; ``impact`` is what the table reads it as),
    ``incident_status``, ``incident_title`` (``name``), ``incident_url`` (``shortlink``)
    and ``incident_updates`` (every update's body, earliest first)."""
    said = {}
    for fact, key in (
        ("severity", "impact"),
        ("incident_status", "status"),
        ("incident_title", "name"),
        ("incident_url", "shortlink"),
    ):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            said[fact] = value.strip()
    texts = [
        f"{to_second(moment)} {u['body'].strip()}"
        for moment, _, u in updates
        if isinstance(u.get("body"), str) and u["body"].strip()
    ]
    if texts:
        said["incident_updates"] = "\n\n".join(texts)
    return said


def _updates(entry: dict[str, Any]) -> Updates:
    """The incident's updates with the instant each was posted, earliest first."""
    raw = entry.get("incident_updates")
    return timed_updates(raw, ".incident_updates", ("created_at", "display_at"), "'created_at'")


def _events(updates: Updates) -> dict[str, str]:
    events = {}
    if updates:
        events["status_posted_at"] = to_second(updates[0][0])
    postmortem = [moment for moment, _, u in updates if u.get("status") == "postmortem"]
    if postmortem:
        events["report_submitted_at"] = to_second(postmortem[0])
    return events


def _components(entry: dict[str, Any], updates: Updates) -> dict[str, tuple[Any, list[str]]]:
    """Each component by id: its name and the statuses the updates gave it, in order."""
    found: dict[str, tuple[Any, list[str]]] = {}
    for component in objects(entry.get("components")):
        cid = export_id(component.get("id"))
        if cid is not None:
            found.setdefault(cid, (component.get("name"), []))
    for _, k, update in updates:
        affected = update.get("affected_components")
        if affected is None:
            continue
        if not isinstance(affected, list):
            raise Unusable(
                f".incident_updates[{k}].affected_components",
                "is not a list",
                "a list of {'code', 'name', 'old_status', 'new_status'} objects",
            )
        for j, change in enumerate(affected):
            part = f".incident_updates[{k}].affected_components[{j}]"
            cid = export_id(change.get("code")) if isinstance(change, dict) else None
            if cid is None:
                raise Unusable(part, "has no 'code'", "an object with the component's 'code'")
            statuses = [change.get("old_status"), change.get("new_status")]
            for status in statuses:
                if status is not None and status not in (*UP, *DOWN):
                    raise Unusable(
                        part,
                        f"status {shown(status)} is not a component status",
                        ", ".join((*UP, *DOWN)),
                    )
            _, seen = found.setdefault(cid, (change.get("name"), []))
            seen.extend(s for s in statuses if s is not None)
    return found


def _notices(entry: dict[str, Any], eid: str) -> list[dict[str, Any]]:
    """A maintenance's notices, one per component (``*``, every service, when none)."""
    fields = {
        "start": timestamp(entry.get("scheduled_for") or entry.get("started_at")),
        "end": timestamp(entry.get("scheduled_until") or entry.get("resolved_at")),
        "announced_at": timestamp(entry.get("created_at")),
        "channel": "website",
    }
    notices = []
    for component in objects(entry.get("components")) or [{"name": "*"}]:
        cid = export_id(component.get("id"))
        notices.append(
            {"id": f"{eid}@{cid}" if cid else eid, "service": component.get("name"), **fields}
        )
    return notices
