"""The corpus cases of issue 26 ("hostile input, round two": wide rows, project files, CSV
out, JSON keys, the language server's neighbours), written by ``make_corpus.py``, which
passes itself in (``corpus``: its ``case``, ``adjudicate`` and the records it builds on)."""

from __future__ import annotations

import hashlib
import json
from types import ModuleType
from typing import Any


def build(corpus: ModuleType) -> None:
    wide_rows(corpus)
    project_files(corpus)
    formulas(corpus)
    drafted_globs(corpus)
    strict_json(corpus)
    medium(corpus)
    bounded(corpus)
    long_cells(corpus)
    markdown(corpus)
    probe_steps(corpus)
    outputs_and_maps(corpus)
    spark_json_lines(corpus)
    terminal(corpus)
    diff_markdown(corpus)
    hidden_formulas(corpus)


def wide_rows(c: ModuleType) -> None:
    """Columns and keys that are no field: warned about in one line naming ten of them."""
    names = [f"note{i}" for i in range(2000)]
    head = "id,service,start,end"
    row = "a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00"
    listed = ", ".join(names[:10]) + " and 1,990 more; to read one"
    c.adjudicate("csv/wide-2000.csv", f"{head},{','.join(names)}\n{row},{','.join('v' * 2000)}\n",
                 0, ["wide-2000.csv: 2000 column(s) that are no field of outage records are "
                     "ignored: " + listed], **c.counted("a"))  # fmt: skip
    c.jsonl("wide-2000.jsonl", [c.RECORD | dict.fromkeys(names, "v")], 0,
            ["wide-2000.jsonl: 2000 column(s) that are no field of outage records are "
             "ignored: " + listed], **c.counted("a"))  # fmt: skip
    assert json  # used by later classes


def project_files(c: ModuleType) -> None:
    """The project file in use is named with its SHA-256 and shown in the output's header;
    --config refuses what is no file, naming what it is."""
    text = 'timezone = "UTC"\n'
    sha = hashlib.sha256(text.encode()).hexdigest()
    example = ["adjudicate", "cybermail", "examples/cybermail-2026-09.csv", "--config"]
    c.case("config/timezone-utc.toml", text, [*example, "{file}"], 0,
           [f"timezone-utc.toml (sha256 {sha}); --no-config runs without it",
            "timezone Asia/Tokyo (project file ", "timezone-utc.toml; naive times read in UTC)"])  # fmt: skip
    log = "\n".join([c.HEAD, c.GOOD.format(id="a")]) + "\n"
    for device in ("/dev/zero", "/dev/null"):
        name = device.rsplit("/", 1)[1]
        c.case(f"config/config-{name}.csv", log,
               ["adjudicate", "cybermail", "{file}", "--config", device], 1,
               [f"{device}: is a character device, not a file; give the project file's path to --config"])  # fmt: skip


