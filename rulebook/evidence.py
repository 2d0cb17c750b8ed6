"""What a sample of a log says about itself, for ``rulebook init``: each guess with the
evidence for it, or none — never the spelling distance between unrelated words.

Evidence is of four kinds:

- **a name**: a column named as a field, its Japanese or English label, or a usual export
  name for it (:data:`SYNONYMS`, ja/en), whole or as a word of the column's name
  (``started_at`` holds ``start``; ``発生日時(JST)`` holds ``発生日時``); a word is a whole
  token in Latin script (``vendor`` does not hold ``end``), any run in Japanese;
- **the shape of the values**: timestamps, ISO 3166 country codes, URLs, ids (all
  different, one token each), severity words (``critical``, ``P1``, ``重大``), codes of a
  fact (their names or labels);
- **a table**: an importer's table of impact words (:data:`rulebook.io.impacts.DEFAULTS`),
  the shipped region tables (:mod:`rulebook.io.regions`);
- **the contract**: a service name it covers, or one that holds (or is held by) a single
  covered name.

Where there is none, the caller asks (a marked question in the draft) rather than guesses.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from rulebook import model as m
from rulebook.countries import COUNTRIES
from rulebook.intake.records import RECORD_FIELDS
from rulebook.intake.spreadsheet import spreadsheet_iso
from rulebook.io.impacts import DEFAULTS as IMPACT_TABLES
from rulebook.io.regions import region_countries
from rulebook.reprs import with_repr

#: Column names exports give the record fields and facts (besides their names and labels).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "番号", "障害番号", "障害id", "インシデントid", "incident_id", "ticket",
           "ticket_id", "チケット", "チケット番号", "チケットid", "管理番号", "key", "number"),
    "service": ("service", "サービス", "サービス名", "service_name", "product", "製品",
                "製品名", "システム", "システム名", "component", "svc"),
    "start": ("start", "開始", "開始日時", "開始時刻", "発生", "発生日時", "発生時刻", "begin",
              "started_at", "start_time", "started", "from", "created_at", "opened_at"),
    "end": ("end", "終了", "終了日時", "終了時刻", "復旧", "復旧日時", "復旧時刻", "ended_at",
            "end_time", "resolved_at", "resolved", "closed_at", "until", "recovered_at"),
    "severity": ("severity", "重大度", "重要度", "深刻度", "sev", "priority_level", "レベル"),
    "impact": ("impact", "影響", "影響度", "障害影響"),
    "incident_status": ("status", "state", "ステータス", "状態", "対応状況"),
    "incident_title": ("title", "summary", "subject", "件名", "タイトル", "概要", "表題"),
    "incident_url": ("url", "link", "リンク"),
    "region": ("region", "リージョン", "地域", "area", "zone"),
    "location": ("location", "country", "国", "利用場所", "利用国"),
    "cause": ("cause", "原因", "原因区分", "root_cause"),
    "detected_by": ("detected_by", "検知", "検知経路", "検知方法", "発見経路"),
}  # fmt: skip
#: Words of a log that mean true or false.
BOOLEANS = {"はい": "true", "いいえ": "false", "yes": "true", "no": "false", "○": "true",
            "×": "false", "有": "true", "無": "false"}  # fmt: skip
#: Words that are severity levels (as incident tools write them), folded.
_SEVERITIES = """
critical major minor high medium moderate low severe info informational warning blocker
trivial 緊急 重大 高 中 低 軽微 致命的 p0 p1 p2 p3 p4 p5 sev0 sev1 sev2 sev3 sev4 s1 s2 s3 s4
"""
SEVERITY_WORDS = frozenset(_SEVERITIES.split())
#: Impact words the importers' tables and the vocabulary know, folded, with their meaning.
IMPACT_WORDS = {
    **{word.casefold(): meaning for table in IMPACT_TABLES.values() for word, meaning in
       table.items()},
    "outage": "outage", "degradation": "degradation", "degraded": "degradation",
    "disruption": "degradation", "停止": "outage", "全面停止": "outage", "一部": "degradation",
    "一部障害": "degradation", "品質低下": "degradation", "遅延": "degradation",
}  # fmt: skip
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9]+")


@with_repr
@attrs.frozen(repr=False)
class Guess:
    """A field or value, and the evidence for it, in words."""

    value: str
    evidence: str


def fold(text: str) -> str:
    """Text compared without case, width, spaces, hyphens or underscores."""
    return "".join(
        c for c in unicodedata.normalize("NFKC", str(text)).casefold() if c not in " -_　"
    )


def _tokens(text: str) -> list[str]:
    """The Latin words of a name (``startedAt``, ``started_at``: started, at)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", unicodedata.normalize("NFKC", text))
    return _TOKEN.findall(spaced.casefold())


