"""The report at real size: Google Cloud's status export at the size of the shared one (a
year, 157 incidents, about 1,600 records once mapped; here the real export of
tests/fixtures, its 32 incidents repeated 5 times a fortnight apart under new ids: 160
incidents, every field as Google publishes it) mapped onto aoulu-cloud. Its body prints in
at most 20 pages, the page never scrolls sideways in Chromium, the out-of-scope records
are summarised by service (listed in the appendix only), records of one incident share
rows, and long ids are shortened with a footnote."""

from __future__ import annotations

import datetime as dt
import json
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
