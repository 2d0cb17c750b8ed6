"""Remedies: free months, pro-rata refunds, credit tiers and damages, with caps, minimums,
claim deadlines and the contract's rounding, in exact arithmetic.

Money is computed as a Fraction and rounded once, at the end, to a Decimal by the
contract's ``rounding`` line; without one, it is rounded down to the currency's minor unit
(JPY has none, so to 1 yen). A remedy clause applies to a period when its ``when`` holds;
without ``when``, when the period missed its target. ``damages`` (a remedy with only a cap)
applies to the damages the customer claims for a period, given as billing input, and
when its ``when`` (if any) holds.

Free months are given once per contract term: a monthly contract's term is its month, so
each breached month earns them; an annual contract earns them once in its contract year,
at its first breached month, unless the clause says ``per breached month`` (CYBERMAIL's
"年契約の場合は、当該期間に発生した当制度の抵触月数分"), when each breached month earns them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import attrs

from rulebook import model as m
from rulebook import units
from rulebook.conditions import fold_formula
from rulebook.engine.calendar import add_calendar
from rulebook.engine.classify import compile_condition
from rulebook.engine.measure import Measure, availability_target, percent
from rulebook.engine.trace import duration_words
from rulebook.intake.billing import Billing
from rulebook.intake.records import RecordError, format_instant
from rulebook.reprs import with_repr
from rulebook.text import Words
from rulebook.versions import Chain

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MINOR_UNITS = {
    "JPY": Decimal("1"),
    "KRW": Decimal("1"),
    "USD": Decimal("0.01"),
    "EUR": Decimal("0.01"),
}
ROUNDINGS = {
    "down": ROUND_DOWN,
    "up": ROUND_UP,
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
}


@with_repr
@attrs.frozen(repr=False)
class Remedy:
    """What one remedy clause owes for one service and period, and how it was computed."""

    clause: str
    kind: str  # free_months, refund, credit, damages
    months: int | None
    amount: Decimal | None
    currency: str | None
    claim_deadline: int | None
    formula: Words
    cap: Decimal | None = None
    capped: bool = False
    contract_year: tuple[dt.date, int] | None = None  # (first day, breached months so far)
    claimed_on: dt.date | None = None  # the day it was claimed (billing input), if given

    def to_dict(self, tz: dt.tzinfo) -> dict[str, Any]:
        """Plain data for JSON."""
        out: dict[str, Any] = {
            "clause": self.clause,
            "kind": self.kind,
            "months": self.months,
            "amount": str(self.amount) if self.amount is not None else None,
            "currency": self.currency,
            "claim_deadline": format_instant(self.claim_deadline, tz)
            if self.claim_deadline
            else None,
            "claim_last_day": _last_day(self.claim_deadline, tz),
            "claim_last_weekday": _weekday(self.claim_deadline, tz),
            "claimed_on": self.claimed_on.isoformat() if self.claimed_on else None,
            "forfeited": self.forfeited(tz),
            "formula": {"en": self.formula.en, "ja": self.formula.ja},
            "cap": str(self.cap) if self.cap is not None else None,
            "capped": self.capped,
        }
        if self.contract_year is not None:
            out["contract_year"] = {
                "start": self.contract_year[0].isoformat(),
                "breached_months": self.contract_year[1],
            }
        return out

    def forfeited(self, tz: dt.tzinfo) -> bool | None:
        """Whether the claim came after its last day (None: no claim date or no deadline)."""
        if self.claimed_on is None or self.claim_deadline is None:
            return None
        last = dt.datetime.fromtimestamp(self.claim_deadline - 1, tz).date()
        return self.claimed_on > last


def _weekday(deadline: int | None, tz: dt.tzinfo) -> str | None:
    """The weekday of the claim's last day (a deadline on a weekend or holiday is not moved:
    the text does not move it, so it is shown instead)."""
    if deadline is None:
        return None
    return WEEKDAYS[dt.datetime.fromtimestamp(deadline - 1, tz).weekday()]


def _last_day(deadline: int | None, tz: dt.tzinfo) -> str | None:
    """The last calendar day a claim is in time: the day that ends at the deadline instant
    ("翌月末までに": by the end of that day)."""
    if deadline is None:
        return None
    return dt.datetime.fromtimestamp(deadline - 1, tz).date().isoformat()


def kind_of(clause: m.RemedyClause) -> str:
    """The remedy's kind, from what the clause computes."""
    if clause.free is not None:
        return "free_months"
    if clause.refund is not None:
        return "refund"
    if clause.tiers:
        return "credit"
    return "damages"


