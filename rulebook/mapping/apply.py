"""The mapping stage: a user's log read as rulebook's records, the same on both intake routes.

Before validation, :meth:`Mapping.prepare_case` (the record route: items) and
:meth:`Mapping.prepare_columns` (the column route: a frame of text cells) do the same, in
this order, so that the validated records and every message are the same:

1. column names stripped and put in Unicode NFC; the project's ``[columns]`` renames them;
2. columns that are no field are dropped with one warning (a column mapped to ``false``
   silently); a near miss of a field (``casue``, ``Start``) is kept, so that validation
   refuses it with "did you mean"; with ``strict`` nothing is dropped (all are refused);
3. every text value put in NFC; the project's ``[values.FIELD]`` words replaced by their
   values; spreadsheet date-times (``2026/9/1 10:00``) written as ISO 8601
   (:func:`~rulebook.intake.spreadsheet.spreadsheet_iso`).

After validation, :meth:`Mapping.expand` applies the service map (``[[services]]``) to the
validated frame, which both routes build, and to the notices: a record of a log name mapped
to one service takes that service's name; one mapped to several becomes one record per
service, with the id ``ID@SERVICE``, and causes follow the copies (see docs/formats.md).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from typing import Any

import attrs
import polars as pl

from rulebook import limits
from rulebook import model as m
from rulebook.countries import COUNTRIES
from rulebook.intake.cells import ISO_SHAPE
from rulebook.intake.columns import (
    FrameIntake,
    Part,
    columns_fit,
    columns_intake,
    frame_part,
    items_intake,
    joined_intake,
)
from rulebook.intake.frames import WHITESPACE, Columns, CsvChunks, Unchunked
from rulebook.intake.kinds import refusal
from rulebook.intake.ongoing import Closing
from rulebook.intake.records import RecordError
from rulebook.intake.spreadsheet import spreadsheet_iso
from rulebook.io.readers import Case, InputError, Item
from rulebook.io.regions import region_countries
from rulebook.mapping.cells import spreadsheet_times, text_looks
from rulebook.mapping.others import InputMaps, map_other
from rulebook.mapping.places import place_id, place_ids, placed_note, unresolved_warning
from rulebook.mapping.services import (
    as_text,
    causal_edges,
    first_targets,
    follow_causes,
    mapped_notices,
)
from rulebook.project import Project
from rulebook.reprs import with_repr
from rulebook.text import near_miss, nfc

NOTICE_TIMES = ("start", "end", "announced_at")
#: The value of a ``[values.FIELD]`` word that makes the fact unknown.
UNKNOWN = "unknown"


@with_repr
@attrs.frozen(repr=False)
class Mapping:
    """A project's maps checked against a contract's vocabulary, ready to apply."""

    project: Project
    known: tuple[str, ...]  # the fields of outage records
    derived: frozenset[str]
    renames: dict[str, str]  # column -> field
    ignored: frozenset[str]  # columns mapped to false
    values: dict[str, dict[str, str]]  # field -> word -> value
    lists: frozenset[str]  # fields holding lists (values mapped item by item)
    times: frozenset[str]  # start, end and the events
    strict: bool = False
    countries: frozenset[str] = frozenset()  # facts of type country (regions read as them)
    # the words of country facts read as unknown (no country, no region): word -> records
    unresolved: dict[str, int] = attrs.field(factory=dict, eq=False)
    inputs: dict[str, InputMaps] = attrs.field(factory=dict)  # notices, billing, events
    # the words of [values.FIELD] that are globs, in the file's order: field -> (glob, value)
    globs: dict[str, list[tuple[str, str]]] = attrs.field(factory=dict, eq=False)

    def __attrs_post_init__(self) -> None:
        for field, words in self.values.items():
            for word, value in words.items():
                if any(c in word for c in "*?["):
                    self.globs.setdefault(field, []).append((word, value))

    # -------------------------------------------------------------- columns

    def column(self, raw: str) -> tuple[str | None, str | None]:
        """A column's field (None: dropped) and, when it is no field, the warning's name."""
        name = nfc(raw.strip())
        if name in self.ignored:
            return None, None
        name = self.renames.get(name, name)
        if name in self.known or self.strict or not name:
            return name, None
        if name in self.derived:
            return None, f"{name} (computed, not read)"
        if near_miss(name, self.known) is not None:
            return name, None  # refused by validation, with did-you-mean
        return None, name

    def kept_columns(self, columns: Iterable[str], name: str) -> tuple[dict[str, str], list[str]]:
        """Each column kept with its field, and the warning for those left out (as one
        machine reads a log's columns; Spark's driver selects these before its groups)."""
        return self._columns(columns, name)

    def _columns(self, columns: Iterable[str], name: str) -> tuple[dict[str, str], list[str]]:
        """Each kept column's field, and the warning for the dropped ones."""
        kept: dict[str, str] = {}
        dropped: dict[str, None] = {}  # ordered, and a lookup in constant time
        seen: dict[str, str] = {}
        columns = list(columns)
        named = [nfc(raw.strip()) for raw in columns]
        refused = refusal(
            "outages",
            name,
            [self.renames.get(n, n) for n in named if n not in self.ignored],
            self.known,
        )
        if refused is not None:
            raise InputError(refused)
        for raw in columns:
            field, shown = self.column(raw)
            if shown is not None:
                dropped[shown] = None
            if field is None:
                continue
            if field in seen and seen[field] != raw:
                raise InputError(self._twice(name, field, seen[field], raw))
            seen[field] = raw
            kept[raw] = field
        return kept, self._warning(name, list(dropped))

    def _twice(self, name: str, field: str, first: str, second: str) -> str:
        columns = [c for c in self.project.columns if c.field == field]
        where = f"{self.project.place(columns[0].line)}: " if columns else ""
        return (
            f"{where}{name}: columns '{first}' and '{second}' are both read as field "
            f"'{field}'; accepted: one column a field (map the other to another field, or to "
            "false to ignore it)"
        )

    def _warning(self, name: str, dropped: list[str]) -> list[str]:
        if not dropped:
            return []
        return [
            f"warning: {name}: {len(dropped)} column(s) that are no field of outage records "
            f"are ignored: {limits.listed(dropped)}; to read one, map it to a field in "
            "rulebook.toml [columns] (false there ignores it without this warning); --strict "
            "refuses them (see docs/formats.md)"
        ]

    # -------------------------------------------------------------- values

    def value(self, field: str, value: Any, count: int = 1) -> Any:
        """One value of ``field`` as the record route reads it: NFC, the field's words
        mapped (a word as written, else the first glob that matches it; ``unknown``: no
        value), a spreadsheet date-time as ISO 8601, a country fact's region read as its
        country (:meth:`country`)."""
        if isinstance(value, int) and not isinstance(value, bool) and field in self.values:
            value = str(value)  # a numeric code (severity 2) is a word of the log
        if isinstance(value, str):
            value = nfc(value)
            if field in self.times:
                return spreadsheet_iso(value) or value
            words = self.values.get(field)
            if words and field in self.lists:
                return ";".join(self.word(field, p) or "" for p in value.split(";"))
            if field in self.countries:  # listed words first, globs after the regions
                listed = self.word(field, value, globs=False)
                if listed is None or listed != value:
                    return listed
                return self.country(value, count, field)
            return self.word(field, value) if words else value
        if isinstance(value, list):
            words = self.values.get(field) or {}
            items = [nfc(v) if isinstance(v, str) else v for v in value]
            return [words.get(v.strip(), v) if isinstance(v, str) else v for v in items]
        return value

    def word(self, field: str, value: str, globs: bool = True) -> str | None:
        """A word of the log as ``[values.FIELD]`` reads it: as written, else (with
        ``globs``) the first glob that matches it; the value ``unknown`` is None."""
        key = value.strip()
        found = (self.values.get(field) or {}).get(key)
        if found is None and globs:
            rules = self.globs.get(field, ())
            found = next((v for g, v in rules if key and fnmatch.fnmatchcase(key, g)), None)
        if found is None:
            return value
        return None if found == UNKNOWN else found

    def country(self, value: str, count: int = 1, field: str = "location") -> str | None:
        """A location as a country, in this order: a word ``[values.FIELD]`` lists; an ISO
        code as it is; a cloud region's code, name or place (``Tokyo``, ``N. Virginia``,
        ``Japan East``) as its country (the shipped region tables,
        :mod:`rulebook.io.regions`); the first glob of ``[values.FIELD]`` that matches
        (``"*" = "unknown"``: the default); else unknown (None), counted in
        :attr:`unresolved` for the warning — but kept, to be refused, under ``strict``."""
        key = value.strip()
        if not key or key in COUNTRIES:
            return value
        countries = region_countries(key)
        if countries is not None and len(countries) == 1 and "" not in countries:
            return next(iter(countries))
        for glob, found in self.globs.get(field, ()):
            if fnmatch.fnmatchcase(key, glob):
                return None if found == UNKNOWN else found
        if self.strict:
            return value
        # a region of several countries (`global`, `eu`) is a known unknown: no warning
        if countries is None:
            self.unresolved[key] = self.unresolved.get(key, 0) + count
        return None

    # -------------------------------------------------------------- the record route

    def prepare_case(self, case: Case, name: str) -> tuple[Case, list[str], list[str]]:
        """The record route: ``case`` with its outages' columns and values mapped, the text
        of its other inputs in NFC and their times read; also the warnings about the
        outages' columns, and those about the other inputs' columns."""
        keys: dict[str, None] = {}
        for header in case.columns.values():
            keys.update(dict.fromkeys(header))
        for item in case.outages:
            keys.update(dict.fromkeys(item.data))
        kept, warnings = self._columns(keys, name)
        placed = bool(case.outages) and "id" not in kept.values()
        derived = "region" in kept.values() and "location" not in kept.values()
        outages = []
        for item in case.outages:
            data: dict[str, Any] = {"id": place_id(item.where)} if placed and item.data else {}
            for key, value in item.data.items():
                field = kept.get(key)
                if field is None:
                    continue
                if field in data:
                    raise InputError(self._twice(item.where, field, _source(kept, field), key))
                data[field] = self.value(field, value)
                if derived and field == "region" and isinstance(value, str):
                    data["location"] = self.value("location", value)
            outages.append(attrs.evolve(item, data=data))
        columns = {
            file: [kept[c] for c in header if c in kept] for file, header in case.columns.items()
        }
        notices, dropped_notices = self._other(case.notices, "notices")
        events, dropped_events = self._other(case.events, "events")
        billing, dropped_billing = self._other(case.billing, "billing")
        mapped = attrs.evolve(
            case,
            outages=outages,
            columns=columns,
            notices=[self._plain(i, NOTICE_TIMES) for i in notices],
            events=[self._plain(i, ("at",)) for i in events],
            billing=[self._plain(i, ()) for i in billing],
        )
        if placed:
            warnings.append(placed_note(name, [o.data["id"] for o in outages if o.data]))
        return mapped, warnings, [*dropped_notices, *dropped_events, *dropped_billing]

    def _other(self, items: list[Item], kind: str) -> tuple[list[Item], list[str]]:
        """A notices, events or billing input mapped (:func:`~.others.map_other`)."""
        return map_other(
            items,
            kind,
            self.inputs.get(kind, InputMaps()),
            self.known,
            self.strict,
            self.project.path,
        )

    def _plain(self, item: Item, times: tuple[str, ...]) -> Item:
        """A notice, event or billing entry: text in NFC, spreadsheet times read."""
        data = {}
        for key, value in item.data.items():
            if isinstance(value, str):
                value = nfc(value)
                if key in times:
                    value = spreadsheet_iso(value) or value
            data[key] = value
        return attrs.evolve(item, data=data)

    # -------------------------------------------------------------- the column route

    def prepare_columns(self, read: Columns) -> tuple[Columns | None, list[str]]:
        """The column route: the frame's columns and values mapped as
        :meth:`prepare_case` maps items. None when JSON Lines would change (its slow rows
        are read again from their lines, which the record route maps instead)."""
        kept, warnings = self._columns(read.frame.columns, read.name)
        frame = read.frame.select(pl.col(raw).alias(field) for raw, field in kept.items())
        changed = list(kept) != read.frame.columns or list(kept.values()) != list(kept)
        derived = "region" in frame.columns and "location" not in frame.columns
        if derived:  # the region read as a country
            frame, changed = frame.with_columns(location=pl.col("region")), True
        if "id" not in frame.columns and read.frame.height:  # each record's place as its id
            frame, changed = frame.with_columns(id=place_ids(read)), True
            warnings = [*warnings, placed_note(read.name, frame["id"].drop_nulls().to_list())]
        unicode, all_iso = text_looks(frame, self.times)  # one query: polars' threads, no pool
        checked = [self._cells(frame[c], unicode.get(c, []), all_iso.get(c)) for c in frame.columns]
        cells = [c for c, _ in checked]
        iso = frozenset(
            name for name, (_, shaped) in zip(frame.columns, checked, strict=True) if shaped
        )
        changed = changed or any(c is not None for c in cells)
        if read.text is not None and changed:
            return None, warnings
        frame = frame.with_columns(c for c in cells if c is not None)
        if derived and frame["location"].null_count() == frame.height:
            frame = frame.drop("location")  # no region read as a country: as the items
        left_out = [c for c in read.frame.columns if c not in kept]
        text = None
        if left_out:  # a row with text only there is no blank row: the record route reads it
            schema = read.frame.schema
            text = read.frame.select(
                pl.any_horizontal(
                    pl.col(c).str.strip_chars(WHITESPACE).str.len_bytes() > 0
                    if schema[c] == pl.String
                    else pl.col(c).is_not_null()
                    for c in left_out
                ).fill_null(False)
            ).to_series()
        return attrs.evolve(read, frame=frame, left_out_text=text, iso_shaped=iso), warnings

    def _cells(
        self, series: pl.Series, unicode: list[str], shaped: bool | None = None
    ) -> tuple[pl.Series | None, bool]:
        """A column's values mapped as :meth:`value` maps them (None when none changes),
        and whether it is a time column whose every cell is ISO 8601 as exports write it
        (:data:`~rulebook.intake.columns.ISO_SHAPE`: the intake need not look again).
        ``unicode``: its distinct cells not ASCII; ``shaped``: whether all are ISO 8601."""
        field = series.name
        iso = False
        mapped = field in self.values or field in self.countries
        if mapped and series.dtype.is_integer():  # a numeric code (severity 2) is a word
            series = series.cast(pl.String)
            changed = True
        else:
            changed = False
        if series.dtype == pl.String:
            old = [v for v in unicode if nfc(v) != v]
            if old:
                series, changed = series.replace(old, [nfc(v) for v in old]), True
            if mapped:
                counted = series.drop_nulls().value_counts()
                read_as = {
                    v: self.value(field, v, n) for v, n in counted.iter_rows() if v is not None
                }
                old = [v for v, new in read_as.items() if new != v]
                if old:
                    series = series.replace(old, [read_as[v] for v in old])
                    changed = True
            if field in self.times and shaped and not changed:
                iso = True  # every cell as read (and kept)
            elif field in self.times:
                todo = (~series.str.contains(ISO_SHAPE)).fill_null(False)
                iso = not todo.any()
                times = None if iso else spreadsheet_times(series, todo)
                if times is not None:
                    series, changed = times, True
            return (series if changed else None), iso
        if series.dtype == pl.List(pl.String):
            items = series.explode().drop_nulls().unique()
            old = [v for v in items.to_list() if self.value(field, [v]) != [v]]
            if not old:
                return None, False
            new = [self.value(field, [v])[0] for v in old]
            return series.list.eval(pl.element().replace(old, new)), False
        return None, False

    # -------------------------------------------------------------- the service map

    def expand(self, intake: FrameIntake) -> tuple[FrameIntake, list[str]]:
        """The service map applied to validated records and notices; also a note when a
        record became several."""
        rules = self.project.services
        if not rules:
            return intake, []
        frame = intake.frame
        fields = [
            f for f in dict.fromkeys(f for r in rules for f, _ in r.when) if f in frame.columns
        ]
        listed = {f for f in fields if isinstance(frame.schema[f], pl.List)}
        keys = frame.select(pl.col("service"), *(as_text(frame, f) for f in fields))
        combos = keys.unique(maintain_order=True)
        targets = first_targets(list(rules), combos, listed)
        intake.notices = list(mapped_notices(rules, intake.notices))
        if all(t is None for t in targets):
            return intake, []
        table = combos.with_columns(pl.Series("__to", targets, dtype=pl.List(pl.String)))
        to = keys.join(
            table, on=combos.columns, how="left", nulls_equal=True, maintain_order="left"
        )
        frame = frame.with_columns(to["__to"]).with_columns(
            __to=pl.when(pl.col("__to").is_null())
            .then(pl.concat_list("service"))
            .otherwise(pl.col("__to"))
        )
        frame = frame.with_columns(__n=pl.col("__to").list.len())
        if frame["__n"].max() in (None, 1):  # renamed only: rows, causes and edges stay
            intake.frame = frame.with_columns(service=pl.col("__to").list.first()).drop(
                "__to", "__n"
            )
            return intake, []
        return self._copies(intake, frame)

    def _copies(self, intake: FrameIntake, frame: pl.DataFrame) -> tuple[FrameIntake, list[str]]:
        """Records mapped to several services made one per service (``ID@SERVICE``)."""
        columns = intake.frame.columns
        split = frame.filter(pl.col("__n") > 1)
        frame = frame.explode("__to").with_columns(
            id=pl.when(pl.col("__n") > 1)
            .then(pl.concat_str("id", pl.lit("@"), "__to"))
            .otherwise("id"),
            service=pl.col("__to"),
        )
        twice = frame.filter(pl.col("id").is_duplicated())
        if twice.height:
            raise InputError(
                f"{self.project.path}: the service map names a copy of a record "
                f"'{twice['id'][0]}', which is also the id of another record; accepted: ids "
                "that stay unique (a record mapped to several services becomes ID@SERVICE)"
            )
        copies: dict[str, list[tuple[str, str]]] = {}
        for rid, services in split.select("id", "__to").iter_rows():
            copies[rid] = [(f"{rid}@{s}", s) for s in services]
        frame = frame.drop("__to", "__n", "row").with_row_index("row").select(columns)
        frame = frame.with_columns(pl.col("row").cast(pl.Int64))
        if "caused_by" in frame.columns:
            frame = follow_causes(frame, copies)
        intake.frame = frame
        for rid, made in copies.items():
            if rid in intake.exact:
                intake.exact.update({copy: intake.exact[rid] for copy, _ in made})
        intake.edges = causal_edges(frame)
        added = sum(len(made) - 1 for made in copies.values())
        intake.read += added
        note = (
            f"note: the service map of {self.project.path} made {len(copies)} record(s) "
            f"into {added + len(copies)}, one per service (ids ID@SERVICE); the counts are of "
            "the records after the map"
        )
        return intake, [note]

    # -------------------------------------------------------------- messages

    def annotate(self, error: RecordError) -> RecordError:
        """An error about a renamed field names the column the log called it."""
        columns = [c.column for c in self.project.columns if c.field == error.field]
        if columns and error.column is None and columns[0] != error.field:
            error.column = columns[0]
        return error

    def reading(self, contract: m.Contract) -> m.Contract:
        """The contract the intake reads naive times with: the project's ``timezone`` in
        place of the contract's (which still measures the periods)."""
        tz = self.project.timezone
        if tz is None or tz == contract.timezone:
            return contract
        meta = tuple(x for x in contract.meta if x.key != "timezone")
        return attrs.evolve(contract, meta=(*meta, m.Meta("timezone", tz, contract.span)))


