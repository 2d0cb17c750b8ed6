"""Issue 26: every input is read to a bound (``docs/limits.md``): an input file or standard
input of more than ``MAX_INPUT_BYTES``, a contract of more than ``MAX_CONTRACT_BYTES`` —
an endless line included — ends with one message naming the file, never with memory run
out. The bounds themselves (8 GiB, 16 MiB) are lowered here, so that the tests stay small;
the reading is the same."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

import rulebook
from rulebook import limits
from rulebook.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "cybermail-2026-09.csv"


class Endless(io.RawIOBase):
    """A stream that never ends and has no line end: ``yes | tr -d '\\n'``."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_INPUT_BYTES", 1000)
    monkeypatch.setattr(limits, "MAX_CONTRACT_BYTES", 200_000)  # the bundled ones are read


def test_an_input_file_over_the_bound_is_refused_before_it_is_read(small: None) -> None:
    result = CliRunner().invoke(main, ["adjudicate", "cybermail", str(EXAMPLE)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"rulebook: {EXAMPLE}: is larger than 1,000 bytes, the most rulebook reads\n"
    )


@pytest.mark.parametrize("args", [["adjudicate", "cybermail", "-", "--input-format", "csv"],
                                  ["adjudicate", "cybermail", "-", "--input-format", "parquet"],
                                  ["fmt", "-"]])  # fmt: skip
def test_an_endless_standard_input_ends_at_the_bound(small: None, args: list[str]) -> None:
    result = CliRunner().invoke(main, args, input=io.BufferedReader(Endless()))
    assert result.exit_code == 1
    said = "is larger than 1,000 bytes, the most rulebook reads"
    if args[0] == "fmt":
        said = "is larger than 200,000 bytes, the most rulebook reads"
    assert said in result.stderr and "Traceback" not in result.stderr


def test_the_library_reads_to_the_same_bounds(small: None, tmp_path: Path) -> None:
    with pytest.raises(rulebook.RulebookError, match="is larger than 1,000 bytes"):
        rulebook.adjudicate_frame(rulebook.load_contract("cybermail"), str(EXAMPLE))
    contract = tmp_path / "big.sla"
    contract.write_text("# " + "x" * 200_000 + "\n", encoding="utf-8")
    (found,) = rulebook.check_files([contract]).diagnostics
    assert (
        found.message
        == f"cannot read {contract}: is larger than 200,000 bytes, the most rulebook reads"
    )


def test_dev_null_reads_as_empty_and_dev_zero_is_refused() -> None:
    result = CliRunner().invoke(main, ["report", "cybermail", "/dev/null", "--input-format", "csv"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["report", "cybermail", "/dev/zero", "--input-format", "csv"])
    assert result.exit_code == 1
    assert result.stderr == "rulebook: /dev/zero: is a device, not a file\n"
