"""Structure-aware fuzzing (hypothesis) of the readers, the importers and the parser: valid
case files, exports and contracts, mutated where their structure is (a quote, a brace, a
number, a line), must give rulebook's own errors or a result, never a traceback: a refusal
names the file in each of its errors; a result accounts for every record (each adjudicated
one with a verdict the schema knows, each rejected one named in an error). Bounded by
``max_examples`` so that CI stays quick."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rulebook.cli import main
from rulebook.load import bundled_dir, check_files
from tests.hostile import make_corpus

ROOT = Path(__file__).resolve().parent.parent
CSV = (ROOT / "examples" / "cybermail-2026-09.csv").read_text(encoding="utf-8")
RECORD = make_corpus.RECORD | {"caused_by": [], "priority": 2}
CASE = {
    "outages": [RECORD, RECORD | {"id": "b", "caused_by": ["a"], "cause": "attack"}],
    "notices": [
        {"id": "n", "service": "*", "start": "2026-09-10T00:00:00", "end": "2026-09-10T01:00:00"}
    ],
    "billing": {"CYBERMAIL Σ": {"monthly_fee": "50000", "currency": "JPY"}},
    "events": [{"record": "a", "event": "restored_at", "at": "2026-09-03T11:00:00"}],
    "closures": ["2026-12-30"],
}
GCP = [
    {
        "id": "i1",
        "service_name": "CYBERMAIL Σ",
        "begin": "2026-09-03T10:00:00Z",
        "end": "2026-09-03T11:00:00Z",
        "previously_affected_locations": [{"id": "asia-northeast1"}],
        "status_impact": "SERVICE_OUTAGE",
        "severity": "high",
        "affected_products": [{"title": "CYBERMAIL Σ", "id": "p1"}],
        "updates": [
            {"when": "2026-09-03T10:20:00Z", "status": "SERVICE_OUTAGE", "text": "…"},
            {"when": "2026-09-03T11:00:00Z", "status": "AVAILABLE", "text": "…"},
        ],
    }
]
PROBES = {
    "status": "success",
    "data": {
        "resultType": "matrix",
        "result": [
            {
                "metric": {"__name__": "probe_success", "instance": "CYBERMAIL Σ", "job": "bb"},
                "values": [[1788393600, "1"], [1788393660, "0"], [1788394320, "1"]],
            }
        ],
    },
}
PIECES = st.sampled_from(
    ['"', ",", "\n", "\r", ";", "{", "}", "[", "]", ":", "1e999999999", "9" * 60, "\x1b[2J",
     "\x00", "\ufeff", "\u2028", "null", "true", "-", "T", "+09:00:00.5", "0001", "9999",
     "(", ")", "not ", "when ", " and ", " or ", "import \"/etc/passwd\"\n", "#"]
)  # fmt: skip

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few edits at structural places: an insert, a cut or a line doubled."""
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "cut", "line"]))
        if action == "insert":
            text = text[:at] + draw(PIECES) + text[at:]
        elif action == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        else:
            lines = text.split("\n")
            k = at % max(1, len(lines))
            lines.insert(k, lines[k])
            text = "\n".join(lines)
    return text


def json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(-(10**60), 10**60), st.floats(), st.text(max_size=6)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=8,
    )


@st.composite
def json_mutated(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` with one value somewhere in it replaced by any JSON value."""
    if isinstance(doc, dict) and doc and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(doc)))
        return doc | {key: draw(json_mutated(doc[key]))}
    if isinstance(doc, list) and doc and draw(st.booleans()):
        i = draw(st.integers(0, len(doc) - 1))
        return [*doc[:i], draw(json_mutated(doc[i])), *doc[i + 1 :]]
    return draw(json_values())


def run(text: str | bytes, name: str, *args: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        argv = [a.replace("{file}", str(path)) for a in args]
        result = CliRunner().invoke(main, argv)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"a traceback for {text!r:.300}") from result.exception
    assert result.exit_code in (0, 1), result.output
    out, err = result.stdout, result.stderr
    assert "\x1b" not in out + err
    errors = [
        line
        for line in err.splitlines()
        if line.startswith("rulebook: ")
        and not line.startswith(("rulebook: note:", "rulebook: warning:"))
    ]
    if result.exit_code == 1:  # refused: each error names the file (and the place in it)
        assert errors, err
        assert all(name in line or "bad input item(s); see above" in line for line in errors), err
    if result.exit_code == 0 or out.startswith("{"):
        doc = json.loads(out)
        counts = doc["counts"]
        assert counts["read"] == counts["adjudicated"] + counts["rejected"]
        assert len(doc["outages"]) == counts["adjudicated"]
        # every adjudicated record has a verdict; every rejected one is named in an error
        assert all(o["verdict"] in VERDICTS for o in doc["outages"])
        assert len([e for e in errors if "see above" not in e]) >= counts["rejected"], err
    return result.exit_code, out, err


SCHEMA = json.loads((ROOT / "docs" / "adjudication.schema.json").read_text(encoding="utf-8"))
VERDICTS = set(SCHEMA["$defs"]["outage"]["properties"]["verdict"]["enum"])
ADJUDICATE = ("adjudicate", "cybermail", "{file}", "--keep-going", "--format", "json")


@FUZZ
@given(mutated(CSV))
def test_mutated_csv_logs(text: str) -> None:
    run(text, "log.csv", *ADJUDICATE)


@FUZZ
@given(mutated(json.dumps(CASE, ensure_ascii=False, indent=1)))
def test_mutated_case_file_text(text: str) -> None:
    run(text, "case.json", *ADJUDICATE)


@FUZZ
@given(json_mutated(CASE))
def test_mutated_case_file_structure(doc: Any) -> None:
    run(json.dumps(doc, ensure_ascii=False), "case.json", *ADJUDICATE)


@FUZZ
@given(st.lists(json_mutated(RECORD), min_size=1, max_size=4))
def test_mutated_json_lines(records: list[Any]) -> None:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    run(text, "log.jsonl", *ADJUDICATE)


@FUZZ
@given(json_mutated(GCP), st.sampled_from(["gcp-status", "statuspage"]))
def test_mutated_status_exports(doc: Any, source: str) -> None:
    if source == "statuspage":
        doc = {"incidents": doc}
    run(json.dumps(doc), "export.json", *ADJUDICATE, "--from", source)


STATUSPAGE = json.loads((ROOT / "tests/fixtures/statuspage-incidents.json").read_text("utf-8"))


@FUZZ
@given(json_mutated(STATUSPAGE))
def test_mutated_statuspage_exports(doc: Any) -> None:
    run(json.dumps(doc), "incidents.json", *ADJUDICATE, "--from", "statuspage")


@FUZZ
@given(json_mutated(PROBES))
def test_mutated_probe_queries(doc: Any) -> None:
    run(json.dumps(doc), "query.json", *ADJUDICATE, "--from", "prometheus")


CONTRACT = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(CONTRACT))
def test_mutated_contracts_give_diagnostics_only(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "c.sla"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        (Path(folder) / "vocabulary.sla").write_bytes(
            (bundled_dir() / "vocabulary.sla").read_bytes()
        )
        loaded = check_files([path])  # never raises: problems are diagnostics
        shown = "\n".join(d.render() for d in loaded.diagnostics)
    assert "root:" not in shown  # an import never shows another file's lines
    assert set(loaded.sources) <= {str(path), str(Path(folder) / "vocabulary.sla")}
