"""The fixed meanings of the contract language: words and names every stage agrees on.

The checks refuse what is not listed here, and the engine reads the same tables, so this
module imports nothing of rulebook: both sides can use it without importing each other.
"""

from __future__ import annotations

#: The Japanese boundary words and the comparison each one means (docs/design.md).
BOUNDARY_WORDS: dict[str, str] = {
    "以上": ">=",
    "以下": "<=",
    "以内": "<=",
    "未満": "<",
    "超": ">",
    "超える": ">",
    "を超える": ">",
}
#: Words for a notice's lead ("1週間前までに", "6ヶ月前に"): the boundary instant counts.
NOTICE_WORDS = frozenset({"まで", "前まで", "前", "以上"})
#: Words after `within` ("3 営業時間以内", "翌月末まで"): the deadline instant is in time.
WITHIN_WORDS = frozenset({"以内", "まで", "以下"})
#: Words after `at least` ("1か月前までに"): the minimum lead, boundary included.
AT_LEAST_WORDS = frozenset({"以上", "前", "前まで", "まで"})
#: Words after a claim deadline ("翌月末までに").
CLAIM_WORDS = frozenset({"まで", "以内"})

REQUIRED_META = ("title", "provider", "source", "language", "timezone", "kind")
KINDS = ("guarantee", "objective")
LANGUAGES = ("ja", "en")
#: Weekday names (short and long) and their number, Monday 0.
WEEKDAYS = {
    **{d: i for i, d in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        d: i
        for i, d in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
READINGS = ("stoppage", "record")
EMERGENCY = ("excluded", "counted")
ROUNDING = ("down", "up", "half_up", "half_even")
CAP_PERIODS = ("month", "year", "claim")
FACT_TYPES = ("code", "bool", "country", "duration", "number", "text", "records", "instant")

#: What a remedy's conditions and formulas may name, with their dimension.
MEASURES: dict[str, str] = {
    "availability": "percent",
    "target": "percent",
    "downtime": "time",
    "denominator": "time",
    "period": "time",
    "monthly_fee": "money",
    "breached_months": "number",
    "records_time": "time",  # of the records a remedy's `records where` selects
}

# ------------------------------------------------------------------ what examples expect

#: A record's verdicts, its statuses in seconds, an obligation's verdicts, a period's
#: target and the remedy kinds an example may expect.
VERDICTS = ("counted", "excluded", "partly_excluded", "not_downtime", "out_of_scope")
STATUSES = ("counted", "excluded", "not_downtime")
OBLIGATION_VERDICTS = ("met", "missed", "not_applicable", "undetermined")
MET = ("met", "missed", "unknown")
REMEDIES = ("free_months", "refund", "credit", "damages", "none", "forfeited")
