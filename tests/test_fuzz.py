"""Bad input of every shape gets the project's own error, never a crash (hypothesis): each
bad item named by its place and field, with what is accepted."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rulebook
from rulebook.errors import RulebookError
from rulebook.intake.items import take_in
from rulebook.io.readers import Case, Item

VALUES = st.one_of(
    st.none(),
    st.text(max_size=8),
    st.integers(-5, 5),
    st.booleans(),
    st.floats(allow_nan=True),
    st.lists(st.text(max_size=4), max_size=2),
    st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=2),
    st.sampled_from(
        ["2026-09-01T10:00:00", "2026-09-01T12:00:00+09:00", "war", "JP", "monitoring", "true"]
    ),
)
FIELDS = st.sampled_from(
    [
        "id",
        "service",
        "start",
        "end",
        "cause",
        "location",
        "features",
        "caused_by",
        "self_resolved",
        "priority",
        "duration",
        "restored_at",
        "detected_by",
        "report_submitted_at",
        "nonsense",
    ]
)
CONTRACTS = {name: rulebook.load_contract(name) for name in rulebook.bundled_ids()}


def base(i: int) -> dict[str, Any]:
    return {
        "id": f"r{i}",
        "service": "CYBERMAIL Σ",
        "start": "2026-09-01T10:00:00",
        "end": "2026-09-01T11:00:00",
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(CONTRACTS)),
    st.lists(st.dictionaries(FIELDS, VALUES, max_size=3), min_size=1, max_size=3),
    st.dictionaries(
        st.sampled_from(["start", "announced_at", "channel", "emergency", "bogus"]),
        VALUES,
        max_size=2,
    ),
    st.dictionaries(
        st.sampled_from(["monthly_fee", "currency", "term", "contract_start", "damages"]),
        VALUES,
        max_size=3,
    ),
)
def test_no_input_crashes_the_engine(
    name: str, changes: list[dict[str, Any]], notice: dict[str, Any], billing: dict[str, Any]
) -> None:
    contract = CONTRACTS[name]
    outages = [Item(f"#{i}", {**base(i), **change}) for i, change in enumerate(changes)]
    notices = [
        Item(
            "n",
            {
                "id": "n",
                "service": "*",
                "start": "2026-09-01T09:00:00",
                "end": "2026-09-01T10:30:00",
                **notice,
            },
        )
    ]
    bills = [
        Item("b", {"service": "CYBERMAIL Σ", "monthly_fee": "1000", "currency": "JPY", **billing})
    ]
    try:
        intake = take_in(
            contract, Case(outages=outages, notices=notices, billing=bills), keep_going=True
        )
        # each bad item is named: its place, the field, what was wrong and what is accepted
        places = {item.where for item in [*outages, *notices, *bills]}
        for error in intake.errors:
            text = str(error)
            assert text.split(": ", 1)[0] in places and "field '" in text, text
            assert "; accepted: " in text, text
        result = rulebook.adjudicate(
            contract, intake.outages, intake.notices, None, intake.closures, intake.billing
        )
        result.to_json()
        for verdict in result.verdicts:
            result.explain(verdict.record.id, full=True)
    except RulebookError as exc:
        assert str(exc)  # a message a person can read
