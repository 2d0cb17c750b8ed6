"""Issue 26, severe item 2: columns or JSON keys that are no field cost time linear in their
number. A row with 10^3, 10^4 and 10^5 extra columns (CSV) or keys (JSON Lines) is read,
warned about in one bounded line, and adjudicated; each tenfold step costs at most 11 times
the one before (the fixed cost of a run makes the first steps cheaper still)."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main

HEAD = "id,service,start,end,cause"
ROW = "a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,provider_fault"
RECORD = {
    "id": "a",
    "service": "CYBERMAIL Σ",
    "start": "2026-09-03T10:00:00",
    "end": "2026-09-03T11:00:00",
}


def _csv(path: Path, extra: int) -> None:
    names = ",".join(f"note{i}" for i in range(extra))
    cells = ",".join("v" for _ in range(extra))
    path.write_text(f"{HEAD},{names}\n{ROW},{cells}\n", encoding="utf-8")


def _jsonl(path: Path, extra: int) -> None:
    path.write_text(
        json.dumps(RECORD | {f"note{i}": "v" for i in range(extra)}) + "\n", encoding="utf-8"
    )


def _run(path: Path, extra: int) -> float:
    """The CPU seconds of one adjudication (the best of three; CPU time, not wall time, as
    the machine may be shared), checked for what it says."""
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        result = CliRunner().invoke(
            main, ["adjudicate", "cybermail", str(path), "--format", "json"]
        )
        best = min(best, time.process_time() - began)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [o["verdict"] for o in doc["outages"]] == ["counted"]
    warning = [line for line in result.stderr.splitlines() if "no field" in line]
    assert len(warning) == 1 and len(warning[0]) < 600, warning
    more = f" and {extra - 10:,} more;"
    assert f"{extra} column(s) that are no field of outage records" in warning[0]
    assert (
        "note0, note1, note2, note3, note4, note5, note6, note7, note8, note9" + more in warning[0]
    )
    return best


@pytest.mark.parametrize("write", [_csv, _jsonl], ids=["csv-columns", "jsonl-keys"])
def test_extra_columns_cost_linear_time(write: object, tmp_path: Path) -> None:
    seconds = []
    for extra in (10**3, 10**4, 10**5):
        path = tmp_path / f"wide-{extra}.{'csv' if write is _csv else 'jsonl'}"
        write(path, extra)  # type: ignore[operator]
        seconds.append(_run(path, extra))
    ratios = [later / earlier for earlier, later in itertools.pairwise(seconds)]
    assert all(r <= 11 for r in ratios), (seconds, ratios)
