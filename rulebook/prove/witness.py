"""A solver's model as a ready-to-paste `example` block.

A record's model becomes an outage record with the facts the model gives (those it leaves
unknown are left out), on a day of its own, as long as the model's ``duration``; where the
model's event is longer, a second record of the same service and cause follows it, and
where the threshold is read on the stoppage and the record alone is shorter, a record of
another cause completes the stoppage. A period's model becomes one counted record of the
model's downtime at the start of a period of the model's length (two periods of the same
length for a comparison), with the model's fee and damages in `billing`. Each block ends
with the `expect` lines the property demands, so `rulebook test` fails on it and shows
what the engine does instead.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import z3

from rulebook import model as m
from rulebook.prove import remedies as rm
from rulebook.prove.encode import DERIVED, Record
from rulebook.prove.rules import counts, solve_nicely

#: Periods of each length, two each, in which an example's records are placed.
MONTHS = {
    28 * rm.DAY: ["2026-02", "2027-02"],
    29 * rm.DAY: ["2028-02", "2032-02"],
    30 * rm.DAY: ["2026-09", "2026-11"],
    31 * rm.DAY: ["2026-10", "2026-12"],
}
QUARTERS = {
    90 * rm.DAY: [("2026-Q1", "2026-01"), ("2027-Q1", "2027-01")],
    91 * rm.DAY: [("2026-Q2", "2026-04"), ("2027-Q2", "2027-04")],
    92 * rm.DAY: [("2026-Q3", "2026-07"), ("2026-Q4", "2026-10")],
}


HOUR = 3600


def _time(start: dt.datetime, seconds: int) -> str:
    return (start + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")


def _fraction(value: Any) -> Fraction:
    if z3.is_int_value(value):
        return Fraction(value.as_long())
    if z3.is_rational_value(value):
        f = value.as_fraction()
        return Fraction(f.numerator, f.denominator)
    return Fraction(0)


def _number_text(number: Fraction) -> str:
    if number.denominator == 1:
        return str(number.numerator)
    return f'"{number.numerator}/{number.denominator}"'


def record_fields(record: Record, model: Any, skip: tuple[str, ...] = ()) -> list[str]:
    """The facts a model gives a record, as `NAME VALUE` pairs in the vocabulary's order."""
    fields = []
    for fact in record.used():
        if fact in DERIVED or fact in skip:
            continue
        if not z3.is_true(model.eval(record.known(fact), model_completion=True)):
            continue
        decl = record.decls[fact]
        value = record.value(fact)
        if isinstance(value, dict):
            codes = [c for c, has in value.items() if z3.is_true(model.eval(has, True))]
            fields.append(f"{fact} [{', '.join(codes)}]")
        elif decl.type == "bool":
            fields.append(f"{fact} {'true' if z3.is_true(model.eval(value, True)) else 'false'}")
        elif decl.type == "code":
            fields.append(f"{fact} {record.codes(fact)[model.eval(value, True).as_long()]}")
        elif decl.type in ("number", "duration"):
            fields.append(f"{fact} {_number_text(_fraction(model.eval(value, True)))}")
        elif decl.type == "country":
            fields.append(f"{fact} {record.universe(fact)[model.eval(value, True).as_long()]}")
        elif decl.type == "text":
            text = record.universe(fact)[model.eval(value, True).as_long()]
            fields.append(f'{fact} "{text}"')
    return fields


def record_example(
    contract: m.Contract, record: Record, model: Any, name: str, note: str, expect: str
) -> str:
    """An example of one record (and what completes its event and stoppage)."""
    service = record.services[model.eval(record.service, True).as_long()]
    start = dt.datetime(2026, 9, 2)
    duration = HOUR  # when the conditions read neither length: an hour
    if record.reads("duration") or record.reads("event_duration"):
        duration = int(_fraction(model.eval(record.value("duration"), True)))
    event = duration  # its event is the record alone, unless the conditions read it
    if record.reads("event_duration"):
        event = max(duration, int(_fraction(model.eval(record.value("event_duration"), True))))
    fields = record_fields(record, model)
    for event_name in sorted(record.events & set(record.used())):
        if z3.is_true(model.eval(record.known(event_name), True)):
            fields.append(f'{event_name} "{_time(start, 0)}"')
    lines = [
        f'    outage r "{service}" from "{_time(start, 0)}" to "{_time(start, duration)}" '
        f"{{ {' '.join(fields)} }}"
    ]
    end = duration
    if event > duration:
        lines.append("    # the rest of its event: the same service and cause, touching it")
        lines.append(
            f'    outage r_event "{service}" from "{_time(start, end)}" to "{_time(start, event)}" '
            f"{{ {' '.join(fields)} }}"
        )
        end = event
    short = _stoppage_shortfall(contract, end)
    if short > 0:
        other = _other_cause(record, model)
        lines.append("    # the rest of its stoppage (the threshold is read on the stoppage)")
        rest = [f for f in fields if not f.startswith("cause ")] + (
            [f"cause {other}"] if other else []
        )
        lines.append(
            f'    outage r_stoppage "{service}" from "{_time(start, end)}" '
            f'to "{_time(start, end + short)}" {{ {" ".join(rest)} }}'
        )
    if record.approximate:
        note += " (the case rests on a test the prover does not reason about, such as `during`)"
    return _block(name, note, [*lines, f"    expect r {expect}"])


