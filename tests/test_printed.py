"""The printed report (``--format pdf``, WeasyPrint): every example month in both
languages rendered to PDF, its pages rendered to images (poppler's ``pdftoppm``) and to
text (``pdftotext``), and its layout read back from WeasyPrint — page 1 carries the claim's
summary, each total is printed once, no table row is split over two pages, the page count
is within bounds; the provenance and the reasons are in it; the timeline's zoom strip draws
a one-minute record inside a maintenance window at a width one can measure."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rulebook.cli import main
from rulebook.report.timeline import LEFT, RIGHT
from tests import goldens

ROOT = Path(__file__).resolve().parent.parent
make_reports: Any = goldens.make_reports()
EXAMPLES = [(c, lang) for c in make_reports.EXAMPLES for lang in make_reports.LANGS]
SUMMARY = {"en": "What is claimed", "ja": "請求の概要"}
TOTAL_OWED = {"en": "Total owed", "ja": "補償の合計"}


def _poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed (apt-get install poppler-utils)")
    return found


def _pdf(contract: str, lang: str, out: Path) -> bytes:
    result = CliRunner(env=make_reports.ENV).invoke(
        main, make_reports.arguments(contract, lang, out, "pdf")
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _pages_as_gray(pdf: Path, folder: Path) -> list[bytes]:
    """Each page as 8-bit gray pixels (pdftoppm's PGM, 30 dpi)."""
    subprocess.run(
        [_poppler("pdftoppm"), "-r", "30", "-gray", str(pdf), str(folder / "p")], check=True
    )
    pixels = []
    for page in sorted(folder.glob("p-*.pgm")):
        data = page.read_bytes()
        # P5 <width> <height> <maxval> then the raster
        magic, width, height, _, raster = data.split(maxsplit=4)
        assert magic == b"P5"
        pixels.append(raster[: int(width) * int(height)])
    return pixels


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True
    ).stdout.decode("utf-8")
    return text.split("\f")[:-1]


def _layout(html: str) -> Any:
    import weasyprint

    return weasyprint.HTML(string=html).render()


def _boxes(page: Any) -> list[Any]:
    out, stack = [], [page._page_box]
    while stack:
        box = stack.pop()
        out.append(box)
        stack.extend(getattr(box, "children", None) or [])
    return out


@pytest.mark.parametrize(("contract", "lang"), EXAMPLES)
def test_example_month_prints(contract: str, lang: str, tmp_path: Path) -> None:
    # One layout serves both checks: the PDF `report --format pdf` writes is this
    # document's (rulebook.report.pdf: HTML(string=...).write_pdf(); the command itself is
    # run by test_provenance_and_reasons_are_printed).
    html = _html(contract, lang, tmp_path)
    document = _layout(html)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(document.write_pdf())
    images = _pages_as_gray(pdf, tmp_path)
    assert 3 <= len(images) <= 12, len(images)
    inked = sum(1 for v in images[0] if v < 200) / len(images[0])
    assert inked > 0.02, f"page 1 is nearly blank ({inked:.3%} inked)"
    texts = _page_texts(pdf)
    assert len(texts) == len(images)
    # examples/reports/ keeps this PDF: the same text (its bytes depend on the fonts too)
    kept = make_reports.report_path(contract, lang, "pdf")
    assert kept.is_file(), f"{kept} is missing: run python examples/make_reports.py"
    assert _page_texts(kept) == texts, f"{kept} is stale: run python examples/make_reports.py"
    first = texts[0]
    assert SUMMARY[lang] in first and TOTAL_OWED[lang] in first
    assert rulebook_sha(contract) in re.sub(r"\s", "", first)  # the provenance, on page 1
    assert sum(t.count(TOTAL_OWED[lang]) for t in texts) == 1
    # The layout as WeasyPrint laid it out: each total row once, no row on two pages.
    assert len(document.pages) == len(images)
    pages_of: dict[int, set[int]] = {}
    totals = []
    for number, page in enumerate(document.pages):
        for box in _boxes(page):
            if getattr(box, "element_tag", None) != "tr":
                continue
            if all(cell.tag == "th" for cell in box.element):
                continue  # a table's head row, repeated on each page it spans
            pages_of.setdefault(id(box.element), set()).add(number)
            if "total" in (box.element.get("class") or ""):
                totals.append(number)
    split = [p for p in pages_of.values() if len(p) > 1]
    assert split == [], f"{len(split)} table row(s) split over pages"
    assert len(totals) == html.count('<tr class="total">')  # no total repeated on a page
    # page 1 holds the whole summary table, its total included
    assert totals[0] == 0


