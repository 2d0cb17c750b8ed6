"""Issue 26: the service map is applied a rule at a time over whole columns
(``first_targets``), not a Python call per record and rule; it must decide exactly as the
rule-by-rule reading (``service_targets``, fnmatch) does, globs' corners included."""

from __future__ import annotations

import fnmatch
import random

import polars as pl

from rulebook.mapping.services import first_targets, glob_regex, service_targets
from rulebook.project import ServiceRule

GLOB = "ab*?[]!-\\.^$ "
TEXT = "ab-]![\\.^ \n\x1f"


def test_a_glob_reads_as_fnmatch_reads_it() -> None:
    pick = random.Random(26)
    texts = ["".join(pick.choice(TEXT[:-1]) for _ in range(pick.randint(0, 5))) for _ in range(200)]
    column = pl.Series(texts)
    for _ in range(1000):
        glob = "".join(pick.choice(GLOB) for _ in range(pick.randint(0, 6)))
        assert column.str.contains(glob_regex(glob)).to_list() == [
            fnmatch.fnmatchcase(t, glob) for t in texts
        ], glob


def test_the_map_by_columns_is_the_map_by_rows() -> None:
    pick = random.Random(7)

    def glob() -> str:
        return "".join(pick.choice("ab*?[]!") for _ in range(pick.randint(1, 4)))

    for _ in range(30):
        rules = [
            ServiceRule(
                (glob(),),
                (f"S{i}",),
                tuple((f, (glob(),)) for f in ("id", "features") if pick.random() < 0.5),
                i,
            )
            for i in range(pick.randint(1, 6))
        ]
        rows = [
            {"service": "".join(pick.choice("ab!") for _ in range(3)),
             "id": "".join(pick.choice("ab[") for _ in range(2)),
             "features": None if pick.random() < 0.2 else "\x1f".join(pick.choice(["a", "b", "ab"]) for _ in range(pick.randint(1, 3)))}
            for _ in range(60)
        ]  # fmt: skip
        combos = pl.DataFrame(
            rows, schema={"service": pl.String, "id": pl.String, "features": pl.String}
        )
        by_rows = [service_targets(rules, row, {"features"}) for row in rows]
        assert first_targets(rules, combos, {"features"}) == by_rows
