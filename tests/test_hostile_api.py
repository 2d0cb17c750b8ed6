"""The Python API given wrong types (issue 12): only RulebookError subclasses come out,
each naming the argument — never a TypeError, KeyError or AttributeError from inside."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import rulebook
from rulebook.errors import ArgumentError, NotFound

CONTRACT = rulebook.load_contract("cybermail")
R = {
    "id": "a",
    "service": "CYBERMAIL Σ",
    "start": "2026-09-03T10:00:00",
    "end": "2026-09-03T11:00:00",
}
WRONG = [None, {}, {"a": 1}, "abc", 5, [None], [5], ["x"], [[1]], [R, None], True, 1.5]

CALLS: dict[str, Callable[[Any], object]] = {
    "adjudicate(outages)": lambda v: rulebook.adjudicate(CONTRACT, v),
    "adjudicate(notices)": lambda v: rulebook.adjudicate(CONTRACT, [R], v),
    "adjudicate(as_of)": lambda v: rulebook.adjudicate(CONTRACT, [R], (), v),
    "adjudicate(closures)": lambda v: rulebook.adjudicate(CONTRACT, [R], (), None, v),
    "adjudicate(billing)": lambda v: rulebook.adjudicate(CONTRACT, [R], (), None, (), v),
    "adjudicate(events)": lambda v: rulebook.adjudicate(CONTRACT, [R], (), None, (), (), v),
    "adjudicate(contract)": lambda v: rulebook.adjudicate(v, [R]),
    "adjudicate_frame(outages)": lambda v: rulebook.adjudicate_frame(CONTRACT, v),
    "adjudicate_frame(notices)": lambda v: rulebook.adjudicate_frame(CONTRACT, [R], v),
    "adjudicate_frame(closures)": lambda v: rulebook.adjudicate_frame(CONTRACT, [R], (), None, v),
    "adjudicate_frame(billing)": lambda v: rulebook.adjudicate_frame(
        CONTRACT, [R], (), None, (), v
    ),
    "adjudicate_frame(events)": lambda v: rulebook.adjudicate_frame(
        CONTRACT, [R], (), None, (), (), v
    ),
    "load_contract": lambda v: rulebook.load_contract(v),
    "check_files": lambda v: rulebook.check_files(v),
    "Adjudication.explain": lambda v: rulebook.adjudicate(CONTRACT, [R]).explain(v),
    "Adjudication.record": lambda v: rulebook.adjudicate(CONTRACT, [R]).record(v),
    "FrameAdjudication.explain": lambda v: rulebook.adjudicate_frame(CONTRACT, [R]).explain(v),
}


@pytest.mark.parametrize("value", WRONG, ids=[repr(v)[:20] for v in WRONG])
@pytest.mark.parametrize("call", sorted(CALLS))
def test_wrong_types_raise_only_rulebook_errors(call: str, value: Any) -> None:
    try:
        CALLS[call](value)
    except rulebook.RulebookError as exc:
        assert str(exc)  # a message, never empty
    # no other exception may escape: pytest reports it as an error of this test


def test_the_argument_is_named() -> None:
    with pytest.raises(ArgumentError, match=r"^closures: a str \(2026-12-30\); accepted: a list"):
        rulebook.adjudicate(CONTRACT, [R], closures="2026-12-30")
    with pytest.raises(ArgumentError, match=r"^outages: a dict"):
        rulebook.adjudicate(CONTRACT, {"a": R})
    with pytest.raises(ArgumentError, match=r"^notices\[0\]: None"):
        rulebook.adjudicate(CONTRACT, [R], [None])
    with pytest.raises(TypeError):  # an ArgumentError is a TypeError too
        rulebook.adjudicate(None, [R])
    with pytest.raises(NotFound, match="no record 'zz' was adjudicated"):
        rulebook.adjudicate(CONTRACT, [R]).explain("zz")
    with pytest.raises(KeyError):  # and NotFound a KeyError
        rulebook.adjudicate(CONTRACT, [R]).record("zz")
