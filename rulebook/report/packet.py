"""A dispute packet: one ZIP file a third party can check — the report as PDF and HTML,
the JSON decision record, the contract file, the inputs (or, past a size the sender sets,
only their hashes), the project file if one was read, and ``manifest.json``, which lists
every file with its size and sha256 and says how the result was made (rulebook version,
the options, the time of generation).

``rulebook verify`` reads a packet back (:func:`read_packet`), checks every file against
the manifest, runs the adjudication again from the packet's own contract and inputs, and
compares (:func:`compare_documents`): what it says is "identical" or exactly what differs.

The ZIP is written deterministically: entries in a fixed order, each dated at the
manifest's time of generation, no extra fields — the same inputs give the same bytes. A
packet is read defensively: only the names the manifest lists are read, each at most
:data:`MAX_MEMBER` bytes, never written to disk under the name it carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import posixpath
import re
import zipfile
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from rulebook.errors import RulebookError
from rulebook.io import json_text
from rulebook.reprs import with_repr

#: The manifest's format; ``verify`` refuses another.
FORMAT = 1
#: A member of a packet larger than this is refused when read (bytes).
MAX_MEMBER = 512 * 1024 * 1024
MANIFEST = "manifest.json"


class PacketError(RulebookError):
    """A packet that cannot be read: not a ZIP, no manifest, a listed file missing."""


@with_repr
@attrs.frozen(repr=False)
class Member:
    """One file of a packet: its name in the ZIP and its bytes."""

    name: str
    data: bytes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_size(text: str) -> int:
    """A size in bytes from ``500``, ``64K``, ``10M``, ``1G`` (powers of 1024).

    >>> parse_size("10M"), parse_size("512"), parse_size("1.5K")
    (10485760, 512, 1536)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*", text, re.IGNORECASE)
    if match is None:
        raise ValueError(f"not a size: {text!r} (give bytes, or a number with K, M or G)")
    factor = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[match[2].upper()]
    return int(float(match[1]) * factor)


