"""The Google Cloud status importer: the status dashboard's incidents (a JSON list) to outage
records, one per affected product and location. docs/formats.md has the whole mapping.

- **Impact.** The worst of ``status_impact`` and the updates' statuses decides
  (``SERVICE_INFORMATION`` < ``SERVICE_DISRUPTION`` < ``SERVICE_OUTAGE``); when none is
  given, ``severity`` does (low, medium, high in that order). What it becomes is the
  importer's table (:mod:`rulebook.io.impacts`): an outage an outage record, a disruption a
  record with ``impact = degradation`` (not downtime unless the contract or the project file
  says), an informational notice nothing; an incident that says neither is an outage. A
  long advisory (a migration or deprecation notice of weeks) makes no record.
- **What the export says** is kept as facts: ``impact``, ``severity``,
  ``incident_status`` (the last update's), ``incident_title`` (``external_desc``),
  ``incident_url``, ``incident_updates`` (every update's text, earliest first),
  ``product`` and ``region`` (as given).
- **Products.** One record per product of ``affected_products`` (never the umbrella
  ``service_name`` "Multiple Products"); ``service_name`` only when no product is listed.
- **Locations.** One record per region named by the incident or its updates; ``location``
  is the region's country from ``data/gcp-regions.csv`` (multi-regions spanning several
  countries, and regions not in the table, leave it unknown).
- **Updates.** The first update is ``status_posted_at``; the first update after the one that
  declared the service available again (the incident report) is ``report_submitted_at``.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from importlib import resources
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

#: Status impacts, from the least to the most severe.
IMPACTS = ("SERVICE_INFORMATION", "SERVICE_DISRUPTION", "SERVICE_OUTAGE")
#: What a severity says when no status impact is given.
SEVERITIES = {"low": IMPACTS[0], "medium": IMPACTS[1], "high": IMPACTS[2]}
UPDATE_STATUSES = (*IMPACTS, "AVAILABLE")
#: The export's label for an incident of several products: not a product.
UMBRELLA = "Multiple Products"
INCIDENT = "an object with an 'id' (text or a number)"
#: Where the dashboard shows an incident (its ``uri`` is relative to it).
DASHBOARD = "https://status.cloud.google.com/"


@functools.cache
def region_countries() -> dict[str, str | None]:
    """Each region in the table shipped with rulebook and its country (None: several)."""
    path = resources.files("rulebook.io").joinpath("data/gcp-regions.csv")
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return {row["region"]: row["country"] or None for row in rows}


def gcp_case(
    data: Any, name: str, verbose: bool = False, table: ImportTable | None = None
) -> tuple[Case, list[str]]:
    """The records of an export, and notes on what each incident became (``table``: what
    each impact becomes; the default table when None)."""
    if not isinstance(data, list):
        raise InputError(f"{name}: the Google Cloud status export is a JSON list of incidents")
    case, notes = Case(), Notes(name, verbose)
    table = table or import_table("gcp-status")
    outages = informational = made = 0
    for i, incident in enumerate(data):
        where = f"{name}: incidents[{i}]"
        iid = export_id(incident.get("id")) if isinstance(incident, dict) else None
        if iid is None:
            case.outages.append(Item(where, {}, "is not an incident with an 'id'", INCIDENT))
            continue
        try:
            entry = f"incidents[{i}] ({limits.shorten(iid)})"
            records = _records(incident, iid, entry, notes, table)
        except Unusable as exc:
            case.outages.append(Item(where + exc.part, {}, exc.problem, exc.accepted))
            continue
        if records is None:
            informational += 1
            continue
        outages, made = outages + 1, made + len(records)
        case.outages.extend(Item(where, record) for record in records)
    unread = len(data) - outages - informational
    headline = (
        f"{len(data)} incident(s): {outages} outage(s) or disruption(s) became {made} "
        f"record(s), one per affected product and location; {informational} informational "
        "notice(s) or advisories became none"
        + (f"; {unread} could not be read (see below)" if unread else "")
    )
    return case, notes.lines(headline)


def _records(
    incident: dict[str, Any], iid: str, entry: str, notes: Notes, table: ImportTable
) -> list[dict[str, Any]] | None:
    """The incident's records, or None for an informational notice or an advisory."""
    updates = _updates(incident)
    impact, why = _impact(incident, [status for _, status, _ in updates])
    meaning = table.meaning(impact or "SERVICE_OUTAGE")
    if meaning == "none":
        what = "informational notice" if impact == IMPACTS[0] else f"{impact} (read as none)"
        notes.add(f"{what} ({why}): not an outage, no record", entry)
        return None
    title = incident.get("external_desc")
    title = title.strip() if isinstance(title, str) else ""
    seconds = _seconds(incident.get("begin"), incident.get("end"))
    if table.advisory(title, seconds):
        notes.add(
            f"an advisory of more than {table.advisory_days} days (a migration or deprecation "
            "notice): not an outage, no record",
            entry,
        )
        return None
    products, regions = _products(incident, entry, notes), _locations(incident, entry, notes)
    if impact is None:
        notes.add("says neither status_impact nor severity: taken as an outage", entry)
    elif meaning == "degradation":
        notes.add(
            f"{impact}: a degradation (impact = degradation), not downtime unless the "
            "contract or the project file counts it",
            entry,
        )
    events, countries = _events(updates), region_countries()
    said = _said(incident, updates, meaning)
    records = []
    for key, product in products:
        for region in regions:
            record: dict[str, Any] = {
                "id": f"{iid}/{key}" + (f"@{region}" if region else ""),
                "service": product,
                "start": timestamp(incident.get("begin")),
                "end": timestamp(incident.get("end")),
                **events,
                **said,
                "product": product,
            }
            if region:
                record["region"] = region
            if countries.get(region or ""):
                record["location"] = countries[region or ""]
            records.append(record)
    return records


