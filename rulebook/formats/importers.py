"""Importers of real exports, one module each (docs/formats.md has every mapping):

- ``gcp-status``: Google Cloud status incidents (:mod:`rulebook.formats.gcp_status`);
- ``statuspage``: Atlassian Statuspage v2 incidents and scheduled maintenances
  (:mod:`rulebook.formats.statuspage`).

Each gives the items it made and notes (for stderr) on what its entries became.
"""

from __future__ import annotations

from rulebook.formats.exports import load_export
from rulebook.formats.gcp_status import gcp_case
from rulebook.formats.readers import Case
from rulebook.formats.statuspage import statuspage_case

SOURCES = ("gcp-status", "statuspage")


def import_file(path: str, source: str, verbose: bool = False) -> tuple[Case, list[str]]:
    """Read an export; also return notes on what its entries became (every entry with
    ``verbose``)."""
    data, name = load_export(path)
    if source == "gcp-status":
        return gcp_case(data, name, verbose)
    return statuspage_case(data, name, verbose)
