"""The generated-contract differential suite (CI profile): 500 seeds of
:mod:`tests.contractgen`, each a contract drawn from the language's parts and a log drawn
from its vocabulary, through the record engine, the columnar plan from mappings and from
text cells, and ``explain`` of every record. A failure names its seed; rerun it with
``python -m tests.contractgen --seed N --shrink``. ``RULEBOOK_GEN_CASES`` sets the number of
cases (the deeper profile before a release: ``python -m tests.contractgen --cases 10000``).

The suite fails when a part of the language, a verdict or an outcome listed in
:data:`tests.contractgen.REQUIRED` was never exercised, and when more than 10 % of the logs
were refused (refused logs are compared too, but decide nothing).
"""

from __future__ import annotations

import os

import pytest

from tests import contractgen

CASES = int(os.environ.get("RULEBOOK_GEN_CASES", "500"))


def test_generated_contracts_agree_in_every_evaluator(capsys: pytest.CaptureFixture[str]) -> None:
    tally = contractgen.run(range(CASES))
    with capsys.disabled():  # the coverage table, printed with the run
        print("\n" + tally.table())
    assert tally.cases == CASES
    assert tally.missing() == []
    assert tally.refused_inputs <= CASES // 10


def test_a_case_is_the_same_from_its_seed() -> None:
    first, _ = contractgen.generate(17)
    again, _ = contractgen.generate(17)
    assert (first.text, first.inputs) == (again.text, again.inputs)
    assert "contract gen-17" in first.text


def test_a_broken_rule_is_caught_named_by_its_seed_and_reduced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A deliberately broken evaluator — the plan's `>=` threshold off by one second — is
    caught within the CI profile's seeds, named by its seed, and the reduced case still
    shows it with fewer clauses and records."""
    import math
    import types

    from rulebook.columnar import plan

    monkeypatch.setattr(
        plan, "math", types.SimpleNamespace(ceil=lambda x: math.ceil(x) + 1, floor=math.floor)
    )
    with pytest.raises(contractgen.Mismatch, match=r"^seed (\d+): the columnar plan") as caught:
        contractgen.run(range(CASES), explain=False)
    seed = int(str(caught.value).split()[1].rstrip(":"))
    case, _ = contractgen.generate(seed)
    small = contractgen.shrink(case)
    assert len(small.text) < len(case.text)
    assert len(small.inputs["outages"]) <= len(case.inputs["outages"])
    with pytest.raises(contractgen.Mismatch):
        contractgen.run_case(small, contractgen.load(small.text, seed), explain=False)
