"""No hidden width: any number of ``including related`` exclusions gives one answer.

The columnar plan holds each related clause as a bit of a record's causal bits, in lanes of
63 bits (``rulebook/columnar/related.py``); a contract with more related clauses than a
lane holds once lost the clauses past the 64th bit. Here contracts with 63, 64, 65, 100,
127 and 128 such clauses are written in the contract language, each clause with one root
record that matches it and one child ``caused_by`` the root, and the record engine (the
oracle) and the columnar plan (from mappings and from text cells) must give the same
document, bytes included. Spark runs the same cases in ``tests/test_spark.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import rulebook
from rulebook.columnar.related import (
    LANE_BITS,
    lane_count,
    pack,
    place,
    propagate,
    unpack,
    walk_named,
)
from tests.test_differential import text_frame

JST = dt.timezone(dt.timedelta(hours=9))
BASE = dt.datetime(2026, 3, 1, tzinfo=JST)
#: Links of the chain under the last clause's root: more than the 32 rounds the plan joins
#: before it walks the chain in causal order (both paths then carry the high lanes).
CHAIN = 40


def related_contract_text(n: int) -> str:
    """A contract of ``n`` exclusions, each ``including related``: clause ``x{j}`` applies
    to the records of priority j."""
    clauses = "\n".join(
        f'  exclusion x{j:03d} {{ cite "{j + 1}" "優先度 {j} の停止" '
        f"when priority = {j} including related }}"
        for j in range(n)
    )
    return f"""import "vocabulary.sla"
