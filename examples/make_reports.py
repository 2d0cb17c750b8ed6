"""Regenerate the HTML and PDF reports of the bundled example months (examples/reports/).

    python examples/make_reports.py [--screenshot]

With --screenshot it also renders the README's picture (docs/images/report.png) with
headless Chromium (Debian's chromium package).

Each report is what `rulebook report CONTRACT LOG ... --format html` (or `pdf`) writes,
with SOURCE_DATE_EPOCH set to :data:`EPOCH` so that the provenance's time of generation
is fixed; the tests compare the HTML files with fresh output byte for byte (they are the
golden files) and load them in Chromium, and compare the PDFs' text with a fresh PDF's
(a PDF's bytes depend on the fonts installed as well). Same inputs, same bytes: rerunning
changes nothing unless the report changed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
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
FORMATS = ("html", "pdf")
#: The time of generation the example reports show (2026-10-05 00:00 UTC).
EPOCH = "1791158400"
ENV = {"SOURCE_DATE_EPOCH": EPOCH}


def arguments(contract: str, lang: str, output: Path, fmt: str = "html") -> list[str]:
    """The command line of one example report."""
    files = [a if a.startswith("--") else str(HERE / a) for a in EXAMPLES[contract]]
    return ["report", contract, *files, "--format", fmt, "--lang", lang, "-o", str(output)]


def report_path(contract: str, lang: str, fmt: str = "html") -> Path:
    """Where an example report is kept."""
    return HERE / "reports" / f"{contract}.{lang}.{fmt}"


def main_() -> int:
    runner = CliRunner(env=ENV)
    for contract in EXAMPLES:
        for lang in LANGS:
            for fmt in FORMATS:
                path = report_path(contract, lang, fmt)
                path.parent.mkdir(exist_ok=True)
                result = runner.invoke(main, arguments(contract, lang, path, fmt))
                if result.exit_code != 0:
                    print(result.output, file=sys.stderr)
                    return 1
                print(f"wrote {path.relative_to(HERE.parent)}")
    if "--screenshot" in sys.argv:
        return screenshot(report_path("cybermail", "en"), HERE.parent / "docs/images/report.png")
    return 0


def screenshot(page: Path, png: Path) -> int:
    """The top of ``page`` as ``png``, 1100 px wide, by headless Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic"]
        flags += ["--no-first-run", "--disable-background-networking"]
        flags += ["--disable-component-update", "--disable-sync", "--hide-scrollbars"]
        flags += [f"--user-data-dir={profile}", "--window-size=1100,1180"]
        subprocess.run(
            [chromium, *flags, f"--screenshot={png}", page.as_uri()],
            check=True,
            capture_output=True,
        )
    print(f"wrote {png.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