def formulas(c: ModuleType) -> None:
    """CSV out: a cell that a spreadsheet would read as a formula is written with a leading
    ' (ids, services, clause titles); numbers keep their sign."""
    head = "id,service,start,end,cause"
    rows = [
        ('"=HYPERLINK(""http://x"",""y"")"', "CYBERMAIL Σ", "provider_fault"),
        ("@SUM(1)", "CYBERMAIL Σ", "provider_fault"),
        ("+1", "-cmd|' /C calc'!A0", "provider_fault"),
        ('"\t=1+1"', "CYBERMAIL Σ", "provider_fault"),
        ("＝1", "CYBERMAIL Σ", "war"),
    ]
    lines = [head] + [
        f"{rid},{service},2026-09-{3 + i:02d}T10:00:00,2026-09-{3 + i:02d}T11:00:00,{cause}"
        for i, (rid, service, cause) in enumerate(rows)
    ]
    times = "2026-09-{d}T10:00:00+09:00,2026-09-{d}T11:00:00+09:00,1:00:00,3600"
    c.case("csv-out/formulas.csv", "\n".join(lines) + "\n",
           ["adjudicate", "cybermail", "{file}", "--format", "csv"], 0,
           ['"\'=HYPERLINK(""http://x"",""y"")",CYBERMAIL Σ,' + times.format(d="03"),
            "'@SUM(1),CYBERMAIL Σ," + times.format(d="04"),
            "\n+1,'-cmd|' /C calc'!A0," + times.format(d="05"),  # a number stays one
            "\n'=1+1,CYBERMAIL Σ," + times.format(d="06"),  # the reader strips the tab
            "'＝1,CYBERMAIL Σ," + times.format(d="07") + ",0,3600,0,excluded,social,外部要因 社会情勢,"])  # fmt: skip
    # a clause title of the contract is written neutralised too
    text = c.CONTRACT_HEAD + (
        '  services s "s" {\n    cite "1" "x"\n    covers "CYBERMAIL Σ"\n  }\n  exclusion war "=WEBSERVICE(1)" {\n    cite "1" "x"\n'
        "    when cause = war\n  }\n}\n"
    )
    c.case("csv-out/title.sla", text,
           ["adjudicate", "{file}", "tests/hostile/inputs/csv-out/formulas.csv", "--format", "csv"], 0,
           [",0,3600,0,excluded,war,'=WEBSERVICE(1),"])  # fmt: skip


def drafted_globs(c: ModuleType) -> None:
    """`init` writes a log's service name as a glob that matches that name only: a service
    named ``CYBERMAIL*`` must not capture ``CYBERMAILXY``'s records, and one with ``[`` must
    match itself."""
    names = {"a": "CYBERMAIL*", "b": "CYBERMAIL[Σ", "c": "CYBERMAIL ?"}
    rows = [f"{rid},{name},2026-09-0{i + 3}T10:00:00,2026-09-0{i + 3}T11:00:00"
            for i, (rid, name) in enumerate(names.items())]  # fmt: skip
    log = "id,service,start,end\n" + "\n".join(rows) + "\n"
    c.case("init/globs.csv", log, ["init", "{file}", "--contract", "cybermail", "-o", "-"], 0,
           ['log = "CYBERMAIL[*]"  # ? 1 record(s)', 'log = "CYBERMAIL[[]Σ"  # ? 1 record(s)',
            'log = "CYBERMAIL [?]"  # ? 1 record(s)'])  # fmt: skip
    # the drafted rules, used: each maps its own name, and no other
    rules = "".join(
        f'[[services]]\nlog = "{glob}"\nto = ["CYBERMAIL Σ"]\n'
        for glob in ("CYBERMAIL[*]", "CYBERMAIL[[]Σ", "CYBERMAIL [?]")
    )
    others = [
        "d,CYBERMAILXY,2026-09-10T10:00:00,2026-09-10T11:00:00",
        "e,CYBERMAIL !,2026-09-11T10:00:00,2026-09-11T11:00:00",
    ]
    c.case("init/others.csv", log + "\n".join(others) + "\n", ["init", "{file}", "-o", "-"], 0,
           ['log = "CYBERMAILXY"'])  # fmt: skip
    c.case("init/globs.toml", rules,
           ["adjudicate", "cybermail", "tests/hostile/inputs/init/others.csv", "--config", "{file}",
            "--format", "json"], 0, ["2 record(s) of 2 service(s) are out of scope"],
           records={"a": "counted", "b": "counted", "c": "counted", "d": "out_of_scope",
                    "e": "out_of_scope"},
           downtime={"CYBERMAIL Σ 2026-09": 3 * 3600})  # fmt: skip


