"""The project file, ``rulebook.toml``: found, read and checked into a :class:`Project`.

A project file says once what every command would otherwise be told each time: the contract
to use, the language, the timezone of naive times, the input encoding, and how the user's
log maps onto rulebook's records — export columns to fields (``[columns]``), a log's words to
codes (``[values.FIELD]``) and log service names to contract services (``[[services]]``) —
and the billing of each service (``[billing.SERVICE]``). It is found in the working folder or
the nearest parent that has one (:func:`find`), or given with ``--config``.

Problems are collected, all of them, and reported as contract errors are:
``rulebook.toml:LINE: key: what is wrong; accepted: ...`` (did you mean ...). ``tomllib``
gives no line numbers for keys, so :func:`key_lines` finds them in the text. What can only be
checked against a contract's vocabulary (field names, codes) is checked by
:mod:`rulebook.mapping.apply`, at the same lines.

A project file names no other file than its contract (a bundled id, or a ``.sla`` file in
its folder or below, links followed): it cannot make rulebook read anything else.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from rulebook import limits
from rulebook.errors import RulebookError
from rulebook.io.discovery import FILENAME, config_problem, find, read_bounded
from rulebook.io.impacts import ACCEPTED as IMPORT_ACCEPTED
from rulebook.io.impacts import import_problems
from rulebook.io.readers import InputError, encoding_of
from rulebook.io.toml_lines import Key, key_lines, line_of, show_key
from rulebook.load import EXTENSION, bundled_ids
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean, nfc

_TABLES = ("columns", "values", "services", "billing", "import", "notices", "events")
KEYS = ("contract", "lang", "timezone", "encoding", *_TABLES)
#: The inputs besides the outage log that have maps of their own (``[notices.columns]``,
#: ``[billing.values.term]``, ...); under ``[billing]`` the names ``columns`` and ``values``
#: are these maps, not services.
INPUT_KINDS = ("notices", "billing", "events")
MAP_KEYS = ("columns", "values")
LANGS = ("en", "ja")
RULE_KEYS = ("log", "to", "when")


class ProjectError(RulebookError):
    """A project file that cannot be used: every problem, one a line."""


@with_repr
@attrs.frozen(repr=False)
class ColumnRule:
    """An export column read as a field (``field`` None: ignored without a warning)."""

    column: str
    field: str | None
    line: int


@with_repr
@attrs.frozen(repr=False)
class ValueRule:
    """A word of the log read as a value of ``field`` (a cause word as a cause code)."""

    field: str
    word: str
    value: str
    line: int


@with_repr
@attrs.frozen(repr=False)
class ServiceRule:
    """Log service names matching one of ``log`` (names or globs), and the fields in
    ``when``, are the contract services ``to``."""

    log: tuple[str, ...]
    to: tuple[str, ...]
    when: tuple[tuple[str, tuple[str, ...]], ...]  # field, globs (any of them)
    line: int
    when_lines: tuple[int, ...] = ()  # the line of each condition

    def matches(self, name: str) -> bool:
        """Whether a log service name is one of ``log`` (a glob matches as fnmatch does)."""
        return any(fnmatch.fnmatchcase(name, glob) for glob in self.log)


@with_repr
@attrs.frozen(repr=False)
class InputMap:
    """The maps of an input besides the outage log: its columns read as fields and its
    words read as values (``[notices.columns]``, ``[notices.values.channel]``)."""

    kind: str  # notices, billing or events
    columns: tuple[ColumnRule, ...] = ()
    values: tuple[ValueRule, ...] = ()


@with_repr
@attrs.frozen(repr=False)
class Project:
    """A project file's settings; :data:`NONE` when there is none."""

    path: str | None = None  # as shown in messages
    contract: str | None = None  # a bundled id or a path to a contract file
    lang: str | None = None
    timezone: str | None = None
    encoding: str | None = None
    columns: tuple[ColumnRule, ...] = ()
    values: tuple[ValueRule, ...] = ()
    services: tuple[ServiceRule, ...] = ()
    billing: tuple[tuple[str, dict[str, Any], int], ...] = ()  # service, fields, line
    imports: tuple[tuple[str, Any], ...] = ()  # [import], checked (rulebook.io.impacts)
    inputs: tuple[InputMap, ...] = ()  # the maps of notices, billing and events files
    lines: dict[Key, int] = attrs.field(factory=dict, eq=False)
    sha256: str | None = None  # of the file's bytes, as read

    @property
    def provenance(self) -> dict[str, str | None] | None:
        """The document's ``project_file`` (path as shown, SHA-256, naive times' zone)."""
        keys = {"path": self.path, "sha256": self.sha256, "timezone": self.timezone}
        return None if self.path is None else keys

    def place(self, line: int) -> str:
        """``path:line`` for a message."""
        return f"{self.path}:{line}"

    def line_of(self, *key: str | int) -> int:
        """The line of ``key`` (or of the nearest enclosing key written in the file)."""
        return line_of(self.lines, key)

    @property
    def maps(self) -> bool:
        """Whether the file changes how a log is read (columns, values, services, the
        other inputs' maps)."""
        return bool(self.columns or self.values or self.services or self.inputs)

    def input_map(self, kind: str) -> InputMap:
        """The maps of the ``kind`` input (none: an empty map)."""
        return next((i for i in self.inputs if i.kind == kind), InputMap(kind))