def _stoppage_shortfall(contract: m.Contract, length: int) -> int:
    clause = next((c for c in contract.clauses if isinstance(c, m.DowntimeClause)), None)
    if clause is None or clause.threshold is None:
        return 0
    if clause.reading is not None and clause.reading.name == "record":
        return 0
    return max(0, int(rm.threshold_seconds(contract)) - length)


def _other_cause(record: Record, model: Any) -> str | None:
    codes = record.codes("cause")
    if not codes:
        return None
    known = "cause" in record.used() and z3.is_true(model.eval(record.known("cause"), True))
    mine = codes[model.eval(record.value("cause"), True).as_long()] if known else None
    return next(c for c in codes if c != mine)


def _block(name: str, note: str, lines: list[str]) -> str:
    title = note.replace('"', "'")
    return "\n".join(
        [f"  # rulebook check --prove: {note}", f'  example {name} "{title}" {{', *lines, "  }"]
    )


def period_example(
    contract: m.Contract,
    periods: list[tuple[rm.Period, Any]],
    name: str,
    note: str,
    expects: list[str | None],
    counted: list[str] | None = None,
) -> str | None:
    """An example of one or two periods, each with a record of the model's downtime."""
    found = counted_record(contract) if counted is None else (None, counted)
    if found is None:
        return None
    service, fields = found[0] or "S", found[1]
    model = periods[0][1]
    length = model.eval(periods[0][0].length, True).as_long()
    slots = _slots(contract, length)
    lines: list[str] = []
    damages = []
    fee = model.eval(periods[0][0].fee, True).as_long()
    whole = model.eval(periods[0][0].denominator == periods[0][0].length, True)
    if not z3.is_true(whole):
        taken = length - model.eval(periods[0][0].denominator, True).as_long()
        note += f" (with {taken} s of maintenance windows taken out of the denominator)"
    elif _subtracts_windows(contract):
        note += " (measured on the whole period: windows taken out of it shift the figures)"
    for i, (period, model_) in enumerate(periods):
        label, first = slots[i]
        start = dt.datetime.strptime(first + "-01", "%Y-%m-%d")
        downtime = model_.eval(period.downtime, True).as_long()
        span = f'from "{_time(start, 0)}" to "{_time(start, downtime)}"'
        lines.append(f'    outage d{i + 1} "{service}" {span} {{ {" ".join(fields)} }}')
        damages.append(f'"{label}" "{model_.eval(period.damages, True).as_long()}"')
    uses_damages = any(rm_is_damages(c) for c in rm.remedies(contract))
    extra = f" damages {{ {' '.join(damages)} }}" if uses_damages else ""
    lines.append(f'    billing "{service}" {{ monthly_fee "{fee}" currency JPY{extra} }}')
    for i, expect in enumerate(expects):
        if expect is not None:
            lines.append(f'    expect period "{service}" "{slots[i][0]}" {expect}')
    return _block(name, note, lines)


def _subtracts_windows(contract: m.Contract) -> bool:
    clause = rm.availability(contract)
    return clause is not None and bool(clause.denominator_minus)


def rm_is_damages(clause: m.RemedyClause) -> bool:
    return clause.free is None and clause.refund is None and not clause.tiers


def _slots(contract: m.Contract, length: int) -> list[tuple[str, str]]:
    """(period label, its first month) for two periods of ``length`` seconds."""
    clause = rm.availability(contract)
    kind = clause.period if clause is not None else None
    if kind == "quarter":
        return QUARTERS.get(length, QUARTERS[92 * rm.DAY])
    if isinstance(kind, m.Quantity):
        return [("2026-09", "2026-09"), ("2026-11", "2026-11")]
    months = MONTHS.get(length, MONTHS[30 * rm.DAY])
    return [(month, month) for month in months]


def counted_record(contract: m.Contract) -> tuple[str, list[str]] | None:
    """A service and the facts of a record that counts whole, for a period's downtime;
    None when every outage is excluded or ruled out."""
    record = Record(contract)
    preferences = []
    if "provider_fault" in record.codes("cause"):  # the provider's own fault, if it counts
        own = record.value("cause") == record.codes("cause").index("provider_fault")
        preferences.append(z3.And(record.known("cause"), own))
    answer, model = solve_nicely([counts(contract, record), record.all_constraints()], preferences)
    if answer != "sat":
        return None
    service = record.services[model.eval(record.service, True).as_long()]
    return service, record_fields(record, model)
