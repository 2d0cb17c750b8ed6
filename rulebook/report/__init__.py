"""The report: an adjudication as a document a person can send — the table, Markdown and
JSON writers (:mod:`.writers`), the HTML page with a timeline, zoom strips and a budget
burn-down (:mod:`.html`, :mod:`.timeline`, :mod:`.burndown`), the same page printed to
PDF (:mod:`.pdf`), CSV for spreadsheets (:mod:`.spreadsheet`), a packet a third party
can verify (:mod:`.packet`) — built from the JSON document of either evaluator
(:mod:`.view` gathers what a page shows, :mod:`.claim` what a claim needs).

Layer: report. It may import the JSON document and everything below it (the engine's words
for verdicts, billing entries); never the command line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rulebook import model as m
from rulebook.report.view import Reportable, build


def render_report(
    result: Reportable,
    contract: m.Contract,
    lang: str = "en",
    counts: Sequence[int] = (),
    period: str | None = None,
    provenance: Mapping[str, Any] | None = None,
) -> str:
    """The HTML report of ``result`` (either evaluator) under ``contract``; ``counts`` are
    the input's (read, adjudicated, rejected, fallback) when known; ``provenance`` is
    :func:`rulebook.document.provenance.provenance`'s block, shown on the first page.
    Each record's reasons are the record engine's (the explainer), run on the whole input
    when ``result`` is the columnar plan's."""
    from rulebook.report.claim import build_claim
    from rulebook.report.html import render_html
    from rulebook.report.writers import COUNT_KEYS, filtered

    data = filtered(result.to_dict(reasons=False, records=True), period)
    data["counts"].update(dict(zip(COUNT_KEYS, counts, strict=False)))
    report = build(result, data, lang, contract.get("provider"))
    claim = build_claim(report, result.billing(), _reasons(result), contract)
    return render_html(report, claim, provenance)


def render_pdf(html: str) -> bytes:
    """The report's HTML page printed to PDF (A4) by WeasyPrint, with its print styles."""
    from rulebook.report.pdf import to_pdf

    return to_pdf(html)


def _reasons(result: Reportable) -> dict[str, dict[str, Any]]:
    """Every record with its reasons, by id, from the record engine."""
    from rulebook.document.frames import FrameAdjudication

    engine = result.explained_all() if isinstance(result, FrameAdjudication) else result
    return {r["id"]: r for r in engine.to_dict(reasons=True, records=True)["outages"]}


def render_csv(
    result: Reportable,
    lang: str,
    counts: Sequence[int],
    period: str | None,
    tables: Sequence[str],
    bom: bool = False,
) -> dict[str, str]:
    """The CSV text of each of ``tables`` (``records``, ``periods``), by table."""
    from rulebook.report.spreadsheet import (
        PERIOD_FIELDS,
        RECORD_FIELDS,
        period_rows,
        record_rows,
        to_csv,
    )
    from rulebook.report.writers import filtered

    del counts  # the CSV files are tables only; the counts line goes to stderr
    data = filtered(result.to_dict(reasons=False, records=True), period)
    out = {}
    for table in tables:
        if table == "records":
            out[table] = to_csv(record_rows(data), RECORD_FIELDS, bom)
        else:
            out[table] = to_csv(period_rows(data, result.billing(), lang), PERIOD_FIELDS, bom)
    return out
