"""Generated contracts: a differential harness in the manner of Csmith and SQLancer.

A case is a *seed*. From it, :func:`generate` writes a contract in the DSL from the
language's own parts — every clause kind, modifier, condition node, boundary word, calendar,
notice rule, remedy kind, cap, claim rule and obligation appear across cases — and a log
drawn from *that contract's* vocabulary and services (records, notices, timeline events,
billing, closures). :func:`run_case` runs it through

- the record engine on the whole input (the oracle),
- the columnar plan from mappings (the record route of the intake),
- the columnar plan from a frame of text cells (the column route, as CSV arrives),
- ``explain`` of every record, from the columnar result (the record engine run on the
  record's neighbourhood),

and requires the same document (verdicts, seconds, segments, deciding clauses, periods,
remedies, obligations) and each explanation equal to the whole-input record engine's. An
input the oracle refuses must be refused by the plan naming the same record and field.

A generated contract that ``rulebook check`` refuses is not a case: the generator draws
again from the next sub-seed, and the harness counts those draws. A failure names its seed;
``python -m tests.contractgen --seed N`` runs that case again and prints the contract, the
log and the first difference, and ``--shrink`` reduces it to fewer clauses and records.

    python -m tests.contractgen --cases 10000          # the deeper profile, before a release
    python -m tests.contractgen --seed 1234 --shrink   # one case again, reduced

The CI profile is ``tests/test_generated_contracts.py`` (500 cases, a few minutes).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import random
import re
import sys
import typing
from collections import Counter
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import polars as pl

import rulebook
from rulebook import model as m
from rulebook.errors import RulebookError
from rulebook.intake.records import RecordError
from rulebook.load import check_files

FOLDER = Path(__file__).resolve().parent / "generated-contract"

# ------------------------------------------------------------------ the vocabulary's values

CAUSES = [
    "provider_fault",
    "natural_disaster",
    "force_majeure",
    "attack",
    "planned_maintenance",
    "emergency_maintenance",
    "customer_environment",
    "customer_action",
    "third_party_service",
    "power_supply",
    "unidentified",
    "service_suspension",
]
PROTOCOLS = ["smtp", "https", "http", "imap", "pop", "ftp"]
FEATURES = ["mail_sending", "web_access", "imap", "chat", "api"]
DETECTORS = ["monitoring", "customer", "provider"]
COUNTRIES = ["JP", "US", "DE"]
FLAGS = ["self_resolved", "contact_outdated", "vendor_maintenance", "investigation_difficult"]
EVENTS = [
    "occurred_at",
    "detected_at",
    "recognized_at",
    "customer_reported_at",
    "first_report_at",
    "responded_at",
    "restored_at",
]
CHANNELS = ["email", "website", "top_page"]
SERVICES = ["Svc A", "Svc B", "Svc C", "Other"]
WORDS = {
    ">=": ["以上"],
    "<=": ["以下", "以内"],
    "<": ["未満"],
    ">": ["超", "超える"],
}
BASE = dt.datetime(2026, 12, 20, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


# ------------------------------------------------------------------ the contract


class Writer:
    """Draws the parts of one contract from a random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: Counter[str] = Counter()

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: list[Any]) -> Any:
        return self.rng.choice(items)

    def some(self, items: list[Any], low: int = 1, high: int = 3) -> list[Any]:
        return self.rng.sample(items, self.rng.randint(low, min(high, len(items))))

    def name(self, kind: str) -> str:
        self.ids[kind] += 1
        return f"{kind}{self.ids[kind]}"

    def word(self, op: str) -> str:
        if op in WORDS and self.chance(0.5):
            return f" ({self.pick(WORDS[op])})"
        return ""

    # -------------------------------------------------------------- conditions

    def atom(self, downtime: bool = False) -> str:
        """One condition node over the record facts (no events: those are obligations')."""
        kinds = [
            "code_eq",
            "code_in",
            "code_not_in",
            "code_ne",
            "includes",
            "flag",
            "known",
            "unknown",
            "duration",
            "country",
            "service",
            "priority",
        ]
        if not downtime:
            kinds.append("event_duration")
        kind = self.pick(kinds)
        fact, values = self.pick(
            [("cause", CAUSES), ("protocol", PROTOCOLS), ("detected_by", DETECTORS)]
        )
        if kind == "code_eq":
            return f"{fact} = {self.pick(values)}"
        if kind == "code_ne":
            return f"{fact} != {self.pick(values)}"
        if kind == "code_in":
            return f"{fact} in {{{', '.join(self.some(values, 1, 4))}}}"
        if kind == "code_not_in":
            return f"{fact} not in {{{', '.join(self.some(values, 1, 3))}}}"
        if kind == "includes":
            return f"features includes {{{', '.join(self.some(FEATURES, 1, 2))}}}"
        if kind == "flag":
            if self.chance(0.3):
                return f"{self.pick(FLAGS)} {self.pick(['=', '!='])} {self.pick(['true', 'false'])}"
            return self.pick(FLAGS)
        if kind in ("known", "unknown"):
            return f"{self.pick(['cause', 'location', 'features', 'self_resolved'])} is {kind}"
        if kind in ("duration", "event_duration"):
            op = self.pick([*WORDS, "=", "!="])
            minutes = self.pick([5, 10, 15, 30, 45, 60, 90])
            return f"{kind} {op} {minutes} min{self.word(op)}"
        if kind == "country":
            if self.chance(0.5):
                return f"location = {self.pick(COUNTRIES)}"
            return f"location in {{{', '.join(self.some(COUNTRIES, 1, 2))}}}"
        if kind == "service":
            form = self.pick(["in", "not in", "=", "!="])
            names = ['"Svc *"', '"Svc A"', '"Svc ?"', '"Svc B"', '"Other"']
            if form in ("in", "not in"):
                return f"service {form} {{{', '.join(self.some(names, 1, 2))}}}"
            return f"service {form} {self.pick(names)}"
        op = self.pick(list(WORDS))
        return f"priority {op} {self.pick([1, 2, 3])}"

    def condition(self, depth: int = 0, downtime: bool = False) -> str:
        roll = self.rng.random()
        if depth >= 2 or roll < 0.45:
            return self.atom(downtime)
        if roll < 0.6:
            return f"not {self.paren(self.condition(depth + 1, downtime))}"
        op = "and" if roll < 0.8 else "or"
        parts = [self.paren(self.condition(depth + 1, downtime)) for _ in range(2)]
        return f" {op} ".join(parts)

    @staticmethod
    def paren(text: str) -> str:
        return f"({text})" if " and " in text or " or " in text else text

    def event_atom(self) -> str:
        event = self.pick(EVENTS)
        return f"{event} is {self.pick(['known', 'unknown'])}"


