"""The hostile-input corpus (``tests/hostile/``): every input, run through the command line.

For each: no traceback; the exit code the manifest gives (0 fine, 1 bad input, 2 usage);
what must come out, which the manifest states for every case (``make_corpus.py`` refuses a
case that gives only an exit code): the words of the messages (file, place, field), and for
a run that succeeds, its records with their verdicts and each service's downtime per
period; and, where the run prints its JSON document, every record accounted for: read =
adjudicated + rejected, each adjudicated record in the output and each rejected one named
in a message.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "hostile"
CASES: list[dict[str, Any]] = json.loads((CORPUS / "MANIFEST.json").read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_every_input_is_listed() -> None:
    assert len(CASES) >= 150
    listed = {c["name"] for c in CASES}
    on_disk = {str(p.relative_to(CORPUS / "inputs")) for p in (CORPUS / "inputs").rglob("*.*")}
    assert listed == on_disk


def test_every_case_says_what_comes_out_not_only_the_exit_code() -> None:
    bare = [
        c["name"] for c in CASES if not (c["says"] or {"records", "verdicts", "downtime"} & set(c))
    ]
    assert bare == []
    # a run that succeeds with a document is held to its records or its periods
    for c in CASES:
        if c["exit"] == 0 and "json" in c["args"]:
            assert {"records", "verdicts", "downtime"} & set(c), c["name"]


#: The cases that start Spark: ``tests/test_spark.py`` runs them in its session.
ON_SPARK = [c for c in CASES if c.get("spark")]
ON_ONE_MACHINE = [c for c in CASES if not c.get("spark")]


@pytest.mark.parametrize("case", ON_ONE_MACHINE, ids=[c["name"] for c in ON_ONE_MACHINE])
def test_hostile_input(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    run_case(case)


def run_case(case: dict[str, Any]) -> tuple[int, str, str]:
    """Run ``case`` (from the project's folder) and hold it to the manifest; its exit
    code, standard output and standard error."""
    path = CORPUS / "inputs" / case["name"]
    args = [a.replace("{file}", str(path)) for a in case["args"]]
    stdin = path.read_bytes() if case["stdin"] else None
    result = CliRunner().invoke(main, args, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"a traceback for {case['name']}") from result.exception
    out, err = result.stdout, result.stderr
    assert "Traceback" not in out + err
    assert result.exit_code == case["exit"], out + err
    said = out + err
    for words in case["says"]:
        assert words in said, said[:3000]
    assert "\x1b" not in said and "\x07" not in said and "\x00" not in said
    if out.startswith("{") and "--format" in args and "json" in args:
        doc = json.loads(out)
        _accounted(doc, err)
        _as_expected(case, doc)
    else:
        assert not {"records", "verdicts", "downtime"} & set(case), "no JSON document: " + said
    return result.exit_code, out, err


def _as_expected(case: dict[str, Any], doc: dict[str, Any]) -> None:
    """The records, their verdicts and the downtime the manifest states for the case."""
    outages = doc.get("outages", [])
    verdicts = {o["id"]: o.get("verdict", o.get("verdicts")) for o in outages}
    if "records" in case:
        assert verdicts == case["records"]
    if "verdicts" in case:
        assert dict(Counter(verdicts.values())) == case["verdicts"]
    if "downtime" in case:
        downtime = {f"{p['service']} {p['period']}": p["downtime_seconds"] for p in doc["periods"]}
        assert downtime == case["downtime"]


def _accounted(doc: dict[str, Any], err: str) -> None:
    counts = doc["counts"]
    assert counts["read"] == counts["adjudicated"] + counts["rejected"]
    if "outages" in doc:
        assert len(doc["outages"]) == counts["adjudicated"]
    named = [
        line for line in err.splitlines() if line.startswith("rulebook: ") and "record" in line
    ]
    assert len(named) >= counts["rejected"], err
