"""Two versions of a contract compared clause by clause.

Clauses are matched by id. A clause is *changed* when its model differs (positions never
count: :mod:`rulebook.model` compares spans as equal); what changed is shown as the items of
its text in rulebook's one canonical layout (``rulebook fmt``), removed and added, so a
changed tier edge, a new exclusion or a longer notice lead reads as the author wrote it,
with both versions' citations.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import attrs

from rulebook import model as m
from rulebook.errors import RulebookError
from rulebook.grammar.layout import format_text
from rulebook.limits import shorten
from rulebook.load import check_files, resolve
from rulebook.reprs import with_repr
from rulebook.versions import versions

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@with_repr
@attrs.frozen(repr=False)
class Version:
    """One version: the contract, its file and each clause's items as canonical lines."""

    contract: m.Contract
    path: str
    items: dict[str, tuple[str, ...]]  # clause id -> its item lines (header excluded)


@with_repr
@attrs.frozen(repr=False)
class ClauseChange:
    """One clause added, removed or changed between two versions."""

    clause: str
    kind: str
    change: str  # added | removed | changed
    title: str | None
    removed: tuple[str, ...]  # item lines only in the old version
    added: tuple[str, ...]  # item lines only in the new version
    old_cite: m.Citation | None
    new_cite: m.Citation | None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""

        def cite(c: m.Citation | None) -> dict[str, Any] | None:
            return {"article": c.article, "quotes": list(c.quotes)} if c else None

        return {
            "clause": self.clause,
            "kind": self.kind,
            "change": self.change,
            "title": self.title,
            "removed": list(self.removed),
            "added": list(self.added),
            "old_citation": cite(self.old_cite),
            "new_citation": cite(self.new_cite),
        }


def load_version(ref: str) -> Version:
    """A contract file (or bundled id) laid out canonically and loaded, with its clauses'
    item lines; a file with errors is refused with its diagnostics. ``FILE@NAME`` names
    one version of a contract with amendments (``original`` or an amendment's id); a
    contract with amendments named alone is its latest version."""
    name = None
    if "@" in ref and not Path(ref).exists():
        ref, name = ref.rsplit("@", 1)
    path = resolve(ref)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulebookError(f"{path}: cannot read the contract: {exc}") from None
    formatted, problems = format_text(text, str(path))
    if formatted is None:
        first = problems[0] if problems else None
        raise RulebookError(first.render() if first else f"{path}: cannot be read as a contract")
    loaded = check_files([path], {str(path): formatted})
    if loaded.errors or len(loaded.contracts) != 1:
        first = loaded.errors[0] if loaded.errors else None
        raise RulebookError(
            first.render() if first else f"{path}: holds {len(loaded.contracts)} contracts, not one"
        )
    (contract,) = loaded.contracts
    chain = versions(contract)
    if name is None and len(chain) > 1:
        name = chain[-1].name
    if name is not None:
        known = [v.name for v in chain]
        if name not in known:
            raise RulebookError(
                f"{path}: contract {contract.id} has no version '{shorten(name, 80)}'; "
                f"its versions: {', '.join(known)}"
            )
        contract = chain[known.index(name)].contract
    lines = formatted.split("\n")
    items = {c.id: _items(lines, c) for c in contract.clauses}
    return Version(contract, str(path) + (f"@{name}" if name else ""), items)


def _items(lines: list[str], clause: m.AnyClause) -> tuple[str, ...]:
    """A clause's item lines in the canonical layout: from its header line (where its id
    stands) to the closing brace at the header's indentation, comments left out."""
    header = clause.span.line - 1
    indent = lines[header][: len(lines[header]) - len(lines[header].lstrip())]
    out = []
    for line in lines[header + 1 :]:
        if line == indent + "}":
            break
        text = line.strip()
        if text and not text.startswith("#"):
            out.append(text)
    return tuple(out)


def compare_clauses(old: Version, new: Version) -> list[ClauseChange]:
    """Every clause added, removed or changed, in the new version's order (removed ones
    where they stood in the old)."""
    before = {c.id: c for c in old.contract.clauses}
    after = {c.id: c for c in new.contract.clauses}
    order = [c.id for c in new.contract.clauses]
    for i, c in enumerate(old.contract.clauses):
        if c.id not in after:
            order.insert(min(i, len(order)), c.id)
    out = []
    for cid in order:
        a, b = before.get(cid), after.get(cid)
        if a is not None and b is not None and a == b:
            continue
        change = ADDED if a is None else REMOVED if b is None else CHANGED
        old_items = old.items.get(cid, ())
        new_items = new.items.get(cid, ())
        removed, added = _line_diff(old_items, new_items)
        clause = b if b is not None else a
        assert clause is not None
        out.append(
            ClauseChange(
                cid,
                clause.kind,
                change,
                clause.title,
                removed,
                added,
                a.citation if a is not None else None,
                b.citation if b is not None else None,
            )
        )
    return out


def _line_diff(
    old: tuple[str, ...], new: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    removed: list[str] = []
    added: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "delete"):
            removed.extend(old[i1:i2])
        if op in ("replace", "insert"):
            added.extend(new[j1:j2])
    return tuple(removed), tuple(added)


def version_label(version: Version) -> str:
    """How a version is named in the output: its id and file name."""
    return f"{version.contract.id} ({Path(version.path).name})"
