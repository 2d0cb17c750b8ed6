"""The Prometheus importer: ``probe_success`` samples of a range query (the blackbox
exporter's, from ``/api/v1/query_range``) cut into stoppage records, one per run of failed
samples of a target. docs/formats.md has the whole mapping.

- **The interval.** A sample stands for its target's state from its instant until the next
  sample, for at most one *interval*: the contract's probe interval (``probes … every 10
  min``), or the query's step where the contract gives none or the samples are further
  apart than it (``--step``, else the smallest spacing of the samples).
- **A failure run** starts at its first failed sample (``0``) and ends at the first sample
  after it that succeeded (``1``) — or one interval after its last failed sample when no
  sample follows within an interval (a gap, or the end of the range).
- **Gaps**, samples further apart than the interval, are no data: never downtime.
- **Records**: ``service`` is the ``instance`` label (else ``job``); the id is the series'
  labels and the run's start; ``detected_by`` is monitoring, ``detected_at`` the start,
  ``protocol`` the instance's URL scheme where it is one of the vocabulary's protocols.

>>> parse_step("1m30s"), parse_step("600")
(90, 600)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any
from urllib.parse import urlsplit

import attrs

from rulebook import limits, units
from rulebook import model as m
from rulebook.io.exports import Notes, Unusable, load_export, shown
from rulebook.io.readers import Case, InputError, Item
from rulebook.reprs import with_repr

METRIC = "probe_success"
#: URL schemes of a probed target and the protocol code each stands for.
SCHEMES = {
    "http": "http",
    "https": "https",
    "ftp": "ftp",
    "smtp": "smtp",
    "smtps": "smtp",
    "imap": "imap",
    "imaps": "imap",
    "pop3": "pop",
    "pop3s": "pop",
}
_EARLIEST = dt.datetime(limits.MIN_YEAR, 1, 1, tzinfo=dt.UTC).timestamp()
_LATEST = dt.datetime(limits.MAX_YEAR, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp()
#: Longer than any two samples are apart: a wider interval cuts the same runs, and would
#: end a run past the years datetime can write.
_SPAN = int(_LATEST - _EARLIEST) + 1
_RESPONSE = (
    'the JSON of /api/v1/query_range: {"status": "success", "data": {"resultType": "matrix", '
    '"result": [{"metric": {...}, "values": [[1788224400, "1"], ...]}]}}'
)
_STEP = re.compile(r"(?:\d+[wdhms])+|\d+")
_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}


@with_repr
@attrs.frozen(repr=False)
class Series:
    """One target's samples: (whole second, succeeded), in time order."""

    where: str
    labels: tuple[tuple[str, str], ...]
    samples: tuple[tuple[int, bool], ...]
    fraction: bool  # some timestamp had a fraction of a second


@with_repr
@attrs.frozen(repr=False)
class Probes:
    """A range query's series, read once and cut into records for each contract."""

    name: str
    series: tuple[Series, ...]
    bad: tuple[Item, ...]  # series that cannot be read, each named
    step: int | None  # the smallest spacing of the samples, if any series has two


def parse_step(text: str) -> int:
    """A query step in whole seconds: ``60``, ``30s``, ``5m``, ``1h30m``."""
    value = text.strip()
    accepted = "seconds (60) or 30s, 5m, 1h30m: each unit once, the larger first"
    units = re.findall(r"(\d+)([wdhms])", value)
    order = [list(_SECONDS).index(u) for _, u in units]
    if not _STEP.fullmatch(value) or order != sorted(set(order)) or len(value) > 20:
        raise ValueError(f"'{limits.shorten(text)}' is not a step; accepted: {accepted}")
    seconds = int(value) if value.isdigit() else 0
    for number, unit in units:
        seconds += int(number) * _SECONDS[unit]
    if not 1 <= seconds <= limits.MAX_PROBE_STEP:
        raise ValueError(
            f"'{limits.shorten(text)}' is not a step; accepted: from one second to a day "
            f"({limits.MAX_PROBE_STEP:,} s)"
        )
    return seconds


def contract_interval(contract: m.Contract) -> tuple[int, str] | None:
    """The probe interval of the contract's downtime clause (whole seconds) and where it is
    written, or None when the contract gives none."""
    for clause in contract.clauses:
        if isinstance(clause, m.DowntimeClause) and clause.probe_interval is not None:
            quantity = clause.probe_interval
            unit = units.canonical(quantity.written)
            if unit is not None and unit.seconds:
                seconds = max(1, math.floor(quantity.value * unit.seconds))
                return seconds, f"downtime '{clause.id}': probes every {units.show(quantity)}"
    return None


