"""A Spanish report is Spanish throughout: no English text of the message catalogue, the
indicator catalogue or the report's own word lists reaches report.es.html, the PDF's text
or tables.es.xlsx; numbers and p-values use the decimal comma."""

import html as html_lib
import re
import subprocess
import zipfile

import pytest

from dhkit.indicators.catalogue import load_catalogue, load_plan
from dhkit.report import evidence
from dhkit.report.build import build_report
from dhkit.report.i18n import Translator
from dhkit.report.render import UI_STRINGS

from test_report_build import _inputs  # noqa: E402  (same folder)


@pytest.fixture(scope="module")
def spanish(tmp_path_factory):
    out = tmp_path_factory.mktemp("es")
    inputs = _inputs(children=500)
    inputs.study_name = "Disrupting Harm — Colombia (synthetic demo)"
    result = build_report(inputs, out, languages=("es",), pdf=True)
    files = {k.replace(".es.", "."): v for k, v in result.files.items()}  # es is the only one
    page = files["report.html"].read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page))
    pdf = subprocess.run(["pdftotext", "-layout", str(files["report.pdf"]), "-"],
                         capture_output=True, text=True, check=True).stdout
    with zipfile.ZipFile(files["tables.xlsx"]) as z:
        xlsx = html_lib.unescape(" ".join(
            z.read(n).decode("utf-8") for n in z.namelist()
            if n.startswith("xl/sharedStrings") or n == "xl/workbook.xml"))
    return {"html": text, "pdf": re.sub(r"\s+", " ", pdf), "xlsx": xlsx}


def _english_strings() -> list[str]:
    """Texts that differ between en and es: message ids (their fixed fragments of three
    words or more), catalogue and plan labels, the report's word lists."""
    t = Translator("es")
    out = []
    for msgid in UI_STRINGS:
        if t(msgid) == msgid:
            continue
        out += [f.strip(" .,:;()") for f in re.split(r"\{[^}]+\}", msgid)
                if len(f.split()) >= 3]
    cat = load_catalogue()
    plan = load_plan(catalogue=cat)
    labels = [u.label for u in cat.units.values()] + [b.label for b in cat.bases.values()]
    for d in cat.domains.values():
        labels += [d.label, *d.levels.values()]
    for i in cat.indicators.values():
        labels += [i.label, *i.level_labels.values()]
    for s in plan.sections:
        labels += [s.title] + [x.title for x in (*s.tables, *s.charts)]
    labels += list(evidence.WORDS.values())
    ids = {*cat.units, *cat.bases, *cat.domains, *cat.indicators}   # keys, not English text
    for lab in labels:
        en, es = lab.get("en", ""), lab.get("es", "")
        if en and es and en != es and en not in es and len(en) >= 4 and en not in ids:
            out.append(en)
    return sorted(set(out))


ENGLISH = _english_strings()


@pytest.mark.parametrize("where", ["html", "pdf", "xlsx"])
def test_no_english_catalogue_string_in_the_spanish_output(spanish, where):
    text = spanish[where]
    found = [s for s in ENGLISH if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
    assert found == []


def test_the_check_knows_the_strings_that_leaked_before():
    assert {"Estimates", "Contrasts", "(synthetic demo)"} <= set(UI_STRINGS)
    assert "Told someone about what happened" in ENGLISH


@pytest.mark.parametrize("where", ["html", "xlsx"])
def test_spanish_names_and_sheets(spanish, where):
    text = spanish[where]
    assert "(synthetic demo)" not in text and "(demostración sintética)" in text
    if where == "xlsx":
        assert "Estimaciones" in text and "Estimates" not in text
        assert "Contrastes" in text and '"Contrasts"' not in text


def test_p_values_use_the_decimal_comma(spanish):
    html = spanish["html"]
    assert "p < 0.05" not in html and "p = 0." not in html
    assert re.search(r"p [<=] 0,\d", html)