def strict_json(c: ModuleType) -> None:
    """A key given twice in one object, and a lone UTF-16 surrogate, are refused where they
    stand, on every route (JSON Lines by columns or by record, case files, importers, init);
    a surrogate pair is one character and is read."""
    twice = "the key '{}' is given twice in one object; accepted: each key once"
    record = json.dumps(c.RECORD, ensure_ascii=False)
    again = record[:-1] + ', "end": "2026-09-03T12:00:00"}'
    c.jsonl("duplicate-key.jsonl", [record.replace('"a"', '"b"'), again], 1,
            ["duplicate-key.jsonl:2:1: " + twice.format("end")])  # fmt: skip
    c.case_file("duplicate-part.json", '{"outages": [' + record + '],\n "outages": []}', 1,
                ["duplicate-part.json:1:1: " + twice.format("outages")])  # fmt: skip
    c.case_file("duplicate-in-record.json", '{"outages": [\n  ' + record + ",\n  " + again + "\n]}",
                1, ["duplicate-in-record.json:3:3: " + twice.format("end")])  # fmt: skip
    gcp = '[{"id": "i1", "id": "i2", "service_name": "CYBERMAIL Σ"}]'
    c.case("importers/gcp-duplicate.json", gcp,
           ["adjudicate", "cybermail", "{file}", "--from", "gcp-status"], 1,
           ["gcp-duplicate.json:1:2: " + twice.format("id")])  # fmt: skip
    lone = "'{}' is a lone UTF-16 surrogate, no character; accepted: text whose \\u escapes"
    escaped = json.dumps(c.RECORD)  # ASCII, Σ as \u03a3
    c.jsonl("lone-high.jsonl", [escaped.replace('"a"', '"a\\ud800"')], 1,
            ["lone-high.jsonl:1:10: " + lone.format("\\ud800")])  # fmt: skip
    c.jsonl("lone-low.jsonl", [escaped.replace('"a"', '"a\\udc00\\ud800"')], 1,
            ["lone-low.jsonl:1:10: " + lone.format("\\udc00")])  # fmt: skip
    c.jsonl("lone-key.jsonl", [escaped[:-1] + ', "\\udfff": "x"}'], 1,
            ["lone-key.jsonl:1:", lone.format("\\udfff")])  # fmt: skip
    c.jsonl("surrogate-pair.jsonl", [escaped.replace('"a"', '"a\\ud83d\\ude00"')], 0, [],
            **c.counted("a\U0001f600"))  # fmt: skip
    c.jsonl("explicit-null.jsonl", [escaped[:-1] + ', "cause": null}'], 0, [], **c.counted("a"))
    c.case_file("lone.json", '{"outages": [' + escaped.replace('"a"', '"\\ud800"') + "]}", 1,
                ["lone.json:1:22: " + lone.format("\\ud800")])  # fmt: skip
    c.case("init/lone.jsonl", escaped.replace("CYBERMAIL \\u03a3", "\\udbff") + "\n",
           ["init", "{file}", "-o", "-"], 1, ["lone.jsonl:1:25: " + lone.format("\\udbff")])  # fmt: skip


def medium(c: ModuleType) -> None:
    """The medium items: a fee at the bound, a JSON case file given to Spark, ..."""
    for name, text in (
        ("spark-case.json", '{"outages": [\n' + json.dumps(c.RECORD) + "\n]}"),
        ("spark-one-line.json", json.dumps({"outages": [c.RECORD]})),
        ("spark-list.json", json.dumps([c.RECORD])),
    ):
        c.case(f"case/{name}", text, ["adjudicate", "cybermail", "{file}", "--engine", "spark"], 2,
               ["--engine spark reads CSV, JSON Lines and Parquet files; ", f"{name} is a JSON case file (one document): adjudicate "
                "it with --engine columnar or records"])  # fmt: skip
    record = {"id": "a", "service": "ネクサパレット", "start": "2026-09-03T10:00:00",
              "end": "2026-09-05T11:00:00", "detected_by": "monitoring", "cause": "provider_fault"}  # fmt: skip
    for fee in ("1e30", "9" * 30):
        doc = {
            "outages": [record],
            "billing": {"ネクサパレット": {"monthly_fee": fee, "currency": "JPY"}},
        }
        # 49 hours of a 30-day month: fee * 176400 / 2592000, paid in whole yen, 50 sen up
        # (通貨単位法 第3条, contracts/nexa-palette.sla)
        exact = int(fee.replace("1e30", "1" + "0" * 30)) * 176400
        paid = (2 * exact + 2592000) // (2 * 2592000)
        c.case(f"case/fee-{fee[:4]}.json", json.dumps(doc, ensure_ascii=False),
               ["adjudicate", "nexa-palette", "{file}", "--format", "json"], 0,
               [f"/ 2592000 s = {exact // 2592000}.", f"paid {paid} JPY"],
               records={"a": "counted"}, downtime={"ネクサパレット 2026-09": 176400})  # fmt: skip