NONE = Project()


# ------------------------------------------------------------------ finding


def discover(
    config: str | None, no_config: bool, cwd: Path | None = None, notes: list[str] | None = None
) -> Project:
    """The project of a command: ``--config PATH``, else the file :func:`find` finds, else
    none (``--no-config``: none, whatever is on disk); ``notes``: why a file found was not
    used."""
    if no_config:
        return NONE
    if config is not None:
        problem = config_problem(config)
        if problem is not None:
            raise ProjectError(problem)
        path = Path(config)
        return load(path, config)
    here = cwd or Path.cwd()
    found = find(here, notes)
    if found is None:
        return NONE
    return load(found, os.path.relpath(found, here.resolve()))


# ------------------------------------------------------------------ reading


def load(path: Path, shown: str | None = None) -> Project:
    """Read and check a project file; raise :class:`ProjectError` naming every problem."""
    name = shown or str(path)
    raw = read_bounded(path, name, limits.MAX_PROJECT_BYTES)
    if isinstance(raw, str):
        raise ProjectError(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ProjectError(
            f"{name}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); accepted: a TOML "
            "file in UTF-8"
        ) from None
    project = parse(text, name, path.parent)
    return attrs.evolve(project, sha256=hashlib.sha256(raw).hexdigest())


_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def parse(text: str, name: str = FILENAME, folder: Path | None = None) -> Project:
    """A project from the text of a project file (``folder``: where a contract path is
    read from)."""
    import tomllib  # with a project file only: a run without one starts without it

    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        place = _TOML_PLACE.search(message)
        where = f"{name}:{place.group(1)}:{place.group(2)}" if place else name
        reason = _TOML_PLACE.sub("", message)
        raise ProjectError(f"{where}: not valid TOML: {reason}") from None
    except RecursionError:  # deeper than tomllib parses
        raise ProjectError(
            f"{name}: arrays and tables nest too deep; accepted: a project file as "
            "docs/formats.md describes it"
        ) from None
    reader = _Reader(name, key_lines(text), folder or Path("."))
    project = reader.project(data)
    if reader.problems:
        raise ProjectError("\n".join(reader.problems))
    return project


class _Reader:
    """Checks the parsed file key by key, collecting every problem with its line."""

    def __init__(self, name: str, lines: dict[Key, int], folder: Path) -> None:
        self.name, self.lines, self.folder = name, lines, folder
        self.problems: list[str] = []

    def problem(
        self, key: Key, what: str, accepted: str | None = None, hint: str | None = None
    ) -> None:
        text = f"{self.name}:{line_of(self.lines, key)}: {show_key(key)}: {what}"
        if accepted:
            text += f"; accepted: {accepted}"
        if hint:
            text += f" ({hint})"
        self.problems.append(text)

    def project(self, data: dict[str, Any]) -> Project:
        for key in data:
            if key not in KEYS:
                self.problem(
                    (key,),
                    "is not a setting of rulebook.toml",
                    ", ".join(KEYS),
                    did_you_mean(key, KEYS),
                )
        return Project(
            path=self.name,
            contract=self.contract(data.get("contract")),
            lang=self.choice(data.get("lang"), ("lang",), LANGS),
            timezone=self.timezone(data.get("timezone")),
            encoding=self.encoding(data.get("encoding")),
            columns=tuple(self.columns(data.get("columns"))),
            values=tuple(self.values(data.get("values"))),
            services=tuple(self.services(data.get("services"))),
            billing=tuple(self.billing(data.get("billing"))),
            imports=self.imports(data.get("import")),
            inputs=tuple(self.inputs(data)),
            lines=self.lines,
        )

    def imports(self, value: Any) -> tuple[tuple[str, Any], ...]:
        problems = import_problems(value) if value is not None else []
        for key, what in problems:
            self.problem(key, what, IMPORT_ACCEPTED)
        return () if problems or value is None else tuple(value.items())

    def text(self, value: Any, key: Key, accepted: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"{_shown(value)} is not {accepted}", accepted)
            return None
        return nfc(value.strip())

    def contract(self, value: Any) -> str | None:
        accepted = f"a bundled contract ({', '.join(bundled_ids())}) or a {EXTENSION} file"
        ref = self.text(value, ("contract",), accepted)
        if ref is None:
            return None
        path = self.folder / ref
        inside = "\0" not in ref and path.resolve().is_relative_to(self.folder.resolve())
        if inside and path.is_file() and path.suffix == EXTENSION:  # links followed
            return str(path)
        if "/" not in ref and ref in bundled_ids():
            return ref
        hint = did_you_mean(ref, bundled_ids())
        self.problem(
            ("contract",),
            f"no bundled contract or contract file '{ref}'",
            accepted + " in the project file's folder or below",
            hint,
        )
        return None

    def choice(self, value: Any, key: Key, choices: tuple[str, ...]) -> str | None:
        if value is None:
            return None
        if value not in choices:
            hint = did_you_mean(str(value), choices)
            self.problem(key, f"{_shown(value)} is not one of them", ", ".join(choices), hint)
            return None
        return str(value)

    def timezone(self, value: Any) -> str | None:
        name = self.text(value, ("timezone",), "an IANA timezone, e.g. Asia/Tokyo, UTC")
        if name is None:
            return None
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(name, sorted(zoneinfo.available_timezones()))
            self.problem(
                ("timezone",),
                f"'{name}' is not a timezone",
                "an IANA timezone, e.g. Asia/Tokyo, UTC",
                hint,
            )
            return None
        return name

    def encoding(self, value: Any) -> str | None:
        name = self.text(value, ("encoding",), "an encoding, e.g. utf-8, cp932, euc-jp")
        if name is None:
            return None
        try:
            return encoding_of(name)
        except InputError as exc:
            self.problem(("encoding",), str(exc))
            return None

    def table(self, value: Any, key: Key, accepted: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problem(key, f"{_shown(value)} is not a table", accepted)
            return {}
        return value

    def inputs(self, data: dict[str, Any]) -> Iterator[InputMap]:
        """``[notices]``, ``[events]`` and the ``columns``/``values`` of ``[billing]``."""
        for kind in INPUT_KINDS:
            raw = data.get(kind)
            if not isinstance(raw, dict):
                if raw is not None and kind != "billing":
                    self.problem((kind,), f"{_shown(raw)} is not a table", _MAPS_ACCEPTED)
                continue
            if kind != "billing":
                for key in raw:
                    if key not in MAP_KEYS:
                        self.problem(
                            (kind, key),
                            f"is not a map of the {kind} files",
                            _MAPS_ACCEPTED,
                            did_you_mean(key, MAP_KEYS),
                        )
            if not any(k in raw for k in MAP_KEYS):
                continue
            yield InputMap(
                kind,
                tuple(self.columns(raw.get("columns"), (kind,))),
                tuple(self.values(raw.get("values"), (kind,))),
            )

    def columns(self, value: Any, prefix: Key = ()) -> Iterator[ColumnRule]:
        accepted = 'a field name, or false to ignore the column ("column" = "field")'
        for column, target in self.table(value, (*prefix, "columns"), accepted).items():
            key: Key = (*prefix, "columns", column)
            if target is False:
                yield ColumnRule(nfc(column.strip()), None, line_of(self.lines, key))
            elif isinstance(target, str) and target.strip():
                yield ColumnRule(nfc(column.strip()), target.strip(), line_of(self.lines, key))
            else:
                self.problem(key, f"{_shown(target)} is not a field name", accepted)

    def values(self, value: Any, prefix: Key = ()) -> Iterator[ValueRule]:
        accepted = "a table per field of the log's words and their values ([values.cause])"
        for field, words in self.table(value, (*prefix, "values"), accepted).items():
            inner = self.table(
                words, (*prefix, "values", field), 'words and values ("停電" = "power_supply")'
            )
            for word, target in inner.items():
                key: Key = (*prefix, "values", field, word)
                if isinstance(target, bool):
                    target = "true" if target else "false"
                if not isinstance(target, str) or not target.strip():
                    self.problem(key, f"{_shown(target)} is not a value", "text, e.g. a code")
                    continue
                yield ValueRule(
                    field, nfc(word.strip()), nfc(target.strip()), line_of(self.lines, key)
                )

    def services(self, value: Any) -> Iterator[ServiceRule]:
        accepted = 'a list of [[services]] tables: log = "NAME or GLOB", to = ["SERVICE", ...]'
        if value is None:
            return
        if not isinstance(value, list):
            self.problem(("services",), f"{_shown(value)} is not a list of tables", accepted)
            return
        for i, rule in enumerate(value):
            if not isinstance(rule, dict):
                self.problem(("services", i), f"{_shown(rule)} is not a table", accepted)
                continue
            built = self.rule(rule, i)
            if built is not None:
                yield built

    def rule(self, rule: dict[str, Any], i: int) -> ServiceRule | None:
        for key in rule:
            if key not in RULE_KEYS:
                self.problem(
                    ("services", i, key),
                    "is not a key of a service rule",
                    ", ".join(RULE_KEYS),
                    did_you_mean(key, RULE_KEYS),
                )
        ok = True
        log = rule.get("log")
        logs = [log] if isinstance(log, str) else log
        if (
            not isinstance(logs, list)
            or not logs
            or not all(isinstance(n, str) and n.strip() for n in logs)
        ):
            what = (
                "is missing"
                if log is None
                else "is an empty list"
                if log == []
                else f"{_shown(log)} is not a name or a list of names"
            )
            self.problem(
                ("services", i, "log"),
                what,
                "a log service name or a glob (*, ?, [...]), or a list of them",
            )
            ok = False
        to = rule.get("to")
        targets = [to] if isinstance(to, str) else to
        if (
            not isinstance(targets, list)
            or not targets
            or not all(isinstance(t, str) and t.strip() for t in targets)
        ):
            what = (
                "is missing"
                if to is None
                else "is an empty list"
                if to == []
                else f"{_shown(to)} is not a service name or a list of them"
            )
            self.problem(
                ("services", i, "to"), what, "the contract's service name, or a list of them"
            )
            ok = False
        when: list[tuple[str, tuple[str, ...]]] = []
        when_lines: list[int] = []
        for field, globs in self.table(
            rule.get("when"),
            ("services", i, "when"),
            'a table of fields and globs (when = { location = "JP" })',
        ).items():
            given = [globs] if isinstance(globs, str) else globs
            if (
                not isinstance(given, list)
                or not given
                or not all(isinstance(g, str) for g in given)
            ):
                self.problem(
                    ("services", i, "when", field),
                    f"{_shown(globs)} is not a glob or a list of globs",
                    "text with * ? [...], or a list of them",
                )
                ok = False
                continue
            when.append((field, tuple(nfc(g.strip()) for g in given)))
            when_lines.append(line_of(self.lines, ("services", i, "when", field)))
        if not ok:
            return None
        assert isinstance(logs, list) and isinstance(targets, list)
        return ServiceRule(
            tuple(dict.fromkeys(nfc(n.strip()) for n in logs)),
            tuple(dict.fromkeys(nfc(t.strip()) for t in targets)),
            tuple(when),
            line_of(self.lines, ("services", i)),
            tuple(when_lines),
        )

    def billing(self, value: Any) -> Iterator[tuple[str, dict[str, Any], int]]:
        accepted = 'a table per service: [billing."SERVICE"] monthly_fee = ..., currency = ...'
        for service, fields in self.table(value, ("billing",), accepted).items():
            if service in MAP_KEYS and isinstance(fields, dict):
                continue  # the billing files' maps (:meth:`inputs`)
            key: Key = ("billing", service)
            if not isinstance(fields, dict):
                self.problem(key, f"{_shown(fields)} is not a table", accepted)
                continue
            plain = {
                k: (str(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v)
                for k, v in fields.items()
            }
            if "service" in plain:
                self.problem(
                    (*key, "service"),
                    "is given by the table's name",
                    "the billing fields of docs/remedies.md",
                )
                continue
            yield (
                nfc(service.strip()),
                {"service": nfc(service.strip()), **plain},
                line_of(self.lines, key),
            )


_MAPS_ACCEPTED = (
    'columns and values, as for the outage log ([notices.columns] "作業開始" = "start")'
)


def _shown(value: Any) -> str:
    """A TOML value in a message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)
