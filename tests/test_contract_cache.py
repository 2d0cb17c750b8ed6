"""Checked contracts kept between runs: used only while nothing they were read from changed,
and only from the user's private cache folder."""

from __future__ import annotations

import pickle
import stat
from pathlib import Path

import platformdirs
import pytest

from rulebook import contract_cache
from rulebook.load import Loaded, bundled_dir, check_one


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(cache))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    body = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8")
    (work / "c.sla").write_text(body, encoding="utf-8")
    return cache


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("contract-*.pickle"))


def test_a_checked_contract_is_kept_and_used_again(folder: Path) -> None:
    first = check_one(Path("c.sla"))
    assert not first.errors and len(entries(folder)) == 1
    entry = entries(folder)[0]
    assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0  # private to the user
    files, _, kept = pickle.loads(entry.read_bytes())
    assert any(name.endswith("vocabulary.sla") for name, _, _ in files)  # the import too
    # A second load reads the entry: prove it by planting a recognisable value in it.
    marked = Loaded(kept.contracts, kept.diagnostics, {**kept.sources, "marker": ""})
    entry.write_bytes(pickle.dumps((files, contract_cache._neighbours(Path("c.sla")), marked)))
    assert "marker" in check_one(Path("c.sla")).sources
    assert check_one(Path("c.sla")).contracts == first.contracts


def test_an_edited_contract_is_read_afresh(folder: Path) -> None:
    check_one(Path("c.sla"))
    path = Path("c.sla")
    path.write_text(path.read_text(encoding="utf-8").replace("99.9", "99.5"), encoding="utf-8")
    again = check_one(path)
    assert "99.5" in again.sources["c.sla"]


def test_a_vocabulary_put_beside_the_contract_is_read_afresh(folder: Path) -> None:
    first = check_one(Path("c.sla"))
    assert not any(name == "vocabulary.sla" for name in first.sources)  # the bundled one
    Path("vocabulary.sla").write_text("vocabulary broken {", encoding="utf-8")
    again = check_one(Path("c.sla"))
    assert again.errors  # the local vocabulary is read now, and it does not parse


def test_a_link_pointed_at_another_contract_is_read_afresh(folder: Path) -> None:
    """The entry of ``link.sla`` was used after the link was pointed at another file: the
    files it was read from (the old target) had not changed, so the old contract was
    adjudicated (a red-team pass)."""
    body = Path("c.sla").read_text(encoding="utf-8")
    Path("b.sla").write_text(body.replace("99.9", "99.5"), encoding="utf-8")
    Path("link.sla").symlink_to("c.sla")
    assert "99.9" in check_one(Path("link.sla")).sources["link.sla"]
    Path("link.sla").unlink()
    Path("link.sla").symlink_to("b.sla")
    assert "99.5" in check_one(Path("link.sla")).sources["link.sla"]


BROKEN = "vocabulary core {\n}\n"  # a vocabulary that parses but lacks cybermail's facts


@pytest.mark.parametrize("how", ["beside a link", "a folder made a file", "a dangling link"])
def test_a_vocabulary_that_appears_where_loading_looks_is_read_afresh(
    folder: Path, how: str
) -> None:
    """Loading looks for an import beside the contract as named (a link not followed):
    the entry was used after a vocabulary appeared beside a link to the contract, or where
    a folder or a dangling link of that name stood, since only the names of the files
    beside the link's target were compared (a red-team pass)."""
    contract = Path("c.sla")
    if how == "beside a link":
        Path("d").mkdir()
        contract = Path("d") / "link.sla"
        contract.symlink_to(Path("..") / "c.sla")
        place = Path("d") / "vocabulary.sla"
    elif how == "a folder made a file":
        Path("vocabulary.sla").mkdir()
        place = Path("vocabulary.sla")
    else:
        Path("vocabulary.sla").symlink_to(Path("sub") / "v.sla")
        place = Path("sub") / "v.sla"
    assert not check_one(contract).errors  # the bundled vocabulary
    if how == "a folder made a file":
        place.rmdir()
    place.parent.mkdir(exist_ok=True)
    place.write_text(BROKEN, encoding="utf-8")
    assert check_one(contract).errors  # the vocabulary beside it now, which lacks facts


