"""What each word of the contract language means, as docs/dsl.md says it: the hover text of
every keyword and of every Japanese boundary or deadline word.

Each entry is ``(section of docs/dsl.md, meaning)``; a test holds that every keyword of the
grammar and every word of :mod:`rulebook.meanings` has one.
"""

from __future__ import annotations

from rulebook.meanings import AT_LEAST_WORDS, BOUNDARY_WORDS, CLAIM_WORDS, NOTICE_WORDS

KEYWORDS: dict[str, tuple[str, str]] = {
    # file layout
    "import": (
        "File layout",
        '`import "FILE"` reads another file (normally the shared '
        "`vocabulary.sla`) beside this one or bundled with rulebook.",
    ),
    "vocabulary": (
        "File layout",
        "`vocabulary NAME { ... }` declares the facts and events "
        "that outage records may carry, with Japanese and English labels.",
    ),
    "fact": (
        "File layout",
        '`fact NAME: TYPE "ja" "en"` declares a fact of the records '
        "(code, bool, country, duration, number, text, records, instant).",
    ),
    "set": ("File layout", "`fact NAME: set of code`: the fact holds several codes."),
    "derived": (
        "File layout",
        "`derived`: the engine computes the fact from the record; it is never given in input.",
    ),
    "event": (
        "File layout",
        '`event NAME "ja" "en"` declares an instant of an incident\'s '
        "timeline, used by obligation clocks (`from EVENT to EVENT`).",
    ),
    "contract": (
        "File layout",
        "`contract ID { ... }` holds the metadata, the clauses and the examples of one agreement.",
    ),
    # metadata
    "title": ("Metadata lines", "The contract's title, as the document gives it."),
    "provider": ("Metadata lines", "The provider who gives the guarantee."),
    "source": ("Metadata lines", "The file name of the contract text the clauses cite."),
    "language": ("Metadata lines", "The language of the contract text: `ja` or `en`."),
    "timezone": (
        "Metadata lines",
        "The IANA timezone timestamps without an offset are read "
        'in, and in which months are cut (`"Asia/Tokyo"`).',
    ),
    "kind": (
        "Metadata lines",
        "`guarantee` (a remedy is owed on a breach) or `objective` (a target only).",
    ),
    # clauses
    "cite": (
        "cite",
        '`cite "ARTICLE" "SENTENCE" ...`: the article and the sentences of the '
        "contract this clause encodes, quoted word for word.",
    ),
    "services": (
        "services",
        "The services the SLA covers (`covers`) and those it does not (`excludes`).",
    ),
    "covers": ("services", '`covers "SERVICE", ...`: services the SLA applies to.'),
    "excludes": ("services", '`excludes "SERVICE", ...`: services named as outside the SLA.'),
    "availability": (
        "availability",
        "How availability is measured: the `period`, the `target` and the `denominator`.",
    ),
    "period": (
        "availability",
        "The measurement period: `calendar month`, `quarter` or a fixed "
        "length (`30 days`); in a remedy formula, the period's length.",
    ),
    "calendar": (
        "availability",
        "`period calendar month`: calendar months in the contract's "
        "timezone. As a clause, `calendar ID { ... }` is a business calendar.",
    ),
    "month": (
        "availability",
        "`calendar month`; in `claim by incident month end`, the month the incident began.",
    ),
    "quarter": ("availability", "`period quarter`: calendar quarters."),
    "target": (
        "availability",
        "`target >= 99.9% (以上)`: the availability promised; in a remedy, the target's value.",
    ),
    "denominator": (
        "availability",
        "`denominator period [minus CLAUSE, ...]`: the time "
        "availability is divided by, less the time of the clauses named.",
    ),
    "minus": (
        "availability",
        "`denominator period minus CLAUSE`: that clause's time is taken "
        "out of the denominator too.",
    ),
    "downtime": (
        "downtime",
        "What counts as a stoppage: `threshold`, `probes`, `when`; in a "
        "remedy formula, the counted downtime.",
    ),
    "probes": (
        "downtime",
        "`probes NAME, ... [every N UNIT]`: the monitoring probes whose failures are outages.",
    ),
    "threshold": (
        "downtime",
        "`threshold >= 10 min (以上) [on stoppage|record]`: a run shorter "
        "than this is not downtime (a continuous length).",
    ),
    "weekdays": ("calendar", "`weekdays mon, tue, ...`: the working days of the week."),
    "holidays": (
        "calendar",
        "`holidays COUNTRY`: public holidays of that country are not business days (`JP`).",
    ),
    "closed": (
        "calendar",
        "`closed MM/DD to MM/DD` (a yearly closure, both days included) or `closed announced`.",
    ),
    "announced": ("calendar", "`closed announced`: the provider also closes on days it announces."),
    "hours": (
        "calendar",
        "`hours HH:MM-HH:MM, ...`: business hours of each business day; in "
        "a condition, `FACT during CALENDAR hours`.",
    ),
    "maintenance": (
        "maintenance",
        "Maintenance windows not counted as downtime: announced "
        "(`notice`) or recurring (`every`); only the overlap is excluded.",
    ),
    "notice": (
        "maintenance",
        "`notice by CHANNEL [at least N UNIT] before [work day] (WORD)`: "
        "a way of announcing maintenance that qualifies. In an example, a notice record.",
    ),
    "before": (
        "maintenance",
        "`... before`: the notice must come before the maintenance "
        "starts (or the work day, with `work day`).",
    ),
    "work": (
        "maintenance",
        "`before work day`: the lead is counted to 00:00 of the day of the work (作業実施日).",
    ),
    "emergency": (
        "maintenance",
        "`emergency excluded|counted`: whether emergency maintenance "
        "is excluded without a qualifying notice.",
    ),
    "every": (
        "maintenance",
        "`every 4th thu 22:00-24:00`: a window on the nth weekday of "
        "every month; after `probes`, their interval.",
    ),
    "moved": (
        "maintenance",
        "`moved to next business day [of CALENDAR]`: the recurring window "
        "moves when its day is not a business day.",
    ),
    "next": ("maintenance", "`moved to next business day`."),
    "business": (
        "Quantities and units",
        "`business days|hours`: counted in the business time of a calendar (`on CALENDAR`).",
    ),
    "day": ("maintenance", "`work day`, `next business day`, `1st business day`."),
    "exclusion": (
        "exclusion and inclusion",
        '`exclusion ID "title" { ... }`: outages (or the '
        "parts of them) that do not count as downtime when its `when` holds.",
    ),
    "inclusion": (
        "exclusion and inclusion",
        "`inclusion ID { ... }`: outages that count as "
        "downtime even though another clause would exclude them.",
    ),
    "when": (
        "Conditions",
        "`when CONDITION`: the clause applies to the records for which the "
        "condition holds (an unknown fact is not enough).",
    ),
    "unless": (
        "Conditions",
        "`unless CONDITION`: the clause does not apply where the condition holds.",
    ),
    "including": (
        "exclusion and inclusion",
        "`including related`: records caused by (`caused_by`) an excluded record are excluded too.",
    ),
    "related": ("exclusion and inclusion", '`including related`: "caused by or related to".'),
    "overrides": (
        "Which clause wins: exceptions, overrides, contradictions",
        "`overrides CLAUSE, ...`: where both apply, this clause wins.",
    ),
    "exception": (
        "exception",
        "`exception ID to CLAUSE { when ... }`: the clause named stops applying in this case.",
    ),
    "to": (
        "exception",
        "`exception ID to CLAUSE`; `from EVENT to EVENT`; `closed MM/DD to "
        "MM/DD`; `rounding down to 1 JPY`; `moved to`.",
    ),
    "remedy": (
        "remedy",
        "`remedy ID { ... }`: what is owed on a breach: `free`, `refund`, "
        "`tier` credits, `cap`, `claim` deadline.",
    ),
    "free": ("remedy", "`free N month [per breached month]`: free months of service."),
    "per": ("remedy", "`per breached month`; `cap EXPR per month|year|claim`."),
    "breached": ("remedy", "`per breached month`: once for every breached month."),
    "refund": (
        "remedy",
        "`refund EXPR`: an amount of money, e.g. `monthly_fee * downtime / denominator`.",
    ),
    "tier": (
        "remedy",
        "`tier < 99.9% and >= 99% credit 10%`: a credit for availability in that "
        "band; the tiers must not leave a gap.",
    ),
    "credit": ("remedy", "`... credit 10%`: the share of the monthly fee credited in the tier."),
    "cap": ("remedy", "`cap EXPR [per month|year|claim]`: the most the remedy pays."),
    "minimum": ("remedy", "`minimum EXPR`: the least the remedy pays when it is owed."),
    "records": (
        "remedy",
        "`records where CONDITION`: the records whose time the measure `records_time` "
        "takes (the provider's fault), whatever the downtime definition decided.",
    ),
    "where": ("remedy", "`records where CONDITION`: the records a remedy measures."),
    "claim": (
        "remedy",
        "`claim by period|incident month end [+ N UNIT] (WORD)`: the deadline "
        "for the customer's claim.",
    ),
    "incident": (
        "remedy",
        "`claim by incident month end`: counted from the month the incident began.",
    ),
    "end": ("remedy", "`... month end`: the last day of that month."),
    "rounding": (
        "remedy",
        "`rounding down|up|half_up|half_even to 1 JPY`: how amounts are rounded.",
    ),
    "obligation": (
        "obligation",
        "`obligation ID { from EVENT to EVENT within N UNIT }`: a deadline the provider must keep.",
    ),
    "from": (
        "obligation",
        "`from EVENT to EVENT`: the clock of an obligation; in an example, the start of a record.",
    ),
    "within": (
        "obligation",
        "`within N UNIT (WORD) [on CALENDAR]`: the deadline after the clock starts.",
    ),
    "at": ("obligation", "`at least N UNIT`: a minimum lead (notices, obligations)."),
    "least": ("obligation", "`at least N UNIT`."),
    "by": (
        "obligation",
        "`notice by CHANNEL`; `by close of Nth business day`; `claim by`; in "
        "an example, `expect ID VERDICT by CLAUSE`; `defined by CLAUSE`.",
    ),
    "close": (
        "obligation",
        "`by close of 1st business day`: by the end of business hours of that business day.",
    ),
    "of": ("obligation", "`close of Nth business day`; `set of code`; `moved ... of CALENDAR`."),
    "on": (
        "obligation",
        "`on CALENDAR`: the calendar business time is counted on; "
        "`threshold ... on stoppage|record`: the reading of the threshold.",
    ),
    "performance": (
        "performance",
        "`performance ID { measure NAME < N UNIT }`: response-time or throughput objectives.",
    ),
    "measure": ("performance", "`measure NAME OP N UNIT (WORD)`: one performance objective."),
    # versions
    "amendment": (
        "amendment (versions)",
        '`amendment ID "title" { effective "YYYY-MM-DD" cite … remove ID … clauses }`: a '
        "later version of the contract; its clauses replace those of the same id from its "
        "effective date, new ids are added, `remove` drops clauses.",
    ),
    "effective": (
        "amendment (versions)",
        '`effective "YYYY-MM-DD"`: the day the amendment\'s terms apply from (midnight in the '
        "contract's timezone); each record and period is judged under the version in force "
        "at its start.",
    ),
    "remove": ("amendment (versions)", "`remove ID, …`: clauses the amendment drops."),
    # examples
    "example": (
        "example",
        '`example ID "title" { ... }`: records and what the engine must '
        "decide for them; `rulebook test` runs them.",
    ),
    "outage": (
        "example",
        '`outage ID "SERVICE" from "START" to "END" { FACT VALUE ... }`: '
        "an outage record of the example.",
    ),
    "billing": ("example", '`billing "SERVICE" { monthly_fee "50000" currency JPY }`.'),
    "closure": ("example", '`closure "YYYY-MM-DD"`: a day the provider announced as closed.'),
    "as_of": ("example", '`as_of "INSTANT"`: the instant the example is judged at.'),
    "expect": (
        "example",
        "`expect ID VERDICT [by CLAUSE]`, `expect ID STATUS N s`, `expect "
        'period "SERVICE" "YYYY-MM" ...`: what the engine must decide.',
    ),
    # conditions and values
    "and": ("Conditions", "Both conditions hold (Kleene logic: unknown and false is false)."),
    "or": ("Conditions", "Either condition holds (unknown or true is true)."),
    "not": (
        "Conditions",
        "The condition does not hold (not unknown is unknown); `FACT not in {...}`.",
    ),
    "in": ("Conditions", "`FACT in {CODE, ...}`: the fact is one of the codes."),
    "includes": ("Conditions", "`FACT includes {CODE, ...}`: a set fact holds one of the codes."),
    "is": ("Conditions", "`FACT is known` / `FACT is unknown`: whether the fact was given."),
    "known": ("Conditions", "`FACT is known`: the fact was given."),
    "unknown": ("Conditions", "`FACT is unknown`: the fact was not given."),
    "during": ("Conditions", "`FACT during CALENDAR hours`: the instant is in business hours."),
    "defined": (
        "Conditions",
        "`defined by CLAUSE`: the record is downtime as that clause defines it.",
    ),
    "excluded": (
        "Conditions",
        "`excluded by CLAUSE, ...`: the record was wholly excluded by one of these "
        "exclusions or maintenance clauses — in obligations and in exceptions to them, "
        "so that a stop outside the SLA lifts its targets.",
    ),
    "true": ("Values", "The boolean true."),
    "false": ("Values", "The boolean false."),
}

