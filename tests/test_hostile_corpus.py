"""The hostile-input corpus (``tests/hostile/``): every input, run through the command line.

For each: no traceback; the exit code the manifest gives (0 fine, 1 bad input, 2 usage);
a message naming file, place and field; and, where the run prints its JSON document, every
record accounted for: read = adjudicated + rejected, each adjudicated record in the output
and each rejected one named in a message.
"""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hostile_input(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
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
        _accounted(json.loads(out), err)


def _accounted(doc: dict[str, Any], err: str) -> None:
    counts = doc["counts"]
    assert counts["read"] == counts["adjudicated"] + counts["rejected"]
    if "outages" in doc:
        assert len(doc["outages"]) == counts["adjudicated"]
    named = [
        line for line in err.splitlines() if line.startswith("rulebook: ") and "record" in line
    ]
    assert len(named) >= counts["rejected"], err