@attrs.frozen
class Spec:
    """What the log of a contract must be drawn from."""

    events: tuple[str, ...]  # the timeline events its obligations read
    bounds: tuple[str, ...]  # the percentages of its target and tiers (edge logs hit them)
    calendar: str | None  # a calendar id, when the contract has one
    announced: bool  # `closed announced`: the log may carry closures
    billing: bool  # remedies in money: the log carries billing
    timezone: str


def contract_text(rng: random.Random, seed: int) -> tuple[str, Spec]:
    """A contract in the DSL, drawn from ``rng``, and what its log must carry."""
    w = Writer(rng)
    timezone = "Asia/Tokyo" if w.chance(0.85) else "UTC"
    kind = "guarantee" if w.chance(0.85) else "objective"
    lines = [
        'import "vocabulary.sla"',
        f"contract gen-{seed} {{",
        f'  title "Generated {seed}" provider "Gen K.K." source "gen-{seed}.txt" language ja',
        f'  timezone "{timezone}" kind {kind}',
    ]
    covers = w.pick([['"Svc *"'], ['"Svc A"', '"Svc B"'], ['"Svc A"', '"Svc B"', '"Svc C"']])
    excludes = ' excludes "Svc C"' if '"Svc *"' in covers and w.chance(0.3) else ""
    lines.append(f'  services scope {{ cite "1" "対象" covers {", ".join(covers)}{excludes} }}')

    calendar = None
    announced = False
    if w.chance(0.5):
        calendar = "biz"
        items = ["weekdays mon, tue, wed, thu, fri"]
        if w.chance(0.6):
            items.append("holidays JP")
        if w.chance(0.4):
            announced = True
            items.append("closed announced")
        elif w.chance(0.3):
            items.append("closed 12/30 to 1/3")
        items.append(w.pick(["hours 9:00-17:00", "hours 9:00-12:00, 13:00-18:00"]))
        lines.append(f'  calendar biz {{ cite "2" "営業日" {" ".join(items)} }}')

    maintenance: list[str] = []
    for _ in range(w.rng.randint(0, 2)):
        mid = w.name("maint")
        maintenance.append(mid)
        items = []
        if w.chance(0.7):
            for _ in range(w.rng.randint(1, 2)):
                lead = ""
                if w.chance(0.6):
                    lead = f" at least {w.pick(['1 h', '1 day', '3 day', '1 week'])}"
                work = " work day" if lead and w.chance(0.2) else ""
                word = f" ({w.pick(['前', '前まで'])})" if w.chance(0.3) else ""
                items.append(f"notice by {w.pick([*CHANNELS, 'any'])}{lead} before{work}{word}")
            if w.chance(0.4):
                items.append(f"emergency {w.pick(['excluded', 'counted'])}")
        else:
            ordinal = w.pick(["1st", "2nd", "3rd", "4th", "last"])
            weekday = w.pick(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
            items.append(f"every {ordinal} {weekday} {w.pick(['22:00-24:00', '1:00-3:00'])}")
            if calendar and w.chance(0.5):
                items.append("moved to next business day of biz")
        if w.chance(0.4):
            items.append(f"when {w.condition()}")
        lines.append(f'  maintenance {mid} {{ cite "3" "保守" {" ".join(items)} }}')

    target_op = w.pick([">=", ">"])
    target = w.pick(["99.9%", "99.5%", "99.99%", "99%"])
    denominator = ""
    if maintenance and w.chance(0.4):
        denominator = f" denominator period minus {', '.join(w.some(maintenance, 1, 2))}"
    elif w.chance(0.3):
        denominator = " denominator period"
    period = w.pick(["calendar month"] * 6 + ["quarter", "30 day"])
    lines.append(
        f'  availability avail {{ cite "4" "稼働率" period {period} '
        f"target {target_op} {target}{w.word(target_op)}{denominator} }}"
    )

    items = []
    if w.chance(0.8):
        op = w.pick([">=", ">"])
        reading = f" on {w.pick(['stoppage', 'record'])}" if w.chance(0.6) else ""
        items.append(f"threshold {op} {w.pick([1, 5, 10, 30])} min{w.word(op)}{reading}")
    if w.chance(0.3):
        items.append("probes smtp, https" + (" every 1 min" if w.chance(0.5) else ""))
    if w.chance(0.5):
        items.append(f"when {w.condition(downtime=True)}")
    lines.append(f'  downtime down {{ cite "5" "停止" {" ".join(items)} }}')

    exclusions = []
    for _ in range(w.rng.randint(1, 5)):
        eid = w.name("excl")
        exclusions.append(eid)
        items = [f"when {w.condition()}"]
        if w.chance(0.5):
            items.append("including related")
        if w.chance(0.2):
            items.append(f"unless {w.condition()}")
        lines.append(f'  exclusion {eid} {{ cite "6" "適用外" {" ".join(items)} }}')
    if w.chance(0.3):
        # an inclusion overrides every exclusion: else `check` finds them contradicting
        iid = w.name("incl")
        over = ", ".join(exclusions)
        lines.append(
            f'  inclusion {iid} {{ cite "7" "対象" when {w.condition()} overrides {over} }}'
        )
    if w.chance(0.4):
        target_clause = w.pick(exclusions)
        lines.append(
            f'  exception {w.name("exc")} to {target_clause} {{ cite "8" "例外" '
            f"when {w.condition()} }}"
        )

    money = False
    if kind == "guarantee" and w.chance(0.8):
        items = ["when availability < target"]
        remedy_kind = w.pick(["free", "refund", "tier"])
        if remedy_kind == "free":
            per = " per breached month" if w.chance(0.5) else ""
            items.append(f"free {w.pick([1, 2])} month{per}")
        elif remedy_kind == "refund":
            money = True
            items.append(
                w.pick(
                    [
                        "refund monthly_fee * downtime / denominator",
                        "refund monthly_fee / 30",
                        "refund monthly_fee * 10 / 100",
                    ]
                )
            )
        else:
            money = True
            target_number = target.rstrip("%")
            low = {"99.9": "99.0", "99.5": "98.0", "99.99": "99.9", "99": "95"}[target_number]
            top = "<" if target_op == ">=" else "<="
            bottom = ">=" if top == "<" else ">"
            items.append(
                f"tier {top} {target_number}% and {bottom} {low}% credit {w.pick([10, 25])}%"
            )
            items.append(f"tier {'<' if bottom == '>=' else '<='} {low}% credit 100%")
        if money and w.chance(0.5):
            items.append(
                f"cap monthly_fee{' per ' + w.pick(['month', 'year', 'claim']) if w.chance(0.7) else ''}"
            )
        if money and w.chance(0.3):
            items.append("minimum 100 JPY")
        if w.chance(0.6):
            start = w.pick(["period", "incident month"])
            later = f" + {w.pick(['1 month', '2 month', '10 day'])}" if w.chance(0.7) else ""
            items.append(f"claim by {start} end{later}{' (まで)' if w.chance(0.3) else ''}")
        if money and w.chance(0.4):
            items.append(f"rounding {w.pick(['down', 'up', 'half_up', 'half_even'])} to 1 JPY")
        if w.chance(0.3):
            # the remedy measures the time of its own records, whatever the downtime decided
            items.append(f"records where {w.condition()}")
            items[0] = w.pick(
                [
                    "when records_time > 0 s",
                    "when availability < target and records_time >= 10 min",
                    "when records_time > downtime",
                ]
            )
        lines.append(f'  remedy rem {{ cite "9" "補償" {" ".join(items)} }}')

    events: set[str] = set()
    obligations: list[str] = []
    lifting = [*exclusions, *maintenance]  # what `excluded by` may name
    for _ in range(w.rng.randint(0, 2)):
        start, stop = w.some(EVENTS, 2, 2)
        events.update((start, stop))
        on = " on biz" if calendar and w.chance(0.5) else ""
        if on and w.chance(0.5):
            deadline = f"within {w.pick(['2 business hours', '1 business day'])}{on}"
        elif on and w.chance(0.3):
            deadline = f"by close of {w.pick(['1st', '2nd'])} business day{on}"
        elif w.chance(0.2):
            deadline = f"at least {w.pick(['10 min', '1 h'])}"
        else:
            op_word = f" ({w.pick(['以内'])})" if w.chance(0.4) else ""
            deadline = f"within {w.pick(['30 min', '1 h', '6 h', '120 min'])}{op_word}"
        items = [f"from {start} to {stop}", deadline]
        if w.chance(0.4):
            cond = w.pick(
                [
                    w.condition(),
                    w.event_atom(),
                    "defined by down",
                    f"excluded by {', '.join(w.some(lifting, 1, 2))}",
                ]
            )
            if calendar and w.chance(0.2):
                cond = f"{start} during biz hours"
            items.append(f"when {cond}")
        if w.chance(0.2):
            unless = w.condition() if w.chance(0.7) else f"excluded by {w.pick(lifting)}"
            items.append(f"unless {unless}")
        oid = w.name("ob")
        obligations.append(oid)
        lines.append(f'  obligation {oid} {{ cite "10" "期限" {" ".join(items)} }}')
        if w.chance(0.2):
            lines.append(
                f'  exception {w.name("obx")} to {oid} {{ cite "11" "例外" when {w.condition()} }}'
            )
    if obligations and w.chance(0.4):
        # the stops some exclusions take out of the SLA lift these obligations
        targets = ", ".join(w.some(obligations, 1, 2))
        lifted = ", ".join(w.some(lifting, 1, 3))
        lines.append(
            f'  exception {w.name("lift")} to {targets} {{ cite "11" "適用外" '
            f"when excluded by {lifted}{' or ' + w.condition() if w.chance(0.3) else ''} }}"
        )
    if w.chance(0.15):
        op = w.pick(["<=", "<"])
        lines.append(
            f'  performance perf {{ cite "12" "応答" measure response_time {op} 3 s{w.word(op)} }}'
        )
    lines.append("}")
    # the target's and the tiers' bounds (not the credits): edge logs put a month on them
    text = "\n".join(lines)
    bounds = tuple(sorted(set(re.findall(r"(?:target|tier|and) [<>=]+ (\d+(?:\.\d+)?)%", text))))
    spec = Spec(tuple(sorted(events)), bounds, calendar, announced, money, timezone)
    return "\n".join(lines) + "\n", spec


# ------------------------------------------------------------------ the log


def iso(seconds: int) -> str:
    return (BASE + dt.timedelta(seconds=seconds)).isoformat()


def log_inputs(rng: random.Random, spec: Spec) -> dict[str, Any]:
    """Records, notices, billing and closures for a contract: facts from its vocabulary,
    services of its scope and one outside, events of its obligations; overlaps, touching
    records, causal chains, ongoing records and a month's (and a year's) end crossed."""
    w = Writer(rng)
    records: list[dict[str, Any]] = []
    for i in range(rng.randint(1, 10)):
        start = rng.randint(0, 20 * 86400)
        length = rng.choice([30, 300, 599, 600, 601, 1200, 1800, 3600, 4 * 3600, 30 * 3600])
        if records and "end" in records[-1] and w.chance(0.3):
            previous = records[-1]
            start = int((dt.datetime.fromisoformat(previous["end"]) - BASE).total_seconds())
        record: dict[str, Any] = {
            "id": f"r{i}",
            "service": w.pick(SERVICES) if w.chance(0.3) else "Svc A",
            "start": iso(start),
        }
        if w.chance(0.9):
            record["end"] = iso(start + length)
        for fact, values in (
            ("cause", CAUSES),
            ("detected_by", DETECTORS),
            ("protocol", PROTOCOLS),
            ("location", COUNTRIES),
        ):
            if w.chance(0.75):
                record[fact] = w.pick(values)
        if w.chance(0.6):
            record["features"] = w.some(FEATURES, 1, 2)
        for flag in FLAGS:
            if w.chance(0.4):
                record[flag] = w.chance(0.5)
        if w.chance(0.3):
            record["priority"] = rng.randint(1, 4)
        if i and w.chance(0.3):
            record["caused_by"] = [f"r{rng.randint(0, i - 1)}"]
        at = start
        for event in spec.events:
            if w.chance(0.8):
                at += rng.choice([0, 60, 1200, 3600, 7200, 86400])
                record[event] = iso(at)
        records.append(record)
    if w.chance(0.05):  # a log refused: one record's code is outside the vocabulary
        w.pick(records)["cause"] = "cosmic_rays"
    notices = []
    for j in range(rng.randint(0, 3)):
        start = rng.randint(0, 20 * 86400)
        notice = {
            "id": f"n{j}",
            "service": w.pick(["*", "Svc A", "Svc B"]),
            "start": iso(start),
            "end": iso(start + rng.choice([1800, 3600, 7200])),
            "channel": w.pick(CHANNELS),
        }
        if w.chance(0.9):
            notice["announced_at"] = iso(start - rng.choice([0, 600, 3600, 86400, 8 * 86400]))
        if w.chance(0.2):
            notice["emergency"] = w.chance(0.5)
        notices.append(notice)
    # Windows over the records: a notice placed on a record's span, often.
    for k, record in enumerate(records[:3]):
        if "end" in record and w.chance(0.5):
            begin = int((dt.datetime.fromisoformat(record["start"]) - BASE).total_seconds())
            end = int((dt.datetime.fromisoformat(record["end"]) - BASE).total_seconds())
            length = rng.choice([600, 1800, 3600])
            # over the record, or touching it at either end (a window's edge)
            s = rng.choice([begin - 600, begin, begin + 300, begin - length, end])
            notices.append(
                {
                    "id": f"w{k}",
                    "service": record["service"],
                    "start": iso(s),
                    "end": iso(s + length),
                    "announced_at": iso(s - rng.choice([3600, 8 * 86400])),
                    "channel": w.pick(CHANNELS),
                }
            )
    if spec.bounds and w.chance(0.15):
        records.append(edge_record(rng, spec, len(records)))
    inputs: dict[str, Any] = {"outages": records, "notices": notices}
    if spec.billing or w.chance(0.3):
        annual = w.chance(0.3)  # an annual term: free months once a contract year
        inputs["billing"] = [
            {
                "service": name,
                "monthly_fee": rng.choice(["10000", "12345", "80000"]),
                "currency": "JPY",
                **({"term": "annual", "contract_start": "2026-04-01"} if annual else {}),
            }
            for name in ("Svc A", "Svc B")
        ]
    if spec.announced and w.chance(0.7):
        inputs["closures"] = ["2026-12-29", "2026-12-30", "2027-01-04"]
    inputs["as_of"] = iso(rng.choice([25, 40, 70]) * 86400)
    return inputs


#: November 2026 has 30 days: 0.1 % of it is 2,592 s, a whole number, so a record can put
#: the month's availability exactly on a target or a tier's bound.
NOVEMBER = dt.datetime(2026, 11, 1, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def edge_record(rng: random.Random, spec: Spec, i: int) -> dict[str, Any]:
    """A provider-fault record in November whose length is exactly a bound's shortfall
    (``(100 - bound) %`` of the month, when that is whole seconds), give or take a second."""
    month = 30 * 86400
    lengths = [Fraction(100) - Fraction(b) for b in spec.bounds if Fraction(b) < 100]
    whole = [int(x * month / 100) for x in lengths if (x * month / 100).denominator == 1]
    length = rng.choice(whole or [2592]) + rng.choice([-1, 0, 0, 1])
    start = NOVEMBER + dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 5))
    return {
        "id": f"r{i}",
        "service": "Svc A",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(seconds=max(length, 1))).isoformat(),
        "cause": "provider_fault",
        "detected_by": "monitoring",
    }


