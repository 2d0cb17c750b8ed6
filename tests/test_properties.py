"""Property-based tests (hypothesis) for the interval algebra and the engine's invariants."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulebook
from rulebook.engine import timeline

intervals = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 20)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=8,
)


def seconds_of(items: list[tuple[int, int]]) -> set[int]:
    return {t for start, end in items for t in range(start, end)}


@given(intervals, intervals)
def test_interval_algebra_matches_sets_of_instants(a: list[Any], b: list[Any]) -> None:
    ua, ub = timeline.union(a), timeline.union(b)
    assert seconds_of(ua) == seconds_of(a)
    assert all(s < e for s, e in ua) and all(x[1] < y[0] for x, y in itertools.pairwise(ua))
    assert seconds_of(timeline.intersect(ua, ub)) == seconds_of(a) & seconds_of(b)
    assert seconds_of(timeline.subtract(ua, ub)) == seconds_of(a) - seconds_of(b)
    assert timeline.total(ua) == len(seconds_of(a))


# ------------------------------------------------------------------ engine

BASE = dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
CAUSES = [None, "provider_fault", "attack", "planned_maintenance", "customer_environment"]
SERVICES = ["CYBERMAIL Σ", "MAILGATES Σ"]


@st.composite
def outage_logs(draw: st.DrawFn) -> list[dict[str, Any]]:
    n = draw(st.integers(1, 8))
    records = []
    for i in range(n):
        start = draw(st.integers(0, 6 * 3600))  # crosses the end of September (JST)
        length = draw(st.integers(1, 3 * 3600))
        record: dict[str, Any] = {
            "id": f"r{i}",
            "service": draw(st.sampled_from(SERVICES)),
            "start": (BASE + dt.timedelta(seconds=start)).isoformat(),
            "end": (BASE + dt.timedelta(seconds=start + length)).isoformat(),
            "detected_by": "monitoring",
        }
        cause = draw(st.sampled_from(CAUSES))
        if cause:
            record["cause"] = cause
        records.append(record)
    return records


NOTICE = {
    "id": "n1",
    "service": "*",
    "start": (BASE + dt.timedelta(hours=2)).isoformat(),
    "end": (BASE + dt.timedelta(hours=3)).isoformat(),
    "announced_at": (BASE - dt.timedelta(days=3)).isoformat(),
    "channel": "email",
}

CONTRACT = rulebook.load_contract("cybermail")


def parse(ts: str) -> int:
    return int(dt.datetime.fromisoformat(ts).timestamp())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outage_logs())
def test_counted_excluded_and_not_downtime_add_up_to_the_outage_time(
    records: list[dict[str, Any]],
) -> None:
    result = rulebook.adjudicate(CONTRACT, records, [NOTICE]).to_dict()
    for service in SERVICES:
        mine = [o for o in result["outages"] if o["service"] == service]
        outage_union = timeline.union((parse(o["start"]), parse(o["end"])) for o in mine)

        def status_union(status: str, mine: list[Any] = mine) -> list[tuple[int, int]]:
            return timeline.union(
                (parse(s["start"]), parse(s["end"]))
                for o in mine
                for s in o["segments"]
                if s["status"] == status
            )

        counted = status_union("counted")
        excluded = timeline.subtract(status_union("excluded"), counted)
        rest = timeline.subtract(timeline.subtract(status_union("not_downtime"), counted), excluded)
        assert timeline.total(counted) + timeline.total(excluded) + timeline.total(
            rest
        ) == timeline.total(outage_union)
        periods = [p for p in result["periods"] if p["service"] == service]
        assert sum(p["downtime_seconds"] for p in periods) == timeline.total(counted)
        assert sum(p["excluded_seconds"] for p in periods) == timeline.total(excluded)


@settings(max_examples=60, deadline=None)
@given(outage_logs(), st.randoms(use_true_random=False))
def test_record_order_does_not_matter(records: list[dict[str, Any]], rnd: random.Random) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    first = rulebook.adjudicate(CONTRACT, records, [NOTICE]).to_json()
    assert rulebook.adjudicate(CONTRACT, shuffled, [NOTICE]).to_json() == first


def _month(instant: int) -> tuple[int, int]:
    """The contract's period (a JST month) of an instant."""
    moment = dt.datetime.fromtimestamp(instant, BASE.tzinfo)
    return moment.year, moment.month


@settings(max_examples=60, deadline=None)
@given(outage_logs(), st.data())
def test_splitting_a_record_into_adjacent_pieces_changes_no_figure(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    # cybermail applies its 10-minute threshold to the physical stoppage, and its clauses
    # look at facts, not at how a stoppage was cut into records: so nothing may change.
    index = data.draw(st.integers(0, len(records) - 1))
    victim = records[index]
    start, end = parse(victim["start"]), parse(victim["end"])
    if end - start < 2:
        return
    cut = data.draw(st.integers(start + 1, end - 1))
    # A record starting in a month after every record's start would make that month
    # observed (docs/design.md, "What a log covers"): not a split that changes nothing.
    if _month(cut) > max(_month(parse(r["start"])) for r in records):
        return
    at = dt.datetime.fromtimestamp(cut, BASE.tzinfo).isoformat()
    pieces = [
        {**victim, "id": victim["id"] + "a", "end": at},
        {**victim, "id": victim["id"] + "b", "start": at},
    ]
    split = records[:index] + pieces + records[index + 1 :]
    before = rulebook.adjudicate(CONTRACT, records, [NOTICE]).to_dict()["periods"]
    after = rulebook.adjudicate(CONTRACT, split, [NOTICE]).to_dict()["periods"]
    assert after == before