def _cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def names(vocabulary: m.Vocabulary) -> dict[str, list[tuple[str, str]]]:
    """Every field and the names it goes by, each with what it is (its name, a label, a
    synonym)."""
    out: dict[str, list[tuple[str, str]]] = {f: [(f, "the field's name")] for f in RECORD_FIELDS}
    for fact in vocabulary.facts:
        if not fact.derived:
            out[fact.name] = [(fact.name, "the field's name"), (fact.ja, "the label"),
                              (fact.en, "the label")]  # fmt: skip
    for event in vocabulary.events:
        out[event.name] = [(event.name, "the field's name"), (event.ja, "the label"),
                           (event.en, "the label")]  # fmt: skip
    for field, words in SYNONYMS.items():
        if field in out:
            out[field] += [(w, "a synonym") for w in words]
    return out


def field_by_name(column: str, vocabulary: m.Vocabulary) -> Guess | None:
    """The field a column's name says it is, and why; None without evidence.

    >>> import rulebook
    >>> vocabulary = rulebook.load_contract("cybermail").vocabulary
    >>> field_by_name("発生日時(JST)", vocabulary)
    Guess(value='start', evidence='its name holds 発生日時, a synonym of start')
    >>> field_by_name("started_at", vocabulary).value, field_by_name("vendor", vocabulary)
    ('start', None)
    """
    folded = fold(column)
    table = names(vocabulary)
    for field, aliases in table.items():
        for alias, kind in aliases:
            if folded == fold(alias):
                what = kind if kind == "the field's name" else f"{kind} of {field}"
                return Guess(field, f"its name is {alias}, {what}")
    words = _tokens(column)
    held: list[tuple[int, str, str, str]] = []
    for field, aliases in table.items():
        for alias, kind in aliases:
            key = fold(alias)
            if len(key) < 2 or (kind == "the label" and not _cjk(alias)):
                continue  # an English label is a phrase, not a column's word
            if _cjk(alias):
                found = key in folded
            else:
                parts = _tokens(alias)
                found = bool(parts) and any(
                    words[i : i + len(parts)] == parts for i in range(len(words))
                )
            if found:
                held.append((len(key), field, alias, kind))
    if held:
        longest = max(h[0] for h in held)
        best = {(f, a, k) for n, f, a, k in held if n == longest}
        fields = {f for f, _, _ in best}
        if len(fields) == 1:
            field, alias, kind = sorted(best)[0]
            what = kind if kind == "the field's name" else f"{kind} of {field}"
            return Guess(field, f"its name holds {alias}, {what}")
    return None


# ------------------------------------------------------------------ values


def _text(values: Iterable[Any]) -> list[str]:
    return [str(v).strip() for v in values if v is not None and str(v).strip()]


def is_timestamp(value: Any) -> bool:
    """Whether a value is a date-time (a datetime, ISO 8601 or a spreadsheet's form)."""
    if isinstance(value, dt.datetime):
        return True
    text = str(value).strip()
    if spreadsheet_iso(text) is not None:
        return True
    try:
        dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "-" in text and (":" in text or "T" in text)


def has_offset(value: Any) -> bool:
    """Whether a timestamp says its offset from UTC."""
    if isinstance(value, dt.datetime):
        return value.tzinfo is not None
    text = str(value).strip()
    return text.endswith(("Z", "z")) or bool(re.search(r"[+-]\d\d:?\d\d$", text))