# ------------------------------------------------------------------ running a case


class Rejected(Exception):
    """The generated contract did not pass `rulebook check`."""


def load(text: str, seed: int) -> m.Contract:
    path = FOLDER / f"gen-{seed}.sla"
    loaded = check_files([path], {str(path): text})
    if loaded.errors:
        raise Rejected("; ".join(f"{d.code}: {d.message}" for d in loaded.errors[:3]))
    (contract,) = loaded.contracts
    return contract


@attrs.frozen
class Case:
    seed: int
    text: str
    spec: Spec
    inputs: dict[str, Any]
    draws: int  # contracts drawn (and refused by check) before this one, plus one


def generate(seed: int, attempts: int = 50) -> tuple[Case, m.Contract]:
    """The case of ``seed``: the first contract of its sub-seeds that `check` accepts."""
    refusals = []
    for attempt in range(attempts):
        rng = random.Random(seed * 1000 + attempt)
        text, spec = contract_text(rng, seed)
        try:
            contract = load(text, seed)
        except Rejected as exc:
            refusals.append(str(exc))
            continue
        inputs = log_inputs(random.Random(seed * 1000 + attempt + 500), spec)
        return Case(seed, text, spec, inputs, attempt + 1), contract
    raise AssertionError(f"seed {seed}: no valid contract in {attempts} draws: {refusals[:3]}")


