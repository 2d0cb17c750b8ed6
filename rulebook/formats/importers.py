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

from rulebook.formats.readers import Case, InputError, Item, read_text

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
        data = json.loads(text)
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
        if not isinstance(incident, dict) or "id" not in incident:
            raise InputError(f"{where}: an incident object with an 'id' is expected")
        locations = [loc.get("id") for loc in _locations(incident)] or [None]
        for region in locations:
            record: dict[str, Any] = {
                "id": f"{incident['id']}@{region}" if region else str(incident["id"]),
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


def _locations(incident: dict[str, Any]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for key in ("previously_affected_locations", "currently_affected_locations"):
        for loc in incident.get(key) or []:
            if isinstance(loc, dict) and loc.get("id"):
                seen.setdefault(str(loc["id"]), loc)
    return [seen[k] for k in sorted(seen)]


def _statuspage(data: Any, name: str) -> tuple[Case, list[str]]:
    if not isinstance(data, dict) or not ("incidents" in data or "scheduled_maintenances" in data):
        raise InputError(
            f"{name}: a Statuspage v2 export has 'incidents' (incidents.json) or "
            "'scheduled_maintenances' (scheduled-maintenances.json)"
        )
    case = Case()
    for i, incident in enumerate(data.get("incidents") or []):
        where = f"{name}: incidents[{i}]"
        components = incident.get("components") or [{"id": None, "name": incident.get("name")}]
        for component in components:
            cid = component.get("id")
            case.outages.append(
                Item(
                    where,
                    {
                        "id": f"{incident.get('id')}@{cid}" if cid else str(incident.get("id")),
                        "service": component.get("name"),
                        "start": incident.get("started_at") or incident.get("created_at"),
                        "end": incident.get("resolved_at"),
                    },
                )
            )
    for i, maintenance in enumerate(data.get("scheduled_maintenances") or []):
        where = f"{name}: scheduled_maintenances[{i}]"
        components = maintenance.get("components") or [{"id": None, "name": "*"}]
        for component in components:
            cid = component.get("id")
            case.notices.append(
                Item(
                    where,
                    {
                        "id": f"{maintenance.get('id')}@{cid}"
                        if cid
                        else str(maintenance.get("id")),
                        "service": component.get("name"),
                        "start": maintenance.get("scheduled_for"),
                        "end": maintenance.get("scheduled_until"),
                        "announced_at": maintenance.get("created_at"),
                        "channel": "website",
                    },
                )
            )
    return case, []
