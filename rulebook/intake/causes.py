"""The causal graph of records: ``caused_by`` edges, cycles, and related exclusions.

Edges run from a cause to the records it caused. A record whose causal ancestors include a
record an exclusion applies to is excluded too when the clause says ``including related``;
each record keeps only the ancestor that decided it, and the chain is rebuilt from those
links when it is shown. Everything here is linear in records + edges, and iterative: a
chain of a million records neither recurses nor copies paths.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from rulebook.intake.records import OutageRecord, RecordError
from rulebook.text import did_you_mean


def causal_order(records: Sequence[OutageRecord]) -> list[str] | None:
    """Record ids with every cause before its effects; None when no record names a cause.

    Raises :class:`RecordError` for an unknown id in ``caused_by`` and for a cycle.
    """
    if not any(r.causes for r in records):
        return None
    ids = {r.id for r in records}
    effects: dict[str, list[str]] = {rid: [] for rid in ids}
    waiting: dict[str, int] = dict.fromkeys(ids, 0)  # causes not yet placed, per record
    for record in records:
        for cause in set(record.causes):
            if cause not in ids:
                raise RecordError(
                    record.id,
                    "caused_by",
                    f"names record '{cause}', which is not in the input",
                    "ids of records in the same input",
                    did_you_mean(str(cause), sorted(ids)),
                )
            effects[cause].append(record.id)
            waiting[record.id] += 1
    order, stuck = _kahn(effects, waiting)
    if not stuck:
        return order
    chain = _cycle([(r.id, r.causes) for r in records], stuck)
    raise RecordError(
        chain[0],
        "caused_by",
        "records cause each other in a cycle: " + " -> ".join(chain),
        "a chain of causes without cycles",
    )


def _kahn(effects: dict[str, list[str]], waiting: dict[str, int]) -> tuple[list[str], set[str]]:
    """Kahn's algorithm: the ids in causal order, and those a cycle keeps from a place."""
    ready = deque(sorted(rid for rid, n in waiting.items() if n == 0))
    order: list[str] = []
    while ready:
        rid = ready.popleft()
        order.append(rid)
        for effect in effects[rid]:
            waiting[effect] -= 1
            if waiting[effect] == 0:
                ready.append(effect)
    return order, {rid for rid, n in waiting.items() if n > 0}


def in_cycles(records: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[int, str]]:
    """Records in a cycle of causes, or caused through one: ``(index, problem)`` in input
    order, so that intake rejects each at its place (causes not among the records are
    ignored: they are orphans, reported before)."""
    ids = {rid for rid, _ in records}
    effects: dict[str, list[str]] = {rid: [] for rid in ids}
    waiting: dict[str, int] = dict.fromkeys(ids, 0)
    for rid, causes in records:
        for cause in set(causes) & ids:
            effects[cause].append(rid)
            waiting[rid] += 1
    _, stuck = _kahn(effects, waiting)
    if not stuck:
        return []
    chain = _cycle(records, stuck)
    shown = " -> ".join(chain)
    return [
        (
            index,
            f"records cause each other in a cycle: {shown}"
            if rid in chain
            else f"is in or caused through a cycle of causes (one is {shown})",
        )
        for index, (rid, _) in enumerate(records)
        if rid in stuck
    ]


def _cycle(records: Sequence[tuple[str, Sequence[str]]], stuck: set[str]) -> list[str]:
    """One cycle among the records Kahn's algorithm could not place, as cause -> effect,
    starting and ending at its smallest id. Every stuck record has a stuck cause, so
    walking back from one along stuck causes must come round."""
    causes = {rid: sorted(c for c in set(of) if c in stuck) for rid, of in records}
    walk: list[str] = [min(stuck)]
    seen = {walk[0]: 0}
    while True:
        cause = causes[walk[-1]][0]
        if cause in seen:
            loop = walk[seen[cause] :]
            break
        seen[cause] = len(walk)
        walk.append(cause)
    loop.reverse()  # the walk went from effects to causes
    first = loop.index(min(loop))
    loop = loop[first:] + loop[:first]
    return [*loop, loop[0]]


def orphans(
    records: Sequence[tuple[str, Sequence[str]]], present: set[str] | None = None
) -> list[tuple[int, str]]:
    """Records (id, causes) whose causes are not all among the records, directly or through
    a cause that is itself an orphan: ``(index, first missing cause)`` pass by pass, in
    input order within a pass (pass 1: causes not in the input; pass 2: causes rejected in
    pass 1; ...). Linear in records + edges, where re-scanning per pass was quadratic.
    ``present`` are the ids there are (by default the records'): a caller that passes only
    the records with causes gives the ids among them and those named as causes.
    """
    present = {rid for rid, _ in records} if present is None else set(present)
    effects: dict[str, list[int]] = {}
    for index, (_, causes) in enumerate(records):
        for cause in causes:
            effects.setdefault(cause, []).append(index)
    found: list[tuple[int, str]] = []
    done: set[int] = set()
    level = [i for i, (_, causes) in enumerate(records) if any(c not in present for c in causes)]
    while level:
        for index in level:
            done.add(index)
            missing = next(c for c in records[index][1] if c not in present)
            found.append((index, missing))
        present -= {records[i][0] for i in level}
        following = {e for i in level for e in effects.get(records[i][0], ()) if e not in done}
        level = sorted(following)
    return found
