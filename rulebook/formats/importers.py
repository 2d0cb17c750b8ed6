"""Importers of real status-page data: Google Cloud status incidents and Atlassian
Statuspage v2 (``incidents.json``, ``scheduled-maintenances.json``).

The mappings (documented in docs/formats.md):

- **gcp-status**: one outage record per incident and affected location (``id`` is the
  incident id and the location id, ``INCIDENT@asia-northeast1``); ``service`` is
  ``service_name``; ``start``/``end`` are ``begin``/``end``; ``location`` is the country of
  the region (``asia-northeast1`` → JP). Multi-regions other than ``us`` (``global``,
  ``eu``) have no single country and leave ``location`` unknown; so does an incident that
  names no location. Status pages do not say why an outage happened: ``cause`` is unknown.
- **statuspage** incidents: one record per incident and affected component
  (``INCIDENT@COMPONENT``); ``service`` is the component's name (the incident's name when it
  names no component); ``start`` is ``started_at`` (else ``created_at``); ``end`` is
  ``resolved_at`` (empty while unresolved: the record is ongoing).
- **statuspage** scheduled maintenances: notices; ``start``/``end`` are
  ``scheduled_for``/``scheduled_until``, ``announced_at`` is ``created_at``, the channel is
  ``website``, and ``service`` is each component's name (``*`` when none is named).
"""

from __future__ import annotations

import json
from typing import Any

from rulebook.formats.readers import Case, InputError, Item, load_json, read_text

SOURCES = ("gcp-status", "statuspage")

#: Google Cloud regions and the country they are in.
GCP_REGIONS = {
    "asia-east1": "TW",
    "asia-east2": "HK",
    "asia-northeast1": "JP",
    "asia-northeast2": "JP",
    "asia-northeast3": "KR",
    "asia-south1": "IN",
    "asia-south2": "IN",
    "asia-southeast1": "SG",
    "asia-southeast2": "ID",
    "australia-southeast1": "AU",
    "australia-southeast2": "AU",
    "europe-central2": "PL",
    "europe-north1": "FI",
    "europe-southwest1": "ES",
    "europe-west1": "BE",
    "europe-west2": "GB",
    "europe-west3": "DE",
    "europe-west4": "NL",
    "europe-west6": "CH",
    "europe-west8": "IT",
    "europe-west9": "FR",
    "europe-west10": "DE",
    "europe-west12": "IT",
    "me-central1": "QA",
    "me-central2": "SA",
    "me-west1": "IL",
    "northamerica-northeast1": "CA",
    "northamerica-northeast2": "CA",
    "southamerica-east1": "BR",
    "southamerica-west1": "CL",
    "us": "US",
    "us-central1": "US",
    "us-east1": "US",
    "us-east4": "US",
    "us-east5": "US",
    "us-south1": "US",
    "us-west1": "US",
    "us-west2": "US",
    "us-west3": "US",
    "us-west4": "US",
    "africa-south1": "ZA",
}
#: Multi-regions that span several countries: their location stays unknown.
GCP_MULTI = ("global", "eu", "asia")


def import_file(path: str, source: str) -> tuple[Case, list[str]]:
    """Read a status-page export; also return notes on what could not be mapped."""
    text, name = read_text(path)
    try:
        data = load_json(text, name)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})") from None
    if source == "gcp-status":
        return _gcp(data, name)
    return _statuspage(data, name)


def _gcp(data: Any, name: str) -> tuple[Case, list[str]]:
    if not isinstance(data, list):
        raise InputError(f"{name}: the Google Cloud status export is a JSON list of incidents")
    case, notes = Case(), []
    for i, incident in enumerate(data):
        where = f"{name}: incidents[{i}]"
        if not isinstance(incident, dict) or _id(incident.get("id")) is None:
            case.outages.append(Item(where, {}, "is not an incident with an 'id'", _INCIDENT))
            continue
        locations: list[str | None] = [str(loc["id"]) for loc in _locations(incident)] or [None]
        for region in locations:
            record: dict[str, Any] = {
                "id": f"{_id(incident['id'])}@{region}" if region else _id(incident["id"]),
                "service": incident.get("service_name"),
                "start": incident.get("begin"),
                "end": incident.get("end"),
            }
            country = GCP_REGIONS.get(region or "")
            if country:
                record["location"] = country
            elif region and region not in GCP_MULTI:
                notes.append(
                    f"{where}: region '{region}' has no known country; location left unknown"
                )
            case.outages.append(Item(where, record))
    return case, notes


_WHAT = {
    "outages": "is not an incident with an 'id'",
    "notices": "is not a maintenance with an 'id'",
}
_INCIDENT = "an object with an 'id' (text or a number)"


def _id(value: Any) -> str | None:
    """An id from an export: text or a whole number, else None (never the text 'None')."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def _objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a list from an export; anything else in it is left out."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _locations(incident: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for key in ("previously_affected_locations", "currently_affected_locations"):
        for loc in _objects(incident.get(key)):
            if _id(loc.get("id")) is not None:
                seen.setdefault(str(loc["id"]), loc)
    return [seen[k] for k in sorted(seen)]


def _statuspage(data: Any, name: str) -> tuple[Case, list[str]]:
    if not isinstance(data, dict) or not ("incidents" in data or "scheduled_maintenances" in data):
        raise InputError(
            f"{name}: a Statuspage v2 export has 'incidents' (incidents.json) or "
            "'scheduled_maintenances' (scheduled-maintenances.json)"
        )
    for key in ("incidents", "scheduled_maintenances"):
        if not isinstance(data.get(key) or [], list):
            raise InputError(f"{name}: '{key}' is not a list; accepted: a list of objects")
    case = Case()
    for kind, key in (("outages", "incidents"), ("notices", "scheduled_maintenances")):
        for i, entry in enumerate(data.get(key) or []):
            where = f"{name}: {key}[{i}]"
            items = getattr(case, kind)
            if not isinstance(entry, dict) or _id(entry.get("id")) is None:
                items.append(Item(where, {}, _WHAT[kind], _INCIDENT))
                continue
            default = {"name": entry.get("name") if kind == "outages" else "*"}
            for component in _objects(entry.get("components")) or [default]:
                cid = _id(component.get("id"))
                rid = f"{_id(entry['id'])}@{cid}" if cid else _id(entry["id"])
                items.append(Item(where, {"id": rid, **_statuspage_fields(kind, entry, component)}))
    return case, []


def _statuspage_fields(
    kind: str, entry: dict[str, Any], component: dict[str, Any]
) -> dict[str, Any]:
    if kind == "outages":
        return {
            "service": component.get("name"),
            "start": entry.get("started_at") or entry.get("created_at"),
            "end": entry.get("resolved_at"),
        }
    return {
        "service": component.get("name"),
        "start": entry.get("scheduled_for"),
        "end": entry.get("scheduled_until"),
        "announced_at": entry.get("created_at"),
        "channel": "website",
    }
