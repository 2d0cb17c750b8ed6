"""Issue 26, severe item 2: columns or JSON keys that are no field cost time linear in their
number. A row with 10^3, 10^4 and 10^5 extra columns (CSV) or keys (JSON Lines) is read,
warned about in one bounded line, and adjudicated; the cost the columns add to a row without
them grows at most 11 times a tenfold step (CPU time, the least of several rounds:
tests/growth.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rulebook.cli import main
from tests.growth import cpu_seconds, growth

HEAD = "id,service,start,end,cause"
ROW = "a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,provider_fault"
RECORD = {
    "id": "a",
    "service": "CYBERMAIL Σ",
    "start": "2026-09-03T10:00:00",
    "end": "2026-09-03T11:00:00",
}


#: A row of 1,000 columns or more is read by the record route (rulebook/intake/frames.py);
#: so is one whose lines end in a lone CR (CSV) or CR LF (JSON Lines): the run of no extra
#: column, whose cost is taken off the others, goes the same way.
ROUTE = {0: "\r"}


def _csv(path: Path, extra: int) -> None:
    names = "".join(f",note{i}" for i in range(extra))
    end = ROUTE.get(extra, "\n")
    path.write_text(f"{HEAD}{names}{end}{ROW}{',v' * extra}{end}", encoding="utf-8")


def _jsonl(path: Path, extra: int) -> None:
    end = ROUTE.get(extra, "") + "\n"
    path.write_text(
        json.dumps(RECORD | {f"note{i}": "v" for i in range(extra)}) + end, encoding="utf-8"
    )


def _run(folder: Path, write: Callable[[Path, int], None], extra: int) -> float:
    """The CPU seconds of one adjudication of a row with ``extra`` columns that are no
    field (written before, outside the time), checked for what it says."""
    path = folder / f"wide-{extra}.{'csv' if write is _csv else 'jsonl'}"
    if not path.exists():
        write(path, extra)
    out: list[Result] = []
    args = ["adjudicate", "cybermail", str(path), "--format", "json"]
    seconds = cpu_seconds(lambda: out.append(CliRunner().invoke(main, args)))
    result = out[0]
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [o["verdict"] for o in doc["outages"]] == ["counted"]
    warning = [line for line in result.stderr.splitlines() if "no field" in line]
    if extra == 0:
        assert warning == []
        return seconds
    assert len(warning) == 1 and len(warning[0]) < 600, warning
    more = f" and {extra - 10:,} more;"
    assert f"{extra} column(s) that are no field of outage records" in warning[0]
    assert (
        "note0, note1, note2, note3, note4, note5, note6, note7, note8, note9" + more in warning[0]
    )
    return seconds


@pytest.mark.parametrize("write", [_csv, _jsonl], ids=["csv-columns", "jsonl-keys"])
def test_extra_columns_cost_linear_time(write: Callable[[Path, int], None], tmp_path: Path) -> None:
    """The cost the columns add to a row without them (read the same way), 10^3 to 10^5,
    measured as tests/growth.py says."""
    _run(tmp_path, write, 20)  # imports and first-use costs out of the way
    grown = growth(
        lambda extra: _run(tmp_path, write, extra),
        sizes=(10**3, 10**4, 10**5),
        base=0,
    )
    print(grown)
    assert grown.linear, grown
