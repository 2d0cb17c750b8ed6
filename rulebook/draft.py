"""``rulebook init``: a commented project file drafted from a sample of the user's log.

The draft names what the sample holds — its columns, the words of its code columns, its
regions and severities, its service names — and reads each as a field, a value or a
service only where there is evidence (:mod:`rulebook.evidence`: a name, a label or a
synonym, the shape of the values, an importer's or the region tables, the contract's
names). Every guess says its evidence (``# guessed: …``); where there is none the draft
asks (``# ?`` lines, commented, for the user to answer) and never guesses from the
spelling of unrelated words. It is a valid project file as written
(``tests/test_draft.py`` loads every draft it makes).
"""

from __future__ import annotations

import codecs
import fnmatch
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs

from rulebook import evidence as ev
from rulebook import model as m
from rulebook.conditions import escape_glob
from rulebook.countries import COUNTRIES
from rulebook.io.readers import GUESSES, InputError, case_of_text, decode, detect
from rulebook.reprs import with_repr
from rulebook.text import near_miss

#: Rows read from the log (its first ones), and bytes at most.
SAMPLE_ROWS = 1000
SAMPLE_BYTES = 4 << 20
#: Service names and words of one field written at most.
SHOWN = 50


@with_repr
@attrs.frozen(repr=False)
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


# ------------------------------------------------------------------ the contract


def _covers(contract: m.Contract) -> list[str]:
    return [t.value for c in contract.of_kind("services") for t in getattr(c, "covers", ())]


def _covered(contract: m.Contract, name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in _covers(contract))


def _known(contract: m.Contract, name: str) -> bool:
    """Whether a log's service name is covered, as it is or by evidence."""
    return _covered(contract, name) or ev.service_of(name, _covers(contract))[0] is not None


def best_contract(
    services: Iterable[str], contracts: Iterable[m.Contract]
) -> tuple[m.Contract, int] | None:
    """The contract that covers the most of ``services`` (as they are, or by a name one
    holds), and how many; None when none covers any."""
    names = sorted(set(services))
    scored = sorted(
        ((sum(_known(c, s) for s in names), c.id, c) for c in contracts),
        key=lambda x: (-x[0], x[1]),
    )
    if not scored or scored[0][0] == 0:
        return None
    return scored[0][2], scored[0][0]


