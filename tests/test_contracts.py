"""Every bundled contract parses and checks clean, and loads by id or by path."""

from __future__ import annotations

from pathlib import Path

import pytest

import rulebook
from rulebook.load import bundled_dir, check_files

IDS = ["aoulu-cloud", "click-soko", "cybermail", "nexa-palette", "skyarch-sms"]


def test_the_five_seed_contracts_are_bundled() -> None:
    assert rulebook.bundled_ids() == IDS


@pytest.mark.parametrize("contract_id", IDS)
def test_bundled_contract_checks_clean(contract_id: str) -> None:
    loaded = check_files([bundled_dir() / f"{contract_id}.sla"])
    assert [d.render() for d in loaded.diagnostics] == []
    (contract,) = loaded.contracts
    assert contract.id == contract_id
    assert (
        contract.get(
            "source",
        )
        is not None
    )
    assert all(c.citation is not None and c.citation.quotes for c in contract.clauses)


@pytest.mark.parametrize("contract_id", IDS)
def test_loads_by_id_from_any_directory(
    contract_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    contract = rulebook.load_contract(contract_id)
    assert contract.id == contract_id
    assert contract.vocabulary is not None and contract.vocabulary.fact("cause") is not None


def test_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.sla"
    path.write_text((bundled_dir() / "cybermail.sla").read_text(encoding="utf-8"), encoding="utf-8")
    contract = rulebook.load_contract(path)
    assert contract.file == str(path)
    assert contract.sha256 == rulebook.load_contract("cybermail").sha256


def test_unknown_id_names_the_closest() -> None:
    with pytest.raises(rulebook.ContractError, match="did you mean 'cybermail'"):
        rulebook.load_contract("cybermial")


def test_a_contract_with_errors_raises_with_its_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "bad.sla"
    text = (bundled_dir() / "cybermail.sla").read_text(encoding="utf-8")
    path.write_text(text.replace("cause = attack", "cause = atack"), encoding="utf-8")
    with pytest.raises(rulebook.ContractError) as caught:
        rulebook.load_contract(path)
    (d,) = caught.value.diagnostics
    assert d.code == "unknown-code" and d.hint == "did you mean 'attack'?"