def test_an_empty_import_filled_is_read_afresh(folder: Path) -> None:
    """An empty imported file was not among the files an entry was read from."""
    body = Path("c.sla").read_text(encoding="utf-8")
    Path("c.sla").write_text('import "extra.sla"\n' + body, encoding="utf-8")
    Path("extra.sla").write_text("", encoding="utf-8")
    assert not check_one(Path("c.sla")).errors
    Path("extra.sla").write_text("vocabulary other {\n}\n", encoding="utf-8")
    assert check_one(Path("c.sla")).errors  # two vocabularies now


def test_a_loop_of_links_where_an_import_is_looked_for_is_no_crash(folder: Path) -> None:
    """A link to itself named vocabulary.sla beside the contract: Path.resolve raised
    RuntimeError out of loading (a traceback); it leads nowhere, so the bundled one is read."""
    Path("vocabulary.sla").symlink_to("vocabulary.sla")
    assert not check_one(Path("c.sla")).errors


def test_a_contract_saved_while_it_is_parsed_is_not_kept(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry's digests were taken after the parse, from the file read again: a save
    in between paired the old clauses with the new file's digest, and every later run
    adjudicated the old contract (a red-team pass). Such an entry is not kept."""
    import rulebook.load

    parse = rulebook.load.check_files

    def saved_meanwhile(paths: list[Path], *args: object) -> Loaded:
        loaded = parse(paths, *args)  # type: ignore[arg-type]
        path = Path("c.sla")
        path.write_text(path.read_text(encoding="utf-8").replace("99.9", "99.5"), "utf-8")
        return loaded

    monkeypatch.setattr(rulebook.load, "check_files", saved_meanwhile)
    first = check_one(Path("c.sla"))
    assert "99.9" in first.sources["c.sla"] and not entries(folder)
    monkeypatch.setattr(rulebook.load, "check_files", parse)
    assert "99.5" in check_one(Path("c.sla")).sources["c.sla"]


def test_a_file_read_made_a_loop_of_links_is_no_crash(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file an entry was read from (here the bundled vocabulary, in a copy of the
    bundled folder) made a link to itself: the entry's check resolves it, which raised."""
    import rulebook.load

    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "vocabulary.sla").write_bytes((bundled_dir() / "vocabulary.sla").read_bytes())
    monkeypatch.setattr(rulebook.load, "bundled_dir", lambda: bundled)
    assert not check_one(Path("c.sla")).errors and entries(folder)
    (bundled / "vocabulary.sla").unlink()
    (bundled / "vocabulary.sla").symlink_to("vocabulary.sla")
    assert check_one(Path("c.sla")).errors  # read afresh: the import is found nowhere


def test_a_contract_with_errors_is_not_kept(folder: Path) -> None:
    Path("c.sla").write_text("contract broken {", encoding="utf-8")
    assert check_one(Path("c.sla")).errors
    assert entries(folder) == []


def test_a_broken_entry_is_ignored(folder: Path) -> None:
    check_one(Path("c.sla"))
    entries(folder)[0].write_bytes(b"not a pickle")
    assert not check_one(Path("c.sla")).errors


def test_an_entry_others_can_write_is_not_loaded(folder: Path) -> None:
    check_one(Path("c.sla"))
    entry = entries(folder)[0]
    entry.write_bytes(b"planted")  # would fail to unpickle if it were read
    entry.chmod(0o666)
    assert contract_cache.lookup(Path("c.sla")) is None
    assert not check_one(Path("c.sla")).errors


def test_the_least_recently_used_entries_go_past_the_limit(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26: the cache does not grow without bound (an entry a path and a folder)."""
    import os
    import shutil

    monkeypatch.setattr(contract_cache, "MAX_ENTRIES", 3)
    for i in range(6):  # all beside each other first: their neighbours do not change
        shutil.copy("c.sla", f"c{i}.sla")
    for i in range(5):
        assert not check_one(Path(f"c{i}.sla")).errors
        # a second apart: the order of use does not hang on the clock's grain
        for entry in entries(folder):
            info = entry.stat()
            os.utime(entry, ns=(info.st_atime_ns, info.st_mtime_ns - 10**9))
    assert len(entries(folder)) == 3
    check_one(Path("c2.sla"))  # used again: kept when the next one comes
    check_one(Path("c5.sla"))
    kept = {contract_cache.lookup(Path(f"c{i}.sla")) is not None for i in (2, 5)}
    assert kept == {True} and len(entries(folder)) == 3
    assert contract_cache.lookup(Path("c0.sla")) is None
