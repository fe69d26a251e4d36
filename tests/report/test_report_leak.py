"""The national report holds no restricted law-enforcement content: restricted answers are
planted as unique markers in the study store, the whole report is built (survey chapters,
legal review, recommendations) and no output file contains any marker."""

import csv
import re
import zipfile
from pathlib import Path

import pytest

from dhkit.demo.pipeline import DemoContext, run
from dhkit.legal.capacity import import_answers, load_questionnaire
from dhkit.legal.study import open_legal_study
from dhkit.report.build import build_report
from dhkit.report.study import inputs_from_study


def _plant_restricted(sheet: Path) -> set[str]:
    markers, rows = set(), []
    for q in load_questionnaire().questions:
        if q.visibility != "restricted":
            continue
        value = str(910000 + len(markers)) if q.type == "integer" else f"ZZLEAK{len(markers)}QQ"
        markers.add(value)
        rows.append([q.id, "", value, f"ZZLEAKNOTE{len(markers)}QQ"])
        markers.add(f"ZZLEAKNOTE{len(markers)}QQ")
    with sheet.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["question", "year", "value", "note"])
        w.writerows(rows)
    return markers


@pytest.fixture(scope="module")
def demo300(tmp_path_factory):
    out = tmp_path_factory.mktemp("leak")
    return run(DemoContext(out_dir=out, children=300, formats=("kobo_csv",)),
               only=["generate", "study", "import", "weights"])


@pytest.fixture(scope="module")
def report_with_restricted(demo300):
    ctx = demo300
    out = ctx.out_dir
    sheet = out / "le-answers.csv"
    markers = _plant_restricted(sheet)
    import_answers(open_legal_study(ctx.study_dir), sheet)
    result = build_report(inputs_from_study(ctx.study), out / "report", languages=("en", "es"),
                          pdf=False)
    return result, markers


def _holds(text: str, marker: str) -> bool:
    """A text marker anywhere; a numeric marker only as a whole number (its digits inside a
    longer float such as 0.4503987099100081 are not the planted answer)."""
    if not marker.isdigit():
        return marker in text
    return re.search(rf"(?<![\d.]){marker}(?!\d)", text) is not None


def _text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def test_report_includes_the_legal_review_and_linked_recommendations(report_with_restricted):
    result, _ = report_with_restricted
    html = result.files["report.html"].read_text(encoding="utf-8")
    assert "Legal and policy review" in html and "Recommendations" in html
    assert "href='#table-tfcsea_items'" in html       # evidence link to the table


def test_no_report_output_contains_restricted_content(report_with_restricted):
    result, markers = report_with_restricted
    assert markers
    for path in result.files.values():
        text = _text(path)
        leaked = [m for m in markers if _holds(text, m)]
        assert not leaked, f"{path.name} holds restricted content {leaked[:3]}"


def _holds(text: str, marker: str) -> bool:
    """A text marker anywhere; a number marker as a whole number (910008 is not a leak
    inside 0.5763499100083)."""
    if not marker.isdigit():
        return marker in text
    import re

    return re.search(rf"(?<![\d.]){marker}(?![\d.])", text) is not None


PLANTED = Path(__file__).parents[2] / "src/dhkit/qualitative/data/demo/planted.csv"


def _quotes(html: str) -> list[str]:
    import re

    return re.findall(r'<blockquote class="quote"><p>(.*?)</p>', html, flags=re.S)


def test_chapters_carry_quotes_attributed_by_group_only(report_with_restricted):
    result, _ = report_with_restricted
    html = result.files["report.html"].read_text(encoding="utf-8")
    assert _quotes(html)
    assert "<footer>(YP)</footer>" in html or "<footer>(FW)</footer>" in html
    assert "YP-0" not in html and "FW-0" not in html      # never a participant id


