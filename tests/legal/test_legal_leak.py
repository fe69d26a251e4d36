"""Restricted law-enforcement content never reaches a public output.

A study gets restricted answers planted as unique marker strings; every public output is
built and every file in the study folder is searched for the markers. The second case
removes the filter (is_public always true) and shows that the markers then DO appear, so
the test would fail if the filtering were removed.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from dhkit.errors import SafetyError
from dhkit.legal import capacity, install_colombia
from dhkit.legal.capacity import import_answers, load_questionnaire, write_restricted_report
from dhkit.legal.consultation import import_comments
from dhkit.legal.outputs import public_outputs
from dhkit.legal.recommendations import load_registry
from dhkit.legal.study import open_legal_study

KEY = "test-key-0123456789abcdef"
HAVE_PDFTOTEXT = shutil.which("pdftotext") is not None


def make_study(tmp_path: Path):
    d = tmp_path / "study"
    d.mkdir()
    (d / "study.toml").write_text('[study]\nname = "Leak test"\ncountry = "CO"\n'
                                  'languages = ["en", "es"]\ndemo = false\nseed = 1\n\n'
                                  '[paths]\ninstrument = "instrument/form.xlsx"\n'
                                  'store = "store/study.duckdb"\n', encoding="utf-8")
    install_colombia(d)
    return open_legal_study(d)


def marker(qid: str) -> str:
    return f"ZZRESTRICTED{qid.replace('-', '')}QQ"


def write_answers(path: Path) -> set[str]:
    q = load_questionnaire()
    rows, markers = [], set()
    for x in q.questions:
        if x.visibility == "restricted":
            value = str(900000 + len(markers)) if x.type == "integer" else marker(x.id)
            markers.add(value)
            rows.append([x.id, "", value, marker(x.id) + "note"])
            markers.add(marker(x.id) + "note")
        elif x.type == "by_year":
            rows += [[x.id, "2022", "41", ""], [x.id, "2023", "57", ""]]
        elif x.type == "yes_no":
            rows.append([x.id, "", "yes", "public note"])
        elif x.type == "yes_partly_no":
            rows.append([x.id, "", "partly", ""])
        elif x.type == "choice":
            rows.append([x.id, "", x.choices[0], ""])
        else:
            rows.append([x.id, "", "Public aggregate finding", ""])
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["question", "year", "value", "note"])
        w.writerows(rows)
    return markers


def file_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    if path.suffix == ".pdf":
        if not HAVE_PDFTOTEXT:   # PDFs are printed from the HTML checked alongside them
            return ""
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
    return path.read_bytes().decode("utf-8", "replace")


def build_everything(tmp_path, monkeypatch):
    monkeypatch.setenv("DHKIT_KEY", KEY)
    study = make_study(tmp_path)
    sheet = tmp_path / "le-answers.csv"          # outside the study folder
    markers = write_answers(sheet)
    import_answers(study, sheet)
    comments = tmp_path / "comments.csv"
    comments.write_text("recommendation,organisation,sector,comment,proposed_change,endorsement\n"
                        "7.3,Ministry A,government,Supports it,,endorse\n", encoding="utf-8")
    import_comments(study, comments, load_registry(study.recommendations_path).numbers())
    out = study.outputs_dir
    files = public_outputs(study, out, ("en", "es"), ("html", "xlsx"))
    files += capacity.write_public_report(study, out, "en", ("pdf",))
    return study, markers, files


def test_no_public_output_contains_restricted_content(tmp_path, monkeypatch):
    study, markers, files = build_everything(tmp_path, monkeypatch)
    files += public_outputs(study, study.outputs_dir, ("en",), ("pdf",))   # PDFs too
    names = {f.name for f in files}
    assert {"gap-CO-en.html", "gap-CO-es.xlsx", "gap-CO-en.pdf", "matrix-en.pdf",
            "le-capacity-CO-en.html", "le-capacity-CO-es.xlsx", "le-capacity-CO-en.pdf",
            "recommendations-CO-es.html", "recommendations-CO-en.pdf",
            "consultation-CO-en.html", "consultation-CO-en.pdf"} <= names
    everything = [p for p in study.dir.rglob("*") if p.is_file()]
    assert study.capacity_public_path in everything and study.store_path in everything
    for path in everything:
        text = file_text(path)
        leaked = [m for m in markers if m in text]
        assert not leaked, f"{path} contains restricted content {leaked}"
    # public content is there
    assert "Public aggregate finding" in file_text(study.outputs_dir / "le-capacity-CO-en.html")


def test_without_the_filter_the_markers_do_appear(tmp_path, monkeypatch):
    monkeypatch.setattr(capacity, "is_public", lambda question: True)
    study, _, _ = build_everything(tmp_path, monkeypatch)
    html = file_text(study.outputs_dir / "le-capacity-CO-en.html")
    pdf = file_text(study.outputs_dir / "le-capacity-CO-en.pdf")
    assert marker("LE-U04") in html
    if HAVE_PDFTOTEXT:
        assert marker("LE-B02") in pdf
    assert marker("LE-U04") in study.capacity_public_path.read_text(encoding="utf-8")


def test_restricted_report_needs_flag_key_and_a_separate_folder(tmp_path, monkeypatch):
    study, _, _ = build_everything(tmp_path, monkeypatch)
    with pytest.raises(SafetyError) as e:
        write_restricted_report(study, tmp_path / "r", "en")
    assert e.value.code == "LEG-032"
    for inside in (study.outputs_dir / "x", study.dir / "restricted"):
        with pytest.raises(SafetyError):
            write_restricted_report(study, inside, "en", restricted=True)
    with pytest.raises(SafetyError) as e:
        write_restricted_report(study, tmp_path / "r", "en", restricted=True,
                                key="wrong-key-0000000000")
    assert e.value.code == "WS-KEY-002"
    files = write_restricted_report(study, tmp_path / "r", "es", restricted=True,
                                    formats=("html",))
    html = files[0].read_text(encoding="utf-8")
    assert marker("LE-U04") in html and "RESTRINGIDO" in html
