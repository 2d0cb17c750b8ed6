"""The report as one self-contained HTML file: Jinja2 templates shipped in the package,
styles and the one small script inline, no fonts or images fetched, a timeline, zoom
strips and a budget burn-down per period drawn as inline SVG (read without the script).
One template serves the screen and print (:mod:`.pdf` renders it with its print styles).
The same inputs give the same bytes: the time of generation is in the provenance only,
and ``SOURCE_DATE_EPOCH`` fixes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from rulebook.report.burndown import burn_down
from rulebook.report.claim import SCALE_ROWS, SHOWN_REASONS, WORDS, Claim, clip, short_id
from rulebook.report.timeline import LEFT, RIGHT, STRIP, STRIP_HEIGHT, strip, timeline, zooms
from rulebook.report.view import Report, duration, hms, local, money, word
from rulebook.report.writers import counts_line


def environment() -> jinja2.Environment:
    """The templates of ``rulebook/report/templates``, HTML-escaped, whitespace trimmed."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rulebook.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["hms"] = hms
    env.filters["local"] = local
    env.filters["short"] = short_id
    env.filters["clip"] = clip
    env.globals["money"] = money
    env.globals["paint"] = paint
    return env


#: Each drawn kind's colours as SVG presentation attributes: WeasyPrint's SVG renderer
#: reads attributes, not the page's style sheet (on screen the style sheet, which wins
#: over attributes, says the same).
PAINT = {
    "counted": 'fill="#a3141c" stroke="#222" stroke-width="0.6"',
    "excluded": 'fill="#7aa6d8" stroke="#222" stroke-width="0.6"',
    "not_downtime": 'fill="#ffffff" stroke="#222" stroke-width="0.6"',
    "out_of_scope": 'fill="#e4e4e8" stroke="#222" stroke-width="0.6"',
    "band window": 'fill="#fdf3c4" stroke="#b08d12" stroke-width="0.8"',
    "band window-not": 'fill="#f4f4f6" stroke="#888" stroke-width="0.8" stroke-dasharray="3 2"',
    "tick": 'stroke="#ececf0" stroke-width="0.7"',
    "tick month": 'stroke="#333" stroke-width="1.4"',
    "ticklabel": 'fill="#5b5b66" font-size="10"',
    "barlabel": 'fill="#5b5b66" font-size="9.5"',
    "rowlabel": 'fill="#1d1d1f" font-size="11" font-family="monospace"',
    "notice": 'fill="#7a5200" font-size="9"',
    "marker": 'fill="#f0a400" stroke="#7a5200" stroke-width="0.6"',
    "zero": 'stroke="#333" stroke-width="0.8" stroke-dasharray="4 3"',
    "budget-line": 'fill="none" stroke="#1f5fa8" stroke-width="1.6"',
    "budget-line over": 'fill="none" stroke="#a3141c" stroke-width="1.6"',
}


def paint(kind: str) -> Markup:
    """The presentation attributes of a drawn kind (:data:`PAINT`)."""
    return Markup(PAINT.get(kind, ""))


def render_html(report: Report, claim: Claim, provenance: Mapping[str, Any] | None = None) -> str:
    """The report's HTML page."""
    template = environment().get_template("report.html.j2")
    lang = report.lang

    def w(key: str) -> str:
        return WORDS[key].get(lang) if key in WORDS else word(key, lang)

    footnotes = {rid: i for i, rid in enumerate(claim.long_ids, 1)}
    return (
        template.render(
            r=report,
            c=claim,
            prov=provenance,
            w=w,
            lang=lang,
            timelines=[timeline(report, p) for p in report.periods],
            zooms=[zooms(report, p) for p in report.periods],
            burns=[burn_down(p) for p in report.periods],
            durations={o["id"]: duration(o) for o in report.records},
            counts=counts_line(_counts(report), lang),
            strip=lambda record: strip(report, record),
            strip_width=STRIP,
            strip_height=STRIP_HEIGHT,
            footnotes=footnotes,
            paged=len(report.periods) <= PAGED_PERIODS,
            shown_reasons=SHOWN_REASONS,
            scale_rows=SCALE_ROWS,
            scale_left=LEFT,
            scale_right=RIGHT,
        )
        + "\n"
    )


#: Up to this many periods, each starts a printed page; more are packed (a year of two
#: services would otherwise print two dozen pages of cards).
PAGED_PERIODS = 6


def _counts(report: Report) -> list[int]:
    c = report.counts
    return [
        c.get("read", c["outages"]),
        c.get("adjudicated", c["outages"]),
        c.get("rejected", 0),
        c.get("fallback", 0),
    ]
