"""Excel round trip for assessments: analysts often work in a spreadsheet.

:func:`export_assessment_xlsx` writes a workbook with an ``answers`` sheet (one row per
checklist item: the question for reference, then the editable answer columns) and an
``assessment`` sheet (header fields). :func:`import_assessment_xlsx` reads it back with
openpyxl, checks every row (the same rules as the YAML file, with sheet and row
numbers), and returns the assessment only when the whole workbook is clean: an
assessment is imported all or nothing.

>>> import tempfile, os
>>> from dhkit.legal.assessment import load_assessment, colombia_assessment_path
>>> a = load_assessment(colombia_assessment_path())
>>> p = export_assessment_xlsx(a, os.path.join(tempfile.mkdtemp(), "co.xlsx"))
>>> b, rep = import_assessment_xlsx(p)
>>> rep.ok and b.answers == a.answers
True
"""

from __future__ import annotations

from pathlib import Path

from dhkit.legal import yamlio
from dhkit.legal.assessment import Assessment, parse_assessment, validate_assessment
from dhkit.legal.checklist import Checklist, load_checklist
from dhkit.validation import ValidationReport

ANSWER_COLS = ["item", "answer", "provision", "source", "section", "pages", "note", "note_es",
               "analyst", "reviewer", "review_date", "status"]
INFO_COLS = ["area", "question"]
HEADER_FIELDS = ["country", "checklist_version", "version", "status", "analyst", "reviewer",
                 "review_date"]


def export_assessment_xlsx(a: Assessment, path: str | Path,
                           checklist: Checklist | None = None) -> Path:
    """Write an assessment to an Excel workbook that :func:`import_assessment_xlsx` reads."""
    from dhkit.safetext import workbook, write_row

    cl = checklist or load_checklist()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = workbook(path)
    head = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    ro = book.add_format({"text_wrap": True, "valign": "top", "font_color": "#555555"})
    ws = book.add_worksheet("answers")
    cols = ANSWER_COLS[:1] + INFO_COLS + ANSWER_COLS[1:]
    write_row(ws, 0, 0, cols, head)
    ws.data_validation(1, cols.index("answer"), max(1, len(a.answers)), cols.index("answer"),
                       {"validate": "list", "source": list(cl.scale)})
    answers = a.by_item()
    order = [i.id for i in cl.items] + [x.item for x in a.answers if not cl.has(x.item)]
    for r, iid in enumerate((i for i in order if i in answers), start=1):
        x = answers[iid]
        item = cl.item(iid) if cl.has(iid) else None
        values = {"item": x.item, "area": item.area if item else "",
                  "question": item.text("en") if item else "", "answer": x.answer,
                  "provision": x.provision, "source": x.cite.source if x.cite else "",
                  "section": x.cite.section if x.cite else "",
                  "pages": x.cite.pages if x.cite else "", "note": x.note,
                  "note_es": x.note_es,
                  "analyst": x.analyst or "", "reviewer": x.reviewer or "",
                  "review_date": x.review_date or "", "status": x.status or ""}
        for c, name in enumerate(cols):
            ws.write_string(r, c, str(values[name]), ro if name in INFO_COLS else wrap)
    for c, w in enumerate([9, 16, 50, 12, 30, 9, 40, 8, 50, 50, 10, 10, 11, 9]):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 1)
    meta = book.add_worksheet("assessment")
    write_row(meta, 0, 0, ["field", "value"], head)
    for r, k in enumerate(HEADER_FIELDS, start=1):
        meta.write_string(r, 0, k)
        meta.write_string(r, 1, "" if getattr(a, k) is None else str(getattr(a, k)))
    src = book.add_worksheet("sources")
    write_row(src, 0, 0, ["source", "reference"], head)
    for r, (k, v) in enumerate(a.sources.items(), start=1):
        write_row(src, r, 0, [k, v])
    meta.set_column(0, 1, 30)
    src.set_column(0, 1, 60)
    book.close()
    return path


def _cell(v) -> str:
    if v is None:
        return ""
    if hasattr(v, "date") and hasattr(v, "isoformat"):
        return v.date().isoformat() if hasattr(v, "hour") else v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_sheet(path: Path, sheet: str, required: list[str], report: ValidationReport,
               code: str = "LEG-020") -> list[tuple[int, dict]] | None:
    """Rows of a sheet as (Excel row number, {column: text}); LEG-020 for missing columns."""
    import openpyxl

    from dhkit.zipguard import check_zip

    check_zip(path)   # a zip bomb is refused before anything inflates
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for non-workbooks
        report.add(code, f"cannot read the workbook ({type(exc).__name__})", file=str(path),
                   hint="Save it as .xlsx from Excel or LibreOffice")
        return None
    if sheet not in wb.sheetnames:
        report.add(code, f"the workbook has no sheet named '{sheet}'", file=str(path),
                   hint=f"Keep the sheet names of the exported workbook ({sheet})")
        return None
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    header = [_cell(h).lower() for h in (rows[0] if rows else [])]
    missing = [c for c in required if c not in header]
    if missing:
        report.add(code, f"sheet '{sheet}' lacks column(s): {', '.join(missing)}",
                   file=str(path), row=1, hint="Add the columns with these exact names")
        return None
    out = []
    for n, row in enumerate(rows[1:], start=2):
        d = {h: _cell(v) for h, v in zip(header, row) if h}
        if any(d.values()):
            out.append((n, d))
    return out


def import_assessment_xlsx(path: str | Path, checklist: Checklist | None = None
                           ) -> tuple[Assessment | None, ValidationReport]:
    """Read an assessment workbook; the assessment comes back only if every row is clean.

    Problems name the sheet's row (Excel numbering) and the column.
    """
    cl = checklist or load_checklist()
    path = Path(path)
    report = ValidationReport()
    rows = read_sheet(path, "answers", ["item", "answer"], report)
    meta = read_sheet(path, "assessment", ["field", "value"], report)
    srcs = read_sheet(path, "sources", ["source", "reference"], report) if rows else None
    if rows is None or meta is None:
        return None, report
    header = {d.get("field"): d.get("value") for _, d in meta}
    doc = yamlio.LDict()
    doc.line, doc.lines = 1, {}
    for k in HEADER_FIELDS:
        v = header.get(k) or None
        doc[k] = int(v) if k == "version" and v and v.isdigit() else v
    doc["sources"] = {d["source"]: d.get("reference", "") for _, d in (srcs or [])
                      if d.get("source")}
    answers = []
    for n, d in rows:
        a = yamlio.LDict()
        a.line, a.lines = n, {}
        a["item"], a["answer"] = d.get("item", ""), d.get("answer", "")
        for k in ("provision", "note", "note_es", "analyst", "reviewer", "review_date",
                  "status"):
            if d.get(k):
                a[k] = d[k]
        if d.get("source") or d.get("section") or d.get("pages"):
            a["cite"] = {"source": d.get("source", ""), "section": d.get("section", ""),
                         "pages": d.get("pages", "")}
        answers.append(a)
    doc["answers"] = answers
    rep = validate_assessment(doc, str(path), cl)
    for p in rep:  # YAML 'line' is the Excel row here
        report.add(p.code, p.message, file=f"{path} [answers]" if p.line and p.line > 1
                   else str(path), row=p.line, field=p.field, value=p.value, hint=p.hint)
    if not report.ok:
        return None, report
    return parse_assessment(doc, str(path)), report
