"""The Python API given wrong types (issue 12): only RulebookError subclasses come out,
each naming the argument — never a TypeError, KeyError or AttributeError from inside."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
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


# Issue 26: the hostile calls of the second red-team pass, each with its whole message.
BIG = 10**5000  # a 5,001-digit integer: Python refuses to write it as text
LONG = "x" * 5000  # a file name longer than any file system allows
HOSTILE: list[tuple[str, Callable[[], object], str]] = [
    ("load a long name", lambda: rulebook.load_contract(LONG),
     f"no contract file or bundled contract '{'x' * 79}…'"),
    ("load /dev/zero", lambda: rulebook.load_contract("/dev/zero"),
     "/dev/zero: is not a file; accepted: a contract file or the id of a bundled contract"),
    ("frame of a long path", lambda: rulebook.adjudicate_frame(CONTRACT, LONG + ".csv"),
     f"…{'x' * 75}.csv: is no path (the name is too long)"),
    ("frame of a path with NUL", lambda: rulebook.adjudicate_frame(CONTRACT, "a\x00b.csv"),
     "a\x00b.csv: is no path (it holds a NUL character)"),
    ("frame of /dev/zero", lambda: rulebook.adjudicate_frame(CONTRACT, "/dev/zero"),
     "/dev/zero: is a device, not a file"),
    ("a 5,000-digit fact", lambda: rulebook.adjudicate(CONTRACT, [R | {"priority": BIG}]),
     "outages[0]: field 'priority': an integer of about 5001 digits; accepted: a number of at "
     "most 50 characters"),
    ("a 5,000-digit fact, frame", lambda: rulebook.adjudicate_frame(CONTRACT, [R | {"priority": BIG}]),
     "outages[0]: field 'priority': an integer of about 5001 digits"),
    ("a 5,000-digit fee", lambda: rulebook.adjudicate(
        CONTRACT, [R], billing=[{"service": "CYBERMAIL Σ", "monthly_fee": BIG, "currency": "JPY"}]),
     "billing[0]: field 'monthly_fee': an integer of about 5001 digits"),
    ("a lone surrogate", lambda: rulebook.adjudicate(CONTRACT, [R | {"id": "a\ud800"}]),
     "outages[0]: field 'id': 'a\\ud800' holds a lone UTF-16 surrogate, no character"),
    ("an Arrow table naming a column twice", lambda: rulebook.adjudicate_frame(
        CONTRACT, pa.table([pa.array(["a"]), pa.array(["b"])], names=["id", "id"])),
     "the Arrow table names column 'id' more than once; accepted: each column once"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call", "said"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_calls_raise_rulebook_errors_that_say_what_is_wrong(
    name: str, call: Callable[[], object], said: str
) -> None:
    with pytest.raises(rulebook.RulebookError) as raised:
        call()
    assert said in str(raised.value)


def test_check_files_names_a_device_and_a_path_that_is_none() -> None:
    loaded = rulebook.check_files(["/dev/zero", "a\x00.sla", LONG + ".sla"])
    assert [d.message for d in loaded.diagnostics] == [
        "cannot read /dev/zero: is a device, not a file",
        "cannot read a\x00.sla: is no path (it holds a NUL character)",
        f"cannot read {LONG}.sla: is no path (the name is too long)",
    ]
