"""Loading contract files: by path or, for bundled contracts, by id; imports resolved.

A contract file imports the vocabulary it uses (``import "vocabulary.sla"``). The import
is looked up beside the importing file first, then among the bundled contracts, so a
contract written anywhere can use the shared vocabulary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from rulebook import arguments, collector, limits
from rulebook import model as m
from rulebook.diagnostics import Diagnostic, attach_source, collapse, sort_key
from rulebook.errors import ArgumentError, ContractError
from rulebook.reprs import with_repr
from rulebook.text import did_you_mean

if TYPE_CHECKING:
    from rulebook.grammar.build import ParsedFile

#: The file extension of contract and vocabulary files.
EXTENSION = ".sla"
VOCABULARY_FILE = "vocabulary" + EXTENSION


def bundled_dir() -> Path:
    """The folder holding the bundled contracts.

    Installed, they are the package ``rulebook.contracts``; run from a source checkout
    without installing (``python -m rulebook`` in the repository), they are ``contracts/``.
    """
    from importlib import resources  # only when a bundled contract is needed

    try:
        return Path(str(resources.files("rulebook.contracts")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "contracts"


def bundled_ids() -> list[str]:
    """Ids of the bundled contracts: their file names without the extension."""
    return sorted(p.stem for p in bundled_dir().glob("*" + EXTENSION) if p.name != VOCABULARY_FILE)


@with_repr
@attrs.frozen(repr=False)
class Loaded:
    """The outcome of loading files: contracts linked to their vocabulary, and problems."""

    contracts: tuple[m.Contract, ...]
    diagnostics: tuple[Diagnostic, ...]
    sources: dict[str, str]
    vocabularies: tuple[m.Vocabulary, ...] = ()

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """Only the diagnostics of severity ``error``."""
        return tuple(d for d in self.diagnostics if d.severity == "error")


def resolve(path_or_id: str | Path) -> Path:
    """A contract's path: the path itself if it exists, else the bundled contract of that id."""
    if not isinstance(path_or_id, str | Path):
        raise ArgumentError(f"contract: a {type(path_or_id).__name__}; accepted: a path or an id")
    path = Path(path_or_id)
    if _exists(path):
        return path
    if _exists(path, Path.exists):  # a folder, a device, a FIFO: never read as a contract
        raise ContractError(
            f"{limits.shorten_path(str(path), 80)}: is not a file; accepted: a contract file or "
            "the id of a bundled contract"
        )
    candidate = bundled_dir() / f"{path_or_id}{EXTENSION}"
    if isinstance(path_or_id, str) and "/" not in path_or_id and _exists(candidate):
        return candidate
    hint = did_you_mean(str(path_or_id), bundled_ids())
    raise ContractError(
        f"no contract file or bundled contract '{limits.shorten(str(path_or_id), 80)}'"
        + (f"; {hint}" if hint else f"; bundled contracts: {', '.join(bundled_ids())}")
    )


def lone_cr(text: str, shown: str) -> Diagnostic | None:
    """The error for the first carriage return not followed by a line feed: read as a line
    end it would make ``# note\\r exclusion x {…}`` a live clause that a terminal shows
    over the comment, as if it were one (issue 26)."""
    if "\r" not in text:
        return None
    at = next((i for i, c in enumerate(text) if c == "\r" and text[i + 1 : i + 2] != "\n"), -1)
    if at < 0:
        return None
    line = text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at) + 1
    column = at - max(text.rfind("\n", 0, at), text.rfind("\r", 0, at))
    return Diagnostic(
        "error",
        "lone-cr",
        "a carriage return (CR) not followed by a line feed: a terminal shows what follows it "
        "over what comes before, so a clause after it would look like part of the line",
        m.Span(shown, line, column, line, column + 1),
        "end lines with LF or CRLF (an editor's 'line endings' setting)",
    )


def _exists(path: Path, test: Callable[[Path], bool] = Path.is_file) -> bool:
    """Whether ``path`` is a file (``test``: exists); a name too long or with a NUL is
    none, not an error."""
    try:
        return test(path)
    except (OSError, ValueError):
        return False