@with_repr
@attrs.define(repr=False)
class Ledger:
    """Per service: what was paid in each contract year (for yearly caps), how many months
    breached (for annual free months), and, per free-month clause, the period whose free
    months were the contract year's (free months once per annual term)."""

    paid: dict[tuple[str, dt.date], Fraction] = attrs.field(factory=dict)
    breached: dict[tuple[str, dt.date], int] = attrs.field(factory=dict)
    free_for: dict[tuple[str, str, dt.date], str] = attrs.field(factory=dict)


def free_months(free: m.Quantity | None) -> int:
    """The months of ``free N month`` / ``free N year`` (check refuses a part of a month)."""
    if free is None:
        return 1
    per_unit = 12 if free.unit == "year" else 1
    return int(free.value * per_unit)


def with_claim(
    owed: Remedy | None, clause: m.RemedyClause, billing: Billing | None, period: str, tz: dt.tzinfo
) -> Remedy | None:
    """The remedy with the day it was claimed (billing ``claims``), and forfeited when that
    day is after the last day of the claim."""
    claimed = billing.claims.get(period) if billing else None
    if owed is None or claimed is None:
        return owed
    owed = attrs.evolve(owed, claimed_on=claimed)
    if owed.forfeited(tz):
        last = _last_day(owed.claim_deadline, tz)
        article = clause.citation.article if clause.citation else clause.id
        owed = attrs.evolve(
            owed,
            formula=Words(
                f"{owed.formula.en}; claimed on {claimed}, after the last day {last}: "
                f"forfeited ({article})",
                f"{owed.formula.ja}。請求日 {claimed} は期限 {last} を過ぎています: "
                f"権利喪失（{article}）",
            ),
        )
    return owed


def remedy(
    clause: m.RemedyClause,
    service: str,
    measured: Measure,
    target: m.Comparison | None,
    billing: Billing | None,
    ledger: Ledger,
    tz: dt.tzinfo,
) -> Remedy | None:
    """The remedy a clause owes for one service's period, or None when none is owed."""
    kind = kind_of(clause)
    if billing is not None and billing.contract_start is not None:
        first = dt.datetime.combine(billing.contract_start, dt.time(), tzinfo=tz)
        if measured.period.end <= int(first.timestamp()):
            return None  # a period wholly before the contract began earns nothing
    if kind == "damages":
        claimed = billing.damages.get(measured.period.label) if billing else None
        if claimed is None:
            return None
        if clause.condition is not None and not _applies(clause, measured, target, billing):
            return None  # e.g. `when downtime > 0 s`: nothing the provider answers for
    elif not _applies(clause, measured, target, billing):
        return None
    year = _contract_year(billing, measured.period.start, tz)
    key = (service, year) if year else None
    if key:
        ledger.breached[key] = ledger.breached.get(key, 0) + 1
    deadline = _claim_deadline(clause, measured, tz)
    article = clause.citation.article if clause.citation else clause.id
    if kind == "free_months":
        months = free_months(clause.free)
        annual = billing is not None and billing.term == "annual" and key is not None
        contract_year = (key[1], ledger.breached[key]) if annual and key else None
        words = Words(
            f"availability {_pct(measured)} is below the target: "
            f"{months} free month(s) ({article})",
            f"稼働率 {_pct(measured)} が目標を下回ったため {months} か月無料（{article}）",
        )
        if contract_year is not None:
            months, words = _annual_free(clause, service, measured, contract_year, months, ledger)
        return Remedy(
            clause.id, kind, months, None, None, deadline, words, contract_year=contract_year
        )
    currency = billing.currency if billing else None
    if billing is None:
        words = Words(
            f"owed under {article}, but the monthly fee of {service} was not given",
            f"{article} により支払対象ですが、{service} の月額料金が与えられていません",
        )
        return Remedy(clause.id, kind, None, None, None, deadline, words)
    fee = Fraction(billing.monthly_fee)
    env = _measures(measured, target, fee, clause)
    if kind == "damages":
        raw = Fraction(billing.damages[measured.period.label])
        explain = Words(
            f"damages claimed {_money_text(raw, currency)}",
            f"請求された損害額 {_money_text(raw, currency)}",
        )
    elif kind == "refund":
        assert clause.refund is not None
        raw = evaluate(clause.refund, env)
        line = (
            f"{_expr_text(clause.refund)} = {_numbers(clause.refund, env, currency)}"
            f" = {_money_text(raw, currency)}"
        )
        explain = Words(line, line)
    else:
        tier = _tier(clause, measured)
        if tier is None:
            return None
        rate = tier.credit.value / 100
        raw = fee * rate
        product = f"{_money_text(fee, currency)} = {_money_text(raw, currency)}"
        explain = Words(
            f"availability {_pct(measured)} is in the band {_band_text(tier)}: "
            f"{units.show(tier.credit)} × monthly fee {product}",
            f"稼働率 {_pct(measured)} は {_band_text(tier)} の区分: "
            f"{units.show(tier.credit)} × 月額料金 {product}",
        )
    if clause.records is not None:
        took = duration_words(int(env["records_time"]))
        explain = Words(
            f"the records it selects (records where) take {took.en}; {explain.en}",
            f"対象の記録（records where）の時間 {took.ja}。{explain.ja}",
        )
    amount, cap, capped, cap_words = _apply_caps(clause, raw, env, ledger, key, currency)
    if clause.minimum is not None and 0 < amount < evaluate(clause.minimum, env):
        amount = evaluate(clause.minimum, env)
        cap_words = Words(
            f"{cap_words.en}; raised to the minimum {_money_text(amount, currency)}",
            f"{cap_words.ja}。最低額 {_money_text(amount, currency)} に引き上げ",
        )
    rounded = round_money(amount, clause, currency)
    if key:
        ledger.paid[key] = ledger.paid.get(key, Fraction(0)) + Fraction(rounded)
    words = Words(
        f"{explain.en}{cap_words.en}; paid {rounded} {currency} ({article})",
        f"{explain.ja}{cap_words.ja}。支払額 {rounded} {currency}（{article}）",
    )
    return Remedy(clause.id, kind, None, rounded, currency, deadline, words, cap, capped)


