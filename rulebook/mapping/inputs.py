"""A run's inputs as the command line and the library both take them: the outage log (a
path, a polars frame, an Arrow table or a list of mappings), notices, billing and events
(paths or lists of mappings), closures, and the project file's maps, gathered
(:func:`gather`) and then mapped and validated for one contract (:func:`intake`), with the
warnings the command line prints on stderr collected in a list.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from rulebook import arguments
from rulebook import model as m
from rulebook.errors import ArgumentError
from rulebook.intake.billing import Billing
from rulebook.intake.columns import FrameIntake
from rulebook.intake.frames import Columns, CsvChunks, as_frame, read_log
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import Notice
from rulebook.io.calendars import read_input
from rulebook.io.readers import CASE_KEYS, Case, InputError, Item, read_case
from rulebook.limits import shorten
from rulebook.load import load_contract
from rulebook.mapping.apply import take_in
from rulebook.mapping.compile import compile_mapping, scope_warnings
from rulebook.project import NONE, Project
from rulebook.reprs import with_repr

KINDS = ("notices", "billing", "events")


@with_repr
@attrs.frozen(repr=False)
class Gathered:
    """The inputs read: the log as columns when it can be (else None), the rest as a case,
    and how to read the log again item by item for the record route."""

    case: Case
    read: Columns | CsvChunks | None
    name: str
    reread: Callable[[], Case]


def is_path(value: Any) -> bool:
    """Whether an argument names a file (text or a path object)."""
    return isinstance(value, str | os.PathLike)


def read_other(path: str, kind: str, encoding: str | None = None) -> list[Item]:
    """The items of a notices, billing or events file; a case file given for one of them
    must hold only that part (the rest would be lost without a word)."""
    extra = read_input(path, kind, encoding)
    held = [k for k in CASE_KEYS if k != kind and getattr(extra, k)]
    if held:
        raise InputError(
            f"{path}: a case file given as {kind} holds '{held[0]}'; give a case file as "
            "the outage log"
        )
    items: list[Item] = getattr(extra, kind)
    return items


def gather(
    outages: Any,
    notices: Iterable[Any] | str | os.PathLike[str] = (),
    billing: Iterable[Any] | str | os.PathLike[str] = (),
    events: Iterable[Any] | str | os.PathLike[str] = (),
    closures: Iterable[Any] = (),
    fmt: str | None = None,
    encoding: str | None = None,
) -> Gathered:
    """Read what is a path, place what is given (``outages[3]``, ``notices[0]``). Objects
    already validated (a ``Notice``, a ``Billing``) are left to the caller."""
    case = Case(closures=[str(c) for c in closures])
    for kind, given in (("notices", notices), ("billing", billing), ("events", events)):
        if isinstance(given, str | os.PathLike):
            getattr(case, kind).extend(read_other(os.fspath(given), kind, encoding))
        else:
            getattr(case, kind).extend(
                Item(f"{kind}[{i}]", dict(x)) for i, x in enumerate(given) if isinstance(x, Mapping)
            )
    if is_path(outages):
        path = os.fspath(outages)
        read = read_log(path, fmt, encoding)
        if read is None:
            whole = read_case(path, fmt if fmt != "parquet" else None, "outages", encoding)
            case = _merged(whole, case)
        return Gathered(
            case,
            read,
            "<stdin>" if path == "-" else path,
            lambda: read_case(path, fmt if fmt != "parquet" else None, "outages", encoding),
        )
    if isinstance(outages, list | tuple):
        case.outages = [Item(f"outages[{i}]", dict(o)) for i, o in enumerate(outages)]
        return Gathered(case, None, "outages", lambda: case)
    frame = as_frame(outages)
    rows = Case(outages=[Item(f"<frame>: outages[{i}]", r) for i, r in enumerate(frame.to_dicts())])
    return Gathered(case, Columns(frame, "<frame>", None), "<frame>", lambda: rows)


def _merged(whole: Case, given: Case) -> Case:
    """A case file's parts, then those given apart."""
    return attrs.evolve(
        whole,
        notices=whole.notices + given.notices,
        billing=whole.billing + given.billing,
        events=whole.events + given.events,
        closures=whole.closures + given.closures,
        closure_places=whole.closure_places + given.closure_places,
    )


def project_of(value: Any) -> Project:
    """A project: none, a :class:`Project`, or the path of a ``rulebook.toml``."""
    if value is None:
        return NONE
    if isinstance(value, Project):
        return value
    if is_path(value):
        from rulebook.project import load

        path = Path(value)
        if not path.is_file():
            raise ArgumentError(f"project: no such file '{shorten(str(value))}'")
        return load(path, os.fspath(value))
    raise ArgumentError(
        f"project: a {type(value).__name__}; accepted: the path of a rulebook.toml, or None"
    )


def contract_of(value: Any) -> m.Contract:
    """A loaded contract, or one loaded by bundled id or path."""
    if isinstance(value, str | os.PathLike):
        return load_contract(os.fspath(value))
    return arguments.contract(value)


def arguments_of(
    notices: Any, closures: Any, billing: Any, events: Any, as_of: Any
) -> tuple[tuple[Any, Any, Any, Any], list[Notice], list[Billing], str | dt.datetime | None]:
    """The library's other inputs checked at the door: paths, or lists of mappings (and of
    validated notices and billing entries, returned apart)."""

    def listed(value: Any, name: str, kinds: tuple[type, ...], accepted: str) -> Any:
        if isinstance(value, str | os.PathLike) and name != "closures":
            return value
        return arguments.items(value, name, kinds, accepted)

    notices = listed(notices, "notices", (Mapping, Notice), "mappings of fields, or a path")
    closures = listed(closures, "closures", (str, dt.date), "dates (YYYY-MM-DD)")
    billing = listed(billing, "billing", (Mapping, Billing), "mappings of fields, or a path")
    events = listed(events, "events", (Mapping,), "mappings: record, event, at, or a path")
    given = (
        []
        if isinstance(notices, str | os.PathLike)
        else [n for n in notices if isinstance(n, Notice)]
    )
    bills = (
        []
        if isinstance(billing, str | os.PathLike)
        else [b for b in billing if isinstance(b, Billing)]
    )
    return (notices, billing, events, closures), given, bills, arguments.instant(as_of)


def intake(
    contract: m.Contract,
    gathered: Gathered,
    project: Project = NONE,
    strict: bool = False,
    keep_going: bool = False,
    warn: Callable[[list[str]], object] | None = None,
    closing: Closing | None = None,
) -> tuple[FrameIntake, list[str]]:
    """The gathered inputs mapped by ``project`` and validated for ``contract``; also the
    warnings (each once, in the order given; with ``keep_going``, the records refused).
    With ``closing``, an ongoing record it cannot close is refused."""
    warnings: list[str] = []

    def said(lines: list[str]) -> None:
        for line in lines:
            if line not in warnings:
                warnings.append(line)
        if warn is not None:
            warn(lines)

    mapping = compile_mapping(project, contract, strict)
    said(scope_warnings(project, contract))
    taken = take_in(
        mapping,
        contract,
        gathered.case,
        gathered.read,
        gathered.name,
        gathered.reread,
        keep_going,
        said,
        closing,
    )
    return taken, warnings
