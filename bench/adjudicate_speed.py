"""Benchmark: the record engine against the columnar plan, in-process, on the same records.

Adjudicates N synthetic records (default 100,000) and the weekly notices under one bundled
contract with both evaluators, checks that they give the same periods, and prints both
times and the ratio (the record engine is the baseline). Run:
python bench/adjudicate_speed.py [--records N] [--contract ID]
"""

from __future__ import annotations

import argparse
import time

from generate import notices, outages

import rulebook


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--records", type=int, default=100_000)
    args.add_argument("--contract", default="cybermail")
    options = args.parse_args()
    contract = rulebook.load_contract(options.contract)
    records, maintenance = outages(options.records), notices()
    start = time.perf_counter()
    engine = rulebook.adjudicate(contract, records, maintenance)
    periods = engine.to_dict(reasons=False)["periods"]
    by_records = time.perf_counter() - start
    start = time.perf_counter()
    plan = rulebook.adjudicate_frame(contract, records, maintenance)
    columnar = plan.to_dict(records=False)["periods"]
    by_columns = time.perf_counter() - start
    if columnar != periods:
        raise SystemExit("the evaluators disagree")
    n = len(records)
    print(f"{n:,} records, {len(maintenance)} notices, {contract.id}; periods agree")
    print(f"record engine  {by_records:7.2f} s  ({n / by_records:,.0f} records/s)")
    print(f"columnar plan  {by_columns:7.2f} s  ({n / by_columns:,.0f} records/s)")
    print(f"columnar / record engine: {by_columns / by_records:.2f}")


if __name__ == "__main__":
    main()