def _annual_free(
    clause: m.RemedyClause,
    service: str,
    measured: Measure,
    contract_year: tuple[dt.date, int],
    months: int,
    ledger: Ledger,
) -> tuple[int, Words]:
    """The free months a breached month of an annual contract earns, and why: with ``per
    breached month`` each breached month earns them; without, the contract year's first
    breached month does, and the later ones earn none (already given for the year)."""
    start, breached = contract_year
    article = clause.citation.article if clause.citation else clause.id
    pct = _pct(measured)
    label = measured.period.label
    if clause.free_per_breach:
        return months, Words(
            f"availability {pct} is below the target: {months} free month(s) per breached "
            f"month; breached month {breached} of the contract year from {start} ({article})",
            f"稼働率 {pct} が目標を下回ったため抵触月ごとに {months} か月無料。"
            f"{start} からの契約年の抵触 {breached} か月目（{article}）",
        )
    first = ledger.free_for.setdefault((clause.id, service, start), label)
    if first == label:
        return months, Words(
            f"availability {pct} is below the target: {months} free month(s), once for the "
            f"contract year from {start} (annual term; not per breached month) ({article})",
            f"稼働率 {pct} が目標を下回ったため {months} か月無料。{start} からの契約年に一度"
            f"（年契約、抵触月ごとではない）（{article}）",
        )
    return 0, Words(
        f"availability {pct} is below the target, but the contract year from {start} already "
        f"earned its {months} free month(s) in {first}: once per annual term, not per "
        f"breached month (breached month {breached} of the year): 0 free months ({article})",
        f"稼働率 {pct} は目標を下回りましたが、{start} からの契約年の {months} か月無料は "
        f"{first} に付与済み: 年契約に一度で抵触月ごとではありません（抵触 {breached} か月目）: "
        f"0 か月（{article}）",
    )


def _applies(
    clause: m.RemedyClause, measured: Measure, target: m.Comparison | None, billing: Billing | None
) -> bool:
    if clause.condition is None:
        return measured.met is False
    fee = Fraction(billing.monthly_fee) if billing else None
    env = _measures(measured, target, fee, clause)
    return compile_condition(_resolve(clause.condition, env))(env) is True


def _measures(
    measured: Measure, target: m.Comparison | None, fee: Fraction | None, clause: m.RemedyClause
) -> dict[str, Any]:
    """The names a remedy may use. In conditions availability and target are percentages
    (compared with `99.9%`); in formulas, ratios (`monthly_fee * 10%`). ``records_time``
    is the time of the records the clause's own `records where` selects."""
    env: dict[str, Any] = {
        "downtime": Fraction(measured.downtime),
        "denominator": Fraction(measured.denominator),
        "period": Fraction(measured.period.seconds),
    }
    if clause.records is not None:
        env["records_time"] = Fraction(dict(measured.records).get(clause.id, 0))
    if measured.availability is not None:
        env["availability"] = measured.availability * 100
    if target is not None:
        env["target"] = target.quantity.value
    if fee is not None:
        env["monthly_fee"] = fee
    return env


