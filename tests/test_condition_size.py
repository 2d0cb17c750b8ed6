"""Conditions of any size (issues 26 and 29): time linear in the number of terms, in the
parser, the check, the columnar plan and the record engine; past the bound of
docs/limits.md, a diagnostic from `rulebook check`.

The hostile corpus holds the 5,000-term cases (``tests/hostile/inputs/conditions/``); here
the growth from 10^3 to 10^5 terms, measured in CPU time as tests/growth.py says (the
machine may be shared; CPU time counts polars' threads too) and held within 11x a decade —
10x is linear, anything quadratic is 100x.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import polars as pl
from click.testing import CliRunner

import rulebook
from rulebook import limits
from rulebook.cli import main
from rulebook.load import bundled_dir
from tests.growth import cpu_seconds, growth
from tests.hostile.make_corpus import CONTRACT_HEAD

#: Priority 10^6 is none of 0..n-1, 3 is one of them; the third record has none (unknown).
RECORDS = [
    {"id": rid, "service": "S", "start": f"2026-09-0{day}T10:00:00",
     "end": f"2026-09-0{day}T11:00:00", "cause": "provider_fault", "priority": p}
    for rid, day, p in (("high", 3, 1_000_000), ("low", 4, 3), ("none", 5, None))
]  # fmt: skip


def _contract(folder: Path, terms: int) -> Path:
    """A contract whose two exclusions have ``terms`` terms each: an `and` of `!=` (holds
    for 10^6 only) and an `or` of `=` (holds for 3 only)."""
    every = " and ".join(f"priority != {i}" for i in range(terms))
    some = " or ".join(f"priority = {i}" for i in range(terms))
    text = CONTRACT_HEAD + "".join(
        f'  exclusion {name} {{\n    cite "1" "x"\n    when {cond}\n  }}\n'
        for name, cond in (("every", every), ("some", some))
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocabulary.sla").write_bytes((bundled_dir() / "vocabulary.sla").read_bytes())
    path = folder / f"c{terms}.sla"
    path.write_text(text + "}\n", encoding="utf-8")
    return path


def _run(path: Path) -> float:
    """CPU seconds to parse and check the contract (``check_files``, as `rulebook check`
    does; not the contract cache's copy on disk, which ``load_contract`` writes too) and
    adjudicate the three records with the columnar plan and the record engine; both give
    the verdicts the terms mean."""
    done: list[tuple[Any, Any]] = []

    def work() -> None:
        loaded = rulebook.check_files([path])
        assert not loaded.errors and len(loaded.contracts) == 1, loaded.errors
        contract = loaded.contracts[0]
        frame = rulebook.adjudicate_frame(contract, pl.DataFrame(RECORDS))
        done.append((frame, rulebook.adjudicate(contract, RECORDS)))

    spent = cpu_seconds(work)
    frame, records = done[0]
    expected = {
        "high": ("excluded", ["every"]),
        "low": ("excluded", ["some"]),
        "none": ("counted", []),
    }
    columnar = {r["id"]: (r["verdict"], r["deciding"]) for r in frame.records.iter_rows(named=True)}
    engine = {o["id"]: (o["verdict"], o["deciding"]) for o in records.to_dict()["outages"]}
    assert columnar == expected and engine == expected, (columnar, engine)
    return spent


def test_time_grows_linearly_with_the_terms_of_a_condition(tmp_path: Path) -> None:
    """The cost the terms add to a condition of ten, 10^3 to 10^5 terms, measured as
    tests/growth.py says; each run on the contract written afresh in a folder of its own,
    so that it is parsed and checked, not taken from the contract cache."""
    written = itertools.count()

    def run(terms: int) -> float:
        return _run(_contract(tmp_path / f"{terms}-{next(written)}", terms))

    run(10)  # imports and first-use costs out of the way
    grown = growth(run, sizes=(1_000, 10_000, 100_000), base=10)
    print(grown)
    assert grown.linear, grown


def test_a_condition_past_the_bound_is_refused_by_check(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.sla").write_bytes((bundled_dir() / "vocabulary.sla").read_bytes())
    terms = limits.MAX_CONDITION_TERMS + 1
    path = tmp_path / "big.sla"
    path.write_text(
        CONTRACT_HEAD + '  exclusion a {\n    cite "1" "x"\n    when '
        + " or ".join(["self_resolved"] * terms) + "\n  }\n}\n",
        encoding="utf-8",
    )  # fmt: skip
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"{path}:12:10: error[too-large]: the condition has 100,001 terms; "
        "accepted: at most 100,000\n"
    ), result.stdout
    assert "1 error(s)" in result.stdout