def text_frame(outages: list[dict[str, Any]]) -> pl.DataFrame:
    """The records as a CSV file holds them: every cell text, lists joined with ';'."""
    columns: list[str] = []
    for record in outages:
        columns += [k for k in record if k not in columns]

    def cell(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list | tuple):
            return ";".join(str(v) for v in value)
        return str(value)

    return pl.DataFrame(
        {c: [cell(r.get(c)) for r in outages] for c in columns},
        schema={c: pl.String for c in columns},
    )


def with_events(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    """Events given apart become columns of their records (how a data lake, or a log too
    large to hold, keeps them: Spark and the stream read no events file)."""
    outages = [dict(o) for o in inputs["outages"]]
    by_id = {o.get("id"): o for o in outages}
    for event in inputs.get("events", []):
        if event.get("record") in by_id:
            by_id[event["record"]][event["event"]] = event["at"]
    return outages


def in_time_order(contract: m.Contract, outages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records by start (those whose start cannot be read first, as they were)."""
    from rulebook.intake.records import parse_instant, timezone_of

    tz = timezone_of(contract)

    def start(record: dict[str, Any]) -> int:
        try:
            return parse_instant(record.get("start"), tz, "", "start")
        except (RulebookError, ValueError, TypeError, OverflowError):
            return -(1 << 62)

    return sorted(outages, key=start)


def stream_document(contract: m.Contract, inputs: dict[str, Any], rows: int | None = None) -> Any:
    """The document of ``--engine stream`` (:mod:`rulebook.document.stream`) over the log
    written as CSV in order of time (as the stream reads logs), read ``rows`` records a
    chunk (by default two, so that every edge between stretches a case has is crossed; an
    eighth of a log past sixteen records), each part's records collected as its sink is
    handed them."""
    import tempfile

    from rulebook.document.stream import adjudicate_stream
    from rulebook.io.readers import Case as Inputs
    from rulebook.io.readers import Item

    collected: list[dict[str, Any]] = []

    class Collect:
        def write(self, part: Any) -> None:
            collected.extend(part.to_dict()["outages"])

    given = Inputs(
        notices=[Item(f"notices[{i}]", dict(n)) for i, n in enumerate(inputs.get("notices", []))],
        billing=[Item(f"billing[{i}]", dict(b)) for i, b in enumerate(inputs.get("billing", []))],
        closures=[str(c) for c in inputs.get("closures", [])],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        text_frame(in_time_order(contract, with_events(inputs))).write_csv(path)
        size = rows or max(2, len(inputs["outages"]) // 8)
        result = adjudicate_stream(
            contract, str(path), given, size, inputs.get("as_of"), sink=Collect()
        )
    document = result.to_dict()
    document["outages"] = sorted(collected, key=lambda o: o["id"])
    return document


@attrs.define
class Outcome:
    """What one case showed (for the coverage table)."""

    refused: bool = False
    verdicts: Counter[str] = attrs.field(factory=Counter)
    obligations: Counter[str] = attrs.field(factory=Counter)
    remedies: Counter[str] = attrs.field(factory=Counter)
    met: Counter[str] = attrs.field(factory=Counter)
    explained: int = 0


class Mismatch(AssertionError):
    """Two evaluators gave different answers for a case."""


def first_difference(a: Any, b: Any, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return first_difference(x, y, f"{path}[{i}]")
    return (
        f"{path or '.'}: {json.dumps(a, ensure_ascii=False, default=str)[:300]} != "
        + (json.dumps(b, ensure_ascii=False, default=str)[:300])
    )


def refusal(exc: RulebookError) -> tuple[str, ...]:
    """What a refusal is compared by: the record and field for a record's error (the intake
    words some messages with the place, the engine without), else the error and message."""
    if isinstance(exc, RecordError):
        return ("error", str(exc.record), str(exc.field))
    return ("error", type(exc).__name__, str(exc))


def holds(op: str | None, value: Fraction, limit: Fraction) -> bool:
    """A comparison as the DSL writes it, computed here, apart from the evaluators."""
    return {
        "<": value < limit,
        "<=": value <= limit,
        ">": value > limit,
        ">=": value >= limit,
        "=": value == limit,
    }[op or ">="]


def check_reference(case: Case, contract: m.Contract, document: dict[str, Any]) -> None:
    """What is computed in code both evaluators share (availability, the target, tiers,
    caps) checked against a statement of its own: the fixed meanings of docs/design.md,
    recomputed from the document's seconds. A shared rule broken is caught here."""
    avail = next((c for c in contract.clauses if isinstance(c, m.AvailabilityClause)), None)
    remedy = next((c for c in contract.clauses if isinstance(c, m.RemedyClause)), None)
    fees = {b["service"]: Fraction(b["monthly_fee"]) for b in case.inputs.get("billing", [])}
    for period in document["periods"]:
        where = f"seed {case.seed}: period {period['service']} {period['period']}"
        denominator = period["denominator_seconds"]
        if period.get("no_data"):  # outside the span the log covers: not measured
            if (period["availability"], period["met"], period["remedy"]) != (None, None, None):
                raise Mismatch(f"{where}: a period the log does not cover is measured")
            continue
        if not denominator:
            continue
        exact = Fraction(denominator - period["downtime_seconds"], denominator)
        if Fraction(period["availability_exact"]) != exact:
            raise Mismatch(f"{where}: availability {period['availability_exact']} != {exact}")
        target = avail.target if avail is not None else None
        if target is not None and period["met"] is not None:
            met = holds(target.op, exact * 100, target.quantity.value)
            if period["met"] != met:
                raise Mismatch(f"{where}: met {period['met']} at {exact * 100}% ({target.op})")
        owed = period.get("remedy")
        fee = fees.get(period["service"])
        if remedy is None or not remedy.tiers or fee is None or remedy.minimum is not None:
            continue
        if remedy.records is not None:
            continue  # its `when` reads records_time, not only `availability < target`
        if target is None or not exact * 100 < target.quantity.value:
            continue  # the generated remedies say `when availability < target`
        if not owed or owed["kind"] != "credit":  # tiers cover 0 % up to the target: one holds
            raise Mismatch(f"{where}: no credit owed at {exact * 100}%, below the target")
        if any(c.per is not None and c.per.name != "month" for c in remedy.caps):
            continue  # a yearly cap depends on what was paid before: not restated here
        band = [
            t
            for t in remedy.tiers
            if all(holds(b.op, exact * 100, b.quantity.value) for b in t.bounds)
        ]
        if len(band) != 1:
            raise Mismatch(f"{where}: {len(band)} tiers hold at {exact * 100}%, yet a credit")
        raw = band[0].credit.value / 100 * fee
        cap = fee if remedy.caps else None
        capped = cap is not None and raw > cap
        due = min(raw, cap) if cap is not None else raw
        if bool(owed.get("capped")) != capped or abs(Fraction(owed["amount"]) - due) >= 1:
            raise Mismatch(
                f"{where}: credit {owed['amount']} (capped {owed.get('capped')}) where the "
                f"band {band[0].credit.value}% of {fee} gives {due} (capped {capped})"
            )


def run_case(case: Case, contract: m.Contract, explain: bool = True) -> Outcome:
    """Every evaluator on the case; :class:`Mismatch` at the first difference."""
    inputs = copy.deepcopy(case.inputs)
    outcome = Outcome()
    oracle: Any
    try:
        whole = rulebook.adjudicate(contract, **inputs)
        oracle = whole.to_dict(reasons=False)
    except RulebookError as exc:
        whole = None
        oracle = refusal(exc)
    for route, outages in (("mappings", inputs["outages"]), ("text cells", None)):
        given = {
            **inputs,
            "outages": outages if outages is not None else text_frame(inputs["outages"]),
        }
        try:
            frame = rulebook.adjudicate_frame(contract, **given)
            document: Any = frame.to_dict()
        except RulebookError as exc:
            frame = None
            document = refusal(exc)
        if document != oracle:
            raise Mismatch(
                f"seed {case.seed}: the columnar plan ({route}) differs from the record "
                f"engine: {first_difference(oracle, document)}"
            )
    try:
        streamed: Any = stream_document(contract, inputs)
    except RulebookError as exc:
        streamed = refusal(exc)
    if whole is None and isinstance(streamed, dict):
        raise Mismatch(f"seed {case.seed}: the stream adjudicated a log the record engine refuses")
    if whole is not None and streamed != oracle:  # a refusal may name another bad record
        raise Mismatch(
            f"seed {case.seed}: the stream (chunks of two records) differs from the record "
            f"engine: {first_difference(oracle, streamed)}"
        )
    if whole is None:
        outcome.refused = True
        return outcome
    data = oracle
    check_reference(case, contract, data)
    for record in data["outages"]:
        outcome.verdicts[record["verdict"]] += 1
        for ob in record.get("obligations") or ():
            outcome.obligations[str(ob.get("verdict"))] += 1
            if ob.get("lifted_by"):  # a stop outside the SLA lifted it (`excluded by`)
                outcome.obligations["lifted"] += 1
    for period in data["periods"]:
        outcome.met[str(period.get("met"))] += 1
        remedy = period.get("remedy")
        if remedy:
            outcome.remedies[str(remedy.get("kind"))] += 1
    if explain and frame is not None:
        for record in data["outages"]:
            expected = whole.explain(record["id"])
            got = frame.explain(record["id"])
            if got != expected:
                raise Mismatch(
                    f"seed {case.seed}: explain({record['id']!r}) from the columnar result "
                    f"differs from the whole-input record engine's:\n--- whole input\n"
                    f"{expected}\n--- explain\n{got}"
                )
            outcome.explained += 1
    return outcome


# ------------------------------------------------------------------ coverage


def model_parts(contract: m.Contract) -> set[str]:
    """The model's parts a contract uses: clause kinds, fields set to other than their
    default, condition node types, boundary words."""
    found: set[str] = set()

    def walk(value: Any, owner: str) -> None:
        if isinstance(value, m.BoundaryWord):
            found.add(f"word:{value.word}")
        if attrs.has(type(value)):
            name = type(value).__name__
            found.add(f"node:{name}")
            for field in attrs.fields(type(value)):
                if field.name in ("span", "citation", "title", "id"):
                    continue
                item = getattr(value, field.name)
                default = field.default
                if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                    default = default.factory()  # type: ignore[attr-defined]
                if item is not None and item != default and item != ():
                    found.add(f"field:{name}.{field.name}")
                walk(item, name)
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item, owner)

    for clause in contract.clauses:
        found.add(f"clause:{clause.kind}")
        walk(clause, clause.kind)
    return found