def _resolve(cond: m.Condition, env: Mapping[str, Any]) -> m.Condition:
    """Measures compared with measures (`availability < target`) become constants."""
    if isinstance(cond, m.Compare) and isinstance(cond.value, m.Code) and cond.value.name in env:
        value = env[cond.value.name]
        q = m.Quantity(Fraction(value), "", "", cond.value.span)
        return attrs.evolve(cond, value=q)
    if isinstance(cond, (m.All, m.Any)):
        return attrs.evolve(cond, items=tuple(_resolve(c, env) for c in cond.items))
    if isinstance(cond, m.Not):
        return attrs.evolve(cond, item=_resolve(cond.item, env))
    return cond


def evaluate(expr: m.Expr, env: Mapping[str, Any]) -> Fraction:
    """A remedy formula, exactly. Percentages are ratios; availability and target too."""
    return fold_formula(
        expr,
        Fraction,
        lambda name: Fraction(env[name]),
        lambda left, right: left / right if right else Fraction(0),
    )


def _apply_caps(
    clause: m.RemedyClause,
    amount: Fraction,
    env: Mapping[str, Any],
    ledger: Ledger,
    key: tuple[str, dt.date] | None,
    currency: str | None,
) -> tuple[Fraction, Decimal | None, bool, Words]:
    capped, cap_value = False, None
    words = Words("", "")
    for cap in clause.caps:
        limit = evaluate(cap.amount, env)
        per = cap.per.name if cap.per else "month"
        if per == "year" and key is not None:
            limit = max(Fraction(0), limit - ledger.paid.get(key, Fraction(0)))
        if amount > limit:
            amount, capped = limit, True
            words = Words(
                f"; capped at {_money_text(limit, currency)} per {per}",
                f"。上限 {_money_text(limit, currency)}（{_per_ja(per)}）",
            )
        cap_value = exact_decimal(limit)
    return amount, cap_value, capped, words


def _per_ja(per: str) -> str:
    return {"month": "月ごと", "year": "年ごと", "claim": "請求ごと"}.get(per, per)


def round_money(amount: Fraction, clause: m.RemedyClause, currency: str | None) -> Decimal:
    """The contract's rounding (``rounding down to 1 JPY``), else down to the minor unit."""
    if clause.rounding is not None:
        mode, step_q = clause.rounding
        rule, step = ROUNDINGS[mode.name], exact_decimal(step_q.value)
    else:
        rule, step = ROUND_DOWN, MINOR_UNITS.get(currency or "", Decimal("0.01"))
    # In whole steps, exactly (a fee of 1e30 has more digits than Decimal's default 28).
    steps = amount / Fraction(step)
    whole = math.trunc(steps)
    if steps != whole and (
        rule == ROUND_UP
        or (rule == ROUND_HALF_UP and abs(steps - whole) >= Fraction(1, 2))
        or (rule == ROUND_HALF_EVEN and whole != round(steps))
    ):
        whole += 1 if steps > 0 else -1
    with localcontext(prec=MONEY_DIGITS):
        return Decimal(whole) * step


#: Digits money is computed with: a fee has at most 50 (``docs/limits.md``), a remedy
#: multiplies it by a few fractions; Decimal's default of 28 would round or refuse it.
MONEY_DIGITS = 200


def exact_decimal(value: Fraction) -> Decimal:
    """A fraction as a Decimal with :data:`MONEY_DIGITS` digits (exact when it is a
    decimal fraction, as steps, fees and percentages are).

    >>> exact_decimal(Fraction(10**30 + 1, 100))
    Decimal('10000000000000000000000000000.01')
    """
    with localcontext(prec=MONEY_DIGITS):
        return Decimal(value.numerator) / Decimal(value.denominator)


def _claim_deadline(clause: m.RemedyClause, measured: Measure, tz: dt.tzinfo) -> int | None:
    """``claim by period end + N`` as the first instant that is too late."""
    if not clause.claim_set:
        return None
    base = measured.period.end
    if clause.claim_from_incident and measured.incident_start is not None:
        base = _next_month(measured.incident_start, tz)
    if clause.claim_after is None:
        return base
    return add_calendar(base, clause.claim_after, tz)