contract related-{n} {{
  title "関連除外 {n}" provider "Demo K.K." source "demo.txt" language ja
  timezone "Asia/Tokyo" kind guarantee
  availability a {{ cite "0" "稼働率" period calendar month target >= 99.9% }}
{clauses}
}}
"""


@functools.cache
def related_contract(n: int) -> rulebook.Contract:
    folder = Path(tempfile.mkdtemp())
    path = folder / f"related-{n}.sla"
    path.write_text(related_contract_text(n), encoding="utf-8")
    return rulebook.load_contract(path)


def _at(moment: dt.datetime) -> str:
    return moment.isoformat()


def related_log(n: int, extras: bool = False) -> list[dict[str, Any]]:
    """For each clause j, a root of priority j and a child caused by it, in other services
    (so that Spark's groups must share the ancestry). A child of odd j has a priority no
    clause names; one of even j none, so that every clause is unknown for it alone. With
    ``extras``: a root of unknown priority with its child, and a chain of :data:`CHAIN`
    records under the last clause's root."""
    records: list[dict[str, Any]] = []
    for j in range(n):
        start = BASE + dt.timedelta(hours=5 * j)
        records.append(
            {
                "id": f"root{j:03d}",
                "service": f"svc-{j % 10}",
                "start": _at(start),
                "end": _at(start + dt.timedelta(minutes=20)),
                "priority": j,
            }
        )
        child: dict[str, Any] = {
            "id": f"child{j:03d}",
            "service": f"svc-{(j + 3) % 10}",
            "start": _at(start + dt.timedelta(minutes=10)),
            "end": _at(start + dt.timedelta(minutes=50)),
            "caused_by": [f"root{j:03d}"],
        }
        if j % 2:
            child["priority"] = -1
        records.append(child)
    if extras:
        start = BASE + dt.timedelta(hours=5 * n)
        records.append(
            {
                "id": "open-root",
                "service": "svc-0",
                "start": _at(start),
                "end": _at(start + dt.timedelta(minutes=30)),
            }
        )
        records.append(
            {
                "id": "open-child",
                "service": "svc-1",
                "start": _at(start),
                "end": _at(start + dt.timedelta(minutes=30)),
                "priority": -1,
                "caused_by": ["open-root"],
            }
        )
        cause = f"root{n - 1:03d}"
        for k in range(CHAIN):
            link = start + dt.timedelta(hours=1, minutes=10 * k)
            records.append(
                {
                    "id": f"link{k:02d}",
                    "service": f"svc-{k % 4}",
                    "start": _at(link),
                    "end": _at(link + dt.timedelta(minutes=5)),
                    "priority": -1,
                    "caused_by": [cause],
                }
            )
            cause = f"link{k:02d}"
    return records


def intended(n: int, extras: bool = False) -> dict[str, tuple[str, list[str]]]:
    """What the contract says of each record of :func:`related_log`: a root and its child
    are excluded by the root's clause, the chain by the last clause; with its cause's
    priority unknown, no clause is established for the open pair, which counts."""
    out: dict[str, tuple[str, list[str]]] = {}
    for j in range(n):
        out[f"root{j:03d}"] = out[f"child{j:03d}"] = ("excluded", [f"x{j:03d}"])
    if extras:
        out["open-root"] = out["open-child"] = ("counted", [])
        for k in range(CHAIN):
            out[f"link{k:02d}"] = ("excluded", [f"x{n - 1:03d}"])
    return out


def verdicts(document: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {o["id"]: (o["verdict"], o["deciding"]) for o in document["outages"]}


def assert_one_document(n: int, extras: bool) -> None:
    contract = related_contract(n)
    outages = related_log(n, extras)
    oracle = rulebook.adjudicate(contract, outages)
    document = oracle.to_dict(reasons=False)
    assert verdicts(document) == intended(n, extras)
    for given_as in (outages, text_frame(outages)):
        columnar = rulebook.adjudicate_frame(contract, given_as)
        assert columnar.to_dict() == document
        assert columnar.to_json() == oracle.to_json(reasons=False)


def test_a_hundred_related_exclusions_give_one_document() -> None:
    assert_one_document(100, extras=False)


@pytest.mark.parametrize("n", [63, 64, 65, 127, 128])
def test_related_exclusions_at_the_edges_of_a_lane(n: int) -> None:
    assert_one_document(n, extras=True)


@pytest.mark.parametrize("n", [1, 62, 63, 64, 65, 126, 127, 128, 129, 1000])
def test_every_related_clause_has_a_bit_of_its_own(n: int) -> None:
    places = [place(j) for j in range(n)]
    assert len(set(places)) == n
    lanes = lane_count([f"x{j}" for j in range(n)])
    for sure, maybe, bit in places:
        assert maybe == sure + 1 and maybe < 2 * lanes
        assert 0 < bit < 2**63  # a non-negative Int64, and a Spark long
    assert lanes == -(-n // LANE_BITS)


lane_values = st.lists(st.integers(0, 2**LANE_BITS - 1), min_size=1, max_size=6)


@given(
    st.lists(lane_values, min_size=1, max_size=5).filter(lambda v: len({len(x) for x in v}) == 1)
)
def test_lanes_packed_for_the_walk_come_back_unchanged(lanes: list[list[int]]) -> None:
    assert unpack(pack(lanes), len(lanes)) == lanes


def test_the_walk_ors_every_lane_down_a_chain() -> None:
    # Node 0 causes 1, which causes 2; each holds one bit of a different lane.
    lanes = [[1 << 62, 0, 0], [0, 1, 0], [0, 0, 1 << 5]]
    packed = pack(lanes)
    assert propagate([1, 2], [0, 1], packed)
    assert unpack(packed, 3) == [[1 << 62] * 3, [0, 1, 1], [0, 0, 1 << 5]]


def test_the_drivers_walk_by_id_resolves_effects_and_refuses_a_cycle() -> None:
    # As Spark's driver walks: "a" causes "b", which causes "c"; bits in three lanes.
    bits = {"a": [1 << 62, 0, 0], "b": [0, 1, 0], "c": [0, 0, 1 << 5]}
    assert walk_named(bits, [("b", "a"), ("c", "b")]) == {
        "b": [1 << 62, 1, 0],
        "c": [1 << 62, 1, 1 << 5],
    }
    assert walk_named(bits, [("b", "a"), ("a", "b")]) is None