def _kinds() -> list[str]:
    """Every clause kind of the model (a new clause class is required at once)."""
    kinds = []
    for cls in typing.get_args(m.AnyClause):
        if cls is m.RuleClause:
            kinds += ["exclusion", "inclusion"]
        else:
            kinds.append(cls.kind)
    return kinds


def _nodes() -> list[str]:
    """Every condition node, value and expression type of the model."""
    types = [*typing.get_args(m.Condition), *typing.get_args(m.Value), *typing.get_args(m.Expr)]
    return [t.__name__ for t in types]


#: What a CI run must have exercised at least once, or the suite fails: every clause kind
#: and condition node of the model (read from it, so that a new one fails until the
#: generator writes it), the modifiers, the boundary words, every verdict and outcome.
REQUIRED = (
    [f"clause:{k}" for k in _kinds()]
    + [f"node:{n}" for n in _nodes()]
    + [f"node:{n}" for n in ("NoticeRule", "Recurrence", "Tier", "Cap", "TimeRange", "MonthDay")]
    + [
        f"field:{f}"
        for f in (
            "RuleClause.related",
            "RuleClause.unless",
            "RuleClause.overrides",
            "DowntimeClause.reading",
            "DowntimeClause.threshold",
            "DowntimeClause.condition",
            "DowntimeClause.probes",
            "DowntimeClause.probe_interval",
            "RemedyClause.free",
            "RemedyClause.free_per_breach",
            "RemedyClause.refund",
            "RemedyClause.minimum",
            "RemedyClause.claim_after",
            "RemedyClause.claim_from_incident",
            "RemedyClause.rounding",
            "MaintenanceClause.emergency",
            "MaintenanceClause.moves",
            "MaintenanceClause.condition",
            "AvailabilityClause.denominator_minus",
            "CalendarClause.holidays",
            "CalendarClause.announced_closures",
            "CalendarClause.annual_closures",
            "ObligationClause.minimum",
            "ObligationClause.to_close",
            "ObligationClause.calendar",
            "ObligationClause.unless",
            "NoticeRule.lead",
            "NoticeRule.to_work_day",
            "NoticeRule.word",
        )
    ]
    + [f"word:{w}" for w in ("以上", "以下", "以内", "未満", "超", "超える")]
    + [
        f"verdict:{v}"
        for v in (
            "counted",
            "excluded",
            "not_downtime",
            "out_of_scope",
            "partly_excluded",
        )
    ]
    + ["met:True", "met:False", "refused"]
    + [f"obligation:{v}" for v in ("met", "missed", "not_applicable", "undetermined", "lifted")]
    + [f"remedy:{v}" for v in ("credit", "free_months", "refund")]
)