def _next_month(instant: int, tz: dt.tzinfo) -> int:
    """The first instant of the calendar month after the one holding ``instant``: the end
    of the month in which an incident began."""
    day = dt.datetime.fromtimestamp(instant, tz)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return int(dt.datetime(year, month, 1, tzinfo=tz).timestamp())


def _contract_year(billing: Billing | None, instant: int, tz: dt.tzinfo) -> dt.date | None:
    """The first day of the contract year holding ``instant``."""
    if billing is None or billing.contract_start is None:
        return None
    start = billing.contract_start
    day = dt.datetime.fromtimestamp(instant, tz).date()
    years = day.year - start.year - ((day.month, day.day) < (start.month, start.day))
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # a contract started on 29 February
        return dt.date(start.year + years, 3, 1)


def _tier(clause: m.RemedyClause, measured: Measure) -> m.Tier | None:
    if measured.availability is None:
        return None
    index = tier_of(clause, measured.availability * 100)
    return None if index is None else clause.tiers[index]


def tier_of(clause: m.RemedyClause, percent: Fraction) -> int | None:
    """The index of the first tier whose bounds hold for an availability in percent."""
    for i, tier in enumerate(clause.tiers):
        if all(_holds(b, percent) for b in tier.bounds):
            return i
    return None


def _holds(bound: m.Comparison, value: Fraction) -> bool:
    limit = bound.quantity.value
    return {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}.get(
        bound.op or ">=", False
    )


def _band_text(tier: m.Tier) -> str:
    return " and ".join(f"{b.op} {units.show(b.quantity)}" for b in tier.bounds)


def _pct(measured: Measure) -> str:
    return f"{percent(measured.availability)}%" if measured.availability is not None else "n/a"


def _money_text(value: Fraction, currency: str | None) -> str:
    with localcontext(prec=MONEY_DIGITS):
        shown = exact_decimal(value).quantize(Decimal("0.0001")).normalize()
    return f"{shown:f} {currency}" if currency else f"{shown:f}"


def _expr_text(expr: m.Expr) -> str:
    if isinstance(expr, m.Quantity):
        return units.show(expr)
    if isinstance(expr, m.Variable):
        return expr.name
    return f"{_expr_text(expr.left)} {expr.op} {_expr_text(expr.right)}"


def _numbers(expr: m.Expr, env: Mapping[str, Any], currency: str | None) -> str:
    if isinstance(expr, m.Quantity):
        return units.show(expr)
    if isinstance(expr, m.Variable):
        value = Fraction(env[expr.name])
        if expr.name == "monthly_fee":
            return _money_text(value, currency)
        if expr.name in ("downtime", "denominator", "period"):
            return f"{value} s"
        return str(value)
    return f"{_numbers(expr.left, env, currency)} {expr.op} {_numbers(expr.right, env, currency)}"


def settle(
    contract: m.Contract,
    measured: Iterable[tuple[str, Measure]],
    billing: Mapping[str, Billing],
    tz: dt.tzinfo,
    in_force: Callable[[int], m.Contract] | None = None,
) -> dict[tuple[str, str], Remedy | None]:
    """The remedy owed for each service's period; damages claimed for a period that no
    record falls in are an input error (both evaluators settle here). A contract with
    versions settles each period under the version in force at its start (``in_force``:
    the version's text at an instant; by default the contract's own versions), one ledger
    across them (caps count every period)."""
    if in_force is None and contract.amendments:
        in_force = Chain.of(contract, tz).text_at
    ledger = Ledger()
    owed_by: dict[tuple[str, str], Remedy | None] = {}
    for service, measure_ in sorted(measured, key=lambda sp: (sp[0], sp[1].period.start)):
        owed = None
        text = contract if in_force is None else in_force(measure_.period.start)
        clauses = [c for c in text.clauses if isinstance(c, m.RemedyClause)]
        for remedy_clause in clauses if measure_.observed else ():  # no data: nothing owed
            entry = billing.get(service)
            target = availability_target(text)
            owed = remedy(remedy_clause, service, measure_, target, entry, ledger, tz)
            if owed is not None:
                owed = with_claim(owed, remedy_clause, entry, measure_.period.label, tz)
                break
        owed_by[(service, measure_.period.label)] = owed
    for service, entry in sorted(billing.items()):
        for label in sorted(entry.damages):
            if (service, label) not in owed_by:
                raise RecordError(
                    service,
                    f"damages.{label}",
                    f"claims damages for {label}, but no outage record of {service} falls in it",
                    "damages for a period with at least one outage record",
                ).of("billing entry")
    return owed_by
