"""Issue 26: ``-o`` puts each file in place whole (``rulebook/io/outputs.py``): a link at
the path is replaced, never written through; a pair of CSV files is written both or
neither; Parquet and CSV pairs need a path, not ``-``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = str(ROOT / "examples" / "cybermail-2026-09.csv")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["adjudicate", "cybermail", EXAMPLE, *args])
    return result.exit_code, result.stderr


@pytest.mark.parametrize("fmt", ["html", "json", "jsonl", "markdown"])
def test_a_link_at_the_output_is_replaced_not_written_through(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "precious"
    target.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "out").symlink_to(target)
    code, _ = run("--format", fmt, "-o", "out")
    assert code == 0
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert not (tmp_path / "out").is_symlink() and (tmp_path / "out").stat().st_size > 100
    assert oct((tmp_path / "out").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "precious"]  # no temp left


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_pair_of_csv_files_is_written_both_or_neither(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.periods.csv").mkdir()  # the second file cannot be written
    code, err = run("--format", "csv", "-o", "x")
    assert code == 1 and err.endswith("rulebook: x.periods.csv: Is a directory\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.periods.csv"]
    code, err = run("--format", "csv", "-o", "y")
    assert code == 0 and "rulebook: wrote y.records.csv\nrulebook: wrote y.periods.csv\n" in err


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_named_after_a_prefix_need_a_path_not_a_dash(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run("--format", fmt, "-o", "-")
    assert code == 2
    assert f"--format {fmt} writes files named after -o PREFIX: give a path, not -" in err
    assert list(tmp_path.iterdir()) == []


def test_parquet_files_are_put_in_place_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.records.parquet").symlink_to(tmp_path / "elsewhere")
    code, err = run("--format", "parquet", "-o", "p")
    assert code == 0, err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["p.periods.parquet", "p.records.parquet", "p.segments.parquet"]
    assert not (tmp_path / "p.records.parquet").is_symlink()
