"""`rulebook check --prove`: the bundled contracts proved (or their real findings), and
mutated contracts whose counterexamples the solver finds — each counterexample an
`example` block that, pasted into the contract, makes `rulebook test` fail on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rulebook.load import bundled_ids, check_files, load_contract
from rulebook.prove import PROPERTIES, prove
from tests.helpers import contract_text, run_cli

BASE = contract_text(
    """  availability monthly { cite "第2条" "99.9%以上" period calendar month target >= 99.9% }
  downtime d { cite "第1条" "監視で検知した10分以上の停止" threshold >= 10 min (以上) when detected_by = monitoring }
  exclusion war { cite "第3条" "戦争" when cause = war }
  exclusion fire { cite "第3条" "火災" when cause = fire }
  remedy credit {
    cite "第4条" "クレジット"
    when availability < target
    tier < 99.9% and >= 99.0% credit 10%
    tier < 99.0% credit 50%
  }"""
)

TIERS = "tier < 99.9% and >= 99.0% credit 10%\n    tier < 99.0% credit 50%"

#: (name, text replaced, by, the property refuted, what `rulebook test` then shows).
MUTATIONS = [
    (
        "overlapping exclusions",
        "when cause = fire",
        "when cause in {fire, war}",
        "one deciding clause",
        ("expected r excluded by fire", "actual   excluded by war"),
    ),
    (
        "tier credits turned round",
        "credit 10%",
        "credit 60%",
        "remedies monotone in downtime",
        ("expected remedy credit 6000 JPY", "actual   credit 5000"),
    ),
    (
        "a remedy that stops owing as downtime grows",
        "when availability < target",
        "when availability < target and availability >= 99.5%",
        "remedies monotone in downtime",
        ("expected remedy credit", "actual   none"),
    ),
    (
        "a minimum above the cap",
        "credit 50%\n",
        "credit 50%\n    cap 1000 JPY per month\n    minimum 2000 JPY\n",
        "caps hold",
        ("expected remedy credit 1000 JPY", "actual   credit 2000"),
    ),
    (
        "rounding up past the cap",
        TIERS,
        "refund monthly_fee / 3\n    cap monthly_fee / 3\n    rounding up to 1 JPY",
        "caps hold",
        ("expected remedy refund 3666.666666666666 JPY", "actual   refund 3667"),
    ),
    (
        "a refund below zero",
        TIERS,
        "refund monthly_fee * 10% - 1000 JPY",
        "remedies never negative",
        ("expected remedy refund 0 JPY", "actual   refund -1000"),
    ),
]


def mutated(tmp_path: Path, old: str, new: str) -> Path:
    assert old in BASE
    path = tmp_path / "c.sla"
    path.write_text(BASE.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_unmutated_contract_has_every_property() -> None:
    contract = load_contract_text(BASE)
    proof = prove(contract)
    assert proof.findings == ()
    assert [proof.status(p) for p in PROPERTIES] == ["proved"] * len(PROPERTIES)


def load_contract_text(text: str, tmp: Path | None = None) -> object:
    import tempfile

    folder = Path(tmp or tempfile.mkdtemp())
    path = folder / "c.sla"
    path.write_text(text, encoding="utf-8")
    loaded = check_files([path])
    assert loaded.errors == ()
    return loaded.contracts[0]


@pytest.mark.parametrize("case", MUTATIONS, ids=[c[0] for c in MUTATIONS])
def test_a_mutation_is_refuted_and_its_example_fails_in_rulebook_test(
    tmp_path: Path, case: tuple[str, str, str, str, tuple[str, str]]
) -> None:
    _, old, new, prop, shown = case
    path = mutated(tmp_path, old, new)
    loaded = check_files([path])
    assert loaded.errors == ()  # the check does not see it
    proof = prove(loaded.contracts[0])
    assert proof.status(prop) == "refuted"
    finding = next(f for f in proof.findings if f.property == prop)
    assert finding.example is not None
    # the contract passes `rulebook test` before; pasted, the example fails and shows why
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip().removesuffix("}") + finding.example + "\n}\n", encoding="utf-8")
    code, out, _ = run_cli(["test", "-k", "prove_", str(path)])
    lines = [line.strip().split(": ", 1)[-1] for line in out.splitlines()]
    assert code == 1 and out.startswith("FAIL t prove_")
    assert shown[0] in lines and shown[1] in lines, out


@pytest.mark.parametrize(
    "new",
    [
        # never reaches: the downtime clause keeps only what the monitoring detected
        "when cause = fire and detected_by = customer",
        # a set of features that shares imap yet has only web_access: the check cannot tell
        "when features includes {imap} and features in {web_access}",
    ],
)
def test_a_dead_clause_is_refuted(tmp_path: Path, new: str) -> None:
    loaded = check_files([mutated(tmp_path, "when cause = fire", new)])
    assert loaded.errors == ()
    proof = prove(loaded.contracts[0])
    assert [(f.property, f.clause, f.message) for f in proof.findings] == [
        (
            "no dead clause",
            "fire",
            "no outage the vocabulary can describe makes 'fire' apply",
        )
    ]


def test_check_prove_prints_each_property_and_the_counterexample(tmp_path: Path) -> None:
    path = mutated(tmp_path, "when cause = fire", "when cause in {fire, war}")
    code, out, err = run_cli(["check", "--prove", str(path)])
    lines = out.splitlines()
    assert code == 1 and err.startswith("rulebook: proved t in ")
    assert run_cli(["check", "--prove", str(path)])[1] == out  # the same bytes every run
    assert lines[1:9] == [
        f"prove t ({path})",
        "  proved   an outage can count (1 case(s))",
        "  refuted  one deciding clause (1 of 1 case(s) refuted)",
        "  proved   no dead clause (4 case(s))",
        "  proved   tiers contiguous (1 case(s))",
        "  proved   remedies never negative (1 case(s))",
        "  proved   remedies monotone in downtime (1 case(s))",
        "  proved   caps hold (nothing to prove)",
    ]
    assert lines[9].startswith(f"{path}:")
    assert "refuted[one-deciding-clause]: 'war' and 'fire'" in lines[9]
    assert "  example prove_war_fire " in out and "    expect r excluded by fire" in out
    assert lines[-1] == "1 contract(s) proved: 6 propert(ies) proved, 1 refuted, 0 unknown"
    code, out, _ = run_cli(["check", "--prove", "--json", str(path)])
    import json

    proofs = json.loads(out)["proofs"]
    assert proofs[0]["properties"]["one deciding clause"] == "refuted"
    assert proofs[0]["findings"][0]["example"].startswith("  # rulebook check --prove:")


def test_a_tier_gap_is_both_a_check_error_and_a_counterexample(tmp_path: Path) -> None:
    path = mutated(tmp_path, "tier < 99.0% credit 50%", "tier < 98.0% credit 50%")
    code, out, _ = run_cli(["check", "--prove", str(path)])
    assert code == 1 and "error[tier-gap]" in out
    assert "  refuted  tiers contiguous (1 of 1 case(s) refuted)" in out
    assert "refuted[tiers-contiguous]: remedy 'credit' is owed at availability 98%" in out


def test_a_contract_with_other_errors_is_not_proved(tmp_path: Path) -> None:
    path = mutated(tmp_path, "when cause = fire", "when casue = fire")
    code, out, _ = run_cli(["check", "--prove", str(path)])
    assert code == 1 and "prove t: not proved: errors above (unknown-fact)" in out


def test_without_z3_the_message_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    for name in [n for n in sys.modules if n == "z3" or n.startswith(("z3.", "rulebook.prove"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "z3", None)
    code, _, err = run_cli(["check", "--prove", "cybermail"])
    assert code == 1
    assert err == (
        "rulebook: --prove needs the SMT solver z3 (the package z3-solver): "
        "pip install 'rulebook[prove]'\n"
    )


#: The findings on the bundled contracts, each a real one (see docs/checks.md): AOULU's
#: exclusions by place of use and by protocol overlap the cause-based ones, and the
#: contract does not say which of them decides.
BUNDLED_FINDINGS = {
    "aoulu-cloud": {
        ("one deciding clause", "outside_japan", "beyond_control"),
        ("one deciding clause", "outside_japan", "pc_or_other_services"),
        ("one deciding clause", "outside_japan", "customer_acts"),
        ("one deciding clause", "outside_japan", "unencrypted_http"),
        ("one deciding clause", "beyond_control", "unencrypted_http"),
        ("one deciding clause", "pc_or_other_services", "unencrypted_http"),
        ("one deciding clause", "customer_acts", "unencrypted_http"),
    }
}


@pytest.mark.parametrize("contract_id", bundled_ids())
def test_each_bundled_contract_is_proved_or_its_findings_are_the_known_ones(
    contract_id: str, tmp_path: Path
) -> None:
    contract = load_contract(contract_id)
    proof = prove(contract)
    assert all(f.status == "refuted" for f in proof.findings)  # nothing left unknown
    found = {(f.property, *f.message.split("'")[1:4:2]) for f in proof.findings}
    assert found == BUNDLED_FINDINGS.get(contract_id, set())
    # each finding's example, pasted into the contract, fails in `rulebook test`
    source = Path(contract.file).read_text(encoding="utf-8")
    for f in proof.findings:
        assert f.example is not None
        folder = tmp_path / f.clause
        folder.mkdir(exist_ok=True)
        path = folder / f"{contract_id}.sla"
        path.write_text(source.rstrip().removesuffix("}") + f.example + "\n}\n", encoding="utf-8")
        code, out, _ = run_cli(["test", "-k", "prove_", str(path)])
        assert code == 1 and "actual   excluded by" in out, out


def tier_credits_swapped(text: str) -> str | None:
    """A generated contract with its top and bottom tiers' credits swapped, so that the
    credit falls as availability falls; None when it has no such remedy (or one whose
    caps or minimum could hide the change)."""
    import re

    line = next((x for x in text.splitlines() if "credit" in x and "tier" in x), None)
    if line is None or "cap " in line or "minimum " in line:
        return None
    if "denominator period minus" in text:  # an example measures the whole period
        return None
    credits = re.findall(r"credit (\d+)%", line)
    if len(credits) < 2 or credits[0] == credits[-1]:
        return None
    first, last = credits[0], credits[-1]
    swapped = line.replace(f"credit {first}%", "credit @@%", 1)
    swapped = swapped[::-1].replace(f"%{last[::-1]} tiderc", f"%{first[::-1]} tiderc", 1)[::-1]
    return text.replace(line, swapped.replace("credit @@%", f"credit {last}%", 1))


def test_generated_contracts_with_their_tiers_turned_round_are_refuted(tmp_path: Path) -> None:
    """The generated contracts (tests/contractgen.py) of the first seeds whose remedy has
    tiers: each proves monotone; with the top and bottom credits swapped, each is refuted
    and its example fails in `rulebook test`."""
    from tests.contractgen import generate

    tried = 0
    for seed in range(200):
        case, contract = generate(seed)
        text = tier_credits_swapped(case.text)
        if text is None:
            continue
        before = prove(contract)
        if before.status("an outage can count") == "refuted":
            continue  # every outage is excluded: no remedy is ever owed, nothing to turn
        tried += 1
        assert before.status("remedies monotone in downtime") == "proved", seed
        path = tmp_path / f"g{seed}.sla"
        path.write_text(text, encoding="utf-8")
        loaded = check_files([path])
        assert loaded.errors == (), seed
        proof = prove(loaded.contracts[0])
        assert proof.status("remedies monotone in downtime") == "refuted", seed
        finding = next(f for f in proof.findings if f.property.startswith("remedies monotone"))
        assert finding.example is not None
        path.write_text(text.rstrip().removesuffix("}") + finding.example + "\n}\n", "utf-8")
        code, out, _ = run_cli(["test", "-k", "prove_", str(path)])
        assert code == 1 and "FAIL" in out and "actual   credit" in out, (seed, out)
        if tried == 4:
            break
    assert tried == 4


def test_what_the_prover_proves_holds_on_the_generated_logs() -> None:
    """Soundness against the record engine, on the generated contracts and their logs
    (tests/contractgen.py): a clause the engine shows applying is not dead; two clauses the
    engine shows applying to one record by its own facts are a refuted pair; a log with
    counted time belongs to a contract in which an outage can count."""
    import copy
    from itertools import combinations

    import rulebook
    from rulebook.errors import RulebookError
    from tests.contractgen import generate

    seen = {"applying": 0, "pairs": 0, "counted": 0}
    for seed in range(40):
        case, contract = generate(seed)
        try:
            data = rulebook.adjudicate(contract, **copy.deepcopy(case.inputs)).to_dict()
        except RulebookError:
            continue
        proof = prove(contract)
        dead = {f.clause for f in proof.findings if f.property == "no dead clause"}
        pairs = {f.clauses for f in proof.findings if f.property == "one deciding clause"}
        order = [c.id for c in contract.clauses]
        for record in data["outages"]:
            kinds = ("exclusion", "inclusion", "maintenance")
            applying = [
                r for r in record["reasons"] if r["result"] == "applies" and r["kind"] in kinds
            ]
            for reason in applying:
                seen["applying"] += 1
                assert reason["clause"] not in dead, (seed, record["id"], reason["clause"])
            own = [r["clause"] for r in applying if r["kind"] != "maintenance" and not r.get("via")]
            for a, b in combinations(sorted(set(own), key=order.index), 2):
                effects = {contract.clause(a).kind, contract.clause(b).kind}  # type: ignore[union-attr]
                if effects == {"inclusion"}:
                    continue
                seen["pairs"] += 1
                assert (a, b) in pairs, (seed, record["id"], a, b)
            if record["counted_seconds"]:
                seen["counted"] += 1
                assert proof.status("an outage can count") == "proved", seed
    assert all(seen.values()), seen


def test_the_pairs_listed_stop_at_the_limit(tmp_path: Path) -> None:
    """Thirty exclusions of one cause: 435 pairs, of which 20 are listed, then a note."""
    from rulebook.limits import MAX_PAIRS_LISTED

    body = "\n".join(
        f'  exclusion e{i:02d} {{ cite "第3条" "戦争" when cause = war }}' for i in range(30)
    )
    path = tmp_path / "c.sla"
    path.write_text(contract_text(body), encoding="utf-8")
    proof = prove(check_files([path]).contracts[0])
    pairs = [f for f in proof.findings if f.property == "one deciding clause"]
    assert len(pairs) == MAX_PAIRS_LISTED + 1
    assert [f.clauses for f in pairs[:3]] == [("e00", "e01"), ("e00", "e02"), ("e00", "e03")]
    assert pairs[-1].message == (
        "and more: the prover lists 20 pairs of clauses that decide one outage and stops "
        "there (docs/limits.md)"
    )


def test_check_without_prove_does_not_load_the_solver() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from rulebook.cli import main\n"
        "CliRunner().invoke(main, ['check', 'cybermail'])\n"
        "print('z3' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"


def test_an_outage_can_count_unless_every_one_is_excluded(tmp_path: Path) -> None:
    everything = '  exclusion all { cite "第3条" "全て" when duration > 0 s }'
    won = '\n  inclusion own { cite "第4条" "当社" when cause = provider_fault overrides all }'
    for body, expected in ((everything, "refuted"), (everything + won, "proved")):
        path = tmp_path / "c.sla"
        path.write_text(contract_text(body), encoding="utf-8")
        loaded = check_files([path])
        assert loaded.errors == ()
        assert prove(loaded.contracts[0]).status("an outage can count") == expected