@attrs.define
class Tally:
    """Across a run: the cases, the draws check refused, and what was exercised."""

    cases: int = 0
    draws: int = 0
    refused_inputs: int = 0
    explained: int = 0
    seen: Counter[str] = attrs.field(factory=Counter)

    def add(self, case: Case, contract: m.Contract, outcome: Outcome) -> None:
        self.cases += 1
        self.draws += case.draws
        self.explained += outcome.explained
        self.refused_inputs += outcome.refused
        self.seen.update(model_parts(contract))
        self.seen.update(f"verdict:{v}" for v in outcome.verdicts)
        self.seen.update(f"obligation:{v}" for v in outcome.obligations)
        self.seen.update(f"remedy:{v}" for v in outcome.remedies)
        self.seen.update(f"met:{v}" for v in outcome.met)
        if outcome.refused:
            self.seen["refused"] += 1

    def missing(self) -> list[str]:
        return [item for item in REQUIRED if not self.seen[item]]

    def table(self) -> str:
        lines = [
            f"generated contracts: {self.cases} cases ({self.draws} contracts drawn, "
            f"{self.draws - self.cases} refused by check), {self.refused_inputs} logs refused "
            f"by both evaluators alike ({100 * self.refused_inputs / max(self.cases, 1):.1f} %), "
            f"{self.explained} explanations compared",
        ]
        for group in ("clause", "node", "field", "word", "verdict", "obligation", "remedy", "met"):
            items = sorted((k, n) for k, n in self.seen.items() if k.startswith(group + ":"))
            lines.append(f"  {group}: " + ", ".join(f"{k.split(':', 1)[1]} {n}" for k, n in items))
        missing = self.missing()
        lines.append("  never exercised: " + (", ".join(missing) if missing else "none"))
        return "\n".join(lines)