def bounded(c: ModuleType) -> None:
    """Inputs read to a bound: a device is refused by name (/dev/null reads as empty), a
    path no file can have is named; a contract's lone CR is refused (check and fmt alike);
    fmt reads a BOM as check does."""
    log = "\n".join([c.HEAD, c.GOOD.format(id="a")]) + "\n"
    for args, says in [
        (["adjudicate", "cybermail", "/dev/zero", "--input-format", "csv"], "rulebook: /dev/zero: is a device, not a file"),
        (["adjudicate", "cybermail", "/dev/zero", "--input-format", "parquet"], "rulebook: /dev/zero: is a device, not a file"),
        (["adjudicate", "cybermail", "{file}", "--notices", "/dev/urandom"], "rulebook: /dev/urandom: is a device, not a file"),
        (["check", "/dev/zero"], "cannot read /dev/zero: is a device, not a file"),
        (["fmt", "/dev/zero"], "rulebook: cannot read /dev/zero: is a device, not a file"),
        (["adjudicate", "cybermail", "x" * 5000 + ".csv"], "…" + "x" * 75 + ".csv: is no path (the name is too long)"),
    ]:  # fmt: skip
        name = f"cli/bounded-{len(c.cases):03d}.csv"
        c.case(name, log, args, 1, [says])
    c.case("cli/dev-null.csv", log, ["report", "cybermail", "/dev/null", "--input-format", "csv",
                                     "--format", "json"], 0, [], downtime={})  # fmt: skip
    text = (
        c.CONTRACT_HEAD
        + '  # a note\r  exclusion war {\n    cite "1" "x"\n    when cause = war\n  }\n}\n'
    )
    lone = "lone-cr.sla:10:11: error[lone-cr]: a carriage return (CR) not followed by a line feed"
    c.contract("lone-cr.sla", text, 1, [lone])
    c.case("contracts/fmt-lone-cr.sla", text, ["fmt", "{file}"], 1, ["fmt-" + lone])
    bom = "\ufeff" + c.CONTRACT_HEAD + "}\n"
    c.case("contracts/fmt-bom.sla", bom, ["fmt", "-"], 0, ['import "vocabulary.sla"\n\ncontract t {'],
           stdin=True)  # fmt: skip


def long_cells(c: ModuleType) -> None:
    """The CSV cell limit holds on the column route too; a long value is quoted cut."""
    head = "id,service,start,end,notes"
    row = "{},CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,{}"
    over = [head, row.format("a", "x"), row.format("b", "x" * 131_073)]
    c.adjudicate("csv/cell-over.csv", "\n".join(over) + "\n", 1,
                 ["cell-over.csv:3: a cell of more than 131,072 characters; accepted: cells of at "
                  "most 131,072 characters"])  # fmt: skip
    at = [head, row.format("a", "x" * 131_072)]
    c.adjudicate("csv/cell-at-limit.csv", "\n".join(at) + "\n", 0,
                 ["1 column(s) that are no field of outage records are ignored: notes"],
                 **c.counted("a"))  # fmt: skip
    long_id = "a" * 200_000
    c.jsonl("long-id.jsonl", [c.RECORD | {"id": long_id, "start": "y" * 200_000}], 1,
            [f"long-id.jsonl:1: record {'a' * 59}…, field 'start': '{'y' * 39}…' is not a "
             "timestamp"])  # fmt: skip
    # a long service name is named in the out-of-scope warning, its line cut at 1,000
    c.jsonl("long-service.jsonl", [c.RECORD | {"service": "s" * 200_000}], 0,
            ["  " + "s" * 997 + "… (199,017 characters cut)"],
            records={"a": "out_of_scope"}, downtime={})  # fmt: skip


