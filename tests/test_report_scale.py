"""The report at real size: Google Cloud's status export at the size of the shared one (a
year, 157 incidents, about 1,600 records once mapped; here the real export of
tests/fixtures, its 32 incidents repeated 5 times a fortnight apart under new ids: 160
incidents, every field as Google publishes it) mapped onto aoulu-cloud. Its body prints in
at most 20 pages, the page never scrolls sideways in Chromium, the out-of-scope records
are summarised by service (listed in the appendix only), records of one incident share
rows, and long ids are shortened with a footnote."""

from __future__ import annotations

import datetime as dt
import html as html_text
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
REAL_GCP = ROOT / "tests" / "fixtures" / "gcp-status-incidents-trimmed.json"
COPIES = 5
PROJECT = """contract = "aoulu-cloud"

[[services]]
log = "Google Cloud Networking"
to = ["AOULU 販売", "AOULU 電子便"]

[[services]]
log = "Google Compute Engine"
to = ["AOULU 販売"]

[[services]]
log = "Hybrid Connectivity"
to = ["AOULU 電子便"]
"""
INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?\+00:00")


def thousand_incidents(folder: Path) -> Path:
    """The real export's incidents, each repeated COPIES times, 14 days apart, ids
    suffixed: every field as Google publishes it, only the instants moved."""
    incidents = json.loads(REAL_GCP.read_text(encoding="utf-8"))
    out = []
    for k in range(COPIES):
        shift = dt.timedelta(days=14 * k)
        for incident in incidents:
            text = INSTANT.sub(
                lambda m, s=shift: (dt.datetime.fromisoformat(m[0]) + s).isoformat(),  # type: ignore[misc]
                json.dumps(incident, ensure_ascii=False),
            )
            copy = json.loads(text)
            copy["id"] = f"{incident['id']}{k:02d}"
            out.append(copy)
    path = folder / "incidents.json"
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("scale")
    export = thousand_incidents(folder)
    (folder / "rulebook.toml").write_text(PROJECT, encoding="utf-8")
    config = ["--config", str(folder / "rulebook.toml"), "--from", "gcp-status"]
    html = folder / "r.html"
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": "1791158400"})
    result = runner.invoke(
        main, ["report", str(export), *config, "--format", "html", "-o", str(html)]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["adjudicate", str(export), *config, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {
        "html": html,
        "document": json.loads(result.stdout),
        "incidents": len(json.loads(export.read_text("utf-8"))),
    }


def test_a_thousand_incidents_print_in_twenty_pages_of_body(big: dict[str, Any]) -> None:
    import weasyprint

    assert big["incidents"] == 32 * COPIES
    html = big["html"].read_text(encoding="utf-8")
    # The body is what comes before the appendix (which starts a page of its own).
    body = weasyprint.CSS(string="section.appendix { display: none }")
    pages = weasyprint.HTML(string=html).render(stylesheets=[body]).pages
    assert 3 <= len(pages) <= 20, len(pages)


def test_out_of_scope_records_are_summarised_not_listed(big: dict[str, Any]) -> None:
    html = big["html"].read_text(encoding="utf-8")
    outside = [o for o in big["document"]["outages"] if o["verdict"] == "out_of_scope"]
    assert len(outside) > 200
    services = {o["service"] for o in outside}
    summary = re.search(r'<p class="oos">(.*?)</p>', html, re.S)
    assert summary is not None
    for service in services:
        count = sum(1 for o in outside if o["service"] == service)
        assert f"{service} <strong>{count}</strong>" in summary[1].replace("&amp;", "&")
    # not one of them has a row of the records table; the appendix lists them all
    rows = re.findall(r'<tr id="r-([^"]+)" class="group" data-records="(\d+)"', html)
    ids = {o["id"] for o in outside}
    assert not any(rid in ids for rid, _ in rows)
    listed = re.search(r'<details class="oos-list".*?</details>', html, re.S)
    assert listed is not None and listed[0].count("<li>") == len(outside)
    # the records of one incident share rows: far fewer rows than records
    inside = len(big["document"]["outages"]) - len(outside)
    assert sum(int(n) for _, n in rows) == inside
    assert len(rows) < inside / 3


def test_long_ids_are_shortened_with_a_footnote(big: dict[str, Any]) -> None:
    html = big["html"].read_text(encoding="utf-8")
    shortened = re.findall(
        r'<code title="([^"]+)">([^<]+)</code><sup class="fn"><a href="#id(\d+)">', html
    )
    assert shortened
    for full, short, note in shortened:
        assert len(short) == 22 and "…" in short and len(full) > 22
        assert f'<li id="id{note}"><code>{full}</code></li>' in html


def test_the_page_never_scrolls_sideways(big: dict[str, Any], page: Any) -> None:
    for width in (1280, 900):
        page.open(big["html"].as_uri(), width=width)
        # every "Why, in full" and the appendix's lists opened, as a reader would
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        overflow = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth,"
            " [...document.querySelectorAll('main *')].filter(e =>"
            " e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
            ".slice(0, 3).map(e => e.tagName + '.' + e.className)]"
        )
        scroll, client, wide = overflow
        assert scroll <= client, (width, scroll, client, wide)
        assert wide == [], (width, wide)
    assert page.errors() == []


@pytest.fixture(scope="module")
def page() -> Any:
    from tests.browser import Page, chromium

    executable = chromium()
    if executable is None:
        pytest.skip("chromium is not installed (apt-get install chromium): browser tests skipped")
    pytest.importorskip("websocket", reason="websocket-client is not installed (the test extra)")
    browser = Page(executable)
    yield browser
    browser.close()


# ------------------------------------------------------------------ a thousand records


def a_year_of_outages(folder: Path, n: int = 1000, timed: bool = False) -> tuple[Path, Path]:
    """``n`` outage records over 2026 on cybermail's services (a fifth on a service it
    does not cover), and maintenance notices for most of the planned ones: causes,
    lengths, detection, functions and chains of related records drawn from a seeded
    generator, so the same every run. Nearly every month of both services falls short.
    ``timed``: every record is long enough to count, seen by the monitoring, on a function
    it watches (so each in scope has counted or excluded time)."""
    rnd = random.Random(27)
    head = "id,service,start,end,cause,detected_by,protocol,features,caused_by,self_resolved"
    rows, notices = [head + ",location"], ["id,service,start,end,announced_at,channel,emergency"]
    causes = ["provider_fault"] * 6 + ["external_dns", "attack", "access_line"]
    causes.append("planned_maintenance")
    services = ["CYBERMAIL Σ", "CYBERMAIL Σ", "MAILGATES Σ", "MAILGATES Σ", "個別対応サービス"]
    year, previous = 365 * 86400 - 7200, ""
    for i in range(1, n + 1):
        at = dt.datetime(2026, 1, 1) + dt.timedelta(
            seconds=int(year * (i - 0.5) / n) + rnd.randrange(-3000, 3000)
        )
        minutes = rnd.choice([1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 15, 18, 25, 40])
        end = at + dt.timedelta(minutes=minutes, seconds=rnd.choice([0, 30]))
        cause, service = rnd.choice(causes), rnd.choice(services)
        detected = "monitoring" if rnd.random() < 0.9 else "customer"
        protocol, features = rnd.choice(
            [("smtp", "mail_sending"), ("https", "web_access"), ("imap", "imap")]
        )
        if timed:
            minutes, detected = max(minutes, 11), "monitoring"
            end = at + dt.timedelta(minutes=minutes, seconds=30)
            if features == "imap":
                protocol, features = "https", "web_access"
        caused_by = ""
        if previous and rnd.random() < 0.05:
            caused_by, cause = previous, ""
        rid = f"y-{i:04d}"
        rows.append(
            f"{rid},{service},{at:%Y-%m-%dT%H:%M:%S},{end:%Y-%m-%dT%H:%M:%S},{cause},"
            f"{detected},{protocol},{features},{caused_by},,JP"
        )
        if cause == "planned_maintenance" and rnd.random() < 0.7:
            opens = at - dt.timedelta(minutes=30)
            notices.append(
                f"mn-{i:04d},*,{opens:%Y-%m-%dT%H:%M:%S},"
                f"{opens + dt.timedelta(hours=2):%Y-%m-%dT%H:%M:%S},"
                f"{opens - dt.timedelta(days=10):%Y-%m-%dT%H:%M:%S},email,false"
            )
        previous = rid
    log, notes = folder / "year.csv", folder / "notices.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    notes.write_text("\n".join(notices) + "\n", encoding="utf-8")
    return log, notes


@pytest.mark.parametrize("timed", [False, True], ids=["mostly-short", "all-timed"])
def test_a_thousand_outage_records_print_in_twenty_pages_of_body(
    tmp_path: Path, timed: bool
) -> None:
    import weasyprint

    log, notices = a_year_of_outages(tmp_path, timed=timed)
    billing = str(ROOT / "examples" / "cybermail-billing.jsonl")
    inputs = [str(log), "--notices", str(notices), "--billing", billing]
    html = tmp_path / "r.html"
    runner = CliRunner(env={"SOURCE_DATE_EPOCH": "1791158400"})
    args = ["report", "cybermail", *inputs, "--lang", "ja", "--format", "html", "-o", str(html)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["adjudicate", "cybermail", *inputs, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert len(document["outages"]) == 1000
    periods = document["periods"]
    assert len(periods) == 24 and sum(1 for p in periods if p["remedy"]) >= 12
    page = html.read_text(encoding="utf-8")
    # The body, as for the export above: what comes before the appendix.
    body = weasyprint.CSS(string="section.appendix { display: none }")
    laid = weasyprint.HTML(string=page).render(stylesheets=[body])
    assert 3 <= len(laid.pages) <= 20, len(laid.pages)
    # Nothing the claim needs is left out of the body: every period's shortfall, remedy
    # and last day to claim, every record with counted or excluded time, its reason.
    text = _text(laid)
    flat = re.sub(r"\s", "", text)
    summary = re.search(r'<table class="grid claim">.*?</table>', page, re.S)
    assert summary is not None
    for cells in re.findall(r"<tr class=\"[a-z]*\">(.*?)</tr>", summary[0]):
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells):
            words = re.sub(r"\s", "", html_text.unescape(re.sub(r"<[^>]+>", "", cell)))
            assert words in flat, words
    with_time = [
        o
        for o in document["outages"]
        if (o["counted_seconds"] or o["excluded_seconds"]) and o["verdict"] != "out_of_scope"
    ]
    if not timed:  # each with its row in the body
        assert 150 < len(with_time) <= 250
        for o in with_time:
            row = re.search(rf'<tr id="r-{o["id"]}" class="group".*?</tr>', page, re.S)
            assert row is not None and o["id"] in text, o["id"]
    else:  # summed by deciding clause in the body, each with its row in the appendix
        assert len(with_time) > 600
        listed = page[page.index('<section class="appendix records-list"') :]
        for o in with_time:
            assert f'<tr id="r-{o["id"]}" class="group"' in listed, o["id"]
        summary = re.search(r'<table class="grid timed-summary">.*?</table>', page, re.S)
        assert summary is not None
        cells = re.findall(
            r'<tr><td>[^<]*</td><td class="num">\d+</td><td class="num">(\d+)</td>'
            r'<td class="num">([\d:]+)</td><td class="num">([\d:]+)</td></tr>',
            summary[0],
        )
        assert sum(int(n) for n, _, _ in cells) == len(with_time)
        assert sum(_seconds(c) for _, c, _ in cells) == sum(o["counted_seconds"] for o in with_time)
        assert "records-list" not in text  # the body ends before the appendix
        for row in re.findall(r"<tr><td>([^<]*)</td>", summary[0]):
            assert re.sub(r"\s", "", html_text.unescape(row)) in flat
    # one row a record, none split over two pages; the screen keeps its zoom strips
    rows: dict[int, set[int]] = {}
    for number, laid_page in enumerate(laid.pages):
        for box in _boxes(laid_page):
            if getattr(box, "element_tag", None) != "tr":
                continue
            if not all(cell.tag == "th" for cell in box.element):  # a head row repeats
                rows.setdefault(id(box.element), set()).add(number)
    assert [p for p in rows.values() if len(p) > 1] == []
    assert page.count('<svg class="zoom"') > 100


def _seconds(hms: str) -> int:
    h, m, s = hms.split(":")
    return int(h) * 3600 + int(m) * 60 + int(s)


def _boxes(page: Any) -> list[Any]:
    out, stack = [], [page._page_box]
    while stack:
        box = stack.pop()
        out.append(box)
        stack.extend(getattr(box, "children", None) or [])
    return out


def _text(document: Any) -> str:
    """The text WeasyPrint laid out on the pages, in the order laid out."""
    out: list[str] = []

    def walk(box: Any) -> None:
        if hasattr(box, "text"):
            out.append(box.text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return "\n".join(out)