def run(
    seeds: Iterable[int], explain: bool = True, progress: Callable[[int], None] | None = None
) -> Tally:
    tally = Tally()
    for seed in seeds:
        case, contract = generate(seed)
        outcome = run_case(case, contract, explain)
        tally.add(case, contract, outcome)
        if progress is not None:
            progress(seed)
    return tally


# ------------------------------------------------------------------ reducing a failure


def shrink(case: Case) -> Case:
    """A smaller case that still fails: contract lines and records dropped one at a time
    while the case still fails (or is refused by check, which then keeps the line)."""

    def fails(candidate: Case) -> bool:
        try:
            contract = load(candidate.text, candidate.seed)
        except Rejected:
            return False
        try:
            run_case(candidate, contract)
        except Mismatch:
            return True
        except Exception:  # another failure is not the one being reduced
            return False
        return False

    current = case
    changed = True
    while changed:
        changed = False
        lines = current.text.splitlines()
        for i in range(len(lines)):
            if not lines[i].startswith("  ") or "services scope" in lines[i]:
                continue
            text = "\n".join(lines[:i] + lines[i + 1 :]) + "\n"
            candidate = attrs.evolve(current, text=text)
            if fails(candidate):
                current, changed = candidate, True
                break
        records = current.inputs["outages"]
        for i in range(len(records)):
            rest = records[:i] + records[i + 1 :]
            if not rest:
                continue
            ids = {r["id"] for r in rest}
            rest = [
                {**r, "caused_by": [c for c in r.get("caused_by", []) if c in ids]}
                if "caused_by" in r
                else r
                for r in rest
            ]
            candidate = attrs.evolve(current, inputs={**current.inputs, "outages": rest})
            if fails(candidate):
                current, changed = candidate, True
                break
    return current


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generated contracts through every evaluator.")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--first", type=int, default=0, help="the first seed")
    parser.add_argument("--seed", type=int, help="run this one case and print it")
    parser.add_argument("--shrink", action="store_true", help="reduce a failing --seed")
    parser.add_argument("--no-explain", action="store_true")
    options = parser.parse_args(argv)
    if options.seed is not None:
        case, contract = generate(options.seed)
        print(case.text)
        print(json.dumps(case.inputs, ensure_ascii=False, indent=1))
        try:
            run_case(case, contract, not options.no_explain)
        except Mismatch as exc:
            print(exc)
            if options.shrink:
                small = shrink(case)
                print("--- reduced:\n" + small.text)
                print(json.dumps(small.inputs, ensure_ascii=False, indent=1))
            return 1
        print(f"seed {options.seed}: the evaluators agree")
        return 0
    seeds = range(options.first, options.first + options.cases)

    def progress(seed: int) -> None:
        if (seed - options.first + 1) % 500 == 0:
            print(f"  {seed - options.first + 1} cases", file=sys.stderr, flush=True)

    tally = run(seeds, not options.no_explain, progress)
    print(tally.table())
    return 1 if tally.missing() else 0


if __name__ == "__main__":
    sys.exit(main())
