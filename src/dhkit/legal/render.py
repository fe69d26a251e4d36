"""Shared rendering for the legal stage: Jinja2 HTML, WeasyPrint PDF, XlsxWriter Excel.

HTML pages are self-contained (CSS inline, no scripts, no external requests) and
accessible: ``lang`` set, headings in order, tables with captions and header scopes,
answer values written out in words (colour is never the only cue). The same HTML is
printed to PDF by WeasyPrint on A4 with a running header (document title and country)
and "Page N of M" in the footer.

>>> html = render_html("base.html.j2", lang="en", title="T", country="CO")
>>> '<html lang="en">' in html
True
"""

from __future__ import annotations

from pathlib import Path

from dhkit import __version__
from dhkit.legal.strings import translator

ANSWER_CLASS = {"met": "met", "partly_met": "partly", "not_met": "notmet",
                "not_applicable": "na", "unknown": "unknown"}


def _env():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("dhkit.legal", "templates"),
        autoescape=jinja2.select_autoescape(("html", "j2")),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["pct"] = lambda x: "–" if x is None else f"{100 * x:.0f}%"
    env.filters["aclass"] = lambda a: ANSWER_CLASS.get(a, "unknown")
    return env


def render_html(template: str, *, lang: str, restricted: bool = False, **context) -> str:
    """Render one of the stage's templates in ``lang`` (en or es)."""
    t = translator(lang)
    return _env().get_template(template).render(
        lang=lang, t=t, restricted=restricted, dhkit_version=__version__, **context)


def write_pdf(html: str, path: str | Path) -> Path:
    """Print rendered HTML to an A4 PDF (WeasyPrint)."""
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path


def write_html(html: str, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def write_outputs(html: str, out_dir: str | Path, stem: str, formats,
                  xlsx=None) -> list[Path]:
    """One document in the asked formats: ``stem.html`` and ``stem.pdf`` from ``html``, and
    ``stem.xlsx`` written by ``xlsx(path) -> Path`` (its tables); the files written."""
    out_dir = Path(out_dir)
    written = []
    if "html" in formats:
        written.append(write_html(html, out_dir / f"{stem}.html"))
    if "pdf" in formats:
        written.append(write_pdf(html, out_dir / f"{stem}.pdf"))
    if "xlsx" in formats and xlsx is not None:
        written.append(xlsx(out_dir / f"{stem}.xlsx"))
    return written


class Workbook:
    """A thin XlsxWriter wrapper: one call per sheet of rows, with a header format,
    frozen header row, autofilter and sensible column widths."""

    def __init__(self, path: str | Path):
        from dhkit.safetext import workbook

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.book = workbook(self.path)   # text cells stay text (no formula injection)
        self.head = self.book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1,
                                          "text_wrap": True, "valign": "top"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.pct = self.book.add_format({"num_format": "0%", "valign": "top"})

    def sheet(self, name: str, header: list[str], rows: list[list], widths: list[int] | None
              = None, pct_cols: tuple[int, ...] = ()) -> None:
        ws = self.book.add_worksheet(name[:31])
        from dhkit.safetext import write_cell, write_row

        write_row(ws, 0, 0, header, self.head)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                if v is None:
                    continue
                write_cell(ws, r, c, v, self.pct if c in pct_cols else self.wrap)
        for c, w in enumerate(widths or [18] * len(header)):
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)
        if rows:
            ws.autofilter(0, 0, len(rows), len(header) - 1)

    def close(self) -> Path:
        self.book.close()
        return self.path