def shape(values: Sequence[Any], vocabulary: m.Vocabulary) -> Guess | None:
    """The field a column's values say it is, and why; None when they say nothing sure."""
    texts = _text(values)
    if not texts:
        return None
    distinct = list(dict.fromkeys(texts))
    shown = ", ".join(distinct[:3]) + (", …" if len(distinct) > 3 else "")
    if all(is_timestamp(v) for v in values if v is not None and str(v).strip()):
        return Guess("(time)", f"its {len(texts)} values are date-times")
    if all(_URL.match(t) for t in texts):
        return Guess("incident_url", f"its values are URLs ({distinct[0]})")
    if all(t in COUNTRIES for t in distinct):
        return Guess("location", f"its values ({shown}) are ISO 3166 country codes")
    # severity levels first: Statuspage's impact words (minor, major, critical) are those
    if all(fold(t) in SEVERITY_WORDS for t in distinct):
        return Guess("severity", f"its values ({shown}) are severity levels")
    impacts = [t for t in distinct if t.casefold() in IMPACT_WORDS]
    if len(impacts) == len(distinct):
        return Guess("impact", f"its values ({shown}) are impact words of the importers' tables")
    regions = [t for t in distinct if region_countries(t) is not None]
    if regions and len(regions) * 2 >= len(distinct):
        named = ", ".join(regions[:3]) + (", …" if len(regions) > 3 else "")
        return Guess(
            "region",
            f"{len(regions)} of its {len(distinct)} values ({named}) name regions of the "
            "shipped region tables (rulebook/io/data)",
        )
    items = list(dict.fromkeys(p.strip() for t in distinct for p in t.split(";") if p.strip()))
    coded = _code_fact(items, vocabulary)
    if coded is not None:
        return coded
    if (
        len(distinct) == len(texts) == len(values) >= 2
        and all(len(t) <= 64 and not any(c.isspace() for c in t) for t in distinct)
        and not all(_number(t) for t in distinct)
    ):
        return Guess("id", f"its {len(texts)} values are all different, one word each")
    return None


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _code_fact(distinct: list[str], vocabulary: m.Vocabulary) -> Guess | None:
    """The code fact most of whose words the values are (names or labels)."""
    best: tuple[int, str, list[str]] | None = None
    for fact in vocabulary.facts:
        if fact.derived or fact.type != "code":
            continue
        hits = [t for t in distinct if value_of(t, fact) is not None]
        if hits and len(hits) * 2 > len(distinct) and (best is None or len(hits) > best[0]):
            best = (len(hits), fact.name, hits)
    if best is None:
        return None
    _, name, hits = best
    shown = ", ".join(hits[:3]) + (", …" if len(hits) > 3 else "")
    return Guess(name, f"{len(hits)} of its {len(distinct)} values ({shown}) are {name} codes")


def value_of(word: str, decl: m.FactDecl) -> Guess | None:
    """The value a word of the log means for ``decl``, and why; None without evidence.

    >>> import rulebook
    >>> cause = rulebook.load_contract("cybermail").vocabulary.fact("cause")
    >>> value_of("DDoS攻撃", cause)
    Guess(value='attack', evidence='its label DDoS 攻撃等の妨害行為 holds it')
    >>> value_of("設備", cause) is None
    True
    """
    if decl.type == "bool":
        value = BOOLEANS.get(word.strip().casefold())
        return Guess(value, f"{word} is a yes/no word") if value else None
    if decl.name == "impact" and word.strip().casefold() in IMPACT_WORDS:
        meaning = IMPACT_WORDS[word.strip().casefold()]
        if meaning in {c.name for c in decl.codes}:
            return Guess(meaning, f"{word} is {meaning} in the importers' impact tables")
    folded = fold(word)
    for code in decl.codes:
        for alias in (code.name, code.ja, code.en):
            if folded == fold(alias):
                return Guess(code.name, f"its label is {alias}")
    held = [
        (code.name, alias)
        for code in decl.codes
        for alias in (code.ja, code.en)
        if len(folded) >= 2 and (_cjk(word) or len(folded) >= 4) and folded in fold(alias)
    ]
    if len({name for name, _ in held}) == 1:
        name, alias = held[0]
        return Guess(name, f"its label {alias} holds it")
    holds = [
        (code.name, alias)
        for code in decl.codes
        for alias in (code.ja, code.en)
        if _cjk(alias) and len(fold(alias)) >= 3 and fold(alias) in folded
    ]
    if len({name for name, _ in holds}) == 1:
        name, alias = holds[0]
        return Guess(name, f"it holds {alias}, its label")
    return None


def region_of(word: str) -> Guess | None:
    """The country a region name is in, by the shipped tables, and why."""
    countries = region_countries(word)
    if countries is None:
        return None
    if len(countries) == 1 and "" not in countries:
        (country,) = countries
        return Guess(country, "a region of the shipped tables in that country")
    return Guess("unknown", "the tables know it as a region of several countries")


# ------------------------------------------------------------------ services


def service_of(name: str, covered: Sequence[str]) -> tuple[Guess | None, list[str]]:
    """The covered service a log's service name is, and why; else None and the covered
    names it could be (several hold it), for the question."""
    plain = [c for c in covered if not any(ch in c for ch in "*?[")]
    folded = fold(name)
    same = [c for c in plain if fold(c) == folded]
    if same:
        return Guess(same[0], f"the same name as {same[0]} but for case, width or spaces"), []
    if len(folded) < 3:
        return None, []
    held = [c for c in plain if folded in fold(c) or (len(fold(c)) >= 3 and fold(c) in folded)]
    if len(held) == 1:
        inside = folded in fold(held[0])
        how = f"{held[0]} holds it" if inside else f"it holds {held[0]}"
        return Guess(held[0], f"{how}, a service the contract covers"), []
    return None, held
