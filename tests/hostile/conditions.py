"""The corpus cases of conditions of many terms (issue 26, severe 1; issue 29), written by
``make_corpus.py``, which passes itself in (``corpus``: its ``case``, ``adjudicate`` and
``contract``): every stage is linear in a condition's size, so a 5,000-term chain is checked
and adjudicated like a short one; nesting past the bound of docs/limits.md is refused."""

from __future__ import annotations

from types import ModuleType

#: Three records a day apart: priority 4999, 7000 and none (unknown).
PRIORITIES = "tests/hostile/inputs/conditions/priorities.csv"


def build(c: ModuleType) -> None:
    rows = [c.HEAD] + [
        f"{rid},CYBERMAIL Σ,2026-09-0{day}T10:00:00,2026-09-0{day}T11:00:00,provider_fault,monitoring,,{p}"
        for rid, day, p in (("low", 3, "4999"), ("high", 4, "7000"), ("none", 5, ""))
    ]  # fmt: skip
    c.adjudicate("conditions/priorities.csv", "\n".join(rows) + "\n", 0, [],
               records=dict.fromkeys(["low", "high", "none"], "counted"),
               downtime={"CYBERMAIL Σ 2026-09": 3 * 3600})  # fmt: skip
    # 7000 is none of 0..4999: the `and` of `!=` holds for it alone, the `or` of `=` for 4999;
    # unknown priority leaves either undetermined, which does not exclude.
    chains = {
        "and-5000": (" and ".join(f"priority != {i}" for i in range(5000)), "high"),
        "or-5000": (" or ".join(f"priority = {i}" for i in range(5000)), "low"),
        "alternating-100": (_alternating(100), "high"),
    }
    for name, (condition, excluded) in chains.items():
        text = (
            c.CONTRACT_HEAD
            + f'  exclusion big {{\n    cite "1" "x"\n    when {condition}\n  }}\n}}\n'
        )
        verdicts = {"low": "counted", "high": "counted", "none": "counted", excluded: "excluded"}
        c.case(f"conditions/{name}.sla", text,
             ["adjudicate", "{file}", PRIORITIES, "--format", "json"], 0, [],
             records=verdicts, downtime={"CYBERMAIL Σ 2026-09": 2 * 3600})  # fmt: skip
    c.contract("alternating-101.sla", c.CONTRACT_HEAD + '  exclusion a {\n    cite "1" "x"\n    when '
             + _alternating(101) + "\n  }\n}\n", 1,
             ["alternating-101.sla:12:", "error[too-deep]: the condition nests deeper than 100 levels"])  # fmt: skip


def _alternating(depth: int) -> str:
    """A condition ``depth`` levels deep, ``and`` and ``or`` in turn, 50 terms a level: the
    `and` levels test ``priority != N`` for N from 8050 up, the `or` levels ``priority = N``
    for N under 4950, the innermost ``priority >= 7000``. Neither 4999 nor 7000 is among
    the N: every `and` level's tests hold for them and every `or` level's fail, so the
    innermost test decides: 7000 holds, 4999 not."""
    text = "priority >= 7000"
    for level in range(depth - 1, 0, -1):
        if level % 2:
            terms = [f"priority != {8000 + 50 * level + k}" for k in range(49)]
            text = " and ".join([*terms, f"({text})"])
        else:
            terms = [f"priority = {50 * level + k}" for k in range(49)]
            text = " or ".join([*terms, f"({text})"])
    return text
