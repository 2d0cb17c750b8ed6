"""Importers of real exports, one module each (docs/formats.md has every mapping):

- ``gcp-status``: Google Cloud status incidents (:mod:`rulebook.io.gcp_status`);
- ``statuspage``: Atlassian Statuspage v2 incidents and scheduled maintenances
  (:mod:`rulebook.io.statuspage`);
- ``prometheus``: ``probe_success`` of a range query, the blackbox exporter's monitoring
  (:mod:`rulebook.io.probes`).

Each gives the items it made and notes (for stderr) on what its entries became.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rulebook.io.exports import load_export
from rulebook.io.gcp_status import gcp_case
from rulebook.io.impacts import import_table
from rulebook.io.probes import probe_case, read_probes
from rulebook.io.readers import Case
from rulebook.io.statuspage import statuspage_case

SOURCES = ("gcp-status", "statuspage", "prometheus")


def import_file(
    path: str,
    source: str,
    verbose: bool = False,
    interval: tuple[int, str] | None = None,
    step: int | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> tuple[Case, list[str]]:
    """Read an export; also return notes on what its entries became (every entry with
    ``verbose``). ``interval`` and ``step`` are for ``prometheus`` (see
    :func:`rulebook.io.probes.probe_case`); ``overrides`` is the project file's ``[import]``
    (what each impact becomes: :mod:`rulebook.io.impacts`)."""
    if source == "prometheus":
        return probe_case(read_probes(path), interval, step, verbose)
    data, name = load_export(path)
    if source == "gcp-status":
        return gcp_case(data, name, verbose, import_table(source, overrides))
    return statuspage_case(data, name, verbose, import_table(source, overrides))
