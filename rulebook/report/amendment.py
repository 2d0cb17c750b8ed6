"""``rulebook diff``: what an amendment changes, as text, Markdown, JSON or an HTML page in
the report's look — the clauses added, removed and changed (their items and both
citations), and on a log the records, periods and money that change."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import jinja2

from rulebook.amend.clauses import ClauseChange, Version, version_label
from rulebook.amend.effects import Effect
from rulebook.report.writers import markdown_table, project_line, table
from rulebook.text import Words, markdown_text

CHANGES = {
    "added": Words("added", "追加"),
    "removed": Words("removed", "削除"),
    "changed": Words("changed", "変更"),
}
TITLES = {
    "clauses": Words("Clauses", "条項"),
    "records": Words("Records whose verdict or seconds change", "判定・秒数が変わる記録"),
    "periods": Words("Periods whose figures or remedy change", "数値・救済が変わる期間"),
    "money": Words("Money (new minus old)", "金額（新 − 旧）"),
    "none": Words("no change", "変更なし"),
}


def _words(key: str, lang: str) -> str:
    return (TITLES.get(key) or CHANGES[key]).get(lang)


def render_diff(
    old: Version,
    new: Version,
    clauses: Sequence[ClauseChange],
    found: Effect | None,
    fmt: str,
    lang: str,
    project_file: dict[str, Any] | None = None,
) -> str:
    """The diff in one of the formats: ``table`` (text), ``markdown``, ``json``, ``html``;
    with an effect, the project file the log was read with (``project_file``), if any."""
    if fmt == "json":
        payload: dict[str, Any] = {
            "format": 1,
            "old": _version(old),
            "new": _version(new),
            "clauses": [c.to_dict() for c in clauses],
        }
        if found is not None:
            payload["project_file"] = project_file
            payload["effect"] = found.to_dict()
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    project = project_line(project_file, lang) if found is not None else ""
    if fmt == "html":
        return _html(old, new, clauses, found, lang, project)
    md = fmt == "markdown"
    grid = markdown_table if md else table
    head = f"{version_label(old)} → {version_label(new)}"
    parts = [f"# {markdown_text(head)}" if md else head]
    if project:
        parts.append(markdown_text(project) if md else project)
    parts.append(f"## {_words('clauses', lang)}" if md else _words("clauses", lang) + ":")
    if not clauses:
        parts.append(_words("none", lang))
    for c in clauses:
        parts.append(_clause_text(c, lang, md))
    if found is not None:
        for key, headers, rows in _effect_tables(found, lang):
            parts.append(f"## {_words(key, lang)}" if md else _words(key, lang) + ":")
            parts.append(grid(headers, rows) if rows else _words("none", lang))
    return "\n\n".join(parts) + "\n"


def _version(v: Version) -> dict[str, Any]:
    return {"id": v.contract.id, "file": v.path, "title": v.contract.title}


def _cite(label: str, cite: Any) -> str:
    if cite is None:
        return ""
    quotes = " ".join(f"「{q}」" for q in cite.quotes)
    return f"{label}: {cite.article} {quotes}"


def _clause_text(c: ClauseChange, lang: str, md: bool) -> str:
    """A changed clause; in Markdown, its title and citations with no raw HTML (they are
    the contract's text) and its lines in a fence no line of theirs can close."""
    title = f" 「{c.title}」" if c.title else ""
    head = f"{c.kind} {c.clause}{title}: {CHANGES[c.change].get(lang)}"
    lines = [f"### {markdown_text(head)}" if md else f"- {head}"]
    body = [f"- {line}" for line in c.removed] + [f"+ {line}" for line in c.added]
    if body and md:
        fence = "`" * max(3, 1 + max(len(run) for run in _TICKS.findall("".join(body)) or [""]))
        lines += [f"{fence}diff", *body, fence]
    elif body:
        lines += [f"    {b}" for b in body]
    old_cite = _cite("old" if lang == "en" else "旧", c.old_cite)
    new_cite = _cite("new" if lang == "en" else "新", c.new_cite)
    for cite in (old_cite, new_cite) if c.old_cite != c.new_cite else (new_cite or old_cite,):
        if cite:
            lines.append(markdown_text(cite) if md else f"    {cite}")
    return "\n".join(lines)


#: Runs of backticks: a Markdown fence is longer than any run in the lines it holds.
_TICKS = re.compile("`+")


def _effect_tables(found: Effect, lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    ja = lang == "ja"
    rec_head = (
        ["記録", "サービス", "旧 判定", "新 判定", "旧 算入秒", "新 算入秒", "旧 理由", "新 理由"]
        if ja
        else [
            "record",
            "service",
            "old verdict",
            "new verdict",
            "old counted s",
            "new counted s",
            "old: why",
            "new: why",
        ]
    )
    rec_rows = [
        [
            str(r["id"]),
            str(r["service"]),
            str(r["old_verdict"] or "—"),
            str(r["new_verdict"] or "—"),
            _num(r["old_counted_seconds"]),
            _num(r["new_counted_seconds"]),
            r["old_why"] or "—",
            r["new_why"] or "—",
        ]
        for r in found.records.iter_rows(named=True)
    ]
    per_head = (
        ["サービス", "期間", "旧 稼働率", "新 稼働率", "旧 達成", "新 達成", "旧 救済", "新 救済"]
        if ja
        else [
            "service",
            "period",
            "old availability",
            "new availability",
            "old met",
            "new met",
            "old remedy",
            "new remedy",
        ]
    )
    per_rows = [
        [
            str(p["service"]),
            str(p["period"]),
            _pct(p["old_availability"]),
            _pct(p["new_availability"]),
            _met(p["old_met"]),
            _met(p["new_met"]),
            _remedy(p, "old"),
            _remedy(p, "new"),
        ]
        for p in found.periods.iter_rows(named=True)
    ]
    money_head = (
        ["サービス", "通貨", "旧", "新", "差額", "無料月数の差"]
        if ja
        else ["service", "currency", "old", "new", "difference", "free months difference"]
    )
    money_rows = [
        [
            m["service"],
            m["currency"] or "—",
            m["old_amount"],
            m["new_amount"],
            m["difference"],
            f"{m['free_months_difference']:+d}",
        ]
        for m in found.money
    ] + [
        [
            "合計" if ja else "total",
            t["currency"] or "—",
            t["old_amount"],
            t["new_amount"],
            t["difference"],
            f"{t['free_months_difference']:+d}",
        ]
        for t in found.total
    ]
    return [
        ("records", rec_head, rec_rows),
        ("periods", per_head, per_rows),
        ("money", money_head, money_rows if found.money else []),
    ]


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def _met(value: Any) -> str:
    return {True: "met", False: "missed", None: "—"}[value]


def _remedy(p: dict[str, Any], side: str) -> str:
    kind = p[f"{side}_kind"]
    if kind is None:
        return "—"
    if p[f"{side}_amount"] is not None:
        return f"{kind} {p[f'{side}_amount']} {p[f'{side}_currency'] or ''}".strip()
    if p[f"{side}_months"]:
        return f"{kind} {p[f'{side}_months']}"
    return str(kind)


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("rulebook.report", "templates"),
    autoescape=True,
    keep_trailing_newline=True,
)


def _html(
    old: Version,
    new: Version,
    clauses: Sequence[ClauseChange],
    found: Effect | None,
    lang: str,
    project: str,
) -> str:
    template = _ENV.get_template("amendment.html.j2")
    return template.render(
        lang=lang,
        head=f"{version_label(old)} → {version_label(new)}",
        project=project,
        clauses=[
            {
                "heading": f"{c.kind} {c.clause}" + (f" 「{c.title}」" if c.title else ""),
                "change": CHANGES[c.change].get(lang),
                "removed": c.removed,
                "added": c.added,
                "old_cite": _cite("old" if lang == "en" else "旧", c.old_cite),
                "new_cite": _cite("new" if lang == "en" else "新", c.new_cite),
            }
            for c in clauses
        ],
        tables=[
            {"title": _words(key, lang), "headers": headers, "rows": rows}
            for key, headers, rows in (_effect_tables(found, lang) if found else [])
        ],
        words={k: v.get(lang) for k, v in TITLES.items()},
        css=_ENV.loader.get_source(_ENV, "report.css")[0] if _ENV.loader else "",
    )
