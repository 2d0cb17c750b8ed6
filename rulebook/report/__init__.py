"""The report: an adjudication as a document a person can send — the table, Markdown and
JSON writers (:mod:`.writers`), the HTML page with a timeline (:mod:`.html`,
:mod:`.timeline`), CSV for spreadsheets (:mod:`.spreadsheet`) — built from the JSON
document of either evaluator (:mod:`.view` gathers what a page shows).

Layer: report. It may import the JSON document and everything below it (the engine's words
for verdicts, billing entries); never the command line.
"""

from __future__ import annotations

from collections.abc import Sequence

from rulebook import model as m
from rulebook.report.view import Reportable, build


def render_report(
    result: Reportable,
    contract: m.Contract,
    lang: str = "en",
    counts: Sequence[int] = (),
    period: str | None = None,
) -> str:
    """The HTML report of ``result`` (either evaluator) under ``contract``; ``counts`` are
    the input's (read, adjudicated, rejected, fallback) when known."""
    from rulebook.report.html import render_html
    from rulebook.report.writers import COUNT_KEYS, filtered

    data = filtered(result.to_dict(reasons=False, records=True), period)
    data["counts"].update(dict(zip(COUNT_KEYS, counts, strict=False)))
    return render_html(build(result, data, lang, contract.get("provider")))


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
