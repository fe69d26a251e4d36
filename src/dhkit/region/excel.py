"""The regional tables as an Excel workbook (XlsxWriter): a sheet per table with numbers
(never text) in per-cent formats, the same marks as the HTML (``*`` suppressed,
``n.c.`` not collected, caution in parentheses), then the tidy estimates, the regional
figures, the differences and the countries. Creation date fixed: same inputs, same file.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from dhkit import safetext

from dhkit.region.render import table_views
from dhkit.region.report import RegionAnalysis, countries_table, tidy_cells
from dhkit.region.strings import t
from dhkit.report.excel import FIXED_DATE


def write_workbook(a: RegionAnalysis, lang: str, path: Path) -> Path:
    wb = safetext.workbook(path, nan_inf_to_errors=True)   # text never becomes a formula
    wb.set_properties({"title": a.region.title(lang), "created": FIXED_DATE, "comments": "dhkit"})
    f = {"title": wb.add_format({"bold": True, "font_size": 13}),
         "head": wb.add_format({"bold": True, "bg_color": "#EEF3F7", "border": 1,
                                "text_wrap": True, "align": "center"}),
         "pct": wb.add_format({"num_format": "0.0%"}),
         "caution": wb.add_format({"num_format": '"("0.0%")"', "italic": True}),
         "mark": wb.add_format({"align": "right", "font_color": "#777777"}),
         "note": wb.add_format({"font_color": "#555555", "italic": True}),
         "bold": wb.add_format({"bold": True})}
    contents = wb.add_worksheet(t("contents", lang)[:31])
    contents.write(0, 0, a.region.title(lang), f["title"])
    contents.set_column(1, 1, 80)
    for i, tv in enumerate(table_views(a, lang), start=2):
        name = f"{t('table', lang)} {tv.number}"[:31]
        contents.write_url(i, 0, f"internal:'{name}'!A1", string=name)
        contents.write(i, 1, tv.title)
        ws = wb.add_worksheet(name)
        ws.write(0, 0, tv.title, f["title"])
        heads = [""] + tv.columns + (tv.columns_extra if tv.kind == "indicators" else [])
        for j, h in enumerate(heads):
            ws.write(2, j, h, f["head"])
        ws.set_column(0, 0, 45)
        ws.set_column(1, len(heads), 14)
        r = 3
        for row in tv.rows:
            ws.write(r, 0, row.label, f["bold"] if row.kind == "subhead" else None)
            for j, c in enumerate(row.cells, start=1):
                _cell(ws, f, r, j, c)
            if tv.kind == "indicators" and row.kind != "subhead":
                ws.write(r, len(tv.columns) + 1, f"{row.range_text} {row.range_ends}".strip())
                if row.combined is not None:
                    _cell(ws, f, r, len(tv.columns) + 2, row.combined)
            r += 1
        ws.write(r + 1, 0, f"{t('base', lang)}: {tv.base}", f["note"])
        for k, note in enumerate(tv.notes, start=r + 2):
            ws.write(k, 0, note, f["note"])
    for name, frame in (("Estimates", tidy_cells(a)), ("Regional", a.regional),
                        ("Differences", a.differences), ("Countries", countries_table(a))):
        _frame(wb, f, name, frame)
    if a.legal is not None:
        _frame(wb, f, "Legal matrix", legal_frame(a, lang))
    wb.close()
    return path


def _cell(ws, f, r: int, j: int, c) -> None:
    if c.value is None or c.cls in ("suppressed", "nc"):
        if c.text:
            ws.write(r, j, c.text, f["mark"])
        return
    ws.write_number(r, j, float(c.value), f["caution"] if c.cls == "caution" else f["pct"])


def _frame(wb, f, name: str, frame: pd.DataFrame) -> None:
    ws = wb.add_worksheet(name)
    for j, col in enumerate(frame.columns):
        ws.write_string(0, j, str(col), f["head"])
    for i, rec in enumerate(frame.itertuples(index=False), start=1):
        for j, v in enumerate(rec):
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                continue
            safetext.write_cell(ws, i, j, v if isinstance(v, (bool, int, float)) else str(v))
    ws.freeze_panes(1, 0)


def legal_frame(a: RegionAnalysis, lang: str) -> pd.DataFrame:
    """Items × countries of the legal matrix (answers in the report language)."""
    cl, m = a.legal_checklist, a.legal
    rows = [[it.id, cl.area_label(it.area, lang), it.text(lang),
             *[cl.scale_label(v, lang) for v in vals]] for it, vals in m.rows]
    return pd.DataFrame(rows, columns=["item", "area", "question", *m.countries])
