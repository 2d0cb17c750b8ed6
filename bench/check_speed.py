"""Benchmark: parse + check speed of the contract language.

Prints:
- the time to parse and check a 500-line contract once the grammar (and the shared
  vocabulary) is loaded, for a realistic contract (the bundled contracts' clauses repeated)
  and a dense stress case; median and best of several runs; target under 50 ms;
- the wall time of `python -m rulebook check` on one bundled contract, start to finish
  (median of several runs; target under 0.5 s).

Run: python bench/check_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rulebook.check import check_contract
from rulebook.grammar.parser import parser
from rulebook.load import bundled_dir, load_files

HEADER = """import "vocabulary.sla"

contract bench {
  title "Benchmark contract"
  provider "Bench"
  source "bench.txt"
  language ja
  timezone "Asia/Tokyo"
  kind guarantee
  availability monthly {
    cite "第1条" "月間稼働率 99.9%"
    period calendar month
    target >= 99.9% (以上)
  }
  calendar business {
    cite "第2条" "営業日"
    weekdays mon, tue, wed, thu, fri
    holidays JP
    closed 12/30 to 1/3
    hours 10:00-12:00, 13:00-18:00
  }
"""

CAUSES = ("war", "fire", "flood", "attack", "embargo", "sabotage", "access_line", "external_dns")


def clause(i: int) -> str:
    """One 8-line exclusion clause; clause i uses one cause, so no two contradict."""
    return f"""  exclusion c{i} "条項 {i}" {{
    cite "第{i}条" "当社の合理的な管理の及ばない事象（第{i}号）"
    when cause = {CAUSES[i % len(CAUSES)]} and location = JP
      and (self_resolved or duration <= {i % 50 + 1} min (以内))
      and protocol in {{https, smtp}} and not contact_outdated
    including related
  }}
"""


def dense_contract(lines: int) -> str:
    """A stress case: clauses of five-part conditions, about 6 tokens a line."""
    body, i = [HEADER], 0
    while sum(b.count("\n") for b in body) < lines - 1:
        body.append(clause(i))
        i += 1
    return "".join(body) + "}\n"


_BLOCK = re.compile(r"((?:^  #[^\n]*\n)*)^  (exclusion|maintenance) (\w+)(.*?^  \}\n)", re.M | re.S)


def realistic_contract(lines: int) -> str:
    """The bundled contracts' exclusion and maintenance clauses, with their reading
    comments and long quotes, repeated under fresh ids up to ``lines`` lines."""
    blocks = [
        (comments, kind, name, rest)
        for path in sorted(bundled_dir().glob("*.sla"))
        for comments, kind, name, rest in _BLOCK.findall(path.read_text(encoding="utf-8"))
    ]
    body, n = [HEADER], 0
    while sum(b.count("\n") for b in body) < lines - 1:
        comments, kind, name, rest = blocks[n % len(blocks)]
        body.append(f"{comments}  {kind} {name}_{n}{rest}")
        n += 1
    return "".join(body) + "}\n"


def time_in_process(text: str, runs: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sla"
        path.write_text(text, encoding="utf-8")
        # The vocabulary every contract imports is parsed once per process, like the grammar.
        vocabulary = load_files([bundled_dir() / "vocabulary.sla"])
        assert not vocabulary.errors
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            loaded = load_files([path])  # read, parse, link to the vocabulary
            found = check_contract(loaded.contracts[0])
            times.append(time.perf_counter() - start)
            assert not found, found[:3]
        return times


def time_cli(contract: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "rulebook", "check", str(contract)],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--runs", type=int, default=10)
    runs = args.parse_args().runs
    start = time.perf_counter()
    parser()
    print(f"grammar load (once per process): {1000 * (time.perf_counter() - start):.1f} ms")
    for label, text in (
        ("realistic", realistic_contract(500)),
        ("dense (stress)", dense_contract(500)),
    ):
        times = time_in_process(text, runs)
        print(
            f"parse+check, {label} contract of {text.count(chr(10))} lines: "
            f"median {1000 * statistics.median(times):.1f} ms, best {1000 * min(times):.1f} ms "
            f"({runs} runs; target < 50 ms)"
        )
    contract = bundled_dir() / "cybermail.sla"
    cli = time_cli(contract, runs)
    print(
        f"`python -m rulebook check {contract.name}` start to finish: "
        f"median {1000 * statistics.median(cli):.0f} ms, best {1000 * min(cli):.0f} ms "
        f"({runs} runs; target < 500 ms)"
    )


if __name__ == "__main__":
    main()
