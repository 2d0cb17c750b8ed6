"""Benchmark: adjudicate synthetic outage records against one bundled contract.

Prints the time to validate and adjudicate N records (default 100,000) against cybermail,
and the time to write the JSON document. Run: python bench/adjudicate_speed.py [--records N]
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
    result = rulebook.adjudicate(contract, records, maintenance)
    adjudicated = time.perf_counter() - start
    start = time.perf_counter()
    text = result.to_json()
    written = time.perf_counter() - start
    verdicts: dict[str, int] = {}
    for v in result.verdicts:
        verdicts[v.verdict] = verdicts.get(v.verdict, 0) + 1
    print(
        f"adjudicate {len(records):,} records, {len(maintenance)} notices against {contract.id}: "
        f"{adjudicated:.2f} s ({len(records) / adjudicated:,.0f} records/s)"
    )
    print(f"to_json: {written:.2f} s, {len(text) / 1e6:.0f} MB")
    print("verdicts: " + ", ".join(f"{k} {n:,}" for k, n in sorted(verdicts.items())))


if __name__ == "__main__":
    main()