def markdown(c: ModuleType) -> None:
    """Markdown output holds no raw HTML from ids, services or contract text."""
    rows = ["id,service,start,end,cause",
            "<img src=x onerror=alert(1)>,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,war",
            "b,<script>alert(2)</script>,2026-09-04T10:00:00,2026-09-04T11:00:00,"]  # fmt: skip
    c.case("markdown/html.csv", "\n".join(rows) + "\n",
           ["adjudicate", "cybermail", "{file}", "--format", "markdown", "--explain"], 0,
           ["| &lt;img src=x onerror=alert(1)> | CYBERMAIL Σ |",
            "### Record &lt;img src=x onerror=alert(1)> (CYBERMAIL Σ,",
            "| b | &lt;script>alert(2)&lt;/script> |"])  # fmt: skip
    text = c.CONTRACT_HEAD.replace('title "t"', 'title "<b onmouseover=alert(3)>t"') + (
        '  services s "s" {\n    cite "1" "x"\n    covers "CYBERMAIL Σ"\n  }\n'
        '  exclusion war "<i>war</i>" {\n    cite "1" "<a href=javascript:alert(4)>x</a>"\n'
        "    when cause = war\n  }\n}\n"
    )
    c.case("markdown/contract.sla", text,
           ["adjudicate", "{file}", "tests/hostile/inputs/markdown/html.csv", "--format", "markdown",
            "--explain"], 0,
           ["# t — &lt;b onmouseover=alert(3)>t", "「&lt;i>war&lt;/i>」",
            "> &lt;a href=javascript:alert(4)>x&lt;/a>"])  # fmt: skip


def probe_steps(c: ModuleType) -> None:
    """Prometheus: --step and the spacing of the samples are bounded (a day), and a step is
    written with each unit once, the larger first."""

    def matrix(values: list[list[Any]]) -> str:
        series = {
            "metric": {"__name__": "probe_success", "instance": "CYBERMAIL Σ"},
            "values": values,
        }
        return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [series]}},
                          ensure_ascii=False)  # fmt: skip

    minutely = matrix([[1788393600, "1"], [1788393660, "0"], [1788393720, "1"]])
    args = ["adjudicate", "cybermail", "{file}", "--from", "prometheus", "--step"]
    for step, says in [("1h1h1h", "'1h1h1h' is not a step; accepted: seconds (60) or 30s, 5m, "
                                  "1h30m: each unit once, the larger first"),
                       ("1577880000", "'1577880000' is not a step; accepted: from one second to a "
                                      "day (86,400 s)"),
                       ("2d", "'2d' is not a step; accepted: from one second to a day")]:  # fmt: skip
        c.case(f"importers/step-{step}.json", minutely, [*args, step], 2, [says])
    # one failed sample, the next fifty years later: not a fifty-year record
    sparse = matrix([[1788393660, "0"], [3365280000, "1"]])
    c.case("importers/prometheus-sparse.json", sparse,
           ["adjudicate", "cybermail", "{file}", "--from", "prometheus"], 1,
           [f"prometheus-sparse.json: the samples are {(3365280000 - 1788393660) // 60} min apart or more, so one failed "
            "sample would stand for that long; accepted: samples at most a day (86,400 s) apart, "
            "or --step"])  # fmt: skip


