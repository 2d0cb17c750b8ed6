"""Interval algebra on half-open ``[start, end)`` intervals of integer seconds.

An interval list is kept sorted and disjoint (adjacent intervals merged), so every
operation is one linear sweep.

>>> union([(5, 10), (0, 3), (3, 4), (9, 12)])
[(0, 4), (5, 12)]
>>> subtract([(0, 10)], [(2, 3), (5, 7)])
[(0, 2), (3, 5), (7, 10)]
>>> intersect([(0, 10)], [(2, 3), (5, 12)])
[(2, 3), (5, 10)]
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[int, int]


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint, merged intervals covering exactly the same instants."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Instants in both (both lists sorted and disjoint)."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(a: list[Interval], b: list[Interval]) -> list[Interval]:
    """Instants in ``a`` but not in ``b`` (both sorted and disjoint)."""
    out: list[Interval] = []
    j = 0
    for start, end in a:
        while j < len(b) and b[j][1] <= start:
            j += 1
        k, cursor = j, start
        while k < len(b) and b[k][0] < end:
            if b[k][0] > cursor:
                out.append((cursor, b[k][0]))
            cursor = max(cursor, b[k][1])
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def clip(intervals: list[Interval], start: int, end: int) -> list[Interval]:
    """The parts of sorted disjoint ``intervals`` inside ``[start, end)``."""
    return intersect(intervals, [(start, end)]) if start < end else []


def total(intervals: Iterable[Interval]) -> int:
    """Seconds covered by disjoint intervals."""
    return sum(end - start for start, end in intervals)
