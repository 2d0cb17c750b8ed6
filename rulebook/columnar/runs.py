"""Runs: the unions of intervals per group, found with a sorted cumulative maximum — a
service's physical stoppages, an event's records, the counted time of a period — and the
scatter and period look-ups the stages share."""

from __future__ import annotations

import polars as pl

from rulebook.intake.frames import IN_MEMORY


def scatter(size: int, positions: pl.Series, values: pl.Series) -> pl.Series:
    """A column of ``size`` rows holding ``values`` at ``positions``, null elsewhere."""
    column = pl.Series(values.name, [], dtype=values.dtype).extend_constant(None, size)
    return column.scatter(positions, values) if positions.len() else column


def period_range(
    cuts: pl.DataFrame, start: pl.Series, end: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """The first and the last period (``i``) each span ``start``..``end`` falls in."""
    bounds = cuts["p_start"]
    first = bounds.search_sorted(start, side="right").cast(pl.Int64) - 1
    last = bounds.search_sorted(end - 1, side="right").cast(pl.Int64) - 1
    return first, last


def period_union(
    segments: pl.DataFrame | pl.LazyFrame, cuts: pl.DataFrame, name: str
) -> pl.DataFrame:
    """Seconds covered by the union of segments, per service (``svc``) and period (``i``):
    each service's runs (the union), cut at the periods (what falls in a period of a union
    is the union of what falls in it)."""
    runs = run_spans(segments.lazy(), pl.col("svc")).rename({"__group": "svc"})
    first, last = period_range(cuts, runs["start"], runs["end"])
    pieces = runs.with_columns(i=pl.int_ranges(first, last + 1)).explode("i")
    at = pieces["i"]
    return (
        pieces.select(
            "svc",
            "i",
            length=pl.min_horizontal(pl.col("end"), cuts["p_end"].gather(at))
            - pl.max_horizontal(pl.col("start"), cuts["p_start"].gather(at)),
        )
        .group_by("svc", "i")
        .agg(pl.col("length").sum().alias(name))
    )


def period_union_and_began(
    counted: pl.DataFrame, starts: pl.Series, cuts: pl.DataFrame
) -> tuple[pl.DataFrame, dict[tuple[int, int], int]]:
    """The counted segments' union per service and period (:func:`period_union`), and the
    earliest start of a record counted in each service's period (where its incident began:
    of the counted segments in the period, the earliest start of their records, ``starts``
    by ``pos``). A span reaching into later periods counts in each; only those are spread
    out. The counted segments go when this returns; the union is found first, and the
    spans spread out only after it (10^7 records: each was the run's peak while the other
    was held)."""
    downtime = period_union(counted, cuts, "downtime")
    first, last = period_range(cuts, counted["start"], counted["end"])
    spans = counted.select("svc", began=starts.gather(counted["pos"])).with_columns(
        i=first, last=last
    )
    later = (
        spans.filter(pl.col("last") > pl.col("i"))
        .with_columns(i=pl.int_ranges(pl.col("i") + 1, pl.col("last") + 1))
        .explode("i")
    )
    earliest = (
        pl.concat([spans.select("svc", "i", "began"), later.select("svc", "i", "began")])
        .group_by("svc", "i")
        .agg(pl.col("began").min())
    )
    began = {(code, i): start for code, i, start in earliest.iter_rows()}
    return downtime, began


def runs_of(frame: pl.DataFrame, group: pl.Expr) -> pl.DataFrame:
    """``frame`` in order of ``group`` (a whole number, at least 0) and start, each row in
    its run: the group's records that touch or overlap, one after another. Adds ``__run``
    (the run's number), ``__first`` (its first start), ``__last`` (its last end) and
    ``__closes`` (the row is the run's last), with windows per group: what
    :func:`run_lengths` and :func:`run_spans` do where group and time do not fit one packed
    key, and the stream's stretches (whose last end may be open)."""
    frame = frame.with_columns(__g=group.cast(pl.Int64))
    if frame.height == 0:
        empty = pl.lit(None, dtype=pl.Int64)
        return frame.with_columns(
            __run=empty, __first=empty, __last=empty, __closes=pl.lit(None, dtype=pl.Boolean)
        )
    frame = frame.sort("__g", "start")
    reach = pl.col("end").cum_max().over("__g")
    changed = (pl.col("__g") != pl.col("__g").shift(1)).fill_null(True)
    frame = frame.with_columns(
        __new=changed | (pl.col("start") > reach.shift(1)).fill_null(True), __reach=reach
    )
    return (
        frame.with_columns(
            __run=pl.col("__new").cum_sum().cast(pl.Int64),
            __first=pl.when("__new").then(pl.col("start")).forward_fill(),
            __closes=pl.col("__new").shift(-1).fill_null(True),
        )
        .with_columns(__last=pl.when("__closes").then(pl.col("__reach")).backward_fill())
        .drop("__g", "__new", "__reach")
    )


def _packing(frame: pl.LazyFrame, group: pl.Expr) -> tuple[pl.Expr, int, int] | None:
    """Group and time packed into one whole number (one sort key, and scans over the whole
    column, not windows per group): the offset to add to a start or an end, the bits of a
    group's span of time and the least start; None when ``frame`` has no rows or they do
    not fit in 62 bits."""
    bounds = frame.select(
        low=pl.col("start").min(), high=pl.col("end").max(), groups=group.max()
    ).collect(engine=IN_MEMORY)
    low, high, groups = bounds.row(0)
    if low is None or high is None or groups is None:
        return None
    width = (high - low + 1).bit_length()
    if width + int(groups).bit_length() > 62:
        return None
    return group.cast(pl.Int64) * (1 << width) - low, width, low


def _packed_runs(frame: pl.LazyFrame, offset: pl.Expr, *keep: str) -> pl.LazyFrame:
    """``keep``, ``__key`` (group and start), ``__reach`` (the run's end so far, packed) and
    ``__new`` (a run begins) in the order of ``__key``: only what the runs need is sorted."""
    return (
        frame.select(*keep, __key=pl.col("start") + offset, __end=pl.col("end") + offset)
        .sort("__key")
        .with_columns(__reach=pl.col("__end").cum_max())
        .select(
            *keep,
            "__key",
            "__reach",
            __new=(pl.col("__key") > pl.col("__reach").shift(1)).fill_null(True),
        )
    )


def run_lengths(frame: pl.DataFrame | pl.LazyFrame, group: pl.Expr) -> pl.DataFrame:
    """Each row's run as :func:`runs_of` finds it — ``pos``, ``__run`` (its number) and
    ``__length`` (last end minus first start) — holding only those and the packed keys
    (10^7 records: the sorted copy of every column and the run's bounds were the plan's
    largest frames)."""
    frame = frame.lazy()
    packing = _packing(frame, group)
    if packing is None:
        runs = runs_of(frame.collect(engine=IN_MEMORY), group)
        return runs.select("pos", "__run", __length=pl.col("__last") - pl.col("__first"))
    offset, _, _ = packing
    closes = pl.col("__new").shift(-1).fill_null(True)
    first = pl.when("__new").then(pl.col("__key")).forward_fill()
    last = pl.when(closes).then(pl.col("__reach")).backward_fill()
    return (
        _packed_runs(frame, offset, "pos")
        .select("pos", __run=pl.col("__new").cum_sum().cast(pl.Int64), __length=last - first)
        .collect(engine=IN_MEMORY)
    )


def run_spans(frame: pl.LazyFrame, group: pl.Expr) -> pl.DataFrame:
    """The runs of :func:`runs_of` themselves: ``__group`` (the group's number), ``start``
    (the run's first start) and ``end`` (its last end), in the order of group and start;
    only the packed keys are sorted."""
    packing = _packing(frame, group)
    if packing is None:
        spans = frame.select(group.alias("__group"), "start", "end").collect(engine=IN_MEMORY)
        runs = runs_of(spans, pl.col("__group"))
        return runs.filter("__closes").select("__group", start="__first", end="__last")
    offset, width, low = packing
    packed = (
        _packed_runs(frame, offset)
        .select(
            __first=pl.col("__key").filter("__new"),
            __last=pl.col("__reach").filter(pl.col("__new").shift(-1).fill_null(True)),
        )
        .with_columns(__base=pl.col("__first") // (1 << width))
    )
    base = pl.col("__base") * (1 << width) - low
    return packed.select(
        __group="__base", start=pl.col("__first") - base, end=pl.col("__last") - base
    ).collect(engine=IN_MEMORY)