def _html(contract: str, lang: str, folder: Path) -> str:
    out = folder / "r.html"
    result = CliRunner(env=make_reports.ENV).invoke(
        main, make_reports.arguments(contract, lang, out)
    )
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def rulebook_sha(contract: str) -> str:
    import rulebook

    return rulebook.load_contract(contract).sha256


def test_provenance_and_reasons_are_printed(tmp_path: Path) -> None:
    pdf = tmp_path / "r.pdf"
    data = _pdf("cybermail", "en", pdf)
    assert _pdf("cybermail", "en", tmp_path / "again.pdf") == data  # same inputs, same bytes
    text = "\n".join(_page_texts(pdf))
    flat = re.sub(r"\s", "", text)
    for name in ("cybermail-2026-09.csv", "cybermail-2026-09-notices.csv"):
        digest = hashlib.sha256((ROOT / "examples" / name).read_bytes()).hexdigest()
        assert digest in flat, name
    assert "2026-10-05T00:00:00+00:00" in text  # SOURCE_DATE_EPOCH
    # the reason beside the record, and its explanation in the appendix
    assert "through the records: cm-06 ← cm-05" in text
    assert "Explanations" in text and "Clauses applied" in text


# ------------------------------------------------------------------ the zoom strip


def test_a_one_minute_record_in_a_window_is_measurable_in_the_zoom(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    log.write_text(
        "id,service,start,end,cause,location,protocol\n"
        "zz-01,AOULU 販売,2026-09-20T02:30:00,2026-09-20T02:31:00,provider_fault,JP,https\n"
        "zz-02,AOULU 販売,2026-09-08T10:00:00,2026-09-08T13:00:00,provider_fault,JP,https\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.html"
    notices = ROOT / "examples" / "aoulu-cloud-2026-09-notices.csv"
    args = ["report", "aoulu-cloud", str(log), "--notices", str(notices), "--format", "html"]
    result = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    drawings = [
        ET.fromstring(m.group(0))
        for m in re.finditer(r"<svg class=\"(?:month|zoom)\".*?</svg>", html, re.S)
    ]
    month = next(d for d in drawings if d.get("class") == "month")
    zooms = [d for d in drawings if d.get("class") == "zoom"]
    assert len(zooms) == 1  # one day holds a record too short for the month's scale

    def seg(svg: ET.Element, record: str) -> ET.Element:
        return next(
            r
            for r in svg.iter("rect")
            if r.get("data-record") == record and "seg" in r.get("class", "")
        )

    # at the month's scale a minute is a fiftieth of a pixel, drawn as it is, and marked
    scale = (RIGHT - LEFT) / (30 * 86400)
    tiny = seg(month, "zz-01")
    assert float(tiny.get("width", "")) == pytest.approx(60 * scale, abs=0.001)
    assert month.find("path") is not None
    assert float(seg(month, "zz-02").get("width", "")) == pytest.approx(3 * 3600 * scale, abs=0.01)
    # in the zoom strip it is measurable, and inside the maintenance window drawn there
    zoom = zooms[0]
    span = int(zoom.get("data-end", "")) - int(zoom.get("data-start", ""))
    assert span == 3600  # the whole hour around it
    rect = seg(zoom, "zz-01")
    x, width = float(rect.get("x", "")), float(rect.get("width", ""))
    assert width == pytest.approx(60 * (RIGHT - LEFT) / span, abs=0.01)  # 14.33 px
    assert width > 10
    assert rect.get("data-status") == "excluded"
    band = next(r for r in zoom.iter("rect") if "window" in r.get("class", ""))
    bx, bw = float(band.get("x", "")), float(band.get("width", ""))
    assert bx <= x and x + width <= bx + bw
    assert band.get("data-record") == "an-01"  # the notice, named on the band
    assert any(t.text == "an-01" for t in zoom.iter("text"))