def _q(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


# ------------------------------------------------------------------ the draft


@with_repr
@attrs.define(repr=False)
class _Draft:
    """What the columns pass found, for the passes after it."""

    renames: dict[str, str] = attrs.field(factory=dict)  # column -> field
    times: list[str] = attrs.field(factory=list)  # columns read as instants


def draft(
    sample: Sample | None,
    contracts: list[m.Contract],
    chosen: m.Contract | None = None,
    source: str | None = None,
) -> str:
    """The text of a commented project file for ``sample`` (None: a template)."""
    rows = sample.rows if sample else ()
    service_column = _service_column(sample, source)
    seen = {str(r.get(service_column)) for r in rows if service_column and r.get(service_column)}
    found = None if chosen else best_contract(seen, contracts)
    contract = chosen or (found[0] if found else None)
    vocabulary = (contract or contracts[0]).vocabulary if (contract or contracts) else None
    assert vocabulary is not None
    out = [
        '# rulebook.toml — the project file of rulebook (docs/formats.md, "The project file").',
        "# rulebook reads it from the working folder or the nearest parent folder that has one;",
        "# every command-line option overrides it, and --no-config ignores it.",
    ]
    if sample is not None:
        out.append(f"# Drafted by `rulebook init` from {len(rows)} record(s) of {sample.name}.")
        out.append("# Each line marked 'guessed' says its evidence: check it. Lines marked '?'")
        out.append("# are questions the sample could not answer: answer them (uncomment).")
    out.append("")
    if contract is not None:
        why = (
            "given"
            if chosen
            else f"guessed: it covers {found[1]} of the {len(seen)} service name(s) seen"
            if found
            else ""
        )
        out.append(f"contract = {_q(contract.id)}  # {why}; an id or a .sla file beside this one")
    else:
        ids = ", ".join(c.id for c in contracts)
        why = "no bundled contract covers a service name seen" if seen else "which contract?"
        out.append(f'# contract = "..."  # ? {why}: a bundled id ({ids}) or a .sla file')
    lang = (contract.get("language") if contract else None) or "en"
    out.append(f"# lang = {_q(lang if lang in ('ja', 'en') else 'en')}  # en or ja")
    state = _Draft()
    if sample is not None and source is None:
        columns = _columns(sample, vocabulary, state)
    else:
        columns = []
        state.renames = {c: c for c in sample.columns} if sample else {}
        state.times = [c for c in state.renames if c in ("start", "end")]
    zone = contract.timezone if contract else None
    out += _timezone(sample, state, zone)
    if sample is not None and sample.encoding:
        why = "given" if sample.given else f"detected: {sample.name} is not UTF-8"
        out.append(f"encoding = {_q(sample.encoding)}  # {why}")
    else:
        out.append('# encoding = "utf-8"  # utf-8, utf-8-sig, cp932 (shift_jis), euc-jp, ...')
    if columns:
        out += ["", *columns]
    if sample is not None:
        out += _values(sample, vocabulary, state.renames)
        out += _regions(sample, state.renames)
        out += _impact(sample, vocabulary, state.renames)
        out += _services(sample, state.renames, contract, contracts)
    out += ["", *_billing(contract)]
    return "\n".join(out) + "\n"


def _service_column(sample: Sample | None, source: str | None) -> str | None:
    """The column the service names are in (by its name: the contract is not known yet)."""
    if sample is None:
        return None
    if source is not None or "service" in sample.columns:
        return "service"
    for column in sample.columns:
        if column in ev.SYNONYMS["service"] or ev.fold(column) in map(
            ev.fold, ev.SYNONYMS["service"]
        ):
            return column
    return None


def _timezone(sample: Sample | None, state: _Draft, zone: str | None) -> list[str]:
    default = f"default: the contract's ({zone})" if zone else "default: the contract's"
    naive = [
        c
        for c in state.times
        if sample is not None
        and any(
            v is not None and ev.is_timestamp(v) and not ev.has_offset(v)
            for v in (r.get(c) for r in sample.rows)
        )
    ]
    if not naive:
        return [f'# timezone = "Asia/Tokyo"  # of times without an offset in the log; {default}']
    return [
        f"# timezone = {_q(zone or 'UTC')}  # ? the times of {', '.join(naive)} have no offset: "
        f"in which timezone were they written? {default}"
    ]


def _columns(sample: Sample, vocabulary: m.Vocabulary, state: _Draft) -> list[str]:
    known = set(ev.names(vocabulary))
    derived = {f.name for f in vocabulary.facts if f.derived}
    out = [
        '# Export columns read as fields ("column" = "field"); false ignores a column without',
        "# a warning. A column named as a field needs no line.",
        "[columns]",
    ]
    taken: set[str] = {c for c in sample.columns if c in known}
    as_is = [c for c in sample.columns if c in known]
    state.renames.update({c: c for c in as_is})
    unnamed_times: list[str] = []
    for column in sample.columns:
        if column in known:
            continue
        values = [r.get(column) for r in sample.rows]
        if column in derived:
            out.append(f"{_q(column)} = false  # computed by rulebook, not read")
            continue
        guess = ev.field_by_name(column, vocabulary)
        shaped = ev.shape(values, vocabulary)
        if guess is None or (
            "name holds" in guess.evidence
            and shaped is not None
            and shaped.value not in (guess.value, "(time)", "id")
        ):  # a word of the name is weaker than what every value says
            guess = shaped
        elif (
            guess is not None
            and shaped is not None
            and shaped.value not in (guess.value, "(time)", "id")
        ):  # the name says one field, the values another: both are said
            guess = ev.Guess(
                guess.value,
                f"{guess.evidence} (but {shaped.evidence}: if so, {_q(shaped.value)})",
            )
            if guess is not None and guess.value == "(time)":
                unnamed_times.append(column)
                continue
        if guess is not None and guess.value == "(time)":
            unnamed_times.append(column)
            continue
        if guess is not None and guess.value not in taken:
            taken.add(guess.value)
            state.renames[column] = guess.value
            out.append(f"{_q(column)} = {_q(guess.value)}  # guessed: {guess.evidence}")
        elif guess is not None:
            out.append(
                f"# {_q(column)} = {_q(guess.value)}  # ? {guess.evidence}, but another column "
                "is read as it: which field is it (false: ignore)?"
            )
        else:
            out.append(_ask(column, values, known))
    out += _times(sample, unnamed_times, taken, state)
    state.times += [c for c, f in state.renames.items() if f in ("start", "end")]
    if as_is:
        out.append(f"# read as they are (their names are fields): {', '.join(as_is)}")
    missing = [f for f in ("service", "start") if f not in taken]
    if missing:
        out.append(f"# ? no column is read as {', '.join(missing)} yet: every record needs them")
    return out


def _ask(column: str, values: list[Any], known: set[str]) -> str:
    """The question for a column nothing says the field of."""
    texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
    shown = ", ".join(list(dict.fromkeys(texts))[:3])
    typo = near_miss(column, sorted(known))
    hint = f"a typo of {typo}? " if typo else ""
    return (
        f'# {_q(column)} = ""  # ? {hint}nothing says which field it is'
        + (f" (values: {shown})" if shown else "")
        + "; a field, or false to ignore it"
    )


def _times(sample: Sample, columns: list[str], taken: set[str], state: _Draft) -> list[str]:
    """Date-time columns no name says the field of: start and end when there are two and
    one is never after the other, else questions."""
    out = []
    if len(columns) == 2 and not {"start", "end"} & taken:
        first, second = columns
        pairs = [(r.get(first), r.get(second)) for r in sample.rows]
        ordered = [_instant(a) <= _instant(b) for a, b in pairs if a is not None and b is not None]
        if ordered and (all(ordered) or not any(ordered)):
            start, end = (first, second) if all(ordered) else (second, first)
            for column, field in ((start, "start"), (end, "end")):
                state.renames[column] = field
                taken.add(field)
            out.append(
                f'{_q(start)} = "start"  # guessed: its values are date-times, each at or '
                f"before the one of {end} in the same record"
            )
            out.append(
                f'{_q(end)} = "end"  # guessed: its values are date-times, each at or after '
                f"the one of {start}"
            )
            return out
    for column in columns:
        free = [f for f in ("start", "end") if f not in taken]
        out.append(
            f'# {_q(column)} = ""  # ? its values are date-times: '
            + (f"{' or '.join(free)}, " if free else "")
            + "an event (detected_at, status_posted_at, …), or false"
        )
    return out


def _instant(value: Any) -> str:
    """A date-time as comparable text (the sample's own form, ISO 8601)."""
    text = str(value).strip().replace(" ", "T")
    return text if "T" in text else text + "T"


def _words(sample: Sample, column: str, listed: bool) -> Counter[str]:
    words: Counter[str] = Counter()
    for row in sample.rows:
        value = row.get(column)
        items = value if isinstance(value, list) else str(value).split(";") if listed else [value]
        words.update(str(v).strip() for v in items if v is not None and str(v).strip())
    return words


def _values(sample: Sample, vocabulary: m.Vocabulary, renames: dict[str, str]) -> list[str]:
    out: list[str] = []
    for column, field in renames.items():
        decl = vocabulary.fact(field)
        if decl is None or decl.derived or decl.type not in ("code", "bool"):
            continue
        words = _words(sample, column, decl.is_set)
        codes = {c.name for c in decl.codes} | ({"true", "false"} if decl.type == "bool" else set())
        odd = [w for w, _ in words.most_common() if w not in codes][:SHOWN]
        if not odd:
            continue
        out += ["", f"# Words of {column} read as {field} values.", f"[values.{field}]"]
        accepted = (
            ", ".join(sorted(codes)) if len(codes) <= 8 else "the codes of docs/vocabulary.md"
        )
        for word in odd:
            guess = ev.value_of(word, decl)
            if guess is not None:
                out.append(
                    f"{_q(word)} = {_q(guess.value)}  # guessed: {guess.evidence} ({words[word]}x)"
                )
            else:
                out.append(f'# {_q(word)} = ""  # ? {words[word]}x; nothing says which: {accepted}')
    return out


def _regions(sample: Sample, renames: dict[str, str]) -> list[str]:
    """The region (or location) column's words as countries: what the shipped tables read
    (said, no line needed), what they know as several countries (unknown, said), and
    questions for the rest."""
    column = next((c for c, f in renames.items() if f in ("region", "location")), None)
    if column is None:
        return []
    words = _words(sample, column, False)
    odd = [w for w, _ in words.most_common() if w not in COUNTRIES]
    if not odd:
        return []
    read, out = [], ["", f"# Regions of {column} read as countries (the fact location).",
                     "[values.location]"]  # fmt: skip
    for word in odd[:SHOWN]:
        guess = ev.region_of(word)
        if guess is not None and guess.value != "unknown":
            read.append(f"{word} → {guess.value}")
        elif guess is not None:
            out.append(f'{_q(word)} = "unknown"  # guessed: {guess.evidence} ({words[word]}x)')
        else:
            out.append(
                f'# {_q(word)} = ""  # ? {words[word]}x; no region table names it: a country '
                '(ISO 3166), or "unknown"'
            )
    if read:
        out.insert(2, f"# read by the region tables, no line needed: {', '.join(read[:12])}"
                   + (", …" if len(read) > 12 else ""))  # fmt: skip
    return out


def _impact(sample: Sample, vocabulary: m.Vocabulary, renames: dict[str, str]) -> list[str]:
    """Without an impact column, a question: which severities are outages."""
    if vocabulary.fact("impact") is None or "impact" in renames.values():
        return []
    column = next((c for c, f in renames.items() if f == "severity"), None)
    if column is None:
        return []
    words = _words(sample, column, False)
    out = [
        "",
        f"# ? No column says the impact (outage or degradation): is it {column}? Then read",
        f'# it as impact ("{column}" = "impact" in [columns]) and say what each value is:',
        "# [values.impact]",
    ]
    for word, count in words.most_common()[:SHOWN]:
        out.append(f'# {_q(word)} = ""  # {count}x: outage or degradation?')
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
        "# `log` may be a glob (*, ?, [...]; a name's own * ? [ are written [*] [?] [[]) or a",
        "# list of them; `to` may name several services (a record is then one per service, ids",
        '# ID@SERVICE); `when = { location = "JP" }` tests fields too.',
    ]
    pool = [contract] if contract is not None else contracts
    covered = list(dict.fromkeys(s for c in pool for s in _covers(c) if "*" not in s))
    for name, count in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:SHOWN]:
        if contract is not None and _covered(contract, name):
            out.append(f"# {_q(name)} ({count} record(s)) is covered by {contract.id} as it is")
            continue
        guess, could = ev.service_of(name, covered)
        if guess is not None:
            out += [
                "[[services]]",
                f"log = {_q(escape_glob(name))}  # {count} record(s)",
                f"to = [{_q(guess.value)}]  # guessed: {guess.evidence}",
            ]
            continue
        if not covered:
            continue  # the contract covers every name (a glob)
        options = (
            ", ".join(could or covered)
            if contract is not None or could
            else "the services of the contract chosen above"
        )
        out += [
            "# [[services]]",
            f"# log = {_q(escape_glob(name))}  # ? {count} record(s); nothing says which "
            "service it is" + (" (several names hold it)" if could else ""),
            f"# to = []  # one or more of: {options}",
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
