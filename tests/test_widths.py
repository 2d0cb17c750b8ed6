"""No hidden widths or orders in the columnar plan: what it packs into small integers (enums
of clause ids, services, codes, periods) must mean what the record engine's text means, and
the counts the contract language allows (clauses, services, periods) must not run out.
The related clauses' bits have their own module, ``tests/test_related_lanes.py``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

import rulebook
from rulebook.spark import arrow_table
from tests.test_differential import text_frame

JST = dt.timezone(dt.timedelta(hours=9))


def load(text: str, name: str = "widths.sla") -> rulebook.Contract:
    path = Path(tempfile.mkdtemp()) / name
    path.write_text(text, encoding="utf-8")
    return rulebook.load_contract(path)


def head(cid: str) -> str:
    return f"""import "vocabulary.sla"
contract {cid} {{
  title "幅" provider "Demo K.K." source "demo.txt" language ja
  timezone "Asia/Tokyo" kind guarantee
  availability a {{ cite "0" "稼働率" period calendar month target >= 99.9% }}
"""


def documents(contract: rulebook.Contract, outages: list[dict[str, Any]], **inputs: Any) -> Any:
    """The record engine's document, after checking that the plan gives it from mappings
    and from text cells."""
    oracle = rulebook.adjudicate(contract, outages, **inputs).to_dict(reasons=False)
    for given_as in (outages, text_frame(outages)):
        assert rulebook.adjudicate_frame(contract, given_as, **inputs).to_dict() == oracle
    return oracle


def test_windows_that_cover_the_same_time_go_to_the_smaller_clause_id() -> None:
    # One e-mail notice qualifies under both clauses: two windows with the same start and
    # end. The earliest window wins an instant, then the shorter, then the clause id; the
    # contract declares the larger id first, so an order taken from the contract (the
    # plan's enum of clause ids, once) would give the other clause.
    contract = load(
        head("tie")
        + """  maintenance zeta { cite "1" "メール" notice by email before }
  maintenance alpha { cite "2" "いずれか" notice by any before }
}
"""
    )
    start = dt.datetime(2026, 3, 2, 1, 0, tzinfo=JST)
    notice = {
        "id": "n1",
        "service": "*",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=2)).isoformat(),
        "channel": "email",
        "announced_at": (start - dt.timedelta(days=3)).isoformat(),
    }
    outage = {
        "id": "r1",
        "service": "S",
        "start": (start + dt.timedelta(minutes=30)).isoformat(),
        "end": (start + dt.timedelta(minutes=90)).isoformat(),
    }
    document = documents(contract, [outage], notices=[notice])
    [record] = document["outages"]
    assert [s["clause"] for s in record["segments"]] == [min("zeta", "alpha")]


def test_a_groups_output_goes_to_spark_in_chunks_its_offsets_can_hold() -> None:
    # Spark declares text as Arrow's `string` (32-bit offsets: 2 GiB a chunk); a group's
    # output is cut into chunks of about a budget of bytes (here a small one, to see it).
    frame = pl.DataFrame(
        {"id": [f"record-{i:06d}" for i in range(10_000)], "seconds": list(range(10_000))}
    )
    schema = pa.schema([("id", pa.string()), ("seconds", pa.int64())])
    budget = 16 * 1024
    table = arrow_table(frame, schema, budget)
    assert table.schema == schema
    assert len(table.to_batches()) > 1
    # What a chunk's 32-bit offsets must index: its bytes of text.
    text = [pc.sum(pc.binary_length(b.column("id"))).as_py() for b in table.to_batches()]
    assert max(text) <= budget
    back = pl.from_arrow(table)
    assert isinstance(back, pl.DataFrame) and back.equals(frame)
    assert arrow_table(frame, schema).to_batches()[0].num_rows == frame.height


def test_more_clauses_and_services_than_a_byte_or_two_of_categories_hold() -> None:
    # polars stores an enum's categories in 8, 16 or 32 bits by their number: 300 clause
    # ids and 300 services take 16, past the byte the bundled contracts fit in.
    n = 300
    contract = load(
        head("many")
        + "\n".join(
            f'  exclusion e{j:03d} {{ cite "{j + 1}" "x" when priority = {j} }}' for j in range(n)
        )
        + "\n}\n"
    )
    base = dt.datetime(2026, 3, 1, tzinfo=JST)
    outages = [
        {
            "id": f"r{i}",
            "service": f"S{i % n:03d}",
            "start": (base + dt.timedelta(minutes=67 * i)).isoformat(),
            "end": (base + dt.timedelta(minutes=67 * i + 30 + i % 50)).isoformat(),
            "priority": (i * 7) % (n + 20),  # past the last clause: counted
        }
        for i in range(2 * n)
    ]
    document = documents(contract, outages)
    assert len(document["periods"]) == n
    deciding = {o["id"]: o["deciding"] for o in document["outages"]}
    assert deciding == {
        o["id"]: [f"e{o['priority']:03d}"] if o["priority"] < n else [] for o in outages
    }


def test_a_record_over_eleven_centuries_of_months() -> None:
    # Every month from 1900 to 2999 (13,200 periods, each a category of the plan's
    # enum of period labels).
    contract = load(head("ages") + '  exclusion att { cite "1" "攻撃" when cause = attack }\n}\n')
    start = dt.datetime(1900, 1, 1, tzinfo=JST)
    outages = [
        {
            "id": "long",
            "service": "S",
            "start": start.isoformat(),
            "end": dt.datetime(2999, 12, 31, 23, 0, tzinfo=JST).isoformat(),
            "cause": "provider_fault",
        },
        {
            "id": "short",
            "service": "S",
            "start": dt.datetime(1950, 6, 30, 23, 0, tzinfo=JST).isoformat(),
            "end": dt.datetime(1950, 7, 1, 1, 0, tzinfo=JST).isoformat(),
            "cause": "attack",
        },
    ]
    document = documents(contract, outages)
    assert len(document["periods"]) == (2999 - 1900 + 1) * 12
    [long] = [o for o in document["outages"] if o["id"] == "long"]
    assert len(long["segments"]) == (2999 - 1900 + 1) * 12
