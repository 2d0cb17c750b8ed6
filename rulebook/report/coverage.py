"""The branch coverage of contracts as static HTML pages, in the manner of coverage.py's
``htmlcov``: an index of the contracts and, for each, its file with every line marked —
all its branches taken, some, or none — and the branches never taken written beside it.
The pages are self-contained (styles and the small script inline, nothing fetched),
readable without a server, and keyboard-navigable: ``j`` and ``k`` jump to the next and
previous line with a branch never taken, ``i`` back to the index. Same rows, same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs

from rulebook.branches import ClauseCoverage, counts, percent, shown
from rulebook.report.html import environment
from rulebook.reprs import with_repr


@with_repr
@attrs.frozen(repr=False)
class Line:
    """One line of a contract file as the page shows it."""

    number: int
    text: str
    status: str  # "run" (every branch taken), "par" (some), "mis" (none), "" (no branch)
    taken: tuple[str, ...]
    missing: tuple[str, ...]


@with_repr
@attrs.frozen(repr=False)
class Page:
    """One contract's page: its file's lines and its totals."""

    contract: str
    file: str
    name: str
    lines: tuple[Line, ...]
    taken: int
    total: int
    percent: str
    clauses: tuple[ClauseCoverage, ...]


def pages(rows: list[ClauseCoverage]) -> list[Page]:
    """One page per contract, in the order of the rows."""
    by_contract: dict[str, list[ClauseCoverage]] = {}
    for row in rows:
        by_contract.setdefault(row.contract, []).append(row)
    out = []
    for contract, mine in by_contract.items():
        file = mine[0].file
        text = Path(file).read_text(encoding="utf-8")
        taken: dict[int, list[str]] = {}
        missing: dict[int, list[str]] = {}
        for row in mine:
            for b in row.branches:
                into = missing if b.key not in row.taken else taken
                into.setdefault(b.line, []).append(f"{row.clause}: {b.label}")
        lines = []
        for number, line in enumerate(text.splitlines(), start=1):
            got, lost = taken.get(number, []), missing.get(number, [])
            status = "mis" if lost and not got else "par" if lost else "run" if got else ""
            lines.append(Line(number, line, status, tuple(got), tuple(lost)))
        done, total = counts(mine)
        name = re.sub(r"[^A-Za-z0-9_.-]", "_", contract) + ".html"
        out.append(
            Page(contract, file, name, tuple(lines), done, total, shown(percent(mine)), tuple(mine))
        )
    return out


def write_coverage(rows: list[ClauseCoverage], directory: Path) -> Path:
    """Write ``index.html`` and one page per contract into ``directory``, all put in place
    together, a link at a page's name replaced, never written through
    (:func:`rulebook.io.outputs.replace_files`); the index's path."""
    from rulebook.io.outputs import replace_files

    env = environment()
    directory.mkdir(parents=True, exist_ok=True)
    found = pages(rows)
    done, total = counts(rows)
    index = directory / "index.html"
    text = env.get_template("coverage_index.html.j2").render(
        pages=found, taken=done, total=total, percent=shown(percent(rows))
    )
    written = {str(index): (text + "\n").encode("utf-8")}
    template = env.get_template("coverage_file.html.j2")
    for page in found:
        written[str(directory / page.name)] = (template.render(p=page) + "\n").encode("utf-8")
    replace_files(written)
    return index
