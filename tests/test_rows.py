"""`to_rows()`: one plain dict a record, the same from both evaluators."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulebook import adjudicate, adjudicate_frame, load_contract
from rulebook.io.readers import read_case

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
KEYS = ["id", "service", "start", "end", "verdict"]
KEYS += ["counted_seconds", "excluded_seconds", "not_downtime_seconds", "deciding"]


@pytest.mark.parametrize(
    ("contract", "log", "notices", "as_of"),
    [
        ("cybermail", "cybermail-2026-09.csv", "cybermail-2026-09-notices.csv", None),
        ("aoulu-cloud", "aoulu-cloud-2026-09.csv", "aoulu-cloud-2026-09-notices.csv", None),
        ("aoulu-cloud", "aoulu-cloud-2026-09.csv", None, "2026-09-29T00:00:00"),
    ],
)
def test_rows_are_the_same_from_both_evaluators(
    contract: str, log: str, notices: str | None, as_of: str | None
) -> None:
    loaded = load_contract(contract)
    given = (
        [n.data for n in read_case(str(EXAMPLES / notices), None, "notices").notices]
        if notices
        else []
    )
    assert bool(given) == bool(notices)
    framed = adjudicate_frame(loaded, str(EXAMPLES / log), given, as_of=as_of).to_rows()
    records = [o.data for o in read_case(str(EXAMPLES / log)).outages]
    engine = adjudicate(loaded, records, given, as_of=as_of).to_rows()
    assert framed == engine
    assert framed and all(list(row) == KEYS for row in framed)
    assert [r["id"] for r in framed] == sorted(r["id"] for r in framed)
    for row in framed:  # plain data: strings and integers only
        assert all(isinstance(v, str | int) for v in row.values())
        assert isinstance(row["deciding"], str)


def test_a_row_matches_the_json_document() -> None:
    loaded = load_contract("cybermail")
    result = adjudicate_frame(loaded, str(EXAMPLES / "cybermail-2026-09.csv"))
    document = {o["id"]: o for o in result.to_dict()["outages"]}
    for row in result.to_rows():
        record = document[row["id"]]
        for key in KEYS[:-1]:
            assert row[key] == record[key]
        assert row["deciding"] == ", ".join(record["deciding"])
    assert any(row["deciding"] for row in result.to_rows())
