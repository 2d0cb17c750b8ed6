"""The report as one self-contained HTML file: Jinja2 templates shipped in the package,
styles and the one small script inline, no fonts or images fetched, a timeline per period
drawn as inline SVG. The same inputs give the same bytes (no time of generation).
"""

from __future__ import annotations

import jinja2

from rulebook.report.timeline import MIN_BAR, STRIP, STRIP_HEIGHT, strip, timeline
from rulebook.report.view import Report, duration, hms, local, money, word
from rulebook.report.writers import counts_line
from rulebook.text import Words


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
    env.globals["money"] = money
    return env


def render_html(report: Report) -> str:
    """The report's HTML page."""
    template = environment().get_template("report.html.j2")
    lang = report.lang

    def w(key: str) -> str:
        return word(key, lang)

    return (
        template.render(
            r=report,
            w=w,
            lang=lang,
            timelines=[timeline(report, p) for p in report.periods],
            durations={o["id"]: duration(o) for o in report.records},
            counts=counts_line(_counts(report), lang),
            widened_note=WIDENED.get(lang),
            strip=lambda record: strip(report, record),
            strip_width=STRIP,
            strip_height=STRIP_HEIGHT,
        )
        + "\n"
    )


WIDENED = Words(
    f"too short to see at the month's scale: drawn {MIN_BAR:g} px wide, its parts in proportion",
    f"月の縮尺では見えない短さのため {MIN_BAR:g} px で表示（内訳の比率はそのまま）",
)


def _counts(report: Report) -> list[int]:
    c = report.counts
    return [
        c.get("read", c["outages"]),
        c.get("adjudicated", c["outages"]),
        c.get("rejected", 0),
        c.get("fallback", 0),
    ]