def test_no_planted_identifier_reaches_a_quote_in_the_report(report_with_restricted):
    import csv as _csv

    result, _ = report_with_restricted
    planted = [r["text"] for r in _csv.DictReader(PLANTED.open(encoding="utf-8"))]
    for name in ("report.html", "report.es.html"):
        quotes = " ".join(_quotes(result.files[name].read_text(encoding="utf-8")))
        assert not [p for p in planted if p in quotes]
    for path in result.files.values():                 # and no distinctive one anywhere
        text = _text(path)
        assert not [p for p in planted if len(p) >= 5 and not p.isdigit() and p in text], path


REF = Path(__file__).parents[1] / "reference" / "fixtures" / "report"


def test_child_standard_errors_carry_the_calibration_as_r_does(report_with_restricted):
    """The demo's weights are raked; the report's SE equals R's svymean on rake()'s design
    (tests/reference/r/report.R on the same 300 children), not the plain-weights SE."""
    import pandas as pd

    result, _ = report_with_restricted
    ref = pd.read_csv(REF / "demo300_raked_any_tfcsea.csv").iloc[0]
    est = result.estimates
    row = est[(est.indicator == "any_tfcsea") & (est.domain == "") & (est.category == "")].iloc[0]
    assert row.estimate == pytest.approx(ref.estimate, rel=1e-10)
    assert row.se == pytest.approx(ref.se, rel=1e-8)


def test_overlap_prevalence_ratio_uses_the_calibrated_design_as_r_does(demo300):
    """The overlap ratio's SE carries the raking, as every other child figure's does
    (tests/reference/r/report.R: rake(), then svycontrast on log on the same children)."""
    import pandas as pd

    from dhkit.report.chapters import overlap_ratio

    ref = pd.read_csv(REF / "demo300_raked_overlap_pr.csv").iloc[0]
    pr = overlap_ratio(None, inputs_from_study(demo300.study))
    got = [pr.p_exposed, pr.p_reference, pr.ratio, pr.se_log, pr.ci_low, pr.ci_high]
    want = [ref.p_exposed, ref.p_reference, ref.ratio, ref.se_log, ref.ci_low, ref.ci_high]
    assert got == pytest.approx(want, rel=1e-8)
    assert pr.df == ref.df


def test_methods_appendix_shows_every_weighting_step(report_with_restricted):
    result, _ = report_with_restricted
    html = result.files["report.html"].read_text(encoding="utf-8")
    methods = html.split('id="methods-weighting"')[1].split("</section>")[0]
    annex = html.split('id="annex-weights"')[1].split("</table>")[0]
    for part in (methods, annex):
        assert all(step in part for step in ("Base weight", "Adjusted for household nonresponse",
                                             "Calibrated to population totals", "Final weight"))
    # one table per figure: the methods table has the sum, CV, Kish and n_eff; the annex
    # the distribution; each points to the other; no separate "Weighting diagnostics"
    assert "Design effect due to weighting" in methods and "Median" in annex
    assert "Design effect due to weighting" not in annex.split("</caption>")[1]
    assert "annex on weighting diagnostics" in methods and "methods chapter" in annex
    assert "Weighting diagnostics</a>" not in html and "w_nonresponse" not in html


def test_recommendations_cite_the_figure_its_base_and_table_not_raw_ids(report_with_restricted):
    import re

    result, _ = report_with_restricted
    html = result.files["report.html"].read_text(encoding="utf-8")
    recs = html.split('<section id="recommendations"')[1].split("</section>")[0]
    cited = re.findall(r"<a href='#table-[^']+' data-indicator='([^']+)'>([^<]+)</a>", recs)
    assert cited
    for ind, text in cited:
        assert ind not in text                      # the words, never the id
        assert re.search(r": (.+ )?\d+(\.\d)?%|: \*|: none \(", text), text  # 0 is "none"
        assert "(base: " in text and ", n = " in text and "; Table " in text
    told = dict(cited)["told_no_one"]
    assert told.startswith("Told no one: ") and "subjected to TF-CSEA in the past year" in told
    assert "any_tfcsea" not in re.sub(r"<[^>]+>", "", recs)
