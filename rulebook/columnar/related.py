"""Related causes (``including related``): each related clause is a bit of a record's
``sure`` and ``maybe`` integers; the bits are or-ed down the causal edges a generation a
round (frame joins), and a longer chain is walked once in causal order."""

from __future__ import annotations

import polars as pl

from rulebook.columnar.runs import scatter
from rulebook.columnar.state import (
    Plan,
    outage_records,
)
from rulebook.engine.classify import RuleSet
from rulebook.intake.causes import causal_order


def related_clauses(rules: RuleSet) -> list[str]:
    """The exclusions that reach causes (``including related``), in precedence order:
    bit j of a record's causal bits is clause j of this list."""
    return [c for c in rules.exclusions if getattr(rules.rules[c].clause, "related", False)]


def causal_bits(related: list[str]) -> tuple[pl.Expr, pl.Expr]:
    """A record's own values of the related clauses as two bit sets: ``sure`` (bit j: clause
    j applies) and ``maybe`` (it applies or is unknown)."""
    sure = pl.sum_horizontal(
        pl.col(f"__rule_{c}").fill_null(False).cast(pl.Int64) * (1 << j)
        for j, c in enumerate(related)
    )
    maybe = pl.sum_horizontal(
        pl.col(f"__rule_{c}").fill_null(True).cast(pl.Int64) * (1 << j)
        for j, c in enumerate(related)
    )
    return sure.alias("sure"), maybe.alias("maybe")


def propagate(children: list[int], causes: list[int], sure: list[int], maybe: list[int]) -> bool:
    """Each node's bits or-ed with its causes', causes first: Kahn's algorithm over nodes
    numbered 0..n-1 (``children[k]`` was caused by ``causes[k]``), linear in nodes + edges.
    False when the causes form a cycle."""
    parents: list[list[int]] = [[] for _ in sure]
    effects: list[list[int]] = [[] for _ in sure]
    waiting = [0] * len(sure)
    for child, cause in zip(children, causes, strict=True):
        parents[child].append(cause)
        effects[cause].append(child)
        waiting[child] += 1
    ready = [n for n, k in enumerate(waiting) if k == 0]
    done = 0
    while ready:
        node = ready.pop()
        done += 1
        for cause in parents[node]:
            sure[node] |= sure[cause]
            maybe[node] |= maybe[cause]
        for child in effects[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return done == len(sure)


def related_values(plan: Plan, frame: pl.DataFrame, related: list[str]) -> pl.DataFrame:
    """Related exclusions: a record's value is the Kleene `or` of its own and its causal
    ancestors' values, computed in one pass over the edges in causal order (or given, as
    ``plan.ancestry``, by a driver that resolved the edges across partitions)."""
    if not related:
        return frame
    if plan.ancestry is not None:
        resolved = plan.ancestry.select("id", __sure="sure", __maybe="maybe")
        return apply_bits(frame.join(resolved, on="id", how="left", maintain_order="left"), related)
    edges = plan.edges
    if edges is None or edges.height == 0:
        return frame
    # Records are numbered by `pos` here; the intake's edges name input rows (the same
    # numbers when no row was refused or reordered).
    if bool((frame["row"] == frame["pos"]).all()):
        child_pos, cause_pos = edges["row"], edges["cause_row"]
    else:
        pos_of_row = scatter(int(frame["row"].max()) + 1, frame["row"], frame["pos"])  # type: ignore[arg-type]
        child_pos = pos_of_row.gather(edges["row"])
        cause_pos = pos_of_row.gather(edges["cause_row"])
    nodes = pl.concat([child_pos, cause_pos]).unique().sort()  # node k is record nodes[k]
    bits = frame[nodes].select(*causal_bits(related))  # the records on an edge only
    sure, maybe = bits["sure"], bits["maybe"]
    children = nodes.search_sorted(child_pos)
    causes = nodes.search_sorted(cause_pos)
    done = spread(children, causes, sure, maybe)
    if done is None:
        listed = sure.to_list(), maybe.to_list()
        if not propagate(children.to_list(), causes.to_list(), *listed):
            causal_order(outage_records(plan, frame))  # raises the record engine's error
        done = pl.Series("s", listed[0], dtype=pl.Int64), pl.Series("m", listed[1], dtype=pl.Int64)
    # Only the records on an edge change: their values are written in place.
    sure, maybe = done
    return frame.with_columns(
        frame[f"__rule_{cid}"].scatter(nodes, bit_value(sure, maybe, 1 << j))
        for j, cid in enumerate(related)
    )


def bit_value(sure: pl.Series, maybe: pl.Series, bit: int) -> pl.Series:
    """A related clause's Kleene value from records' resolved bits."""
    return pl.select(bit_expr(pl.lit(sure), pl.lit(maybe), bit)).to_series()


def bit_expr(sure: pl.Expr, maybe: pl.Expr, bit: int) -> pl.Expr:
    """True where ``bit`` is sure, unknown where it may be, else False."""
    return (
        pl.when((sure & bit) != 0)
        .then(pl.lit(True))
        .when((maybe & bit) != 0)
        .then(pl.lit(None, dtype=pl.Boolean))
        .otherwise(pl.lit(False))
    )


def spread(
    children: pl.Series, causes: pl.Series, sure: pl.Series, maybe: pl.Series, rounds: int = 32
) -> tuple[pl.Series, pl.Series] | None:
    """Causal bits or-ed down the edges a generation a round; None when ``rounds`` do not
    reach the end of the longest chain (then :func:`propagate` walks it). Bits only grow,
    so a round looks only at the edges from the records whose bits changed in the round
    before (the first round: from those that have any); a round that changes nothing ends
    the walk. The intake has rejected cycles."""
    edges = pl.DataFrame({"child": children, "cause": causes})
    active = edges.filter((sure.gather(causes) | maybe.gather(causes)) != 0)
    for _ in range(rounds):
        if active.height == 0:
            return sure, maybe
        spread = (
            active.with_columns(s=sure.gather(active["cause"]), m=maybe.gather(active["cause"]))
            .group_by("child")
            .agg(pl.col("s").bitwise_or(), pl.col("m").bitwise_or())
        )
        at = spread["child"]
        old_sure, old_maybe = sure.gather(at), maybe.gather(at)
        new_sure, new_maybe = old_sure | spread["s"], old_maybe | spread["m"]
        changed = (new_sure != old_sure) | (new_maybe != old_maybe)
        if not changed.any():
            return sure, maybe
        sure, maybe = sure.scatter(at, new_sure), maybe.scatter(at, new_maybe)
        active = edges.filter(pl.col("cause").is_in(at.filter(changed).implode()))
    return None


def apply_bits(frame: pl.DataFrame, related: list[str]) -> pl.DataFrame:
    """Related clauses' values from the resolved bits, where a record has them."""
    return frame.with_columns(
        pl.when(pl.col("__sure").is_null())
        .then(pl.col(f"__rule_{cid}"))
        .otherwise(bit_expr(pl.col("__sure"), pl.col("__maybe"), 1 << j))
        .alias(f"__rule_{cid}")
        for j, cid in enumerate(related)
    )
