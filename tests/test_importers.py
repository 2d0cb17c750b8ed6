"""The importers (``--from``) on real-shaped samples in ``tests/fixtures/``: Google Cloud
status incidents, Statuspage v2 incidents and maintenances, and Prometheus ``probe_success``
range queries; and a trimmed real Google Cloud export (``tests/fixtures/README.md``)."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rulebook.cli import main
from rulebook.countries import COUNTRIES
from rulebook.io import gcp_status, statuspage
from rulebook.io.importers import import_file
from rulebook.io.probes import parse_step

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GCP_SAMPLE = FIXTURES / "gcp-status-sample.json"
INCIDENTS = FIXTURES / "statuspage-incidents.json"
MAINTENANCES = FIXTURES / "statuspage-maintenances.json"
PROBES = FIXTURES / "prometheus-probe-success.json"
GCP_STYLE = FIXTURES / "gcp-style.sla"
REAL_GCP = FIXTURES / "gcp-status-incidents-trimmed.json"  # 32 real incidents, unchanged

PROBE_CONTRACT = """import "vocabulary.sla"
contract probe-demo {
  title "Probe demo" provider "Demo" source "demo.txt" language en
  timezone "UTC" kind guarantee
  services all { cite "1" "All." covers "*" }
  availability monthly { cite "2" "99.9%." period calendar month target >= 99.9% }
  downtime monitored {
    cite "3" "Stoppages of 10 minutes or more found by the monitoring."
    probes ping, http, https, smtp EVERY
    threshold >= 10 min on stoppage
    when detected_by = monitoring
  }
}
"""


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def records(path: Path, source: str, **options: Any) -> dict[str, dict[str, Any]]:
    """The good records an import makes, by id."""
    case, _ = import_file(str(path), source, **options)
    return {i.data["id"]: i.data for i in case.outages if i.problem is None}


def probe_contract(tmp_path: Path, every: str = "") -> Path:
    path = tmp_path / f"probe{every.replace(' ', '')}.sla"
    text = PROBE_CONTRACT.replace("EVERY", f"every {every}" if every else "")
    path.write_text(text.replace("probe-demo", f"probe-demo{every.replace(' ', '')}"), "utf-8")
    return path


# ------------------------------------------------------------------ Google Cloud status


def test_gcp_one_record_per_product_and_region_with_country_and_timeline() -> None:
    made = records(GCP_SAMPLE, "gcp-status")
    outage = {k: v for k, v in made.items() if k.startswith("sample-outage-1/")}
    timeline = {
        "status_posted_at": "2026-09-03T01:20:00+00:00",  # the first update
        "report_submitted_at": "2026-09-05T09:00:00+00:00",  # the update after the resolution
    }
    span = {"start": "2026-09-03T01:00:00+00:00", "end": "2026-09-03T03:30:00+00:00"}
    said = {  # what the export says, kept as facts
        "impact": "outage",
        "severity": "high",
        "incident_title": made["sample-outage-1/VNJxzcH58QmTt5H6pnT6@us-central1"][
            "incident_title"
        ],
        "incident_status": "AVAILABLE",
    }
    assert said["incident_title"]
    outage = {
        k: {f: v for f, v in r.items() if f not in ("incident_updates", "incident_url")}
        for k, r in outage.items()
    }
    assert outage == {
        f"sample-outage-1/{pid}@{region}": {
            "id": f"sample-outage-1/{pid}@{region}",
            "service": product,
            **span,
            **timeline,
            **said,
            "product": product,
            "region": region,
            "location": country,
        }
        for pid, product in (
            ("VNJxzcH58QmTt5H6pnT6", "Google Cloud Networking"),
            ("ix7u9beT8ivBdjApTif3", "Cloud Load Balancing"),
        )
        for region, country in (("asia-northeast1", "JP"), ("us-central1", "US"))
    }
    first = made["sample-outage-1/VNJxzcH58QmTt5H6pnT6@us-central1"]
    assert first["incident_url"] == "https://status.cloud.google.com/incidents/sample-outage-1"
    assert first["incident_updates"].startswith("2026-09-03T01:20:00+00:00 ")
    # a disruption is a degradation (the default table), kept as a record with the fact
    assert made["sample-disruption-3/L3ggmi3Jy4xJmgodFA9K"]["impact"] == "degradation"
    assert not any(r["service"] == "Multiple Products" for r in made.values())
    # no location named: one record per product, location unknown; a multi-region: unknown
    assert "location" not in made["sample-disruption-3/L3ggmi3Jy4xJmgodFA9K"]
    assert "location" not in made["sample-global-4/hV87iK5DcEXKgWU2kDri@global"]
    assert made["sample-global-4/hV87iK5DcEXKgWU2kDri@asia-northeast1"]["location"] == "JP"
    assert "report_submitted_at" not in made["sample-global-4/hV87iK5DcEXKgWU2kDri@global"]


def test_gcp_notes_say_what_each_incident_became() -> None:
    _, notes = import_file(str(GCP_SAMPLE), "gcp-status")
    name = str(GCP_SAMPLE)
    assert notes[0] == (
        f"{name}: 7 incident(s): 3 outage(s) or disruption(s) became 7 record(s), one per "
        "affected product and location; 1 informational notice(s) or advisories became none; "
        "3 could not be read (see below)"
    )
    assert (
        f"{name}: 1 incident(s): informational notice (status_impact SERVICE_INFORMATION): not "
        "an outage, no record: incidents[5] (sample-info-2)"
    ) in notes
    assert (
        f"{name}: 1 incident(s): filed under 'Multiple Products': one record per product it "
        "names: incidents[6] (sample-outage-1)"
    ) in notes


def test_gcp_notes_are_counted_unless_verbose() -> None:
    info = {
        "service_name": "Google BigQuery",
        "begin": "2026-09-10T00:00:00+00:00",
        "end": "2026-09-15T00:00:00+00:00",
        "status_impact": "SERVICE_INFORMATION",
        "severity": "low",
    }
    data = [info | {"id": f"n{i}"} for i in range(157)]
    case, notes = gcp_status.gcp_case(data, "x.json")
    assert case.outages == [] and len(notes) == 2
    assert notes[1].endswith(
        "incidents[0] (n0), incidents[1] (n1), incidents[2] (n2) and 154 more (--verbose lists each)"
    )
    _, every = gcp_status.gcp_case(data, "x.json", verbose=True)
    assert len(every) == 158 and every[-1] == (
        "x.json: incidents[156] (n156): informational notice (status_impact "
        "SERVICE_INFORMATION): not an outage, no record"
    )


BASE = {
    "id": "i",
    "service_name": "Cloud Run",
    "begin": "2026-09-01T00:00:00+00:00",
    "end": "2026-09-01T01:00:00+00:00",
}


@pytest.mark.parametrize(
    ("fields", "statuses", "outage", "note"),
    [
        ({"status_impact": "SERVICE_INFORMATION", "severity": "low"}, [], False, "status_impact"),
        ({"status_impact": "SERVICE_DISRUPTION", "severity": "low"}, [], True, None),
        ({"status_impact": "SERVICE_OUTAGE"}, [], True, None),
        ({"severity": "low"}, [], False, "severity low, no status impact"),
        ({"severity": "medium"}, [], True, None),
        # an incident that escalated: an update says more than the incident's impact
        ({"status_impact": "SERVICE_INFORMATION"}, ["SERVICE_DISRUPTION"], True, None),
        (
            {"status_impact": "SERVICE_INFORMATION"},
            ["SERVICE_INFORMATION", "AVAILABLE"],
            False,
            "x",
        ),
        ({}, [], True, "says neither status_impact nor severity: taken as an outage"),
    ],
)
def test_gcp_impact_decides_what_is_an_outage(
    fields: dict[str, str], statuses: list[str], outage: bool, note: str | None
) -> None:
    updates = [
        {"when": f"2026-09-01T00:{10 + k}:00+00:00", "status": s, "text": "…"}
        for k, s in enumerate(statuses)
    ]
    case, notes = gcp_status.gcp_case([BASE | fields | {"updates": updates}], "x.json")
    assert (len(case.outages) == 1) is outage
    if note is not None and outage:
        assert any(note in n for n in notes[1:])
    if not outage:
        assert "informational notice" in notes[1]


def test_gcp_malformed_entries_are_named_and_the_rest_adjudicated() -> None:
    code, out, err = run(
        [
            "adjudicate",
            GCP_STYLE,
            GCP_SAMPLE,
            "--from",
            "gcp-status",
            "--keep-going",
            "--format",
            "json",
        ]
    )
    assert code == 1
    doc = json.loads(out)
    assert doc["counts"] | {"fallback": 0} == {
        "outages": 7,
        "notices": 0,
        "read": 10,
        "adjudicated": 7,
        "rejected": 3,
        "fallback": 0,
    }
    name = str(GCP_SAMPLE)
    for line in (
        f"rulebook: {name}: incidents[0]: record #1: names no product (affected_products is "
        "empty, service_name is 'Multiple Products'); accepted: affected_products, or a "
        "service_name other than 'Multiple Products'",
        f"rulebook: {name}: incidents[1]: record #2: status_impact 'SERVICE_DEGRADED' is not a "
        "status impact; accepted: SERVICE_INFORMATION, SERVICE_DISRUPTION, SERVICE_OUTAGE",
        f"rulebook: {name}: incidents[2].updates[0]: record #3: 'when' 'yesterday' is not a "
        "timestamp with an offset; accepted: an ISO 8601 timestamp with its offset, e.g. "
        "2026-09-03T10:00:00+09:00",
    ):
        assert line in err.splitlines()
    verdicts = {o["id"]: o["verdict"] for o in doc["outages"]}
    assert verdicts["sample-outage-1/VNJxzcH58QmTt5H6pnT6@asia-northeast1"] == "counted"
    assert verdicts["sample-outage-1/VNJxzcH58QmTt5H6pnT6@us-central1"] == "excluded"  # abroad


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ({"updates": {"a": 1}}, "incidents[0].updates", "is not a list"),
        ({"updates": [5]}, "incidents[0].updates[0]", "is not an update"),
        ({"updates": [{"status": "AVAILABLE"}]}, "incidents[0].updates[0]", "has no 'when'"),
        (
            {"updates": [{"when": "2026-09-01T00:10:00", "status": "AVAILABLE"}]},
            "incidents[0].updates[0]",
            "is not a timestamp with an offset",
        ),
        (
            {"updates": [{"when": "2026-09-01T00:10:00Z", "status": "FINE"}]},
            "incidents[0].updates[0]",
            "status 'FINE' is not an update status",
        ),
        ({"severity": "urgent"}, "incidents[0]", "severity 'urgent' is not a severity"),
        ({"affected_products": "Cloud Run"}, "incidents[0].affected_products", "is not a list"),
        ({"affected_products": [{"id": "x"}]}, "incidents[0].affected_products[0]", "'title'"),
    ],
)
def test_gcp_a_bad_part_of_an_incident_is_named(
    change: dict[str, Any], where: str, problem: str
) -> None:
    case, _ = gcp_status.gcp_case([BASE | change], "x.json")
    (item,) = case.outages
    assert item.where == f"x.json: {where}" and problem in str(item.problem)


def test_gcp_ids_are_unique_and_stable() -> None:
    data = json.loads(GCP_SAMPLE.read_text(encoding="utf-8"))
    first = [i.data.get("id") for i in gcp_status.gcp_case(data, "a.json")[0].outages]
    again = [
        i.data.get("id") for i in gcp_status.gcp_case(copy.deepcopy(data), "a.json")[0].outages
    ]
    shuffled = gcp_status.gcp_case(list(reversed(data)), "a.json")[0].outages
    ids = [i for i in first if i is not None]
    assert first == again and len(ids) == len(set(ids)) == 7
    assert sorted(ids) == sorted(i.data["id"] for i in shuffled if i.problem is None)


def test_the_region_table_is_data_shipped_in_the_package() -> None:
    table = gcp_status.region_countries()
    assert table["asia-northeast1"] == table["asia-northeast2"] == table["asia1"] == "JP"
    assert table["us-central1"] == table["us"] == "US" and table["europe-west1"] == "BE"
    assert table["global"] is None and table["eu"] is None  # several countries: unknown
    assert {c for c in table.values() if c is not None} <= COUNTRIES
    source = Path(gcp_status.__file__).read_text(encoding="utf-8")
    assert "asia-northeast1" not in source.split('"""', 2)[2]  # the code holds no table