def _said(
    incident: dict[str, Any],
    updates: list[tuple[dt.datetime, str | None, str | None]],
    meaning: str,
) -> dict[str, str]:
    """What the export says of the incident, as facts (see the module's docstring)."""
    said = {"impact": meaning}
    for fact, value in (
        ("severity", incident.get("severity")),
        ("incident_title", incident.get("external_desc")),
        ("incident_status", updates[-1][1] if updates else None),
    ):
        if isinstance(value, str) and value.strip():
            said[fact] = value.strip()
    uri = incident.get("uri")
    if isinstance(uri, str) and uri.strip():
        said["incident_url"] = DASHBOARD + uri.strip().lstrip("/")
    texts = [f"{to_second(moment)} {text.strip()}" for moment, _, text in updates if text]
    if texts:
        said["incident_updates"] = "\n\n".join(texts)
    return said


def _seconds(begin: Any, end: Any) -> int:
    """The incident's length in seconds, 0 when it cannot be told (still open, bad times)."""
    try:
        start, stop = dt.datetime.fromisoformat(begin), dt.datetime.fromisoformat(end)
        return int((stop - start).total_seconds())
    except (TypeError, ValueError):
        return 0


def _impact(incident: dict[str, Any], statuses: list[str | None]) -> tuple[str | None, str]:
    """The incident's impact and what said so."""
    stated = incident.get("status_impact")
    if stated is not None and stated not in IMPACTS:
        raise Unusable(
            "",
            f"status_impact {shown(stated)} is not a status impact",
            ", ".join(IMPACTS),
        )
    severity = incident.get("severity")
    if severity is not None and (not isinstance(severity, str) or severity not in SEVERITIES):
        raise Unusable("", f"severity {shown(severity)} is not a severity", "low, medium, high")
    said = [s for s in (stated, *statuses) if s in IMPACTS]
    if said:
        worst = max(said, key=IMPACTS.index)
        return worst, f"status_impact {stated}" if stated == worst else f"an update says {worst}"
    if severity is not None:
        return SEVERITIES[severity], f"severity {severity}, no status impact"
    return None, "nothing"


def _updates(incident: dict[str, Any]) -> list[tuple[dt.datetime, str | None, str | None]]:
    """The updates' instants, statuses and texts, earliest first; a bad update is named."""
    found = []
    posted = timed_updates(
        incident.get("updates"), ".updates", ("when", "created"), "'when', 'status' and 'text'"
    )
    for moment, k, update in posted:
        status = update.get("status")
        if status is not None and status not in UPDATE_STATUSES:
            raise Unusable(
                f".updates[{k}]",
                f"status {shown(status)} is not an update status",
                ", ".join(UPDATE_STATUSES),
            )
        text = update.get("text")
        found.append((moment, status, text.strip() if isinstance(text, str) else None))
    return found


def _events(updates: list[tuple[dt.datetime, str | None, str | None]]) -> dict[str, str]:
    """The timeline the updates give (see the module's docstring)."""
    events = {}
    if updates:
        events["status_posted_at"] = to_second(updates[0][0])
    available = [moment for moment, status, _ in updates if status == "AVAILABLE"]
    if len(available) > 1:
        events["report_submitted_at"] = to_second(available[1])
    return events


def _products(incident: dict[str, Any], entry: str, notes: Notes) -> list[tuple[str, str]]:
    """(key for the id, title) of every affected product."""
    raw = incident.get("affected_products")
    if raw is not None and not isinstance(raw, list):
        raise Unusable(".affected_products", "is not a list", "a list of {'title', 'id'} objects")
    products: dict[str, str] = {}
    for k, product in enumerate(raw or []):
        title = product.get("title") if isinstance(product, dict) else None
        if not isinstance(title, str) or not title.strip():
            raise Unusable(
                f".affected_products[{k}]", "has no 'title'", "an object with 'title' and 'id'"
            )
        products.setdefault(export_id(product.get("id")) or title.strip(), title.strip())
    service = incident.get("service_name")
    if products:
        if service == UMBRELLA:
            notes.add(f"filed under '{UMBRELLA}': one record per product it names", entry)
        return list(products.items())
    if not isinstance(service, str) or not service.strip() or service == UMBRELLA:
        raise Unusable(
            "",
            f"names no product (affected_products is empty, service_name is {shown(service)})",
            f"affected_products, or a service_name other than '{UMBRELLA}'",
        )
    return [(export_id(incident.get("service_key")) or service.strip(), service.strip())]


def _locations(incident: dict[str, Any], entry: str, notes: Notes) -> list[str | None]:
    """The regions the incident and its updates name, sorted; [None] when none."""
    lists = [
        incident.get(k) for k in ("previously_affected_locations", "currently_affected_locations")
    ]
    lists += [u.get("affected_locations") for u in objects(incident.get("updates"))]
    found: set[str] = set()
    for value in lists:
        if value is None:
            continue
        if not isinstance(value, list):
            notes.add("a list of locations is not a list: left out", entry)
            continue
        for location in value:
            region = export_id(location.get("id")) if isinstance(location, dict) else None
            if region is None:
                notes.add("a location without an 'id': left out", entry)
            else:
                found.add(region)
    countries = region_countries()
    for region in sorted(found):
        if region not in countries:
            notes.add(
                f"region '{limits.shorten(region)}' is not in the region table: location unknown",
                entry,
            )
        elif countries[region] is None:
            notes.add(f"region '{region}' spans several countries: location unknown", entry)
    if not found:
        notes.add("names no location: location unknown", entry)
    regions: list[str | None] = [*sorted(found)]
    return regions or [None]