def read_probes(path: str) -> Probes:
    """The series of a query_range response; a series that cannot be read is named."""
    data, name = load_export(path)
    if not isinstance(data, dict) or "status" not in data:
        raise InputError(f"{name}: not a Prometheus API response; accepted: {_RESPONSE}")
    if data["status"] != "success":
        said = f"{data.get('errorType', '')}: {data.get('error', '')}".strip(": ")
        raise InputError(
            f"{name}: the query did not succeed (status {shown(data['status'])}"
            f"{'; ' + limits.shorten(said, 200) if said else ''}); accepted: {_RESPONSE}"
        )
    body = data.get("data")
    kind = body.get("resultType") if isinstance(body, dict) else None
    if kind != "matrix" or not isinstance(body, dict) or not isinstance(body.get("result"), list):
        hint = " (an instant query: use /api/v1/query_range)" if kind == "vector" else ""
        raise InputError(
            f"{name}: data.resultType is {shown(kind)}{hint}; accepted: 'matrix' "
            "with a list of series in data.result"
        )
    series: list[Series] = []
    bad: list[Item] = []
    seen: dict[tuple[tuple[str, str], ...], str] = {}
    for i, raw in enumerate(body["result"]):
        where = f"{name}: result[{i}]"
        try:
            one = _series(raw, where)
        except Unusable as exc:
            bad.append(Item(where + exc.part, {}, exc.problem, exc.accepted))
            continue
        if one.labels in seen:
            problem = f"has the same labels as {seen[one.labels]}"
            bad.append(Item(where + ".metric", {}, problem, "one series per label set"))
            continue
        seen[one.labels] = f"result[{i}]"
        series.append(one)
    gaps = [b[0] - a[0] for s in series for a, b in zip(s.samples, s.samples[1:], strict=False)]
    return Probes(name, tuple(series), tuple(bad), min(gaps) if gaps else None)


def _series(raw: Any, where: str) -> Series:
    if not isinstance(raw, dict):
        raise Unusable("", "is not a series", "an object with 'metric' and 'values'")
    metric = raw.get("metric", {})
    if not isinstance(metric, dict) or not all(isinstance(v, str) for v in metric.values()):
        raise Unusable(
            ".metric", "is not an object of labels", 'label names to text: {"instance": …}'
        )
    if metric.get("__name__", METRIC) != METRIC:
        raise Unusable(
            ".metric",
            f"is the metric {shown(metric['__name__'])}, not {METRIC}",
            f"{METRIC} (the blackbox exporter's 0 or 1 per probe)",
        )
    values = raw.get("values")
    if not isinstance(values, list):
        raise Unusable(
            ".values",
            "is missing" if values is None else "is not a list",
            'a list of [timestamp, "0" or "1"] pairs',
        )
    samples: dict[int, bool] = {}
    fraction = False
    for k, pair in enumerate(values):
        second, up = _sample(pair, f".values[{k}]")
        if second in samples:
            raise Unusable(
                f".values[{k}]", f"is a second sample at {_iso(second)}", "one sample per instant"
            )
        samples[second] = up
        fraction = fraction or pair[0] != second
    labels = tuple(sorted((k, v) for k, v in metric.items() if k != "__name__"))
    return Series(where, labels, tuple(sorted(samples.items())), fraction)


def _sample(pair: Any, part: str) -> tuple[int, bool]:
    """A sample's whole second (a fraction is dropped) and whether the probe succeeded."""
    if not isinstance(pair, list) or len(pair) != 2:
        raise Unusable(part, "is not a [timestamp, value] pair", '[1788224400, "1"]')
    at, value = pair
    if isinstance(at, bool) or not isinstance(at, int | float) or not _EARLIEST <= at <= _LATEST:
        raise Unusable(
            part,
            f"timestamp {shown(at)} is not a time rulebook reads",
            f"Unix seconds in the years {limits.MIN_YEAR} to {limits.MAX_YEAR}",
        )
    if value not in ("0", "1"):
        raise Unusable(
            part,
            f"value {shown(value)} is not a probe result",
            '"0" (failed) or "1" (succeeded): query probe_success itself, not an average',
        )
    return math.floor(at), value == "1"


def _length(seconds: int | None) -> str:
    if seconds is None:
        return "an unknown time"
    return f"{seconds // 60} min" if seconds % 60 == 0 else f"{seconds} s"


