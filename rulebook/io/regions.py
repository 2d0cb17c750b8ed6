"""Cloud regions as logs write them, read as countries: the region tables shipped in
``rulebook/io/data`` (AWS, Azure, Google Cloud: code, display name, place and country; their
sources and dates in ``data/README.md``).

A text names a region when, folded (case, spaces, ``_`` and ``-`` aside), it is a region's
code (``ap-northeast-1``, ``japaneast``), its display name (``Asia Pacific (Tokyo)``,
``Japan East``) or its place (``Tokyo``, ``N. Virginia``), or is ``NAME (CODE)`` as Google's
dashboard writes it (``Tokyo (asia-northeast1)``). Its country is that region's, when every
region the text names is in one country; a region of several countries (``global``, ``eu``)
and a text that names regions of two countries have none.

>>> region_country("Tokyo"), region_country("N. Virginia"), region_country("Japan East")
('JP', 'US', 'JP')
>>> region_country("global"), region_country("somewhere in Europe") is None
(None, True)
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from importlib import resources

TABLES = ("aws-regions.csv", "azure-regions.csv", "gcp-regions.csv")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def fold(text: str) -> str:
    """Text compared without case, width, accents, spaces, ``-``, ``_`` or ``.``
    (``São Paulo`` is ``Sao Paulo``)."""
    plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(c for c in plain if not unicodedata.combining(c) and c not in " -_.\u3000")


@functools.cache
def region_table() -> dict[str, frozenset[str]]:
    """Every folded name of a region and the countries it can be ('' for a region of
    several countries)."""
    names: dict[str, set[str]] = {}
    for table in TABLES:
        text = resources.files("rulebook.io").joinpath(f"data/{table}").read_text("utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            country = row["country"] or ""
            keys = [row["region"]]
            for named in (row.get("name") or "", row.get("place") or ""):
                if ":" in named:  # "multi-region: …" describes, it names nothing
                    continue
                found = _PAREN.match(named)  # "AWS GovCloud (US-West)": both parts too
                keys += [named, *found.groups()] if found else [named]
                keys += [p for p in named.split(",") if "," in named]
            for key in keys:
                if fold(key):
                    names.setdefault(fold(key), set()).add(country)
    return {k: frozenset(v) for k, v in names.items()}


def region_countries(text: str) -> frozenset[str] | None:
    """The countries the regions ``text`` names can be in ('' for several), or None when it
    names no region of the tables."""
    table = region_table()
    found = table.get(fold(text))
    if found is not None:
        return found
    paren = _PAREN.match(text.strip())
    if paren is not None:
        parts = [table.get(fold(p)) for p in paren.groups()]
        known = [p for p in parts if p is not None]
        if known:
            return frozenset().union(*known)
    return None


def region_country(text: str) -> str | None:
    """The one country of the region ``text`` names, or None (no region of the tables, a
    region of several countries, or names of regions in two countries)."""
    found = region_countries(text)
    if found is None or len(found) != 1:
        return None
    (country,) = found
    return country or None