_BOUNDARY_MEANINGS = {
    ">=": "`>=`: at least the bound, the bound included",
    "<=": "`<=`: at most the bound, the bound included",
    "<": "`<`: below the bound, the bound excluded",
    ">": "`>`: above the bound, the bound excluded",
}

_DEADLINE = "the boundary instant counts (a notice given exactly then is in time)"

#: Each Japanese word the language reads in ``(WORD)``, with what it means there.
BOUNDARY: dict[str, str] = {
    **{w: _BOUNDARY_MEANINGS[op] for w, op in BOUNDARY_WORDS.items()},
    "まで": f"until: a deadline word (notices, obligations, claims); {_DEADLINE}",
    "前まで": f'by … before: a notice\'s lead ("1週間前までに"); {_DEADLINE}',
    "前": f'before: a notice\'s lead ("6ヶ月前に"); {_DEADLINE}',
}
assert set(NOTICE_WORDS | AT_LEAST_WORDS | CLAIM_WORDS) <= set(BOUNDARY)


def keyword_hover(word: str) -> str | None:
    """The hover text of a keyword, or None."""
    found = KEYWORDS.get(word)
    if found is None:
        return None
    section, meaning = found
    return f"**keyword `{word}`** — {meaning}\n\n*docs/dsl.md, {section}*"


def boundary_hover(word: str) -> str | None:
    """The hover text of a boundary or deadline word, or None."""
    meaning = BOUNDARY.get(word)
    if meaning is None:
        return None
    return f"**boundary word {word}** — {meaning}\n\n*docs/dsl.md, Japanese boundary words*"
