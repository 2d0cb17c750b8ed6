"""Regenerate the HTML reports of the bundled example months (examples/reports/).

    python examples/make_reports.py

Each report is what `rulebook report CONTRACT LOG ... --format html` writes; the tests
compare these files with fresh output (they are the golden files) and load them in
Chromium. Same inputs, same bytes: rerunning changes nothing unless the report changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from rulebook.cli import main

HERE = Path(__file__).resolve().parent

# contract, the log and its companion files (relative to examples/)
EXAMPLES: dict[str, list[str]] = {
    "aoulu-cloud": ["aoulu-cloud-2026-09.csv", "--notices", "aoulu-cloud-2026-09-notices.csv"],
    "click-soko": ["click-soko-2026-09.json"],
    "cybermail": [
        "cybermail-2026-09.csv",
        "--notices",
        "cybermail-2026-09-notices.csv",
        "--billing",
        "cybermail-billing.jsonl",
    ],
    "nexa-palette": ["nexa-palette-2026-09.json"],
    "skyarch-sms": ["skyarch-sms-2026-12.json"],
}
LANGS = ("ja", "en")


def arguments(contract: str, lang: str, output: Path) -> list[str]:
    """The command line of one example report."""
    files = [a if a.startswith("--") else str(HERE / a) for a in EXAMPLES[contract]]
    return ["report", contract, *files, "--format", "html", "--lang", lang, "-o", str(output)]


def report_path(contract: str, lang: str) -> Path:
    """Where an example report is kept."""
    return HERE / "reports" / f"{contract}.{lang}.html"


def main_() -> int:
    runner = CliRunner()
    for contract in EXAMPLES:
        for lang in LANGS:
            path = report_path(contract, lang)
            path.parent.mkdir(exist_ok=True)
            result = runner.invoke(main, arguments(contract, lang, path))
            if result.exit_code != 0:
                print(result.output, file=sys.stderr)
                return 1
            print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
