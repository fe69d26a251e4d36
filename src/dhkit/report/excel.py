"""The report's tables as an Excel workbook (XlsxWriter): a sheet per table, with bases,
flags and footnotes; estimates are numbers with number formats (never text), so analysts
can compute with them. Suppressed cells hold ``*``; cells with a small base carry a
parenthesised number format. Also the full tidy estimates, the contrasts and the
sampling-error appendix. The creation date is fixed so the same inputs give the same file.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
from dhkit import safetext

from dhkit.disclosure import CAUTION, SUPPRESSED
from dhkit.report import render
from dhkit.report.i18n import Translator

FIXED_DATE = dt.datetime(2000, 1, 1)


def write_workbook(analysis, inputs, t: Translator, path: Path) -> Path:
    """Write ``tables.xlsx``: Contents, one sheet per planned table, Appendix, Estimates,
    Contrasts (sheet names in the report's language). Undefined values are blank cells."""
    wb = safetext.workbook(path, nan_inf_to_errors=True)   # text never becomes a formula
    wb.set_properties({"title": render.study_title(inputs, t), "created": FIXED_DATE,
                       "comments": "dhkit"})
    fmt = _formats(wb)
    contents = wb.add_worksheet(t("Contents")[:31])
    contents.write(0, 0, render.study_title(inputs, t), fmt["title"])
    contents.set_column(0, 0, 12)
    contents.set_column(1, 1, 90)
    line = 2
    for section in render.sections(analysis, t, split_wide=False):
        if not section.tables:           # a chapter of text and other stages' tables
            continue
        contents.write(line, 0, section.title, fmt["bold"])
        line += 1
        for tv in section.tables:
            name = f"{t('Table')} {tv.number}"[:31]
            contents.write_url(line, 0, f"internal:'{name}'!A1", string=name)
            contents.write(line, 1, tv.title)
            line += 1
            _table_sheet(wb, fmt, name, tv, analysis, t)
    _appendix_sheet(wb, fmt, analysis, t)
    _frame_sheet(wb, fmt, t("Estimates")[:31], analysis.public)
    if len(analysis.contrasts):
        _frame_sheet(wb, fmt, t("Contrasts")[:31], analysis.contrasts)
    wb.close()
    return path


def _formats(wb) -> dict:
    return {
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "bold": wb.add_format({"bold": True}),
        "head": wb.add_format({"bold": True, "bg_color": "#EEF3F7", "border": 1,
                               "text_wrap": True, "align": "center", "valign": "vcenter"}),
        "pct": wb.add_format({"num_format": "0.0%"}),
        "pct_caution": wb.add_format({"num_format": '"("0.0%")"', "italic": True}),
        "star": wb.add_format({"align": "right", "font_color": "#777777"}),
        "note": wb.add_format({"font_color": "#555555", "italic": True}),
        "num2": wb.add_format({"num_format": "0.00"}),
        "int": wb.add_format({"num_format": "#,##0"}),
    }


def _table_sheet(wb, fmt, name: str, tv, analysis, t: Translator) -> None:
    ws = wb.add_worksheet(name)
    ws.write(0, 0, f"{name}. {tv.title}", fmt["title"])
    ws.set_column(0, 0, 55)
    col = 1
    for g in tv.groups:
        width = len(g.levels) + (1 if g.contrast_mark else 0)
        if width > 1:
            ws.merge_range(2, col, 2, col + width - 1, g.label, fmt["head"])
        else:
            ws.write(2, col, g.label, fmt["head"])
        for i, lvl in enumerate(g.levels):
            ws.write(3, col + i, lvl, fmt["head"])
        if g.contrast_mark:
            ws.write(3, col + len(g.levels), "†", fmt["head"])
        col += width
    ws.write(3, 0, t("Indicator"), fmt["head"])
    ws.set_column(1, col, 11)
    est = analysis.public.set_index("row_id")
    row = 4
    for r in tv.rows:
        if r.heading:
            ws.write(row, 0, r.label, fmt["bold"])
            row += 1
            continue
        ws.write(row, 0, ("    " if r.indent else "") + r.label)
        c, ci, mi = 1, 0, 0
        for g in tv.groups:
            for _ in g.levels:
                cell = r.cells[ci]
                ci += 1
                _write_cell(ws, fmt, row, c, cell, est)
                c += 1
            if g.contrast_mark:
                ws.write(row, c, r.marks[mi])
                mi += 1
                c += 1
        row += 1
    row += 1
    for text in tv.bases + tv.notes:
        ws.write(row, 0, text, fmt["note"])
        row += 1
    ws.freeze_panes(4, 1)


def _write_cell(ws, fmt, row: int, col: int, cell, est: pd.DataFrame) -> None:
    if cell.row_id is None:
        ws.write(row, col, "–", fmt["star"])
        return
    if cell.fixed:                     # holds by definition: the note under the table says why
        ws.write_string(row, col, render.FIXED, fmt["star"])
        return
    value = est.at[cell.row_id, "estimate"]
    if cell.flag == SUPPRESSED or value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_string(row, col, "*", fmt["star"])
    else:
        ws.write_number(row, col, float(value),
                        fmt["pct_caution"] if cell.flag == CAUTION else fmt["pct"])


def _appendix_sheet(wb, fmt, analysis, t: Translator) -> None:
    ws = wb.add_worksheet(t("Sampling-error appendix")[:31])
    heads = [t("Indicator"), "id", t("Estimate"), t("Standard error"), t("CI low"), t("CI high"),
             t("Design effect"), t("Unweighted n"), t("Weighted n"), t("Flag")]
    for j, h in enumerate(heads):
        ws.write(0, j, h, fmt["head"])
    ws.set_column(0, 0, 55)
    ws.set_column(1, len(heads), 13)
    pub = analysis.public
    cat = analysis.catalogue
    heads_ids = [i for i in analysis.plan.indicator_ids() if cat.indicators[i].headline]
    row = 1
    for ind_id in heads_ids:
        sub = pub[(pub["indicator"] == ind_id) & (pub["domain"] == "")]
        for r in sub.itertuples(index=False):
            ws.write(row, 0, render._row_label(analysis, t, ind_id, r.category))
            ws.write(row, 1, ind_id)
            hidden = r.flag == SUPPRESSED
            for j, (v, f) in enumerate(((r.estimate, "pct"), (r.se, "pct"), (r.ci_low, "pct"),
                                        (r.ci_high, "pct"), (r.deff, "num2"),
                                        (r.n_unweighted, "int"), (r.n_weighted, "int")), start=2):
                if _finite(v):
                    ws.write_number(row, j, float(v), fmt[f])
                elif hidden:  # the suppression mark only where the row is suppressed
                    ws.write_string(row, j, "*", fmt["star"])
                # else blank: not defined (e.g. the design effect of a 0 % estimate)
            ws.write(row, 9, r.flag)
            row += 1


def _finite(v) -> bool:
    return v is not None and not isinstance(v, str) and math.isfinite(float(v))


def _frame_sheet(wb, fmt, name: str, frame: pd.DataFrame) -> None:
    ws = wb.add_worksheet(name)
    for j, col in enumerate(frame.columns):
        ws.write(0, j, col, fmt["head"])
    for i, rec in enumerate(frame.itertuples(index=False), start=1):
        for j, v in enumerate(rec):
            if v is None or (isinstance(v, float) and not math.isfinite(v)):
                continue  # blank, never an =1/0 error cell
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(i, j, float(v))
            else:
                ws.write(i, j, str(v) if not isinstance(v, bool) else v)
    ws.freeze_panes(1, 0)
