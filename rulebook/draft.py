"""``rulebook init``: a commented project file drafted from a sample of the user's log.

The draft names what the sample holds — its columns (each read as the field whose name or
label it is near), the words of its code columns (each read as the nearest code), its
service names (each mapped to the nearest service a contract covers) — and marks every
guess, so that the user checks the guesses rather than writes the file. It is a valid
project file as written (``tests/test_project.py`` loads every draft it makes).
"""

from __future__ import annotations

import codecs
import difflib
import fnmatch
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from rulebook import model as m
from rulebook.conditions import escape_glob
from rulebook.intake.records import RECORD_FIELDS
from rulebook.io.readers import GUESSES, InputError, case_of_text, decode, detect
from rulebook.text import near_miss

#: Rows read from the log (its first ones), and bytes at most.
SAMPLE_ROWS = 1000
SAMPLE_BYTES = 4 << 20
#: Service names and words of one field written at most.
SHOWN = 50

#: Column names exports give the record fields (besides the fields' own names).
SYNONYMS = {
    "id": ("id", "番号", "障害番号", "障害id", "インシデントid", "incident", "incident_id",
           "ticket", "チケット", "管理番号"),
    "service": ("service", "サービス", "サービス名", "service_name", "product", "製品",
                "製品名", "システム", "システム名"),
    "start": ("start", "開始", "開始日時", "開始時刻", "発生", "発生日時", "発生時刻", "begin",
              "started_at", "start_time", "from"),
    "end": ("end", "終了", "終了日時", "終了時刻", "復旧", "復旧日時", "復旧時刻", "ended_at",
            "end_time", "resolved_at", "until"),
}  # fmt: skip
#: Words of a log that mean true or false.
BOOLEANS = {"はい": "true", "いいえ": "false", "yes": "true", "no": "false", "○": "true",
            "×": "false", "有": "true", "無": "false", "1": "true", "0": "false"}  # fmt: skip