# ------------------------------------------------------------------ the real export


def _expected_records(incidents: list[dict[str, Any]]) -> set[str]:
    """Every product-level record the real export should give, computed from its fields."""
    ids = set()
    for incident in incidents:
        if incident["status_impact"] == "SERVICE_INFORMATION" or _advisory(incident):
            continue
        regions = {
            loc["id"]
            for key in ("previously_affected_locations", "currently_affected_locations")
            for loc in incident[key]
        }
        for product in incident["affected_products"]:
            for region in sorted(regions) or [None]:
                suffix = f"@{region}" if region else ""
                ids.add(f"{incident['id']}/{product['id']}{suffix}")
    return ids


def _advisory(incident: dict[str, Any]) -> bool:
    """A notice of weeks about a migration (the Cloud SQL one): no record by default."""
    import datetime as dt

    days = dt.datetime.fromisoformat(incident["end"]) - dt.datetime.fromisoformat(incident["begin"])
    return days > dt.timedelta(days=7) and "migration" in incident["external_desc"]


def _expected_periods(incidents: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Each product's calendar months (UTC, the contract's timezone): every month of the
    span the export covers — from the month of its first incident's begin to that of its
    last one's — and, as no data, those its incidents run into after it (docs/formats.md,
    "What a log covers")."""
    import datetime as dt

    def months(begin: dt.datetime, end: dt.datetime) -> set[str]:
        found, year, month = set(), begin.year, begin.month
        while dt.datetime(year, month, 1, tzinfo=dt.UTC) < end:
            found.add(f"{year}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    kept = [
        i for i in incidents if i["status_impact"] != "SERVICE_INFORMATION" and not _advisory(i)
    ]
    begins = [dt.datetime.fromisoformat(i["begin"]) for i in kept]
    span = months(min(begins), max(begins) + dt.timedelta(seconds=1))
    out = set()
    for incident in kept:
        begin = dt.datetime.fromisoformat(incident["begin"])
        end = dt.datetime.fromisoformat(incident["end"])
        for product in incident["affected_products"]:
            out |= {(product["title"], m) for m in span | months(begin, end)}
    return out


def test_the_real_google_cloud_export_adjudicates_to_a_sensible_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    code, out, err = run(
        ["adjudicate", GCP_STYLE, REAL_GCP, "--from", "gcp-status", "--format", "json"]
    )
    assert code == 0, err
    doc = json.loads(out)
    incidents = json.loads(REAL_GCP.read_text(encoding="utf-8"))
    informational = {i["id"] for i in incidents if i["status_impact"] == "SERVICE_INFORMATION"}
    assert len(incidents) == 32 and len(informational) == 5
    # every product-level record is there, and nothing else; no informational notice counts
    expected = _expected_records(incidents)
    outages = doc["outages"]
    assert {o["id"] for o in outages} == expected and len(outages) == len(expected) == 100
    assert doc["counts"]["read"] == doc["counts"]["adjudicated"] == 100
    assert not {o["id"].split("/")[0] for o in outages} & informational
    assert "Multiple Products" not in {o["service"] for o in outages}
    assert "32 incident(s): 26 outage(s) or disruption(s) became 100 record(s)" in err
    assert "6 informational notice(s) or advisories became none" in err
    # Outages: Tokyo and Osaka count (JP), Iowa and Warsaw are use outside Japan (excluded),
    # `global` and no location leave the place unknown: the exclusion is undetermined, the
    # time counts. Disruptions are degradations: not downtime (the default table).
    impact = {i["id"]: i["status_impact"] for i in incidents}
    by_region: dict[tuple[str, str], set[str]] = {}
    for o in outages:
        kind = impact[o["id"].split("/")[0]]
        by_region.setdefault((kind, o["id"].partition("@")[2]), set()).add(o["verdict"])
    outage = "SERVICE_OUTAGE"
    assert by_region[(outage, "asia-northeast2")] == {"counted"}
    assert (
        by_region[(outage, "asia-south1")] == by_region[(outage, "europe-north1")] == {"excluded"}
    )
    assert by_region[(outage, "global")] == by_region[(outage, "")] == {"counted"}
    assert {v for (k, _), vs in by_region.items() if k != outage for v in vs} == {"not_downtime"}
    # a period per service from its first month to its last, targets both met and missed,
    # and every period's figures follow from its records
    periods = doc["periods"]
    assert {(p["service"], p["period"]) for p in periods} == _expected_periods(incidents)
    assert {p["met"] for p in periods} == {True, False}
    for period in periods:
        if period.get("no_data"):  # outside the span the export covers: not measured
            assert period["availability"] is None and period["met"] is None
            continue
        counted = [
            (s["start"], s["end"])
            for o in outages
            if o["service"] == period["service"]
            for s in o["segments"]
            if s["period"] == period["period"] and s["status"] == "counted"
        ]
        assert period["downtime_seconds"] == _union_seconds(counted), period
        down, whole = period["downtime_seconds"], period["denominator_seconds"]
        assert Fraction(period["availability_exact"]) == Fraction(whole - down, whole)
        assert period["met"] == (Fraction(whole - down, whole) >= Fraction(9995, 10000))


def _union_seconds(spans: list[tuple[str, str]]) -> int:
    """The length of a union of ISO intervals (overlapping records count once)."""
    import datetime as dt

    total, reach = 0, None
    for start, end in sorted(
        (dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in spans
    ):
        if reach is None or start >= reach:
            total += int((end - start).total_seconds())
            reach = end
        elif end > reach:
            total += int((end - reach).total_seconds())
            reach = end
    return total


# ------------------------------------------------------------------ Statuspage v2


SAID = ("impact", "severity", "incident_status", "incident_title", "incident_url")


def test_statuspage_one_record_per_component_that_was_down() -> None:
    made = records(INCIDENTS, "statuspage")
    said = {k: {f: r.pop(f, None) for f in (*SAID, "incident_updates")} for k, r in made.items()}
    first = said["p1mv0k9d2x3z@b13yz5g2cw10"]  # what the export says, kept as facts
    assert first["impact"] == "outage" and first["severity"] in ("minor", "major", "critical")
    assert first["incident_title"] and first["incident_status"]
    assert made == {
        "p1mv0k9d2x3z@b13yz5g2cw10": {
            "id": "p1mv0k9d2x3z@b13yz5g2cw10",
            "service": "Mail sending (SMTP)",
            "start": "2026-09-03T10:00:00.000+09:00",
            "end": "2026-09-03T12:10:02+09:00",  # to the second: the milliseconds dropped
            "status_posted_at": "2026-09-03T10:12:41+09:00",
            "report_submitted_at": "2026-09-07T15:00:00+09:00",  # the postmortem
        },
        # no status given for the component: the impact (minor) decides
        "r5tx1h7j9m2e@k7qpx3m5rr0d": {
            "id": "r5tx1h7j9m2e@k7qpx3m5rr0d",
            "service": "API",
            "start": "2026-09-15T14:00:00.000+09:00",
            "end": "2026-09-15T14:50:30+09:00",
            "status_posted_at": "2026-09-15T14:20:00+09:00",
        },
    }


def test_statuspage_notes_and_malformed_entries() -> None:
    case, notes = import_file(str(INCIDENTS), "statuspage")
    name = str(INCIDENTS)
    assert notes[0] == (
        f"{name}: 5 incident(s) and 0 scheduled maintenance(s) became 2 outage record(s), one "
        "per affected component, and 1 notice(s), one per component"
    )
    assert (
        f"{name}: 1 incident(s): impact none: not an outage, no record: incidents[2] (q8zk2n6w4b1c)"
        in notes
    )
    assert (
        f"{name}: 1 component(s): component at worst degraded_performance: not an outage, no record: "
        "incidents[3] (p1mv0k9d2x3z) Webmail"
    ) in notes
    (bad,) = [i for i in case.outages if i.problem is not None]
    assert bad.where == f"{name}: incidents[0].incident_updates[0].affected_components[0]"
    assert bad.problem == "status 'down' is not a component status"
    # a maintenance listed among the incidents (impact maintenance) is a notice
    (notice,) = case.notices
    assert notice.data == {
        "id": "t9mnt4k2p8ww@b13yz5g2cw10",
        "service": "Mail sending (SMTP)",
        "start": "2026-09-26T01:00:00.000+09:00",
        "end": "2026-09-26T03:00:00.000+09:00",
        "announced_at": "2026-09-01T10:00:00.000+09:00",
        "channel": "website",
    }


def test_statuspage_a_bad_update_is_named_by_its_place_in_the_export() -> None:
    change = {"code": "c1", "name": "Mail", "old_status": "operational", "new_status": "broken"}
    updates = [  # Statuspage lists the newest first
        {"status": "resolved", "created_at": "2026-09-03T11:00:00Z", "affected_components": []},
        {
            "status": "investigating",
            "created_at": "2026-09-03T10:05:00Z",
            "affected_components": [change],
        },
    ]
    incident = {
        "id": "i",
        "impact": "major",
        "started_at": "2026-09-03T10:00:00Z",
        "incident_updates": updates,
    }
    case, _ = statuspage.statuspage_case({"incidents": [incident]}, "x.json")
    (item,) = case.outages
    assert item.where == "x.json: incidents[0].incident_updates[1].affected_components[0]"
    assert item.problem == "status 'broken' is not a component status"


def test_statuspage_scheduled_maintenances_are_notices_per_component() -> None:
    case, _ = import_file(str(MAINTENANCES), "statuspage")
    good = [i.data for i in case.notices if i.problem is None]
    assert [(n["id"], n["service"]) for n in good] == [
        ("m7upg2db5x0q@b13yz5g2cw10", "Mail sending (SMTP)"),
        ("m7upg2db5x0q@fg6y2nbr0l8f", "Webmail"),
    ]
    assert all(n["announced_at"] == "2026-09-20T18:00:00+09:00" for n in good)
    (bad,) = [i for i in case.notices if i.problem is not None]
    assert bad.where.endswith("scheduled_maintenances[1]")


def test_statuspage_adjudicated_with_its_maintenance(tmp_path: Path) -> None:
    summary = json.loads(INCIDENTS.read_text(encoding="utf-8"))
    summary["incidents"] = [i for i in summary["incidents"] if i["id"] != "s3bad7status"]
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary), encoding="utf-8")
    code, out, err = run(
        ["adjudicate", GCP_STYLE, path, "--from", "statuspage", "--format", "json"]
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["counts"]["notices"] == 1 and doc["counts"]["read"] == 2
    counted = {o["id"]: o["counted_seconds"] for o in doc["outages"]}
    assert counted == {"p1mv0k9d2x3z@b13yz5g2cw10": 7802, "r5tx1h7j9m2e@k7qpx3m5rr0d": 3030}


def test_statuspage_incidents_and_maintenances(tmp_path: Path) -> None:
    incidents = {
        "incidents": [
            {
                "id": "inc1",
                "name": "Mail delays",
                "created_at": "2026-09-03T01:00:00Z",
                "started_at": "2026-09-03T01:00:00Z",
                "resolved_at": "2026-09-03T02:00:00Z",
                "impact": "major",
                "components": [{"id": "c1", "name": "CYBERMAIL Σ"}],
            }
        ]
    }
    inc = tmp_path / "incidents.json"
    inc.write_text(json.dumps(incidents, ensure_ascii=False), encoding="utf-8")
    case, _ = import_file(str(inc), "statuspage")
    assert case.outages[0].data == {
        "id": "inc1@c1",
        "service": "CYBERMAIL Σ",
        "start": "2026-09-03T01:00:00Z",
        "end": "2026-09-03T02:00:00Z",
        "impact": "outage",
        "severity": "major",
        "incident_title": "Mail delays",
    }
    code, out, err = run(
        ["adjudicate", "cybermail", inc, "--from", "statuspage", "--format", "json"]
    )
    assert code == 0, err
    (record,) = json.loads(out)["outages"]
    assert record["verdict"] == "counted"  # an hour; facts a status page does not give are unknown


# ------------------------------------------------------------------ Prometheus probe_success

MAIL = 'https://mail.example.jp{job="blackbox-http"}@2026-09-03T'


def _spans(made: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str]]:
    return {k: (v["start"][11:16], v["end"][11:16]) for k, v in made.items()}


def test_probe_runs_with_the_query_step() -> None:
    made = records(PROBES, "prometheus")
    assert _spans(made) == {
        f"{MAIL}00:30:00+00:00": ("00:30", "00:42"),  # to the first successful sample
        f"{MAIL}01:00:00+00:00": ("01:00", "01:01"),  # one failed sample: one step
        f"{MAIL}01:15:00+00:00": ("01:15", "01:20"),  # a gap follows: one step after the last
        f"{MAIL}01:55:00+00:00": ("01:55", "02:00"),  # failing at the end of the range
        'smtp.example.jp:25{job="blackbox-smtp",module="smtp_starttls"}@2026-09-03T00:00:00+00:00': (
            "00:00",
            "00:05",
        ),
    }
    first = made[f"{MAIL}00:30:00+00:00"]
    assert first["service"] == "https://mail.example.jp" and first["protocol"] == "https"
    assert first["detected_by"] == "monitoring" and first["detected_at"] == first["start"]
    assert "protocol" not in made[next(k for k in made if k.startswith("smtp"))]  # host:port


def test_probe_runs_with_the_contract_interval() -> None:
    made = records(PROBES, "prometheus", interval=(600, "every 10 min"))
    spans = _spans(made)
    assert spans[f"{MAIL}01:15:00+00:00"] == ("01:15", "01:28")  # the 8-minute gap is bridged
    assert spans[f"{MAIL}01:55:00+00:00"] == ("01:55", "02:09")  # one interval after the last
    assert spans[f"{MAIL}00:30:00+00:00"] == ("00:30", "00:42")  # samples decide within it
    # a step wider than the contract's interval: a sample stands for the step
    wide = _spans(records(PROBES, "prometheus", interval=(30, "every 30 s"), step=120))
    assert wide[f"{MAIL}01:15:00+00:00"] == ("01:15", "01:21")


def test_probe_notes_name_gaps_and_the_interval_used() -> None:
    _, notes = import_file(str(PROBES), "prometheus")
    name = str(PROBES)
    assert notes[0] == (
        f"{name}: 4 series: 5 failure run(s) became records, 1 target(s) never failed; one "
        "sample stands for at most 1 min (the query's step, the spacing of the samples; the "
        "contract gives no probe interval)"
    )
    assert (
        f"{name}: 1 gap(s): a gap in the samples, longer than the interval: no data, not "
        "downtime: https://mail.example.jp from 2026-09-03T01:20:00+00:00 to "
        "2026-09-03T01:28:00+00:00"
    ) in notes


def test_probe_interval_comes_from_the_contract(tmp_path: Path) -> None:
    every = probe_contract(tmp_path, "10 min")
    code, out, err = run(
        ["adjudicate", every, PROBES, "--from", "prometheus", "--keep-going", "--format", "json"]
    )
    assert code == 1  # the malformed series
    assert (
        "one sample stands for at most 10 min (the contract's downtime 'monitored': probes every 10 min)"
        in err
    )
    assert (
        f"rulebook: {PROBES}: result[3].values[2]: record #1: value '0.5' is not a probe "
        'result; accepted: "0" (failed) or "1" (succeeded): query probe_success itself, not '
        "an average"
    ) in err.splitlines()
    doc = json.loads(out)
    assert doc["counts"]["read"] == doc["counts"]["adjudicated"] + doc["counts"]["rejected"] == 6
    verdicts = {o["id"]: (o["verdict"], o["counted_seconds"]) for o in doc["outages"]}
    assert verdicts[f"{MAIL}01:15:00+00:00"] == ("counted", 13 * 60)  # >= 10 min with the interval
    assert verdicts[f"{MAIL}01:00:00+00:00"] == ("not_downtime", 0)  # a one-minute blip
    # the same samples under a contract without an interval: the stoppage is 5 minutes
    plain = probe_contract(tmp_path)
    code, out, _ = run(
        [
            "compare",
            PROBES,
            "--contract",
            every,
            "--contract",
            plain,
            "--from",
            "prometheus",
            "--keep-going",
            "--format",
            "json",
        ]
    )
    rows = {o["id"]: o["verdicts"] for o in json.loads(out)["outages"]}
    assert rows[f"{MAIL}01:15:00+00:00"] == {
        "probe-demo10min": "counted",
        "probe-demo": "not_downtime",
    }


def _probe_doc(*series: dict[str, Any]) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": "matrix", "result": list(series)}}


T = 1788393600  # 2026-09-03T00:00:00Z
GOOD = {
    "metric": {"instance": "https://a.example"},
    "values": [[T, "1"], [T + 60, "0"], [T + 120, "1"]],
}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([1], "not a Prometheus API response; accepted: the JSON of /api/v1/query_range"),
        (
            {"status": "error", "errorType": "bad_data", "error": "parse error"},
            "the query did not succeed (status 'error'; bad_data: parse error)",
        ),
        (
            {"status": "success", "data": {"resultType": "vector", "result": []}},
            "data.resultType is 'vector' (an instant query: use /api/v1/query_range); accepted: 'matrix'",
        ),
    ],
)
def test_probe_a_file_that_is_not_a_range_query_is_refused(
    tmp_path: Path, doc: Any, message: str
) -> None:
    path = tmp_path / "q.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, err = run(["adjudicate", GCP_STYLE, path, "--from", "prometheus"])
    assert code == 1 and out == "" and f"rulebook: {path}: {message}" in err


@pytest.mark.parametrize(
    ("series", "where", "problem"),
    [
        ([5], "result[0]", "is not a series"),
        ([{"metric": {"instance": "a"}}], "result[0].values", "is missing"),
        (
            [{"metric": {"__name__": "up", "instance": "a"}, "values": []}],
            "result[0].metric",
            "is the metric 'up', not probe_success",
        ),
        (
            [{"metric": {"instance": 5}, "values": []}],
            "result[0].metric",
            "is not an object of labels",
        ),
        (
            [GOOD | {"values": [[T, "1"], [True, "0"]]}],
            "result[0].values[1]",
            "timestamp true is not a time",
        ),
        ([GOOD | {"values": [[T, "1"], [1e300, "0"]]}], "result[0].values[1]", "timestamp 1e+300"),
        (
            [GOOD | {"values": [[T, "1"], [T + 60]]}],
            "result[0].values[1]",
            "is not a [timestamp, value] pair",
        ),
        (
            [GOOD | {"values": [[T, "NaN"]]}],
            "result[0].values[0]",
            "value 'NaN' is not a probe result",
        ),
        (
            [GOOD | {"values": [[T, "1"], [T + 0.5, "0"]]}],
            "result[0].values[1]",
            "is a second sample at 2026-09-03T00:00:00+00:00",
        ),
        ([GOOD, GOOD], "result[1].metric", "has the same labels as result[0]"),
        (
            [GOOD | {"metric": {"env": "prod"}}],
            "result[0].metric",
            "has neither an 'instance' nor a 'job' label",
        ),
    ],
)
def test_probe_a_bad_series_is_named_and_the_others_kept(
    tmp_path: Path, series: list[Any], where: str, problem: str
) -> None:
    other = {"metric": {"instance": "https://b.example"}, "values": [[T, "0"], [T + 60, "1"]]}
    path = tmp_path / "q.json"
    path.write_text(json.dumps(_probe_doc(*series, other)), encoding="utf-8")
    case, _ = import_file(str(path), "prometheus")
    bad = [i for i in case.outages if i.problem is not None]
    assert [i.where for i in bad] == [f"{path}: {where}"] and problem in str(bad[0].problem)
    assert any(i.data.get("service") == "https://b.example" for i in case.outages)


def test_probe_a_fraction_of_a_second_and_a_missing_step(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    path.write_text(
        json.dumps(_probe_doc({"metric": {"job": "icmp"}, "values": [[T + 0.25, "0"]]})), "utf-8"
    )
    code, _, err = run(["adjudicate", GCP_STYLE, path, "--from", "prometheus"])
    assert (
        code == 1
        and "no series has two samples, so the query's step is not known; give it with --step"
        in err
    )
    code, out, err = run(
        ["adjudicate", GCP_STYLE, path, "--from", "prometheus", "--step", "5m", "--format", "json"]
    )
    assert code == 0, err
    (record,) = json.loads(out)["outages"]
    assert (record["id"], record["start"], record["end"]) == (
        "icmp@2026-09-03T00:00:00+00:00",
        "2026-09-03T00:00:00+00:00",
        "2026-09-03T00:05:00+00:00",
    )
    assert "timestamps with a fraction of a second: read at the whole second: icmp" in err


@pytest.mark.parametrize(
    ("step", "accepted"),
    [
        ("1000000000w", "from one second to a day (86,400 s)"),
        ("99999999999999999999999999999d", "seconds (60) or 30s, 5m, 1h30m"),
        ("1h1h1h", "seconds (60) or 30s, 5m, 1h30m: each unit once, the larger first"),
    ],
)
def test_probe_a_huge_or_repeated_step_is_refused(tmp_path: Path, step: str, accepted: str) -> None:
    """Issue 26: a step stands for how long one failed sample counts; it is bounded (a day),
    where it once made a record reaching the year 3126."""
    path = tmp_path / "q.json"
    path.write_text(
        json.dumps(_probe_doc({"metric": {"job": "icmp"}, "values": [[T, "1"], [T + 60, "0"]]})),
        "utf-8",
    )
    code, out, err = run(["adjudicate", GCP_STYLE, path, "--from", "prometheus", "--step", step])
    assert code == 2 and out == ""
    assert f"is not a step; accepted: {accepted}" in err


@pytest.mark.parametrize(
    ("text", "seconds"), [("60", 60), ("30s", 30), ("5m", 300), ("1h30m", 5400), ("1d", 86400)]
)
def test_probe_step_forms(text: str, seconds: int) -> None:
    assert parse_step(text) == seconds


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "prometheus", "--step", "soon"],
            "'soon' is not a step; accepted: seconds (60) or 30s, 5m, 1h30m",
        ),
        (["--from", "prometheus", "--step", "0s"], "from one second to a day"),
        (["--from", "gcp-status", "--step", "60"], "--step is for --from prometheus"),
        (
            ["--from", "prometheus", "--engine", "spark"],
            "--from is not supported with --engine spark",
        ),
    ],
)
def test_probe_option_mistakes_are_usage_errors(args: list[str], message: str) -> None:
    code, _, err = run(["adjudicate", GCP_STYLE, PROBES, *args])
    assert code == 2 and message in err