def load_files(paths: Iterable[str | Path], texts: Mapping[str, str] | None = None) -> Loaded:
    """Parse files and link each contract to its imported vocabulary; never raises for
    problems in the files, which come back as diagnostics. ``texts`` gives the text of a
    path (as given) that is not read from disk: an editor's unsaved buffer."""
    sources: dict[str, str] = {}
    diagnostics: list[Diagnostic] = []
    contracts: list[m.Contract] = []
    all_vocabularies: list[m.Vocabulary] = []
    cache: dict[Path, ParsedFile | None] = {}
    for raw in arguments.paths(paths):
        path = Path(raw)
        given = (texts or {}).get(str(raw))
        parsed = _parse(path, str(raw), sources, diagnostics, cache, given)
        if parsed is None:
            continue
        vocabularies = _imported(parsed, path, sources, diagnostics, cache)
        for extra in vocabularies[1:] if parsed.contracts else ():
            diagnostics.append(
                Diagnostic(
                    "error",
                    "several-vocabularies",
                    f"vocabulary {extra.name} is a second vocabulary for the contracts of {raw}",
                    extra.span,
                    "a file's contracts use one vocabulary: import only one",
                )
            )
        all_vocabularies.extend(v for v in vocabularies if v not in all_vocabularies)
        vocabulary = vocabularies[0] if vocabularies else None
        for contract in parsed.contracts:
            contracts.append(attrs.evolve(contract, vocabulary=vocabulary))
    return Loaded(tuple(contracts), tuple(diagnostics), sources, tuple(all_vocabularies))


def source_text(raw: bytes) -> str:
    """A contract file's text as it is parsed: UTF-8 (a byte order mark dropped), with
    universal newlines, as read_text would."""
    return raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def _parse(
    path: Path,
    shown: str,
    sources: dict[str, str],
    diagnostics: list[Diagnostic],
    cache: dict[Path, ParsedFile | None],
    given: str | None = None,
) -> ParsedFile | None:
    try:
        key = path.resolve()
    except (OSError, ValueError):  # a NUL, a name too long: refused by the read below
        key = path
    if key in cache:
        return cache[key]
    try:
        raw = (
            limits.read_file(path, limits.MAX_CONTRACT_BYTES)
            if given is None
            else given.encode("utf-8")
        )
        text = source_text(raw)  # the digest is of the bytes on disk
    except (OSError, UnicodeDecodeError, limits.NotReadable) as exc:
        reason = (
            "it is not UTF-8 text"
            if isinstance(exc, UnicodeDecodeError)
            else str(exc)
            if isinstance(exc, limits.NotReadable)
            else exc.strerror
        )
        diagnostics.append(
            Diagnostic(
                "error", "unreadable", f"cannot read {shown}: {reason}", m.Span(shown, 0, 0, 0, 0)
            )
        )
        cache[key] = None
        return None
    sources[shown] = text
    lone = lone_cr(raw.decode("utf-8-sig"), shown)
    if lone is not None:
        diagnostics.append(lone)
    from rulebook.grammar.parser import parse_text  # Lark: only when a file is parsed

    parsed, found = parse_text(text, shown)
    if parsed is not None:
        digest = hashlib.sha256(raw).hexdigest()
        contracts = tuple(attrs.evolve(c, sha256=digest) for c in parsed.contracts)
        parsed = attrs.evolve(parsed, contracts=contracts)
    diagnostics.extend(attach_source(found, sources))
    cache[key] = parsed
    return parsed


def _imported(
    parsed: ParsedFile,
    path: Path,
    sources: dict[str, str],
    diagnostics: list[Diagnostic],
    cache: dict[Path, ParsedFile | None],
) -> list[m.Vocabulary]:
    vocabularies = list(parsed.vocabularies)
    for imp in parsed.imports:
        target = _resolve_import(path, imp.value)
        if target is None:
            # Only .sla files inside the importing file's folder tree or among the bundled
            # contracts are read: an import must not show other files' lines in diagnostics.
            diagnostics.extend(
                attach_source(
                    [
                        Diagnostic(
                            "error",
                            "missing-import",
                            f"imported file '{imp.value}' is not beside this file nor bundled",
                            imp.span,
                            _import_hint(imp.value, path),
                        )
                    ],
                    sources,
                )
            )
            continue
        shown = str(target) if target.parent != path.parent else str(path.parent / imp.value)
        child = _parse_import(target, shown, sources, diagnostics, cache)
        if child is not None:
            vocabularies.extend(child.vocabularies)
    return vocabularies


def _resolve_import(path: Path, name: str) -> Path | None:
    """The file ``import "name"`` in ``path`` reads: beside it, else bundled, else none."""
    return import_target(path.parent, name) or import_target(bundled_dir(), name)


def imported_files(path: Path) -> list[tuple[str, Path]]:
    """The files a contract file imports, as (the name it imports, the file read), each
    found as loading finds it (beside the file or bundled, never outside the folder it is
    looked up in) — what a dispute packet carries with the contract. A file that cannot
    be parsed, or an import that is found nowhere, gives nothing: loading reports it."""
    parsed = _parse(path, str(path), {}, [], {})
    if parsed is None:
        return []
    found = [(imp.value, _resolve_import(path, imp.value)) for imp in parsed.imports]
    return [(name, target) for name, target in found if target is not None]


