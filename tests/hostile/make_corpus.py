"""Write the hostile-input corpus: ``inputs/`` and ``MANIFEST.json``.

Run ``python tests/hostile/make_corpus.py`` after adding a case; commit what it writes. Each
case is one input file and the command run on it, with the exit code and what must come
out: the words the messages must hold (file, place, field), and for a run that succeeds
the records and their verdicts (``records``: id to verdict, or ``verdicts``: how many of
each) and each service's downtime per period (``downtime``), all written here by hand from
what the input means. A case that says nothing of its output is refused. The corpus only
grows: a defect found becomes a case. ``tests/test_hostile_corpus.py`` runs every case.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import polars as pl

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "inputs"

HEAD = "id,service,start,end,cause,detected_by,caused_by,priority"
GOOD = "{id},CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,provider_fault,monitoring,,"
RECORD = {
    "id": "a",
    "service": "CYBERMAIL Σ",
    "start": "2026-09-03T10:00:00",
    "end": "2026-09-03T11:00:00",
    "detected_by": "monitoring",
}
CONTRACT_HEAD = """import "vocabulary.sla"

contract t {
  title "t"
  provider "p"
  source "s"
  language ja
  timezone "Asia/Tokyo"
  kind objective
"""

#: What the three-to-five good one-hour records above come to: one hour down in September.
ONE_HOUR = {"CYBERMAIL Σ 2026-09": 3600}

cases: list[dict[str, Any]] = []


def case(
    name: str,
    content: str | bytes,
    args: list[str],
    exit: int,
    says: list[str] = (),  # type: ignore[assignment]
    stdin: bool = False,
    records: dict[str, Any] | None = None,
    verdicts: dict[str, int] | None = None,
    downtime: dict[str, int] | None = None,
    spark: bool = False,
) -> None:
    """One input: its file, the command (``{file}`` is the file's path), what must happen:
    the exit code, words of the output (``says``), the JSON document's records (``records``,
    id to verdict; a verdict per contract for ``compare``) or how many records have each
    verdict (``verdicts``), and the downtime seconds of each ``"SERVICE PERIOD"``.
    ``spark``: the command starts Spark (``--engine spark``), so ``tests/test_spark.py``
    runs it in its session, where Java and PySpark are."""
    document = records is not None or verdicts is not None or downtime is not None
    if not (says or document):
        raise ValueError(f"{name}: a case must say what comes out, not only the exit code")
    if exit == 0 and "json" in args and not document:
        raise ValueError(f"{name}: a run that writes its document must say what it holds")
    path = INPUTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    entry: dict[str, Any] = {
        "name": name, "args": args, "exit": exit, "says": list(says), "stdin": stdin
    }  # fmt: skip
    if spark:
        if args[-2:] != ["--engine", "spark"]:
            raise ValueError(f"{name}: a Spark case ends its command with --engine spark")
        entry["spark"] = True
    for key, value in (("records", records), ("verdicts", verdicts), ("downtime", downtime)):
        if value is not None:
            entry[key] = value
    cases.append(entry)


def adjudicate(
    name: str, content: str | bytes, exit: int, says: list[str], *extra: str, **out: Any
) -> None:
    """An outage input adjudicated under cybermail, every bad item named (--keep-going);
    ``out``: what the document holds (``records``, ``verdicts``, ``downtime``)."""
    args = ["adjudicate", "cybermail", "{file}", "--keep-going", "--format", "json", *extra]
    case(name, content, args, exit, says, **out)


def counted(*ids: str) -> dict[str, Any]:
    """The records ``ids``, each counted, and the hour of downtime they make together."""
    return {"records": dict.fromkeys(ids, "counted"), "downtime": ONE_HOUR}


def csv_row(name: str, column: str, value: str, field: str | None = None, exit: int = 1) -> None:
    """A CSV log of three good rows and one whose ``column`` holds ``value`` (line 3); when
    the value is good, the three records are read and counted."""
    row = dict(zip(HEAD.split(","), GOOD.format(id="bad").split(","), strict=True))
    row[column] = value
    lines = [HEAD, GOOD.format(id="g1"), ",".join(row.values()), GOOD.format(id="g2")]
    says = [f"{name}:3: record bad, field '{field or column}'"] if exit else []
    out = {} if exit else counted("g1", "bad", "g2")
    adjudicate(f"csv/{name}", "\n".join(lines) + "\n", exit, says, **out)


def jsonl(name: str, lines: list[Any], exit: int, says: list[str], **out: Any) -> None:
    text = "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in lines)
    adjudicate(f"jsonl/{name}", text + "\n", exit, says, **out)


def case_file(name: str, doc: Any, exit: int, says: list[str], *extra: str, **out: Any) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc, ensure_ascii=False)
    adjudicate(f"case/{name}", text, exit, says, *extra, **out)


def contract(name: str, text: str | bytes, exit: int, says: list[str]) -> None:
    case(f"contracts/{name}", text, ["check", "{file}"], exit, says)


#: What `rulebook check` says of a file with one contract and no problem.
CLEAN = ["1 file(s), 1 contract(s): 0 error(s), 0 warning(s)"]
NOTHING: dict[str, Any] = {"records": {}, "downtime": {}}  # no record, no period


def build() -> None:
    # -- numbers (a fact; item 3)
    for i, value in enumerate(
        ["1e999999999", "1E+999999999", "-1e-999999999", "9" * 51, "1e31", "1e-31", "nan",
         "inf", "-inf", "1/0", "0x10", "1e", "--1", "1;5", "1/3", "1_0"]
    ):  # fmt: skip
        csv_row(f"number-{i:02d}.csv", "priority", value)
    for i, value in enumerate(["1e30", "-0", "0.000001", "12345678901234567890", "１２"]):
        csv_row(f"number-ok-{i:02d}.csv", "priority", value, exit=0)
    # -- timestamps (years 0001/9999, offsets)
    for i, value in enumerate(
        ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1899-12-31T23:59:59",
         "3000-01-01T00:00:00", "2026-09-03T10:00:00+09:00:00.5", "2026-09-03T10:00:00+24:00",
         "2026-09-03T10:00:00.5", "2026-02-30T10:00:00", "yesterday",
         "2026-09-03T10:00:00+09:00\x1b[2J", "\x00", "2026-09-03T25:00:00",
         "2026-09-03T10:00:00+0900x"]
    ):  # fmt: skip
        csv_row(f"start-{i:02d}.csv", "start", value)
    for i, value in enumerate(["2026-09-03T09:00:00", "2026-09-03T10:00:00", "0001-01-01"]):
        csv_row(f"end-{i:02d}.csv", "end", value)
    # -- codes, text, control characters
    for i, value in enumerate(
        ["provder_fault", "war\x1b]0;owned\x07", "\x1b[31mred", "fire;war", "ＷＡＲ", "None"]
    ):
        csv_row(f"cause-{i:02d}.csv", "cause", value)
    for i, value in enumerate(["robot", "monitoring\x1b[H", "true"]):
        csv_row(f"detected-{i:02d}.csv", "detected_by", value)
    for i, value in enumerate(["nobody", "bad", "g1;nobody"]):
        csv_row(f"caused-{i:02d}.csv", "caused_by", value)
    # -- the shape of CSV (items 4 and the line of a multi-line record)
    good = [HEAD, *(GOOD.format(id=f"g{i}") for i in range(5))]
    for i in range(1, 6):
        lines = list(good)
        lines[i] = lines[i].replace("provider_fault", '"provider_fault')
        adjudicate(
            f"csv/unterminated-{i}.csv",
            "\n".join(lines) + "\n",
            1,
            [f"unterminated-{i}.csv:{i + 1}: record #{i}: a quoted cell opened on this line"],
        )
    adjudicate(
        "csv/multiline-bad.csv",
        HEAD + '\na,"CYBERMAIL\nΣ",2026-09-03T10:00:00,2026-09-03T11:00:00,wr,monitoring,,\n',
        1,
        ["multiline-bad.csv:2: record a, field 'cause'"],
    )
    adjudicate("csv/ragged.csv", "\n".join([*good, "x,y"]) + "\n", 1, ["ragged.csv:7: record #6"])
    adjudicate("csv/header-typo.csv", HEAD.replace("cause", "casue") + "\n", 1,
               ["header-typo.csv:1: column casue: is not a field"])  # fmt: skip
    adjudicate("csv/header-twice.csv", HEAD + ",id\n", 1, ["header-twice.csv:1: column 'id'"])
    adjudicate("csv/header-blank.csv", HEAD + ",\n", 1, ["header-blank.csv:1: column 9 has no"])
    adjudicate("csv/empty.csv", "", 0, [], **NOTHING)
    adjudicate("csv/header-only.csv", HEAD + "\n", 0, [], **NOTHING)
    adjudicate("csv/blank-lines.csv", "\n".join([HEAD, "", GOOD.format(id="a"), "", ""]), 0, [],
               **counted("a"))  # fmt: skip
    five = counted(*(f"g{i}" for i in range(5)))  # ids and service without a stray \r or BOM
    adjudicate("csv/crlf.csv", "\r\n".join(good) + "\r\n", 0, [], **five)
    adjudicate("csv/cr.csv", "\r".join(good) + "\r", 0, [], **five)
    adjudicate("csv/bom.csv", "\ufeff" + "\n".join(good) + "\n", 0, [], **five)
    adjudicate("csv/latin1.csv", ("\n".join(good) + "\n").encode("utf-8").replace(
        "Σ".encode(), b"\xe9"), 1, ["latin1.csv:2: not UTF-8 text (byte 0xe9"])  # fmt: skip
    adjudicate(
        "csv/utf16.csv",
        "\n".join(good).encode("utf-16"),
        1,
        ["utf16.csv:1: not UTF-8", "give --encoding utf-16"],
    )
    adjudicate("csv/binary.csv", bytes(range(256)), 1, ["binary.csv:2: not UTF-8"])
    adjudicate("csv/huge-cell.csv", HEAD + "\n" + "x" * 200_000 + "\n", 1, ["huge-cell.csv:2:"])
    adjudicate(
        "csv/nul-header.csv",
        "\x00" + "\n".join(good) + "\n",
        1,
        ["nul-header.csv:1: column \\x00id"],
    )
    adjudicate("csv/nul.csv", "\n".join([HEAD, GOOD.format(id="a\x00b")]) + "\n", 0, [],
               **counted("a\x00b"))  # fmt: skip
    adjudicate("csv/duplicate-id.csv", "\n".join([HEAD, GOOD.format(id="a")] * 1 + [
        GOOD.format(id="a")]) + "\n", 1, ["duplicate-id.csv:3: record a, field 'id': is used twice"])  # fmt: skip
    chain = [HEAD, GOOD.replace(",monitoring,,", ",monitoring,c,").format(id="a"),
             GOOD.replace(",monitoring,,", ",monitoring,a,").format(id="c")]  # fmt: skip
    adjudicate("csv/cycle.csv", "\n".join(chain) + "\n", 1, ["cycle.csv", "cycle: a -> c -> a"])
    # a long chain of causes under a related exclusion: linear (item 7), every record decided
    chain = [HEAD, GOOD.replace("provider_fault", "attack").format(id="c0")]
    chain += [
        GOOD.replace(",monitoring,,", f",monitoring,c{i - 1},").format(id=f"c{i}")
        for i in range(1, 3000)
    ]
    # the root is an attack, and cybermail's `attack` exclusion is `including related`
    adjudicate("csv/chain-3000.csv", "\n".join(chain) + "\n", 0, [],
               verdicts={"excluded": 3000}, downtime={"CYBERMAIL Σ 2026-09": 0})  # fmt: skip
    chain[1] = chain[1].replace("attack", "atack")  # the root refused: all 3,000 named
    adjudicate("csv/chain-3000-root-bad.csv", "\n".join(chain) + "\n", 1,
               ["chain-3000-root-bad.csv:2: record c0, field 'cause'",
                "chain-3000-root-bad.csv:3001: record c2999, field 'caused_by': names 'c2998'"])  # fmt: skip
    quote_mid = [HEAD, GOOD.format(id='a"b')]
    adjudicate("csv/quote-inside.csv", "\n".join(quote_mid) + "\n", 0, [], **counted('a"b'))
    # -- JSON Lines
    jsonl("u2028.jsonl", [RECORD | {"service": "CYBERMAIL\u2028Σ"}], 0,
          ["1 record(s) of 1 service(s) are out of scope", "did you mean 'CYBERMAIL Σ'?"],
          records={"a": "out_of_scope"}, downtime={})  # fmt: skip
    jsonl("true-id.jsonl", [RECORD | {"id": True}], 1, ["true-id.jsonl:1: record true, field 'id'"])
    jsonl("float-id.jsonl", [RECORD | {"id": 1.5}], 1, ["float-id.jsonl:1: record 1.5, field 'id'"])
    jsonl("null-id.jsonl", [RECORD | {"id": None}], 1, ["null-id.jsonl:1: record #1, field 'id'"])
    jsonl("list-id.jsonl", [RECORD | {"id": ["a"]}], 1, ["list-id.jsonl:1:", "field 'id'"])
    jsonl("int-id.jsonl", [RECORD | {"id": 7}], 0, [], **counted("7"))
    jsonl("huge-int.jsonl", ['{"id": "a", "priority": ' + "9" * 5000 + "}"], 1,
          ["huge-int.jsonl:1: an integer of 5000 digits"])  # fmt: skip
    jsonl("big-int.jsonl", [RECORD | {"priority": int("9" * 50)}], 0, [], **counted("a"))
    jsonl("bigger-int.jsonl", [RECORD | {"priority": int("9" * 51)}], 1,
          ["bigger-int.jsonl:1: an integer of 51 digits"])  # fmt: skip
    # a JSON number with a fraction is a double: 60 digits are read as its 17
    jsonl(
        "long-float.jsonl", [json.dumps(RECORD)[:-1] + ', "priority": 0.' + "1" * 60 + "}"], 0, [],
        **counted("a"),
    )  # fmt: skip
    jsonl("long-text-number.jsonl", [RECORD | {"priority": "0." + "1" * 60}], 1,
          ["long-text-number.jsonl:1: record a, field 'priority'"])  # fmt: skip
    jsonl("huge-float.jsonl", [json.dumps(RECORD)[:-1] + ', "priority": 1e999999999}'], 1,
          ["huge-float.jsonl:1: record a, field 'priority'"])  # fmt: skip
    jsonl("nan.jsonl", [json.dumps(RECORD)[:-1] + ', "priority": NaN}'], 1,
          ["nan.jsonl:1: record a, field 'priority'"])  # fmt: skip
    jsonl("deep.jsonl", ["[" * 100_000 + "]" * 100_000], 1, ["deep.jsonl:1: arrays and objects"])
    jsonl("deep-record.jsonl", [RECORD | {"cause": [[[[[[[[[[[]]]]]]]]]]]}], 1,
          ["deep-record.jsonl:1: record a, field 'cause'"])  # fmt: skip
    jsonl("deep-65.jsonl", ['{"id": ' + "[" * 70 + "]" * 70 + "}"], 1,
          ["deep-65.jsonl:1: arrays and objects nest too deep"])  # fmt: skip
    jsonl("not-object.jsonl", ["[1, 2]"], 1, ["not-object.jsonl:1: a JSON object is expected"])
    jsonl("broken.jsonl", ['{"id": "a",'], 1, ["broken.jsonl:1: not JSON"])
    jsonl("object-fact.jsonl", [RECORD | {"cause": {"a": 1}}], 1,
          ["object-fact.jsonl:1: record a, field 'cause'"])  # fmt: skip
    jsonl("list-start.jsonl", [RECORD | {"start": [2026]}], 1,
          ["list-start.jsonl:1: record a, field 'start'"])  # fmt: skip
    jsonl("bool-fact.jsonl", [RECORD | {"priority": True}], 1,
          ["bool-fact.jsonl:1: record a, field 'priority'"])  # fmt: skip
    jsonl("unknown-field.jsonl", [RECORD | {"casue": "war"}], 1,
          ["unknown-field.jsonl:1: record a, field 'casue'"])  # fmt: skip
    jsonl("escape.jsonl", [RECORD | {"cause": "\u001b[2Jwar"}], 1,
          ["escape.jsonl:1: record a, field 'cause'"])  # fmt: skip
    jsonl("good.jsonl", [RECORD, RECORD | {"id": "b"}], 0, [], **counted("a", "b"))
    jsonl("mixed.jsonl", [RECORD, RECORD | {"id": "b", "start": "x"}, RECORD | {"id": "c"}], 1,
          ["mixed.jsonl:2: record b, field 'start'"])  # fmt: skip
    # -- JSON case files (wrong-typed parts, billing, events, notices, closures)
    case_file("outages-object.json", {"outages": {}}, 1, ["case/outages-object.json: 'outages' is an object"])  # fmt: skip
    case_file("outages-string.json", {"outages": "a"}, 1, ["outages-string.json: 'outages' is a string"])  # fmt: skip
    case_file("notices-number.json", {"notices": 3}, 1, ["notices-number.json: 'notices' is a number"])  # fmt: skip
    case_file("events-object.json", {"events": {}}, 1, ["events-object.json: 'events' is an object"])  # fmt: skip
    case_file("closures-string.json", {"closures": "2026-12-30"}, 1, ["closures-string.json: 'closures' is a string"])  # fmt: skip
    case_file("closures-numbers.json", {"closures": [20261230]}, 1, ["closures-numbers.json: 'closures'"])  # fmt: skip
    case_file("item-string.json", {"outages": ["a"]}, 1, ["item-string.json: outages[0] is a string"])  # fmt: skip
    case_file("unknown-part.json", {"outage": []}, 1, ["unknown-part.json: 'outage' is not a part"])  # fmt: skip
    case_file("top-string.json", '"hello"', 1, ["top-string.json: a JSON object"])
    case_file("top-null.json", "null", 1, ["top-null.json: a JSON object"])
    case_file("top-number.json", "12", 1, ["top-number.json: a JSON object"])
    case_file("deep.json", "[" * 100_000 + "]" * 100_000, 1, ["deep.json: arrays and objects nest too deep"])  # fmt: skip
    case_file("deep-object.json", '{"outages": [' + '{"a":' * 2000 + "1" + "}" * 2000 + "]}", 1, ["deep-object.json: arrays"])  # fmt: skip
    case_file("one-line.json", {"outages": [RECORD]}, 0, [], **counted("a"))
    case_file("null-parts.json", {"outages": [RECORD], "notices": None, "events": None}, 0, [],
              **counted("a"))  # fmt: skip
    bill = {"monthly_fee": "50000", "currency": "JPY"}
    for i, (field, value) in enumerate(
        [("monthly_fee", "1e400"), ("monthly_fee", "1e999999999"), ("monthly_fee", -5),
         ("monthly_fee", True), ("monthly_fee", [1]), ("monthly_fee", "abc"), ("currency", "yen"),
         ("currency", 3), ("term", "weekly"), ("contract_start", "0001-13-01"), ("damages", "x")]
    ):  # fmt: skip
        case_file(f"billing-{i:02d}.json", {"outages": [RECORD], "billing": {"CYBERMAIL Σ": bill | {field: value}}}, 1,
                  [f"billing-{i:02d}.json: billing[0]: billing entry CYBERMAIL Σ, field '{field}'"])  # fmt: skip
    case_file("billing-flat.json", {"outages": [RECORD], "billing": {"monthly_fee": "5", "currency": "JPY"}}, 1,
              ["billing-flat.json: billing['monthly_fee'] must be an object"])  # fmt: skip
    case_file("billing-string.json", {"billing": "5000"}, 1, ["billing-string.json: 'billing' is a string"])  # fmt: skip
    case_file("billing-list-bad.json", {"outages": [RECORD], "billing": [5]}, 1, ["billing-list-bad.json: billing[0] is a number"])  # fmt: skip
    case_file("billing-huge-int.json", '{"billing": [{"monthly_fee": ' + "1" * 5000 + "}]}", 1, ["billing-huge-int.json: an integer of 5000 digits"])  # fmt: skip
    event = {"record": "a", "event": "restored_at", "at": "2026-09-03T11:00:00"}
    for i, bad in enumerate(
        [{"record": "nobody"}, {"event": "fixed_at"}, {"at": "soon"}, {"at": "0001-01-01T00:00:00"},
         {"extra": 1}, {"at": None}, {"record": None}, {"evnet": "x"}]
    ):  # fmt: skip
        if "extra" in bad:  # a key that is no field, and no near miss of one: left out, said
            case_file(f"event-{i:02d}.json", {"outages": [RECORD], "events": [event, event | bad]}, 0,
                      [f"event-{i:02d}.json: 1 column(s) that are no field of timeline events are ignored: extra"],
                      **counted("a"))  # fmt: skip
            continue
        case_file(f"event-{i:02d}.json", {"outages": [RECORD], "events": [event, event | bad]}, 1,
                  [f"event-{i:02d}.json: events[1]: event #2"])  # fmt: skip
    notice = {
        "id": "n",
        "service": "*",
        "start": "2026-09-10T00:00:00",
        "end": "2026-09-10T01:00:00",
    }
    for i, bad in enumerate(
        [{"start": "x"}, {"end": "2026-09-09T00:00:00"}, {"channel": "pigeon"}, {"emergency": "maybe"},
         {"colour": "red"}, {"announced_at": "9999-01-01T00:00:00"}, {"id": True}, {"chanel": "email"}]
    ):  # fmt: skip
        field = next(iter(bad))
        if field == "colour":  # no field, and no near miss of one: left out, said
            # the notices are of a window a week after the record: it counts
            case_file(f"notice-{i:02d}.json", {"outages": [RECORD], "notices": [notice | {"id": "ok"}, notice | bad]}, 0,
                      [f"notice-{i:02d}.json: 1 column(s) that are no field of maintenance notices are ignored: colour"],
                      **counted("a"))  # fmt: skip
            continue
        case_file(f"notice-{i:02d}.json", {"outages": [RECORD], "notices": [notice | {"id": "ok"}, notice | bad]}, 1,
                  [f"notice-{i:02d}.json: notices[1]: notice", f"field '{field}'"])  # fmt: skip
    for i, bad in enumerate(["not-a-day", "0001-01-01", "9999-12-31", "2026-02-30"]):
        case_file(f"closure-{i:02d}.json", {"outages": [RECORD], "closures": ["2026-12-30", bad]}, 1,
                  [f"closure-{i:02d}.json: closures[1]: closure {bad}: '{bad}' is not a date"])  # fmt: skip
    # -- importers
    gcp = {
        "id": "i1",
        "service_name": "CYBERMAIL Σ",
        "begin": "2026-09-03T10:00:00Z",
        "end": "2026-09-03T11:00:00Z",
    }
    for i, doc in enumerate(
        [{}, "x", [5], [{"id": None}], [{"id": {"a": 1}}], [gcp | {"previously_affected_locations": "x"}],
         [gcp | {"currently_affected_locations": [5, {"id": None}, {"id": "asia-northeast1"}]}],
         [gcp | {"begin": "0001-01-01T00:00:00Z"}], [gcp | {"service_name": None}], [gcp, gcp]]
    ):  # fmt: skip
        name = f"importers/gcp-{i:02d}.json"
        exit = 0 if i in (5, 6) else 1
        says = [f"gcp-{i:02d}.json"]
        out: dict[str, Any] = {}
        if i == 5:  # the locations that are not a list are left out, and said so
            says = [
                "gcp-05.json: 1 incident(s): a list of locations is not a list: left out: incidents[0] (i1)"
            ]
            out = {"records": {"i1/CYBERMAIL Σ": "counted"}, "downtime": ONE_HOUR}
        if i == 6:  # the good location is kept, the two bad ones left out
            says = [
                "gcp-06.json: 1 incident(s): a location without an 'id': left out: incidents[0] (i1)"
            ]
            out = {"records": {"i1/CYBERMAIL Σ@asia-northeast1": "counted"}, "downtime": ONE_HOUR}
        case(name, json.dumps(doc, ensure_ascii=False),
             ["adjudicate", "cybermail", "{file}", "--from", "gcp-status", "--keep-going", "--format", "json"], exit, says,
             **out)  # fmt: skip
    sp = {"id": "s1", "name": "x", "started_at": "2026-09-03T10:00:00Z", "resolved_at": "2026-09-03T11:00:00Z",
          "components": [{"id": "c1", "name": "CYBERMAIL Σ"}]}  # fmt: skip
    for i, doc in enumerate(
        [[], {"incidents": "x"}, {"incidents": [5]}, {"incidents": [{"id": None}]},
         {"incidents": [sp | {"components": "x"}]}, {"incidents": [sp | {"components": [5, None]}]},
         {"scheduled_maintenances": [{"name": "m"}]}, {"incidents": [sp, sp]},
         {"incidents": [sp | {"started_at": 5}]}, {"incidents": [sp]}]
    ):  # fmt: skip
        name = f"importers/statuspage-{i:02d}.json"
        exit = 0 if i in (4, 5, 9) else 1
        says = [f"statuspage-{i:02d}.json"]
        out = {}
        if i in (4, 5):  # components that are no list of components: the incident's name
            says = [
                f"statuspage-{i:02d}.json: 1 incident(s): names no component: its service is the incident's name: incidents[0] (s1)",
                "1 record(s) of 1 service(s) are out of scope",
            ]
            out = {"records": {"s1": "out_of_scope"}, "downtime": {}}
        if i == 9:
            out = {"records": {"s1@c1": "counted"}, "downtime": ONE_HOUR}
        case(name, json.dumps(doc, ensure_ascii=False),
             ["adjudicate", "cybermail", "{file}", "--from", "statuspage", "--keep-going", "--format", "json"], exit, says,
             **out)  # fmt: skip
    probe = {"metric": {"__name__": "probe_success", "instance": "CYBERMAIL Σ", "job": "blackbox"},
             "values": [[1788393600, "1"], [1788393660, "0"], [1788394260, "1"]]}  # fmt: skip

    def matrix(result: Any) -> dict[str, Any]:
        return {"status": "success", "data": {"resultType": "matrix", "result": result}}

    for i, doc in enumerate(
        [[], {"status": "error", "errorType": "\x1b[31mbad", "error": "boom"},
         {"status": "success", "data": {"resultType": "vector", "result": []}}, matrix("x"), matrix([5]),
         matrix([probe | {"values": [[1e308, "0"]]}]), matrix([probe | {"values": [["x", "0"]]}]),
         matrix([probe | {"values": [[1788393600, 0]]}]), matrix([probe, probe]),
         matrix([{"metric": {}, "values": probe["values"]}]), matrix([probe | {"values": [[1788393600, "0"]]}]),
         matrix([probe | {"metric": {"__name__": "up", "instance": "x"}}]), matrix([probe])]
    ):  # fmt: skip
        name = f"importers/prometheus-{i:02d}.json"
        exit = 0 if i == 12 else 1
        says = [f"prometheus-{i:02d}.json"]
        out = {}
        if i == 12:  # samples a minute, then ten minutes apart: the one failed sample stands
            # for a minute (the step), the rest is no data; a minute is under cybermail's 10
            says = [
                "prometheus-12.json: 1 series: 1 failure run(s) became records",
                "a gap in the samples, longer than the interval: no data, not downtime",
            ]
            out = {
                "records": {
                    'CYBERMAIL Σ{job="blackbox"}@2026-09-03T00:01:00+00:00': "not_downtime"
                },
                "downtime": {"CYBERMAIL Σ 2026-09": 0},
            }
        case(name, json.dumps(doc, ensure_ascii=False),
             ["adjudicate", "cybermail", "{file}", "--from", "prometheus", "--keep-going", "--format", "json"], exit, says,
             **out)  # fmt: skip
    # -- contract files (items 1 and the parser)
    for i, target in enumerate(["/etc/passwd", "../../../../../../../etc/passwd", "/proc/self/environ",
                                "../make_corpus.py", "/etc/hostname", "vocabulary.sla/../../../etc/passwd"]):  # fmt: skip
        contract(f"import-{i:02d}.sla", f'import "{target}"\n', 1,
                 [f"import-{i:02d}.sla:1:8: error[missing-import]: imported file '{target}' is not beside this file nor bundled"])  # fmt: skip
    deep = {
        "not-1000": "not " * 1000 + "cause = war",
        "and-or-250": " and ".join(["(cause = war or cause = fire"] * 250) + ")" * 250,
        "not-101": "not " * 101 + "cause = war",
    }
    for name, cond in deep.items():
        contract(f"{name}.sla", CONTRACT_HEAD + f'  exclusion a {{\n    cite "1" "x"\n    when {cond}\n  }}\n}}\n', 1,
                 [f"{name}.sla:12:", "error[too-deep]: the condition nests deeper than 100 levels"])  # fmt: skip
    contract("parens-5000.sla", CONTRACT_HEAD + '  exclusion a {\n    cite "1" "x"\n    when '
             + "(" * 5000 + "cause = war" + ")" * 5000 + "\n  }\n}\n", 0, CLEAN)  # fmt: skip
    contract("not-99.sla", CONTRACT_HEAD + '  exclusion a {\n    cite "1" "x"\n    when '
             + "not " * 98 + "cause = war\n  }\n}\n", 0, CLEAN)  # fmt: skip
    example_head = (
        CONTRACT_HEAD
        + """  exclusion war {
    cite "1" "x"
    when cause = war
  }
  example e "x" {
"""
    )
    for name, outages, problem in [
        ("example-twice", 'outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { }\n' * 2,
         "the record id 'a' is used twice"),
        ("example-cycle", 'outage a "S" from "2026-09-03T10:00:00" to "2026-09-03T11:00:00" { caused_by [a] }\n',
         "records cause each other in a cycle: a -> a"),
        ("example-ongoing", 'outage a "S" from "2026-09-03T10:00:00" { }\n', "is empty (ongoing)"),
        ("example-year", 'outage a "S" from "0001-09-03T10:00:00" to "2026-09-03T11:00:00" { }\n', "is in the year 1"),
    ]:  # fmt: skip
        # check does not run the engine; test refuses the example at its line
        case(f"contracts/{name}.sla", example_head + "    " + outages + "    expect a counted\n  }\n}\n",
             ["test", "{file}"], 1, [f"{name}.sla:14: expected records that are valid input", problem])  # fmt: skip
    contract("bom.sla", "\ufeff" + CONTRACT_HEAD + "}\n", 0, CLEAN)
    contract("empty.sla", "", 0, ["1 file(s), 0 contract(s): 0 error(s), 0 warning(s)"])
    contract("binary.sla", bytes(range(256)), 1, ["binary.sla", "not UTF-8"])
    contract("latin1.sla", CONTRACT_HEAD.encode() + b'  title "\xe9"\n}\n', 1, ["latin1.sla", "not UTF-8"])  # fmt: skip
    contract("unterminated.sla", CONTRACT_HEAD + '  title "x\n}\n', 1, ["unterminated.sla:10:"])
    contract("full-width.sla", CONTRACT_HEAD + "  exclusion a { when （cause = war） }\n}\n", 1, ["full-width.sla:10:"])  # fmt: skip
    contract("escape.sla", CONTRACT_HEAD + "  \x1b[2J\n}\n", 1, ["escape.sla:10:3: error[syntax]: unexpected character '\\x1b'"])  # fmt: skip
    contract("nul.sla", CONTRACT_HEAD + "  \x00\n}\n", 1, ["nul.sla:10:"])
    contract("huge-number.sla", CONTRACT_HEAD + '  exclusion a {\n    cite "1" "x"\n    when priority > '
             + "9" * 5000 + "\n  }\n}\n", 1, ["huge-number.sla:12:"])  # fmt: skip
    contract("long-line.sla", CONTRACT_HEAD + "  # " + "x" * 100_000 + "\n}\n", 0, CLEAN)
    for i, count in enumerate([0, 2]):
        body = "".join(CONTRACT_HEAD.split("\n", 2)[2].replace("contract t", f"contract t{k}") + "}\n"
                       for k in range(count))  # fmt: skip
        case(f"contracts/count-{count}.sla", 'import "vocabulary.sla"\n\n' + body,
             ["adjudicate", "{file}", str(Path("examples/cybermail-2026-09.csv"))], 1,
             [f"count-{count}.sla holds {count} contracts; expected exactly one"])  # fmt: skip
        assert i >= 0
    # -- Parquet: columns of types no column check reads go to the record route
    base = {k: [RECORD[k]] for k in ("id", "service", "start", "end")}
    for name, extra, says in [
        ("cause-list", {"cause": [[1, 2]]}, "field 'cause'"),
        ("cause-struct", {"cause": [{"x": 1}]}, "field 'cause'"),
        ("cause-binary", {"cause": [b"\x00war"]}, "field 'cause'"),
        ("start-int", {"start": [5]}, "field 'start'"),
        ("start-date", {"start": [dt.date(2026, 9, 3)]}, "field 'start'"),
        ("start-0001", {"start": [dt.datetime(1, 1, 1)]}, "is in the year 1"),
        ("start-9999", {"start": [dt.datetime(9999, 12, 31)]}, "is in the year 9999"),
        ("priority-1e308", {"priority": [1e308]}, "has an exponent of 308"),
        ("priority-text", {"priority": ["1e999999999"]}, "has an exponent of 999999999"),
        ("id-bool", {"id": [True]}, "record true, field 'id'"),
        ("caused-by-int", {"caused_by": [5]}, "field 'caused_by'"),
        ("caused-by-nested", {"caused_by": [[["a"]]]}, 'field \'caused_by\': [["a"]] holds ["a"]'),
        ("features-nested", {"features": [[["web_access"]]]}, "field 'features': [[\"web_acc"),
        (
            "response-duration",
            {"response_time": [dt.timedelta(seconds=5)]},
            "field 'response_time': 0:00:05 is not a number",
        ),
        ("self-resolved-int", {"self_resolved": [3]}, "field 'self_resolved'"),
        ("empty", None, NOTHING),
        ("id-int", {"id": [7]}, counted("7")),
    ]:
        frame = (
            pl.DataFrame(base | extra)
            if extra is not None
            else pl.DataFrame(schema={k: pl.String for k in base})
        )
        buffer = io.BytesIO()
        frame.write_parquet(buffer)
        if isinstance(says, dict):  # read, and what comes out
            adjudicate(f"parquet/{name}.parquet", buffer.getvalue(), 0, [], **says)
            continue
        adjudicate(f"parquet/{name}.parquet", buffer.getvalue(), 1,
                   [f"{name}.parquet: outages[0]: record", says])  # fmt: skip
    # -- the command line
    log = "\n".join(good) + "\n"
    case("cli/as-of-0001.csv", log, ["adjudicate", "cybermail", "{file}", "--as-of", "0001-01-01T00:00:00"], 2,
         ["Invalid value for '--as-of': '0001-01-01T00:00:00' is in the year 1"])  # fmt: skip
    case("cli/as-of-9999.csv", log, ["adjudicate", "cybermail", "{file}", "--as-of", "9999-12-31T23:59:59"], 2,
         ["Invalid value for '--as-of'"])  # fmt: skip
    case("cli/as-of-junk.csv", log, ["adjudicate", "cybermail", "{file}", "--as-of", "\x1b[2Jsoon"], 2,
         ["Invalid value for '--as-of': '\\x1b[2Jsoon' is not a timestamp"])  # fmt: skip
    case("cli/until-before-since.csv", log, ["report", "cybermail", "{file}", "--since", "2026-10-01", "--until", "2026-09-01"], 2,
         ["Invalid value for '--until': 2026-09-01 is not after --since 2026-10-01"])  # fmt: skip
    case("cli/stdin-twice.csv", log, ["adjudicate", "cybermail", "-", "--events", "-"], 2,
         ["- (standard input) is given for OUTAGES and --events; give it once"], stdin=True)  # fmt: skip
    case("cli/stdin-bom.csv", "\ufeff" + log, ["report", "cybermail", "-", "--input-format", "csv", "--format", "json"], 0, [], stdin=True,
         downtime=ONE_HOUR)  # fmt: skip
    case("cli/stdin-latin1.csv", log.encode().replace("Σ".encode(), b"\xe9"), ["report", "cybermail", "-", "--input-format", "csv"], 1,
         ["<stdin>:2: not UTF-8 text"], stdin=True)  # fmt: skip
    case("cli/compare-twice.csv", log, ["compare", "{file}", "--contract", "cybermail", "--contract", "cybermail"], 2,
         ["contract cybermail is given twice"])  # fmt: skip
    case("cli/compare-stdin.csv", log, ["compare", "-", "--contract", "cybermail", "--contract", "aoulu-cloud",
                                        "--input-format", "csv", "--format", "json"], 0,
         ["5 record(s) of 1 service(s) are out of scope: contract aoulu-cloud"],
         stdin=True, records={f"g{i}": {"cybermail": "counted", "aoulu-cloud": "out_of_scope"} for i in range(5)})  # fmt: skip
    case("cli/missing-notices.csv", log, ["adjudicate", "cybermail", "{file}", "--notices", "no/such/file.csv"], 1,
         ["no/such/file.csv: no such file"])  # fmt: skip
    case("cli/explain-missing.csv", log, ["explain", "cybermail", "{file}", "nobody\x1b[2J"], 1,
         ["no record 'nobody\\x1b[2J'"])  # fmt: skip
    case("csv-ok/space-separator.csv", log.replace("T10:00:00", " 10:00"), ["report", "cybermail", "{file}", "--format", "json"], 0, [],
         downtime=ONE_HOUR)  # fmt: skip
    case("csv-ok/basic-format.csv", log.replace("2026-09-03T10:00:00", "20260903T100000"), ["report", "cybermail", "{file}", "--format", "json"], 0, [],
         downtime=ONE_HOUR)  # fmt: skip
    case(
        "cli/period-junk.csv",
        log,
        ["adjudicate", "cybermail", "{file}", "--period", "2026-13"],
        2,
        ["'2026-13' is not a period of contract cybermail (monthly): give YYYY-MM"],
    )
    case("cli/format-mismatch.csv", log, ["adjudicate", "cybermail", "{file}", "--input-format", "json"], 1,
         ["format-mismatch.csv:1:1: not JSON"])  # fmt: skip
    case("cli/notices-case-file.json", json.dumps({"outages": [RECORD], "notices": []}),
         ["adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--notices", "{file}"], 2,
         ["notices-case-file.json: a case file given to --notices holds 'outages'"])  # fmt: skip
    # Encodings (issue 14): an Excel-style cp932 log names the encoding that reads it.
    jp = log.replace("CYBERMAIL Σ", "サイバーメール") + "\n"
    case("encoding/cp932.csv", jp.encode("cp932"), ["adjudicate", "cybermail", "{file}"], 1,
         ["cp932.csv:2: not UTF-8 text", "it reads as cp932: give --encoding cp932"])  # fmt: skip
    case("encoding/cp932-given.csv", jp.encode("cp932"), ["adjudicate", "cybermail", "{file}", "--encoding", "shift_jis"], 0,
         ["records read 5, adjudicated 5, rejected 0", "サイバーメール (5 record(s))"])  # fmt: skip
    case("encoding/euc-jp-as-cp932.csv", jp.encode("euc-jp") + "①\n".encode("euc-jp", "replace"),
         ["adjudicate", "cybermail", "{file}", "--encoding", "cp932"], 1, ["not cp932 text"])  # fmt: skip
    case("encoding/junk-name.csv", log, ["adjudicate", "cybermail", "{file}", "--encoding", "klingon\x1b"], 2,
         ["is not a text encoding"])  # fmt: skip
    case("encoding/rot13.csv", log, ["adjudicate", "cybermail", "{file}", "--encoding", "rot13"], 2,
         ["is not a text encoding"])  # fmt: skip
    # Project files given with --config (issue 14): every problem at its line, exit 1.
    example = ["adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--config", "{file}"]
    case(
        "config/not-toml.toml", "contract = \n", example, 1, ["not-toml.toml:1:", "not valid TOML"]
    )
    case("config/unknown-key.toml", 'lang = "ja"\ncontarct = "cybermail"\n', example, 1,
         ["unknown-key.toml:2: contarct: is not a setting", "(did you mean 'contract'?)"])  # fmt: skip
    case("config/bad-field.toml", '[columns]\n"x" = "strat"\n[values.cause]\n"停電" = "power"\n', example, 1,
         ["bad-field.toml:2: columns.x: 'strat' is not a field", "did you mean 'start'",
          "bad-field.toml:4: values.cause.\"停電\": 'power' is not a cause code"])  # fmt: skip
    case("config/contract-path.toml", 'contract = "/etc/passwd"\n', example, 1,
         ["contract-path.toml:1: contract: no bundled contract or contract file '/etc/passwd'"])  # fmt: skip
    case("config/latin1.toml", b'lang = "\xe9"\n', example, 1, ["latin1.toml:1: not UTF-8 text"])
    case("config/deep.toml", "x = " + "[" * 5000 + "]" * 5000 + "\n", example, 1, ["deep.toml"])


def main() -> None:
    import sys

    import conditions  # beside this file: conditions of many terms (issues 26 and 29)
    import surfaces  # beside this file: the cases of issue 26

    if INPUTS.exists():
        for path in sorted(INPUTS.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    build()
    surfaces.build(sys.modules[__name__])
    conditions.build(sys.modules[__name__])
    (HERE / "MANIFEST.json").write_text(
        json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