def outputs_and_maps(c: ModuleType) -> None:
    """Files named after a prefix need a path; the service map by columns decides as the
    rules say, first match first (``when`` on the id, a glob, a name with a *)."""
    log = "\n".join([c.HEAD, c.GOOD.format(id="a")]) + "\n"
    for fmt in ("parquet", "csv"):
        c.case(f"cli/{fmt}-dash.csv", log, ["adjudicate", "cybermail", "{file}", "--format", fmt,
                                             "-o", "-"], 2,
               [f"--format {fmt} writes files named after -o PREFIX: give a path, not -"])  # fmt: skip
    rows = ["id,service,start,end",
            "r1@tokyo,メール*,2026-09-03T10:00:00,2026-09-03T11:00:00",
            "r2@osaka,メール*,2026-09-04T10:00:00,2026-09-04T11:00:00",
            "r3@tokyo,メールX,2026-09-05T10:00:00,2026-09-05T11:00:00"]  # fmt: skip
    c.case("config/map-log.csv", "\n".join(rows) + "\n", ["init", "{file}", "-o", "-"], 0,
           ['log = "メール[*]"'])  # fmt: skip
    rules = (
        '[[services]]\nlog = "メール[*]"\nwhen = { id = "*@osaka" }\nto = ["MAILGATES Σ"]\n'
        '[[services]]\nlog = "メール[*]"\nto = ["CYBERMAIL Σ"]\n'
    )
    c.case("config/map-when.toml", rules,
           ["adjudicate", "cybermail", "tests/hostile/inputs/config/map-log.csv", "--config", "{file}",
            "--format", "json"], 0, ["1 record(s) of 1 service(s) are out of scope"],
           records={"r1@tokyo": "counted", "r2@osaka": "counted", "r3@tokyo": "out_of_scope"},
           downtime={"CYBERMAIL Σ 2026-09": 3600, "MAILGATES Σ 2026-09": 3600})  # fmt: skip


def spark_json_lines(c: ModuleType) -> None:
    """Spark reads JSON Lines itself: each line is first checked as one machine reads it,
    in the workers (:mod:`rulebook.spark.files`); ``tests/test_spark.py`` runs these in its
    session and holds each to the one-machine run's every word and exit code."""
    twice = "the key '{}' is given twice in one object; accepted: each key once"
    lone = "'{}' is a lone UTF-16 surrogate, no character; accepted: text whose \\u escapes"
    record = json.dumps(c.RECORD, ensure_ascii=False)
    again = record[:-1] + ', "end": "2026-09-03T12:00:00"}'
    escaped = json.dumps(c.RECORD)
    spark = ["adjudicate", "cybermail", "{file}", "--engine", "spark"]
    c.case("jsonl/spark-duplicate-key.jsonl", f"{record}\n{again}\n".replace('"a"', '"b"', 1),
           spark, 1, ["/spark-duplicate-key.jsonl:2:1: "
                      + twice.format("end") + " (readers differ on which of the two values "
                      "counts)\n"], spark=True)  # fmt: skip
    c.case("jsonl/spark-lone.jsonl", "\n" + escaped.replace('"a"', '"a\\udc00"') + "\n", spark,
           1, ["/spark-lone.jsonl:2:10: "
               + lone.format("\\udc00") + " make whole characters (a surrogate \\ud800-\\udbff "
               "followed by one of \\udc00-\\udfff)\n"], spark=True)  # fmt: skip
    # columns that are no field: left out with one machine's warning (a worker's traceback
    # before); a near miss of a field refused on the driver with "did you mean"
    head = "id,service,start,end,note,colour"
    row = "a,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00,x,red"
    c.case("csv/spark-extra-columns.csv", f"{head}\n{row}\n", [*spark[:3], "--format", "json",
           *spark[3:]], 0, ["spark-extra-columns.csv: 2 column(s) that are no field of outage "
                            "records are ignored: note, colour; to read one"],
           spark=True, **c.counted("a"))  # fmt: skip
    c.case("csv/spark-near-miss.csv", f"{head.replace('note', 'casue')}\n{row}\n", spark, 1,
           ["spark-near-miss.csv:1: column casue: is not a field of outage records; accepted: id, "
            "service, start, end, cause,", "(did you mean 'cause'?)"], spark=True)  # fmt: skip