def import_names(text: str, shown: str) -> list[str]:
    """The names a contract's text imports (none if it does not parse)."""
    from rulebook.grammar.parser import parse_text

    parsed, _ = parse_text(text, shown)
    return [imp.value for imp in parsed.imports] if parsed is not None else []


def _import_hint(name: str, path: Path) -> str:
    """The file the author probably meant, beside the importing one or bundled."""
    near = [p.name for d in (path.parent, bundled_dir()) for p in d.glob("*" + EXTENSION)]
    return did_you_mean(name, near) or (
        f'the bundled vocabulary is imported as `import "{VOCABULARY_FILE}"`'
    )


def _inside(root: Path, name: str) -> bool:
    """Whether ``root / name``, links followed, stays inside ``root`` (a loop of links
    leads nowhere: not inside, so the import is not found there)."""
    try:
        return (root / name).resolve().is_relative_to(root.resolve())
    except (RuntimeError, OSError):  # a symbolic link loop (Python 3.11: RuntimeError)
        return False


def import_target(root: Path, name: str) -> Path | None:
    """The contract file an import names under ``root``, if it is one and stays inside."""
    target = root / name
    if name.endswith(EXTENSION) and _inside(root, name) and target.is_file():
        return target
    return None


# Imported files (the vocabulary) are parsed once per process while they do not change:
# every contract imports the same one. Keyed by path, size and modification time.
_IMPORTS: dict[tuple[Path, int, int], tuple[ParsedFile | None, str, list[Diagnostic]]] = {}


def _parse_import(
    path: Path,
    shown: str,
    sources: dict[str, str],
    diagnostics: list[Diagnostic],
    cache: dict[Path, ParsedFile | None],
) -> ParsedFile | None:
    stat = path.stat()
    key = (path.resolve(), stat.st_size, stat.st_mtime_ns)
    if key not in _IMPORTS:
        found: list[Diagnostic] = []
        local: dict[str, str] = {}
        parsed = _parse(path, shown, local, found, {})
        _IMPORTS[key] = (parsed, local.get(shown, ""), found)
    parsed, text, found = _IMPORTS[key]
    if shown not in sources and text:
        sources[shown] = text
        diagnostics.extend(found)
    elif shown not in sources and not found:  # an empty file: read, and read from
        sources[shown] = text
    cache[path.resolve()] = parsed
    return parsed


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in file order without repeats (a shared import is reported once), and
    the further uses of one unknown name folded into the first."""
    return collapse(sorted(set(diagnostics), key=sort_key))


def check_files(paths: Iterable[str | Path], texts: Mapping[str, str] | None = None) -> Loaded:
    """Load files and run every static check; all problems come back, sorted by position.
    ``texts`` as for :func:`load_files` (the language server checks what the author sees)."""
    from rulebook.check import check_contract, check_vocabulary

    with collector.paused():  # no cycles: linear in a condition's terms (rulebook.collector)
        loaded = load_files(paths, texts)
        found = list(loaded.diagnostics)
        for contract in loaded.contracts:
            found.extend(check_contract(contract))
        for vocabulary in loaded.vocabularies:  # those of the files given and their imports
            found.extend(check_vocabulary(vocabulary))
    return attrs.evolve(
        loaded, diagnostics=tuple(sorted_diagnostics(attach_source(found, loaded.sources)))
    )


def check_one(path: Path) -> Loaded:
    """:func:`check_files` of one contract file; an error-free result is kept between runs
    while its files do not change (:mod:`rulebook.contract_cache`)."""
    from rulebook import contract_cache

    with collector.paused():  # unpickled or stored: no cycles (rulebook.collector)
        cached = contract_cache.lookup(path)
        if isinstance(cached, Loaded):
            return cached
        loaded = check_files([path])
        if not loaded.errors:
            contract_cache.store(path, loaded, loaded.sources, source_text)
    return loaded


def load_contract(path_or_id: str | Path) -> m.Contract:
    """Load one contract by path or bundled id, checked; raise :class:`ContractError`
    carrying the diagnostics if it has errors (warnings do not stop it).

    >>> contract = load_contract("cybermail")
    >>> contract.id, contract.kind
    ('cybermail', 'guarantee')
    """
    path = resolve(path_or_id)
    loaded = check_one(path)
    if loaded.errors:
        first = loaded.errors[0]
        raise ContractError(
            f"{path}: {len(loaded.errors)} error(s); first: {first.span}: {first.message}",
            loaded.errors,
        )
    if len(loaded.contracts) != 1:
        raise ContractError(f"{path} holds {len(loaded.contracts)} contracts; expected exactly one")
    return loaded.contracts[0]