# ------------------------------------------------------------------ the stage


def take_in(
    mapping: Mapping,
    contract: m.Contract,
    case: Case,
    read: Columns | CsvChunks | None,
    name: str,
    reread: Callable[[], Case],
    keep_going: bool = False,
    warn: Callable[[list[str]], object] = lambda lines: None,
    closing: Closing | None = None,
) -> FrameIntake:
    """The inputs mapped and validated: the log ``read`` as columns when the column route
    can take it (a CSV file in chunks when it can be), else its items (``case.outages``,
    or ``reread()`` when it was read as columns) by the record route; then the service
    map. Warnings and notes go to ``warn`` (the column warning even when validation then
    refuses the log). With ``closing``, an ongoing record it cannot close is refused."""
    if isinstance(read, CsvChunks):
        try:
            return _in_chunks(mapping, contract, case, read, keep_going, warn, closing)
        except Unchunked:
            read = read.whole()
            if read is None:  # the record route: the log's items
                items = reread()
                case = attrs.evolve(case, outages=items.outages, columns=items.columns)
    reading = mapping.reading(contract)  # naive times in the project's timezone
    warnings: list[str] = []
    mapping.unresolved.clear()
    try:
        if read is not None:
            read, warnings = mapping.prepare_columns(read)
            if read is None or not columns_fit(read, reading):
                mapping.unresolved.clear()  # counted again by the record route
                items = reread()  # read again, item by item, for this contract's messages
                case = attrs.evolve(case, outages=items.outages, columns=items.columns)
        case, more, others = mapping.prepare_case(case, name)
        if read is None or not columns_fit(read, reading):
            warnings = more
        warnings = [*warnings, *unresolved_warning(name, mapping.unresolved), *others]
        if read is not None and columns_fit(read, reading):
            intake = columns_intake(reading, read, case, keep_going, closing)
        else:
            intake = items_intake(reading, case, keep_going, closing)
    except RecordError as exc:
        raise mapping.annotate(exc) from None
    finally:
        warn(warnings)
    return _mapped(mapping, intake, warn)