@attrs.frozen
class Sample:
    """The first rows of a log, and what reading them found."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    encoding: str | None = None  # not UTF-8: the encoding that read it
    given: bool = False  # the encoding was given (--encoding), not detected


def sample_log(path: str, fmt: str | None = None, encoding: str | None = None) -> Sample:
    """The first :data:`SAMPLE_ROWS` records of a CSV, JSON Lines, JSON or Parquet log;
    without ``encoding``, UTF-8 or else the first of :data:`GUESSES` that reads it."""
    if fmt == "parquet" or (fmt is None and Path(path).suffix.lower() == ".parquet"):
        import polars as pl

        try:
            frame = pl.read_parquet(path, n_rows=SAMPLE_ROWS)
        except Exception as exc:  # polars and Arrow raise many kinds for a bad file
            raise InputError(f"{path}: not a Parquet file ({type(exc).__name__})") from None
        rows = tuple({k: v for k, v in r.items() if v is not None} for r in frame.to_dicts())
        return Sample(path, tuple(frame.columns), rows)
    try:
        with open(path, "rb") as file:
            raw = file.read(SAMPLE_BYTES)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) == SAMPLE_BYTES and b"\n" in raw:
        raw = raw[: raw.rindex(b"\n") + 1]  # whole lines (and whole characters)
    text, found = _decoded(raw, path, encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kind = detect(path, text, fmt)
    if kind != "json":
        text = "\n".join(text.split("\n")[: SAMPLE_ROWS + 1])
    case = case_of_text(text, path, kind)
    columns: dict[str, None] = {}
    for header in case.columns.values():
        columns.update(dict.fromkeys(header))
    for item in case.outages:
        columns.update(dict.fromkeys(item.data))
    rows = tuple(item.data for item in case.outages[:SAMPLE_ROWS])
    return Sample(path, tuple(columns), rows, found, given=encoding is not None)


def sample_items(name: str, items: Iterable[dict[str, Any]]) -> Sample:
    """A sample of records already read (an importer's)."""
    rows = tuple(items)[:SAMPLE_ROWS]
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return Sample(name, tuple(columns), rows)


def _decoded(raw: bytes, name: str, encoding: str | None) -> tuple[str, str | None]:
    if encoding is not None or raw.startswith(codecs.BOM_UTF8):
        return decode(raw, name, encoding), encoding
    try:
        return decode(raw, name), None
    except InputError as exc:
        for guess in GUESSES:
            try:
                return raw.decode(guess), guess
            except UnicodeDecodeError:
                continue
        raise exc from None


# ------------------------------------------------------------------ guessing


def _fold(text: str) -> str:
    """Text compared without case, width, spaces, hyphens or underscores."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c not in " -_　")


def _names(vocabulary: m.Vocabulary) -> dict[str, list[str]]:
    """Every field and the names it goes by: its own, its labels, the synonyms."""
    names: dict[str, list[str]] = {f: [f, *SYNONYMS[f]] for f in RECORD_FIELDS}
    for fact in vocabulary.facts:
        if not fact.derived:
            names[fact.name] = [fact.name, fact.ja, fact.en]
    for event in vocabulary.events:
        names[event.name] = [event.name, event.ja, event.en]
    return names


def guess_field(column: str, vocabulary: m.Vocabulary) -> tuple[str, str] | None:
    """The field a column is probably (and why), or None.

    >>> import rulebook
    >>> vocabulary = rulebook.load_contract("cybermail").vocabulary
    >>> guess_field("開始日時", vocabulary), guess_field("原因", vocabulary)
    (('start', '開始日時 is a synonym of start'), ('cause', '原因 is the label of cause'))
    >>> guess_field("発生日時(JST)", vocabulary)
    ('start', 'it holds 発生日時, a synonym of start')
    """
    folded = _fold(column)
    names = _names(vocabulary)
    for field, aliases in names.items():
        for alias in aliases:
            if folded == _fold(alias):
                if alias == field:
                    return field, "the field's name"
                return field, f"{column.strip()} is {_alias_kind(field)} of {field}"
    near = near_miss(column, names)
    if near is not None:
        return near, f"near the field name '{near}'"
    held = [
        (len(_fold(alias)), field, alias)
        for field, aliases in names.items()
        for alias in aliases[1:]
        if len(_fold(alias)) >= 2 and _fold(alias) in folded
    ]
    if held:
        _, field, alias = max(held, key=lambda x: x[0])  # the longest: 発生日時, not 発生
        return field, f"it holds {alias}, {_alias_kind(field)} of {field}"
    labels = {_fold(a): (f, a) for f, aliases in names.items() for a in aliases[1:]}
    inside = [labels[a] for a in labels if len(folded) >= 2 and folded in a]
    if len(inside) == 1:  # プロトコル in 通信プロトコル
        field, alias = inside[0]
        return field, f"it is in {alias}, {_alias_kind(field)} of {field}"
    close = difflib.get_close_matches(folded, list(labels), n=1, cutoff=0.6)
    if close:
        field, alias = labels[close[0]]
        return field, f"it is near {alias}, {_alias_kind(field)} of {field}"
    return None


def _alias_kind(field: str) -> str:
    return "a synonym" if field in SYNONYMS else "the label"


def guess_value(word: str, decl: m.FactDecl) -> tuple[str, str] | None:
    """The value a word of the log probably means for ``decl`` (and why), or None."""
    if decl.type == "bool":
        value = BOOLEANS.get(word.strip().casefold())
        return (value, "a yes/no word") if value else None
    folded = _fold(word)
    for code in decl.codes:
        for alias in (code.name, code.ja, code.en):
            if folded == _fold(alias):
                return code.name, f"its label is {alias}"
    for code in decl.codes:
        for alias in (code.ja, code.en):
            if len(folded) >= 2 and folded in _fold(alias):
                return code.name, f"in its label {alias}"
    labels = {_fold(a): c.name for c in decl.codes for a in (c.name, c.en)}
    close = difflib.get_close_matches(folded, list(labels), n=1, cutoff=0.75)
    if close:
        return labels[close[0]], f"near {close[0]}"
    return None


def nearest_services(name: str, covers: Iterable[str], n: int = 1) -> list[str]:
    """The covered names nearest ``name`` (case and spaces aside)."""
    names = [c for c in covers if not any(ch in c for ch in "*?[")]
    by_fold = {_fold(c): c for c in names}
    close = difflib.get_close_matches(_fold(name), list(by_fold), n=n, cutoff=0.4)
    return [by_fold[c] for c in close]


# ------------------------------------------------------------------ the draft


def _covers(contract: m.Contract) -> list[str]:
    return [t.value for c in contract.of_kind("services") for t in getattr(c, "covers", ())]


def _covered(contract: m.Contract, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in _covers(contract))


def best_contract(services: Iterable[str], contracts: Iterable[m.Contract]) -> m.Contract | None:
    """The contract that covers the most of ``services``, or has the nearest names."""
    names = list(services)
    scored = []
    for contract in contracts:
        covered = sum(_covered(contract, s) for s in names)
        near = sum(bool(nearest_services(s, _covers(contract))) for s in names)
        scored.append((covered, near, contract.id, contract))
    scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
    return scored[0][3] if scored and (scored[0][0] or scored[0][1]) else None


def _q(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def draft(
    sample: Sample | None,
    contracts: list[m.Contract],
    chosen: m.Contract | None = None,
    source: str | None = None,
) -> str:
    """The text of a commented project file for ``sample`` (None: a template)."""
    rows = sample.rows if sample else ()
    contract = chosen or best_contract(
        {str(r.get("service")) for r in rows if r.get("service")}, contracts
    )
    vocabulary = (contract or contracts[0]).vocabulary if (contract or contracts) else None
    assert vocabulary is not None
    out = [
        '# rulebook.toml — the project file of rulebook (docs/formats.md, "The project file").',
        "# rulebook reads it from the working folder or the nearest parent folder that has one;",
        "# every command-line option overrides it, and --no-config ignores it.",
    ]
    if sample is not None:
        out.append(f"# Drafted by `rulebook init` from {len(rows)} record(s) of {sample.name}:")
        out.append("# check every line marked 'guessed' before you rely on it.")
    out.append("")
    if contract is not None:
        why = "given" if chosen else "the bundled contract nearest the service names seen"
        out.append(f"contract = {_q(contract.id)}  # {why}; an id or a .sla file beside this one")
    else:
        ids = ", ".join(c.id for c in contracts)
        out.append(f'# contract = "..."  # a bundled id ({ids}) or a .sla file beside this one')
    lang = (contract.get("language") if contract else None) or "en"
    out.append(f"# lang = {_q(lang if lang in ('ja', 'en') else 'en')}  # en or ja")
    zone = contract.timezone if contract else None
    out.append(
        f"# timezone = {_q(zone or 'Asia/Tokyo')}  # of times without an offset in the log; "
        "default: the contract's"
    )
    if sample is not None and sample.encoding:
        why = "given" if sample.given else f"detected: {sample.name} is not UTF-8"
        out.append(f"encoding = {_q(sample.encoding)}  # {why}")
    else:
        out.append('# encoding = "utf-8"  # utf-8, utf-8-sig, cp932 (shift_jis), euc-jp, ...')
    renames: dict[str, str] = {}
    if sample is not None and source is None:
        out += ["", *_columns(sample, vocabulary, renames)]
    else:
        renames = {c: c for c in sample.columns} if sample else {}
    if sample is not None:
        out += _values(sample, vocabulary, renames)
        out += _services(sample, renames, contract, contracts)
    out += ["", *_billing(contract)]
    return "\n".join(out) + "\n"


def _columns(sample: Sample, vocabulary: m.Vocabulary, renames: dict[str, str]) -> list[str]:
    fields = {*RECORD_FIELDS, *_names(vocabulary)}
    derived = {f.name for f in vocabulary.facts if f.derived}
    out = [
        '# Export columns read as fields ("column" = "field"); false ignores a column without',
        "# a warning. A column named as a field needs no line.",
        "[columns]",
    ]
    taken: set[str] = {c for c in sample.columns if c in fields}
    as_is = [c for c in sample.columns if c in fields]
    for column in sample.columns:
        if column in fields:
            renames[column] = column
            continue
        guess = guess_field(column, vocabulary)
        if column in derived:
            out.append(f"{_q(column)} = false  # computed by rulebook, not read")
        elif guess is not None and guess[0] not in taken:
            taken.add(guess[0])
            renames[column] = guess[0]
            out.append(f"{_q(column)} = {_q(guess[0])}  # guessed: {guess[1]}")
        elif guess is not None:
            out.append(
                f"# {_q(column)} = {_q(guess[0])}  # guessed, but another column is read as it"
            )
        else:
            out.append(f"{_q(column)} = false  # no field is near: ignored (or name a field)")
    if as_is:
        out.append(f"# read as they are: {', '.join(as_is)}")
    missing = [f for f in ("id", "service", "start") if f not in taken]
    if missing:
        out.append(f"# no column is read as {', '.join(missing)} yet: every record needs them")
    return out


def _values(sample: Sample, vocabulary: m.Vocabulary, renames: dict[str, str]) -> list[str]:
    out: list[str] = []
    for column, field in renames.items():
        decl = vocabulary.fact(field)
        if decl is None or decl.derived or decl.type not in ("code", "bool"):
            continue
        words: Counter[str] = Counter()
        for row in sample.rows:
            value = row.get(column)
            items = (
                value
                if isinstance(value, list)
                else str(value).split(";")
                if decl.is_set
                else [value]
            )
            words.update(str(v).strip() for v in items if v is not None and str(v).strip())
        codes = {c.name for c in decl.codes} | ({"true", "false"} if decl.type == "bool" else set())
        odd = [w for w, _ in words.most_common() if w not in codes and w.lower() not in codes][
            :SHOWN
        ]
        if not odd:
            continue
        out += ["", f"# Words of {column} read as {field} values.", f"[values.{field}]"]
        accepted = (
            ", ".join(sorted(codes)) if len(codes) <= 8 else "the codes of docs/vocabulary.md"
        )
        for word in odd:
            guess = guess_value(word, decl)
            if guess is not None:
                out.append(f"{_q(word)} = {_q(guess[0])}  # guessed: {guess[1]} ({words[word]}x)")
            else:
                out.append(f'# {_q(word)} = ""  # {words[word]}x; no value is near: {accepted}')
    return out


def _services(
    sample: Sample,
    renames: dict[str, str],
    contract: m.Contract | None,
    contracts: list[m.Contract],
) -> list[str]:
    column = next((c for c, f in renames.items() if f == "service"), None)
    if column is None:
        return []
    counts = Counter(str(r[column]).strip() for r in sample.rows if r.get(column))
    if not counts:
        return []
    out = [
        "",
        "# Log service names read as the contract's services: the first rule that matches wins;",
        "# `log` may be a glob (*, ?, [...]; a name's own * ? [ are written [*] [?] [[]);",
        "# `to` may name several services (a record is then one per service, ids",
        '# ID@SERVICE); `when = { location = "JP" }` tests fields too.',
    ]
    for name, count in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:SHOWN]:
        if contract is not None and _covered(contract, name):
            out.append(f"# {_q(name)} ({count} record(s)) is covered by {contract.id} as it is")
            continue
        pool = [contract] if contract is not None else contracts
        found = [(c.id, s) for c in pool for s in nearest_services(name, _covers(c), 1)]
        if found:
            cid, nearest = found[0]
            out += [
                "[[services]]",
                f"log = {_q(escape_glob(name))}  # {count} record(s)",
                f"to = [{_q(nearest)}]  # guessed: the nearest service {cid} covers",
            ]
            continue
        covered = [s for c in pool for s in _covers(c) if not any(ch in s for ch in "*?[")]
        if not covered:
            continue  # the contract covers every name (a glob)
        out += [
            "# [[services]]",
            f"# log = {_q(escape_glob(name))}  # {count} record(s); no covered name is near: "
            "choose",
            f"# to = [{_q(covered[0])}]  # one or more of: {', '.join(dict.fromkeys(covered))}",
        ]
    if len(counts) > SHOWN:
        out.append(f"# and {len(counts) - SHOWN} more service name(s)")
    return out


def _billing(contract: m.Contract | None) -> list[str]:
    services = [s for s in (_covers(contract) if contract else []) if "*" not in s][:1]
    service = services[0] if services else "SERVICE"
    return [
        "# Billing per service (as --billing files give it; --billing replaces this):",
        f"# [billing.{_q(service)}]",
        "# monthly_fee = 50000",
        '# currency = "JPY"',
    ]