def terminal(c: ModuleType) -> None:
    """Text from input reaches a terminal as escapes on every path: `explain --period`
    listed the period's record ids raw, `fmt` its diagnostics' source lines."""
    rows = ["id,service,start,end", "a\x1b[2Jb,CYBERMAIL Σ,2026-09-03T10:00:00,2026-09-03T11:00:00"]
    c.case("cli/explain-period-escape.csv", "\n".join(rows) + "\n",
           ["explain", "cybermail", "{file}", "--period", "CYBERMAIL Σ", "2026-09"], 0,
           ["  records in the period (1):\n    - a\\x1b[2Jb: counted as downtime; counted 3600 s"])  # fmt: skip
    c.case("contracts/fmt-escape.sla", c.CONTRACT_HEAD + "  \x1b[2J\n}\n", ["fmt", "{file}"], 1,
           ["fmt-escape.sla:10:3: error[syntax]: unexpected character '\\x1b'\n      \\x1b[2J\n"])  # fmt: skip


def diff_markdown(c: ModuleType) -> None:
    """`diff --format markdown` writes no raw HTML from the contracts' titles and quotes,
    and its fence of a clause's lines is longer than any run of backticks in them."""
    old = (c.INPUTS / "markdown" / "contract.sla").read_text(encoding="utf-8")
    new = old.replace("when cause = war", "when cause = war or cause = fire").replace(
        'cite "1" "<a href', 'cite "1" "``` <script>alert(5)</script> <a href'
    )
    c.case("markdown/diff-new.sla", new,
           ["diff", "tests/hostile/inputs/markdown/contract.sla", "{file}", "--format", "markdown"],
           0, ["### exclusion war 「&lt;i>war&lt;/i>」: changed\n````diff\n",
               "\n````\nold: 1 「&lt;a href=javascript:alert(4)>x&lt;/a>」\nnew: 1 「``` &lt;script>"])  # fmt: skip
    # a contract diff cannot read is refused with its first diagnostic, rendered (the
    # diagnostic's repr was printed: "rulebook: Diagnostic(severity='error', ...)")
    c.case("contracts/diff-unterminated.sla", c.CONTRACT_HEAD + '  title "x\n}\n',
           ["diff", "{file}", "contracts/cybermail.sla"], 1,
           ['diff-unterminated.sla:10:9: error[syntax]: unterminated string: a string must close '
            'with " on the same line\nhint: expected'])  # fmt: skip
    c.case("contracts/diff-unknown-fact.sla", c.CONTRACT_HEAD + '  exclusion a {\n    cite "1" "x"\n'
           "    when casue = war\n  }\n}\n", ["diff", "contracts/cybermail.sla", "{file}"], 1,
           ["diff-unknown-fact.sla:12:10: error[unknown-fact]"])  # fmt: skip


def hidden_formulas(c: ModuleType) -> None:
    """A formula behind a character that is no space to a reader (a vertical tab, a
    zero-width space: a contract's "\\u000b" escape) is neutralised too."""
    text = c.CONTRACT_HEAD + (
        '  services s "s" {\n    cite "1" "x"\n    covers "CYBERMAIL Σ"\n  }\n'
        '  exclusion war "\\u000b=WEBSERVICE(1)" {\n    cite "1" "x"\n    when cause = war\n  }\n'
        '  exclusion fire "\\u200b@SUM(1)" {\n    cite "1" "x"\n    when cause = fire\n  }\n}\n'
    )
    c.case("csv-out/title-hidden.sla", text,
           ["adjudicate", "{file}", "tests/hostile/inputs/csv-out/formulas.csv", "--format", "csv",
            "--what", "records"], 0, [",0,3600,0,excluded,war,'\x0b=WEBSERVICE(1),"])  # fmt: skip