def _in_chunks(
    mapping: Mapping,
    contract: m.Contract,
    case: Case,
    read: CsvChunks,
    keep_going: bool,
    warn: Callable[[list[str]], object],
    closing: Closing | None = None,
) -> FrameIntake:
    """A CSV log mapped and validated a chunk at a time, as :func:`take_in` takes it in
    whole (the same records, messages and warnings): only the chunks' valid records are
    held. A record refused in a chunk is refused at the end, in the order of the records,
    once every chunk is read (a later chunk may still send the file to the whole
    reading); so is a header the contract does not know. :class:`Unchunked` when a chunk
    tells that the whole reading is needed (nothing has been said yet)."""
    reading = mapping.reading(contract)
    mapping.unresolved.clear()
    parts: list[Part] = []
    warnings: list[str] = []
    mapped_wrong: RecordError | None = None  # refused by the mapping stage
    refused: RecordError | None = None  # refused by validation (the header)
    for chunk in read.chunks():
        if mapped_wrong or refused:
            continue  # read to the end: a later chunk may still send it to the whole reading
        if not parts and not any(mapping.column(c)[0] == "id" for c in chunk.frame.columns):
            raise Unchunked  # each record placed as its id: one note for the whole file
        try:
            mapped, said = mapping.prepare_columns(chunk)
        except RecordError as exc:
            mapped_wrong = exc
            continue
        assert mapped is not None  # CSV: never JSON Lines' text
        warnings = warnings or said
        first = parts[-1].first + parts[-1].read if parts else 0
        try:
            parts.append(
                frame_part(reading, mapped.frame, read.path, mapped.first_line, mapped, 0, first)
            )
        except RecordError as exc:
            refused = exc
    try:
        if mapped_wrong is not None:
            raise mapped_wrong
        if not parts and refused is None:
            raise Unchunked  # no rows: the whole reading says so
        case, _, others = mapping.prepare_case(case, read.path)
        warnings = [*warnings, *unresolved_warning(read.path, mapping.unresolved), *others]
        if refused is not None:
            raise refused
        intake = joined_intake(reading, parts, case, keep_going, closing=closing)
    except RecordError as exc:
        raise mapping.annotate(exc) from None
    finally:
        warn(warnings)
    return _mapped(mapping, intake, warn)


def _mapped(
    mapping: Mapping, intake: FrameIntake, warn: Callable[[list[str]], object]
) -> FrameIntake:
    """Errors about a renamed field name its column; then the service map."""
    for error in intake.errors:
        mapping.annotate(error)
    intake, notes = mapping.expand(intake)
    warn(notes)
    return intake


# ------------------------------------------------------------------ compiling


# ------------------------------------------------------------------ helpers


def _source(kept: dict[str, str], field: str) -> str:
    return next(c for c, f in kept.items() if f == field)
