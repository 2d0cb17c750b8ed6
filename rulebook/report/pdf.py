"""The report printed to PDF by WeasyPrint, the Python HTML-to-PDF engine that implements
CSS paged media: the same page as on screen, with its ``@media print`` and ``@page``
styles (A4, a running header with the contract and the part of the report, page numbers,
rows never split, totals once).

WeasyPrint needs Pango from the system (Debian: ``libpango-1.0-0``,
``libpangoft2-1.0-0``); without it the error says so. Same HTML, same fonts, same
WeasyPrint: same bytes (the PDF's dates come from the page's provenance, not the clock).
"""

from __future__ import annotations

from rulebook.errors import RulebookError


def to_pdf(html: str) -> bytes:
    """``html`` (a self-contained page: nothing is fetched) as PDF bytes."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango is missing
        raise RulebookError(
            f"--format pdf needs WeasyPrint and the system's Pango ({exc}); "
            "pip install weasyprint; apt-get install libpango-1.0-0 libpangoft2-1.0-0"
        ) from None
    document = weasyprint.HTML(string=html, url_fetcher=_refuse, base_url=None)
    pdf: bytes = document.write_pdf()
    return pdf


def _refuse(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """A report fetches nothing: every URL is refused (the page is self-contained)."""
    raise ValueError(f"the report fetches nothing: {url}")
