"""The service map (``[[services]]``) applied after validation: a record's service renamed,
or the record made one per service (``ID@SERVICE``) with its causes following the copies
and the causal edges rebuilt; notices mapped alike."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs
import polars as pl

from rulebook.intake.records import (
    Notice,
)
from rulebook.project import ServiceRule


def as_text(frame: pl.DataFrame, field: str) -> pl.Expr:
    """A field as text for a service rule's ``when`` (a list joined by U+001F)."""
    dtype = frame.schema[field]
    column = pl.col(field)
    if isinstance(dtype, pl.List):
        return column.list.join("\x1f").alias(field)
    return column.cast(pl.String).alias(field)


def _matches(value: str | None, globs: tuple[str, ...], listed: bool) -> bool:
    if value is None:
        return False  # unknown matches no condition
    values = value.split("\x1f") if listed else [value]
    return any(fnmatch.fnmatchcase(v, g) for v in values for g in globs)


def glob_regex(glob: str, one: str = ".") -> str:
    r"""fnmatch's glob (``*``, ``?``, ``[seq]``, ``[!seq]``) as an anchored regular
    expression polars reads; ``one``: what one character of the glob may be (a listed
    field's items are joined by U+001F, which no item holds).

    >>> glob_regex("X[*]?")
    '^(?s:X[\\*].)$'
    """
    out = []
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        i += 1
        if c == "*":
            out.append(f"{one}*")
        elif c == "?":
            out.append(one)
        elif c == "[":
            j = i
            if j < n and glob[j] == "!":
                j += 1
            if j < n and glob[j] == "]":
                j += 1
            while j < n and glob[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape("["))
                continue
            stuff, i = glob[i:j], j + 1
            negate = stuff.startswith("!")
            if negate:
                stuff = stuff[1:]
            items = []
            k = 0
            while k < len(stuff):
                if k + 2 < len(stuff) and stuff[k + 1] == "-":
                    lo, hi = stuff[k], stuff[k + 2]
                    if lo <= hi:
                        items.append(re.escape(lo) + "-" + re.escape(hi))
                    k += 3
                else:
                    items.append(re.escape(stuff[k]))
                    k += 1
            if not items:
                out.append("[^\\s\\S]" if not negate else one)
            else:
                extra = "\x1f" if negate and one != "." else ""
                out.append("[" + ("^" if negate else "") + "".join(items) + extra + "]")
        else:
            out.append(re.escape(c))
    return "^(?s:" + "".join(out) + ")$"


def first_targets(
    rules: list[ServiceRule], combos: pl.DataFrame, listed: set[str]
) -> list[list[str] | None]:
    """:func:`service_targets` of every row of ``combos`` (a service and the ``when``
    fields as text), a rule at a time over the whole column: the cost is rules × distinct
    rows in polars, not a Python call per row and rule."""
    if combos.height == 0:
        return []

    def matched(field: str, globs: tuple[str, ...]) -> pl.Expr:
        if field in listed:
            parts = [glob_regex(g, "[^\x1f]")[1:-1] for g in globs]
            pattern = "(?:^|\x1f)(?:" + "|".join(parts) + ")(?:\x1f|$)"
        else:
            pattern = "|".join(glob_regex(g) for g in globs)
        return pl.col(field).str.contains(pattern).fill_null(False)

    firsts = []
    for i, rule in enumerate(rules):
        condition = matched("service", rule.log)
        for field, globs in rule.when:
            condition = condition & (
                matched(field, globs) if field in combos.columns else pl.lit(False)
            )
        firsts.append(pl.when(condition).then(pl.lit(i)))
    found = combos.select(pl.coalesce(firsts).alias("rule"))["rule"].to_list()
    return [None if i is None else list(rules[i].to) for i in found]


def service_targets(
    rules: Iterable[ServiceRule], row: dict[str, Any], listed: set[str]
) -> list[str] | None:
    """The services of the first rule a record (its service and ``when`` fields) matches."""
    for rule in rules:
        if not rule.matches(row["service"]):
            continue
        if all(_matches(row.get(field), globs, field in listed) for field, globs in rule.when):
            return list(rule.to)
    return None


def mapped_notices(rules: Iterable[ServiceRule], notices: Iterable[Notice]) -> Iterator[Notice]:
    """Notices mapped by the rules without ``when`` (a notice has no facts); ``*`` stays."""
    plain = [r for r in rules if not r.when]
    for notice in notices:
        rule = next(
            (r for r in plain if notice.service != "*" and r.matches(notice.service)),
            None,
        )
        if rule is None:
            yield notice
        elif len(rule.to) == 1:
            yield attrs.evolve(notice, service=rule.to[0])
        else:
            for service in rule.to:
                yield attrs.evolve(notice, id=f"{notice.id}@{service}", service=service)


def follow_causes(frame: pl.DataFrame, copies: dict[str, list[tuple[str, str]]]) -> pl.DataFrame:
    """Causes that were copied named by their copy of the same service, else by every copy."""
    if frame["caused_by"].null_count() == frame.height:
        return frame
    names = list(copies)
    touched = frame.select(
        pl.col("caused_by").list.eval(pl.element().is_in(names)).list.any().fill_null(False)
    ).to_series()
    if not touched.any():
        return frame
    rows = frame.filter(touched).select("row", "service", "caused_by")
    fixed = []
    for _, service, causes in rows.iter_rows():
        out: list[str] = []
        for cause in causes:
            if cause not in copies:
                out.append(cause)
                continue
            same = [c for c, s in copies[cause] if s == service]
            out += same or [c for c, _ in copies[cause]]
        fixed.append(list(dict.fromkeys(out)))
    table = pl.DataFrame(
        {"row": rows["row"], "__causes": pl.Series(fixed, dtype=pl.List(pl.String))}
    )
    joined = frame.join(table, on="row", how="left", maintain_order="left")
    return joined.with_columns(caused_by=pl.coalesce(pl.col("__causes"), pl.col("caused_by"))).drop(
        "__causes"
    )


def causal_edges(frame: pl.DataFrame) -> pl.DataFrame:
    """The causal edges (``row`` was caused by ``cause_row``) of a frame's records."""
    schema = {"row": pl.Int64(), "cause_row": pl.Int64()}
    if "caused_by" not in frame.columns or frame["caused_by"].null_count() == frame.height:
        return pl.DataFrame(schema=schema)
    edges = (
        frame.filter(pl.col("caused_by").is_not_null())
        .select("row", cause=pl.col("caused_by"))
        .explode("cause")
        .drop_nulls("cause")
        .join(
            frame.select(cause="id", cause_row="row"),
            on="cause",
            how="inner",
            maintain_order="left",
        )
    )
    return edges.select(pl.col("row").cast(pl.Int64), pl.col("cause_row").cast(pl.Int64))
