"""Related causes (``including related``): each related clause is a bit of a record's
causal bits, ``sure`` (the clause applies) and ``maybe`` (it applies or is unknown); the
bits are or-ed down the causal edges a generation a round (frame joins), and a longer chain
is walked once in causal order.

The bits are held in lanes of :data:`LANE_BITS` bits, each a non-negative Int64 (a Spark
``long``): clause j is bit ``j % 63`` of lane ``j // 63``, so any number of related clauses
has its bits. A contract of at most 63 (every bundled one) has one ``sure`` and one
``maybe`` integer a record; the walk in causal order holds a record's lanes as one Python
integer (:func:`pack`)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Mapping, Sequence

import polars as pl

from rulebook.columnar.runs import scatter
from rulebook.columnar.state import Plan, outage_records
from rulebook.engine.classify import RuleSet
from rulebook.intake.causes import causal_order

#: Bits a lane holds: 63, so that every lane is a non-negative Int64 (and a Spark long).
LANE_BITS = 63


def related_clauses(rules: RuleSet) -> list[str]:
    """The exclusions that reach causes (``including related``), in precedence order:
    clause j of this list is bit j of a record's causal bits."""
    return [c for c in rules.exclusions if getattr(rules.rules[c].clause, "related", False)]


def lane_count(related: Sequence[str]) -> int:
    """How many lanes of ``sure`` and of ``maybe`` bits the related clauses take (one at
    least)."""
    return max(1, -(-len(related) // LANE_BITS))


def bit_columns(related: Sequence[str]) -> list[str]:
    """The names of the causal bit columns, lane by lane: ``sure_0``, ``maybe_0``,
    ``sure_1``, ``maybe_1``, ... (the order of :func:`causal_bits` and of every list of
    lanes here)."""
    return [f"{kind}_{k}" for k in range(lane_count(related)) for kind in ("sure", "maybe")]


def place(j: int) -> tuple[int, int, int]:
    """Where clause j's bits are: the index of its ``sure`` lane and of its ``maybe`` lane
    in a list of lanes, and its bit in them."""
    lane = j // LANE_BITS
    return 2 * lane, 2 * lane + 1, 1 << (j % LANE_BITS)


def causal_bits(related: Sequence[str]) -> list[pl.Expr]:
    """A record's own values of the related clauses as lanes of bits (named as
    :func:`bit_columns`): in ``sure``, clause j's bit is set where it applies; in ``maybe``,
    where it applies or is unknown."""
    out = []
    for k, name in enumerate(bit_columns(related)):
        unknown = name.startswith("maybe")
        lane = [
            pl.col(f"__rule_{c}").fill_null(unknown).cast(pl.Int64) * (1 << (j % LANE_BITS))
            for j, c in enumerate(related)
            if j // LANE_BITS == k // 2
        ]
        out.append((pl.sum_horizontal(lane) if lane else pl.lit(0, pl.Int64)).alias(name))
    return out


def pack(lanes: Sequence[Sequence[int]]) -> list[int]:
    """Each node's lanes as one Python integer (lane i at bit ``LANE_BITS * i``), for
    :func:`propagate`."""
    packed = list(lanes[0])
    for i, lane in enumerate(lanes[1:], 1):
        shift = LANE_BITS * i
        packed = [p | (v << shift) for p, v in zip(packed, lane, strict=True)]
    return packed


def unpack(packed: Sequence[int], count: int) -> list[list[int]]:
    """:func:`pack` undone: ``count`` lanes."""
    mask = (1 << LANE_BITS) - 1
    return [[(p >> (LANE_BITS * i)) & mask for p in packed] for i in range(count)]


def propagate(children: list[int], causes: list[int], bits: list[int]) -> bool:
    """Each node's bits (any width: see :func:`pack`) or-ed with its causes', causes
    first: Kahn's algorithm over nodes numbered 0..n-1 (``children[k]`` was caused by
    ``causes[k]``), linear in nodes + edges. False when the causes form a cycle."""
    parents: list[list[int]] = [[] for _ in bits]
    effects: list[list[int]] = [[] for _ in bits]
    waiting = [0] * len(bits)
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
            bits[node] |= bits[cause]
        for child in effects[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return done == len(bits)


def walk_named(
    bits: Mapping[str, Sequence[int]], pairs: Sequence[tuple[str, str]]
) -> dict[str, list[int]] | None:
    """Records' lanes by id, walked down the edges ``pairs`` ((child, cause) ids, both
    among ``bits``) in causal order, as Spark's driver does: each effect's resolved lanes,
    by id in order, or None when the causes form a cycle."""
    names = sorted(bits)
    number = {name: k for k, name in enumerate(names)}
    count = len(bits[names[0]]) if names else 0
    packed = pack([[bits[n][i] for n in names] for i in range(count)]) if count else []
    children = [number[child] for child, _ in pairs]
    if not propagate(children, [number[cause] for _, cause in pairs], packed):
        return None
    effects = sorted({child for child, _ in pairs})
    lanes = unpack([packed[number[n]] for n in effects], count)
    return {n: [lane[k] for lane in lanes] for k, n in enumerate(effects)}


def related_values(plan: Plan, frame: pl.DataFrame, related: list[str]) -> pl.DataFrame:
    """Related exclusions: a record's value is the Kleene `or` of its own and its causal
    ancestors' values, computed in one pass over the edges in causal order (or given, as
    ``plan.ancestry``, by a driver that resolved the edges across partitions)."""
    if not related:
        return frame
    if plan.ancestry is not None:
        resolved = plan.ancestry.select(
            "id", *(pl.col(c).alias(f"__{c}") for c in bit_columns(related))
        )
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
    # the records on an edge only, and of them only the related clauses' values (a
    # gather of every column was this stage's peak: 10^7 records, 150 MB)
    bits = frame.select(f"__rule_{c}" for c in related)[nodes].select(*causal_bits(related))
    lanes = bits.get_columns()
    children = nodes.search_sorted(child_pos)
    causes = nodes.search_sorted(cause_pos)
    done = spread(children, causes, lanes)
    if done is None:
        packed = pack([lane.to_list() for lane in lanes])
        if not propagate(children.to_list(), causes.to_list(), packed):
            causal_order(outage_records(plan, frame))  # raises the record engine's error
        done = [pl.Series(v, dtype=pl.Int64) for v in unpack(packed, len(lanes))]
    # Only the records on an edge change: their values are written in place.
    values = []
    for j, cid in enumerate(related):
        sure, maybe, bit = place(j)
        values.append(
            frame[f"__rule_{cid}"].scatter(nodes, bit_value(done[sure], done[maybe], bit))
        )
    return frame.with_columns(values)


def bit_value(sure: pl.Series, maybe: pl.Series, bit: int) -> pl.Series:
    """A related clause's Kleene value from records' resolved bits (its lanes)."""
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
    children: pl.Series, causes: pl.Series, lanes: list[pl.Series], rounds: int = 32
) -> list[pl.Series] | None:
    """Causal bits (``lanes``) or-ed down the edges a generation a round; None when
    ``rounds`` do not reach the end of the longest chain (then :func:`propagate` walks it).
    Bits only grow, so a round looks only at the edges from the records whose bits changed
    in the round before (the first round: from those that have any); a round that changes
    nothing ends the walk. The intake has rejected cycles."""
    edges = pl.DataFrame({"child": children, "cause": causes})
    names = [f"l{i}" for i in range(len(lanes))]
    # A sure bit is a maybe bit too: the maybe lanes say whether a record has any.
    active = edges.filter(_any([lane.gather(causes) != 0 for lane in lanes[1::2]]))
    for _ in range(rounds):
        if active.height == 0:
            return lanes
        at_cause = active["cause"]
        reached = (
            active.with_columns(
                lane.gather(at_cause).alias(n) for n, lane in zip(names, lanes, strict=True)
            )
            .group_by("child")
            .agg(pl.col(n).bitwise_or() for n in names)
        )
        at = reached["child"]
        old = [lane.gather(at) for lane in lanes]
        new = [o | reached[n] for o, n in zip(old, names, strict=True)]
        changed = _any([n != o for n, o in zip(new, old, strict=True)])
        if not changed.any():
            return lanes
        lanes = [lane.scatter(at, n) for lane, n in zip(lanes, new, strict=True)]
        active = edges.filter(pl.col("cause").is_in(at.filter(changed).implode()))
    return None


def apply_bits(frame: pl.DataFrame, related: list[str]) -> pl.DataFrame:
    """Related clauses' values from the resolved bits (``__sure_0``, ``__maybe_0``, ...),
    where a record has them."""
    columns = [f"__{c}" for c in bit_columns(related)]
    out = []
    for j, cid in enumerate(related):
        sure, maybe, bit = place(j)
        sure_lane, maybe_lane = columns[sure], columns[maybe]
        out.append(
            pl.when(pl.col(sure_lane).is_null())
            .then(pl.col(f"__rule_{cid}"))
            .otherwise(bit_expr(pl.col(sure_lane), pl.col(maybe_lane), bit))
            .alias(f"__rule_{cid}")
        )
    return frame.with_columns(out)


def _any(masks: list[pl.Series]) -> pl.Series:
    """Where any of some boolean columns is true."""
    return functools.reduce(operator.or_, masks)