def _iso(second: int) -> str:
    return dt.datetime.fromtimestamp(second, dt.UTC).isoformat()


def probe_case(
    probes: Probes,
    interval: tuple[int, str] | None = None,
    step: int | None = None,
    verbose: bool = False,
) -> tuple[Case, list[str]]:
    """Outage records cut from the samples (``interval``: the contract's, and where it is
    written; ``step``: the query's, else read from the samples), and notes on the cut."""
    used, why = _interval(probes, interval, step)
    case, notes = Case(outages=list(probes.bad)), Notes(probes.name, verbose)
    runs = quiet = 0
    for series in probes.series:
        labels = dict(series.labels)
        key = "instance" if labels.get("instance") else "job"
        service = labels.get(key)
        if not service:
            problem = "has neither an 'instance' nor a 'job' label"
            accepted = "a series of one target, named by its 'instance' label"
            case.outages.append(Item(series.where + ".metric", {}, problem, accepted))
            continue
        if series.fraction:
            notes.add(
                "timestamps with a fraction of a second: read at the whole second",
                service,
                "series",
            )
        if all(up for _, up in series.samples):
            quiet += 1
            continue
        if used is None:
            raise InputError(
                f"{probes.name}: no series has two samples, so the query's step is not known; "
                "give it with --step (e.g. --step 60s)"
            )
        found = _runs(series.samples, min(used, _SPAN), service, notes)
        runs += len(found)
        case.outages.extend(
            Item(series.where, _record(service, key, labels, start, end)) for start, end in found
        )
    headline = (
        f"{len(probes.series) + len(probes.bad)} series: {runs} failure run(s) became records, "
        f"{quiet} target(s) never failed; one sample stands for at most {_length(used)} ({why})"
    )
    return case, notes.lines(headline)


def _interval(
    probes: Probes, interval: tuple[int, str] | None, step: int | None
) -> tuple[int | None, str]:
    """How long one sample stands for, and why."""
    spacing, said = (step, "--step") if step else (probes.step, "the spacing of the samples")
    if spacing is not None and spacing > limits.MAX_PROBE_STEP:
        raise InputError(
            f"{probes.name}: the samples are {_length(spacing)} apart or more, so one failed "
            f"sample would stand for that long; accepted: samples at most a day "
            f"({limits.MAX_PROBE_STEP:,} s) apart, or --step"
        )
    if interval is not None and (spacing is None or interval[0] >= spacing):
        return interval[0], f"the contract's {interval[1]}"
    if spacing is None:
        return None, "no step known"
    if interval is not None:
        return spacing, f"the query's step, {said}: wider than the contract's {interval[1]}"
    return spacing, f"the query's step, {said}; the contract gives no probe interval"


def _runs(
    samples: tuple[tuple[int, bool], ...], interval: int, service: str, notes: Notes
) -> list[tuple[int, int]]:
    """The failure runs [start, end) of one target's samples (see the module's docstring)."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    previous: int | None = None
    for at, up in samples:
        if previous is not None and at - previous > interval:
            hole = f"{service} from {_iso(previous + interval)} to {_iso(at)}"
            notes.add(
                "a gap in the samples, longer than the interval: no data, not downtime",
                hole,
                "gap(s)",
            )
            if start is not None:
                runs.append((start, previous + interval))
                start = None
        if start is not None and up:
            runs.append((start, at))
            start = None
        elif start is None and not up:
            start = at
            if previous is None:
                notes.add(
                    "failing at the first sample: the stoppage may have begun before the range",
                    service,
                    "target(s)",
                )
        previous = at
    if start is not None and previous is not None:
        runs.append((start, previous + interval))
        notes.add(
            "failing at the last sample: its record ends one interval after it",
            service,
            "target(s)",
        )
    return runs


def _record(service: str, key: str, labels: dict[str, str], start: int, end: int) -> dict[str, Any]:
    rest = ",".join(
        f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sorted(labels.items()) if k != key
    )
    record: dict[str, Any] = {
        "id": f"{service}{{{rest}}}@{_iso(start)}" if rest else f"{service}@{_iso(start)}",
        "service": service,
        "start": _iso(start),
        "end": _iso(end),
        "detected_by": "monitoring",
        "detected_at": _iso(start),
    }
    scheme = urlsplit(service).scheme.lower() if "://" in service else ""
    if scheme in SCHEMES:
        record["protocol"] = SCHEMES[scheme]
    return record
