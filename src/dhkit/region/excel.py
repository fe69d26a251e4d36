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
        r = (_indicator_sheet if tv.kind == "indicators" else _country_rows_sheet)(
            ws, f, tv, lang)
        ws.write(r + 1, 0, f"{t('base', lang)}: {tv.base}", f["note"])
        # a sheet is read alone: its own notes, then every rule the table follows
        for k, note in enumerate(tv.notes + tv.rules, start=r + 2):
            ws.write(k, 0, note, f["note"])
    for key, frame in (("sheet_estimates", tidy_cells(a)), ("sheet_regional", a.regional),
                       ("sheet_differences", a.differences), ("sheet_within", a.within),
                       ("sheet_countries", countries_table(a))):
        if frame is not None:
            _frame(wb, f, t(key, lang), frame)
    if a.legal is not None:
        _frame(wb, f, t("sheet_legal", lang), legal_frame(a, lang))
    wb.close()
    return path


def _heads(ws, f, groups: list[tuple[str, list[str]]]) -> None:
    """Two header rows: a group (a country, a category, Range…) over its columns."""
    ws.write(2, 0, "", f["head"])
    ws.write(3, 0, "", f["head"])
    j = 1
    for title, subs in groups:
        if len(subs) > 1:
            ws.merge_range(2, j, 2, j + len(subs) - 1, title, f["head"])
        else:
            ws.write(2, j, title, f["head"])
        for k, sub in enumerate(subs):
            ws.write(3, j + k, sub, f["head"])
        j += len(subs)
    ws.set_column(0, 0, 45)
    ws.set_column(1, j, 11)
    ws.freeze_panes(4, 1)


def _indicator_sheet(ws, f, tv, lang: str) -> int:
    """Rows = indicators and domain levels; per country: %, CI, unweighted n; then the
    range (lowest, highest, the countries at each end) and the combined figure with its
    CI — all numbers, as in the report's table."""
    est = [t("estimate", lang), t("ci_low", lang), t("ci_high", lang)]
    groups = [(c, est + ["n"]) for c in tv.columns]
    groups.append((tv.columns_extra[0], [t("lowest", lang).capitalize(),
                                         t("highest", lang).capitalize(),
                                         t("countries_at_ends", lang)]))
    if len(tv.columns_extra) > 1:
        groups.append((tv.columns_extra[1], est + [t("note", lang)]))
    _heads(ws, f, groups)
    r = 4
    for row in tv.rows:
        ws.write(r, 0, row.label, f["bold"] if row.kind == "subhead" else None)
        if row.kind != "subhead":
            j = 1
            for c in row.cells:
                _triple(ws, f, r, j, c)
                if c.n is not None:
                    ws.write_number(r, j + 3, c.n)
                j += 4
            if row.range_values:
                ws.write_number(r, j, row.range_values[0], f["pct"])
                ws.write_number(r, j + 1, row.range_values[1], f["pct"])
                ws.write_string(r, j + 2, row.range_ends)
            if row.combined is not None:
                _triple(ws, f, r, j + 3, row.combined)
                if row.combined.title:
                    ws.write_string(r, j + 6, row.combined.title)
        r += 1
    return r


def _country_rows_sheet(ws, f, tv, lang: str) -> int:
    """Rows = countries (the presentation's platform table), columns = categories with
    %, CI; the country's unweighted base last; then the range as two rows (lowest and
    highest, with the countries at that end) and the combined figure."""
    est = [t("estimate", lang), t("ci_low", lang), t("ci_high", lang)]
    _heads(ws, f, [(c, est) for c in tv.columns] + [(t("unweighted_n", lang), ["n"])])
    r = 4
    n_col = 1 + 3 * len(tv.columns)
    for row in tv.rows:
        if row.cells and row.cells[0].cls == "range":
            for k, label in ((0, t("lowest", lang)), (1, t("highest", lang))):
                ws.write(r, 0, f"{row.label}: {label}", f["bold"])
                for j, c in enumerate(row.cells):
                    if c.bounds:
                        ws.write_number(r, 1 + 3 * j, c.bounds[k], f["pct"])
                        ws.write_string(r, 2 + 3 * j, c.bounds[2 + k])
                r += 1
            continue
        ws.write(r, 0, row.label, f["bold"] if row.kind == "summary" else None)
        for j, c in enumerate(row.cells):
            _triple(ws, f, r, 1 + 3 * j, c)
        sizes = [c.n for c in row.cells if c.n is not None]
        if sizes and row.kind != "summary":
            ws.write_number(r, n_col, max(sizes))
        r += 1
    return r


def _triple(ws, f, r: int, j: int, c) -> None:
    """A cell as estimate, CI low, CI high (numbers) or its mark (*, n.c.) as text."""
    if c.value is None or c.cls in ("suppressed", "nc"):
        if c.text:
            ws.write(r, j, c.text, f["mark"])
        return
    fmt = f["caution"] if c.cls == "caution" else f["pct"]
    ws.write_number(r, j, float(c.value), fmt)
    for k, v in ((1, c.ci_low), (2, c.ci_high)):
        if v is not None:
            ws.write_number(r, j + k, float(v), f["pct"])


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