def input_name(index: int, role: str, name: str) -> str:
    """Where an input is kept in a packet: ``inputs/1-outages-log.csv``.

    >>> input_name(2, "--notices", "../a/b n.csv")
    'inputs/2-notices-b_n.csv'
    """
    base = re.sub(r"[^A-Za-z0-9._-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1])
    return f"inputs/{index}-{role.lstrip('-').lower()}-{base.lstrip('.') or 'input'}"


def contract_parts(member: str) -> tuple[str, ...] | None:
    """The parts of ``member`` if it names a file under ``contract/`` by a plain relative
    path (no ``..``, ``.``, empty part, backslash or NUL), else ``None``.

    >>> contract_parts("contract/sub/terms.sla"), contract_parts("contract/../x.sla")
    (('contract', 'sub', 'terms.sla'), None)
    """
    if "\\" in member or "\0" in member or posixpath.normpath(member) != member:
        return None
    parts = tuple(member.split("/"))
    if len(parts) < 2 or parts[0] != "contract" or any(p in ("", ".", "..") for p in parts):
        return None
    return parts


def write_packet(members: Sequence[Member], manifest: Mapping[str, Any], generated: str) -> bytes:
    """The ZIP of ``members`` and the manifest (listing each member's size and sha256),
    every entry dated ``generated`` (ISO 8601; a ZIP holds no date before 1980)."""
    files = {m.name: {"size": len(m.data), "sha256": sha256(m.data)} for m in members}
    document = {**manifest, "files": files}
    moment = dt.datetime.fromisoformat(generated).astimezone(dt.UTC)
    stamp = max(
        (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second),
        (1980, 1, 1, 0, 0, 0),
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        entries = [Member(MANIFEST, _json_bytes(document)), *sorted(members, key=_order)]
        for m in entries:
            info = zipfile.ZipInfo(m.name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, m.data)
    return out.getvalue()


def _order(m: Member) -> tuple[int, str]:
    rank = ("report.pdf", "report.html", "decision.json")
    return (rank.index(m.name) if m.name in rank else len(rank), m.name)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@with_repr
@attrs.frozen(repr=False)
class Packet:
    """A packet read back: its manifest, and the bytes of each file it lists and holds."""

    manifest: dict[str, Any]
    files: dict[str, bytes]
    names: tuple[str, ...]  # every name in the ZIP


def read_packet(data: bytes, name: str) -> Packet:
    """The manifest and the listed files of a packet's bytes; ``name`` is for messages."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PacketError(
            f"{name}: not a ZIP file (a packet is what `rulebook packet` writes)"
        ) from None
    with z:
        names = tuple(z.namelist())
        if MANIFEST not in names:
            raise PacketError(f"{name}: no {MANIFEST}; not a packet of `rulebook packet`")
        manifest_bytes = _member(z, MANIFEST, name)
        try:
            text = manifest_bytes.decode("utf-8")
            manifest = json_text.loads(text, int)
        except json_text.StrictJSONError as exc:  # read one way only, as every JSON input
            at = exc.at or 0
            place = f"{text.count(chr(10), 0, at) + 1}:{at - (text.rfind(chr(10), 0, at) + 1) + 1}"
            raise PacketError(f"{name}: {MANIFEST}:{place}: {exc.message}") from None
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise PacketError(f"{name}: {MANIFEST} is not JSON: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PacketError(f"{name}: {MANIFEST} is not a packet manifest of format {FORMAT}")
        listed = manifest.get("files")
        if not isinstance(listed, dict):
            raise PacketError(f"{name}: {MANIFEST} lists no files")
        files = {n: _member(z, n, name) for n in listed if n in names}
    return Packet(manifest, files, names)


def _member(z: zipfile.ZipFile, member: str, name: str) -> bytes:
    info = z.getinfo(member)
    if info.file_size > MAX_MEMBER:
        raise PacketError(
            f"{name}: {member} is {info.file_size:,} bytes; the limit is {MAX_MEMBER:,}"
        )
    with z.open(info) as f:
        data = f.read(MAX_MEMBER + 1)
    if len(data) > MAX_MEMBER:
        raise PacketError(f"{name}: {member} is larger than {MAX_MEMBER:,} bytes")
    return data


def check_files(packet: Packet) -> list[str]:
    """Each listed file against the manifest: missing, or changed (its sha256)."""
    out = []
    for member, entry in packet.manifest["files"].items():
        data = packet.files.get(member)
        if data is None:
            out.append(f"{member}: listed in the manifest, missing from the packet")
        elif sha256(data) != entry.get("sha256"):
            out.append(
                f"{member}: changed (sha256 {sha256(data)[:16]}…, the manifest says "
                f"{str(entry.get('sha256'))[:16]}…)"
            )
    extra = sorted(set(packet.names) - set(packet.manifest["files"]) - {MANIFEST})
    out += [f"{member}: in the packet, not in the manifest" for member in extra]
    return out


# ------------------------------------------------------------------ what differs


def compare_documents(kept: Any, fresh: Any, limit: int = 40) -> list[str]:
    """What differs between the packet's JSON decision record and a fresh one, in words:
    the contract, the version, each period's and each record's figures by name."""
    if not isinstance(kept, dict):
        return ["decision.json: not a JSON decision record"]
    out: list[str] = []
    for key, label in (("rulebook", "rulebook version"), ("as_of", "as_of")):
        if kept.get(key) != fresh.get(key):
            out.append(f"{label}: {kept.get(key)!r} in the packet, {fresh.get(key)!r} now")
    for key, value in (fresh.get("contract") or {}).items():
        was = (kept.get("contract") or {}).get(key)
        if was != value:
            out.append(f"contract {key}: {was!r} in the packet, {value!r} now")
    out += _keyed(kept, fresh, "periods", lambda p: f"{p.get('service')} {p.get('period')}")
    out += _keyed(kept, fresh, "outages", lambda r: f"record {r.get('id')}")
    seen = {"rulebook", "as_of", "contract", "periods", "outages"}
    for key in sorted(set(kept) | set(fresh)):
        if key not in seen and kept.get(key) != fresh.get(key):
            out += _paths(key, kept.get(key), fresh.get(key))
    if len(out) > limit:
        out = [*out[:limit], f"… and {len(out) - limit} more difference(s)"]
    return out


def _keyed(kept: dict[str, Any], fresh: dict[str, Any], part: str, name: Any) -> list[str]:
    was = {name(x): x for x in kept.get(part) or [] if isinstance(x, dict)}
    now = {name(x): x for x in fresh.get(part) or []}
    out = []
    for key in was.keys() - now.keys():
        out.append(f"{key}: in the packet, not in the fresh result")
    for key in now.keys() - was.keys():
        out.append(f"{key}: in the fresh result, not in the packet")
    for key in [k for k in now if k in was]:
        out += _paths(key, was[key], now[key])
    return out


def _paths(where: str, was: Any, now: Any) -> list[str]:
    """Each leaf that differs, as ``where field: old in the packet, new now``."""
    if isinstance(was, dict) and isinstance(now, dict):
        out = []
        for key in list(dict.fromkeys([*was, *now])):
            out += _paths(f"{where} {key}", was.get(key), now.get(key))
        return out
    if isinstance(was, list) and isinstance(now, list) and len(was) == len(now):
        out = []
        for i, (a, b) in enumerate(zip(was, now, strict=True)):
            out += _paths(f"{where}[{i}]", a, b)
        return out
    if was == now:
        return []
    return [f"{where}: {_short(was)} in the packet, {_short(now)} now"]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"
