"""The national report end to end on the synthetic study: figures near the generator's
truth, significance where the truth has a gap, every output written, nothing below the
suppression threshold shown, and the same inputs giving the same estimates and Excel."""

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from dhkit.demo.generate import draw
from dhkit.demo.truth import TRUTH
from dhkit.disclosure import Thresholds
from dhkit.errors import ValidationError
from dhkit.report.build import ReportInputs, analyse, build_report, validate_inputs


def _inputs(children=999, seed=20240601, **kw) -> ReportInputs:
    d = draw(children, seed=seed)
    main = d.main[d.main["interview_result"] == 1].reset_index(drop=True)
    return ReportInputs(main=main, instance=d.instance, study_name="Synthetic study",
                        country="CO", synthetic=True, seed=seed, **kw)


@pytest.fixture(scope="module")
def big_analysis():
    inputs = _inputs(children=6000, seed=11)
    cat, plan = validate_inputs(inputs, ("en", "es"))
    return analyse(inputs, cat, plan)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return build_report(_inputs(), out, languages=("en", "es"), pdf=False)


def _overall(table, indicator, domain="", level=""):
    row = table[(table.indicator == indicator) & (table.domain == domain)
                & (table.level == level) & (table.category == "")]
    return float(row.estimate.iloc[0])


def test_headline_lands_near_the_generators_truth(big_analysis):
    est = big_analysis.estimates
    assert abs(_overall(est, "any_tfcsea") - TRUTH.any_overall) < 0.02
    assert abs(_overall(est, "any_tfcsea", "sex", "1") - TRUTH.any_by_sex[1]) < 0.03
    assert abs(_overall(est, "any_tfcsea", "area", "2") - TRUTH.any_by_area[2]) < 0.03


def test_girls_boys_and_rural_urban_gaps_are_marked_significant(big_analysis):
    ctr = big_analysis.contrasts
    any_rows = ctr[(ctr.indicator == "any_tfcsea") & (ctr.category == "")]
    sig = dict(zip(any_rows.domain, any_rows.significant))
    assert sig["sex"] and sig["area"]
    by_domain = dict(zip(any_rows.domain, any_rows.difference))
    assert by_domain["sex"] > 0          # girls − boys
    assert by_domain["area"] > 0         # rural − urban


def test_a_difference_fixed_by_definition_is_not_tested_nor_marked(big_analysis):
    """In-person violence among children subjected / not subjected to it is 100 % / 0 %
    by definition: no t, no p, no † in the overlap table (the engine's p = 0 is not
    evidence); a real difference in the same table keeps its mark."""
    from dhkit.report.i18n import Translator
    from dhkit.report.render import table_view

    ctr = big_analysis.contrasts
    fixed = ctr[(ctr.indicator == "inperson_sv") & (ctr.domain == "inperson_sv")].iloc[0]
    assert (fixed.difference, fixed.se) == (1.0, 0.0)
    assert np.isnan(fixed.p_value) and np.isnan(fixed.t) and not fixed.significant
    spec = next(tb for s in big_analysis.plan.sections for tb in s.tables
                if tb.id == "overlap")
    view = table_view(big_analysis, Translator("en"), spec, "11")
    marks = {r.indicator: r.marks for r in view.rows}
    assert marks["inperson_sv"] == [""] and marks["inperson_sv_victims"] == [""]
    assert marks["any_tfcsea"] == ["†"]


def test_contrast_equals_the_engines_svycontrast(big_analysis):
    """Our vectorized contrast = R-verified Design.contrast on svyby(covmat=TRUE)."""
    from dhkit.survey import Design
    from dhkit.survey.contrast import contrast

    inputs = _inputs(children=6000, seed=11)
    main = inputs.main.assign(sex=inputs.main.child_sex.astype(str),
                              y=(inputs.main.any_tfcsea == 1).astype(float))
    d = Design(main, weights="weight", strata="region", psu="psu_id")
    est = d.mean(["y"], by="sex", covmat=True)
    ref = contrast(est, {"sex=1": 1, "sex=2": -1}, df=d.degf)   # girls − boys
    ours = big_analysis.contrasts
    row = ours[(ours.indicator == "any_tfcsea") & (ours.domain == "sex")].iloc[0]
    assert row.difference == pytest.approx(float(ref.table.estimate[0]), rel=1e-10)
    assert row.se == pytest.approx(float(ref.table.se[0]), rel=1e-10)


def test_every_output_is_written(built):
    names = set(built.files)
    assert {"estimates.csv", "estimates.parquet", "report.html", "tables.xlsx",
            "report.es.html", "tables.es.xlsx", "manifest.json", "codebook.html",
            "codebook.csv"} <= names


def test_html_figures_carry_their_indicator_and_estimate_row(built):
    html = built.files["report.html"].read_text(encoding="utf-8")
    est = pd.read_csv(built.files["estimates.csv"], keep_default_na=False)
    row = est[(est.indicator == "any_tfcsea") & (est.domain == "")].iloc[0]
    assert f'data-indicator="any_tfcsea" data-row="{row.row_id}"' in html


def test_spanish_report_uses_spanish_labels_and_decimal_commas(built):
    html = built.files["report.es.html"].read_text(encoding="utf-8")
    assert 'lang="es"' in html and "Cifras clave" in html and "Niñas" in html
    assert "\xa0%" in html


def test_the_progress_bar_counts_every_step_the_build_reports(tmp_path):
    """`dhkit report` showed "11/10": its total now comes from the build itself."""
    from dhkit.report.build import report_steps

    steps = []
    build_report(_inputs(), tmp_path, languages=("en", "es"), pdf=False, progress=steps.append)
    assert len(steps) == report_steps(("en", "es"), pdf=False) == 9
    assert steps[0] == "validate" and steps[-1] == "manifest"


def test_suppressed_estimates_never_reach_public_outputs(tmp_path):
    # a high threshold suppresses the region × instance cells; none may be shown
    inputs = _inputs(thresholds=Thresholds(suppress_below=200, caution_below=400))
    result = build_report(inputs, tmp_path, pdf=False)
    est = pd.read_csv(result.files["estimates.csv"])
    hidden = est[est.n_unweighted < 200]
    assert len(hidden) > 0 and hidden.estimate.isna().all() and hidden.se.isna().all()
    wb = openpyxl.load_workbook(result.files["tables.xlsx"])
    ws = wb["Estimates"]
    head = [c.value for c in ws[1]]
    n_col, e_col = head.index("n_unweighted"), head.index("estimate")
    for row in ws.iter_rows(min_row=2, values_only=True):
        if row[n_col] is not None and row[n_col] < 200:
            assert row[e_col] is None


def test_excel_estimates_are_numbers_with_formats(built):
    wb = openpyxl.load_workbook(built.files["tables.xlsx"])
    ws = wb["Table 3"]
    numbers = [c for r in ws.iter_rows(min_row=5, max_row=6) for c in r
               if isinstance(c.value, float)]
    assert numbers and all("0.0%" in c.number_format for c in numbers)


def test_rebuilding_gives_identical_estimates_and_excel_values(built, tmp_path):
    again = build_report(_inputs(), tmp_path, languages=("en", "es"), pdf=False)
    a = pd.read_csv(built.files["estimates.csv"])
    b = pd.read_csv(again.files["estimates.csv"])
    pd.testing.assert_frame_equal(a, b)
    assert built.files["estimates.csv"].read_bytes() == again.files["estimates.csv"].read_bytes()
    wa = openpyxl.load_workbook(built.files["tables.xlsx"])
    wb = openpyxl.load_workbook(again.files["tables.xlsx"])
    for name in wa.sheetnames:
        va = [r for r in wa[name].iter_rows(values_only=True)]
        vb = [r for r in wb[name].iter_rows(values_only=True)]
        assert va == vb, name


def test_manifest_records_version_seed_settings_and_hashes(built):
    m = json.loads(built.files["manifest.json"].read_text())
    assert m["seed"] == 20240601 and m["synthetic"] is True
    assert len(m["inputs"]["catalogue.yaml"]) == 64
    assert set(m["outputs"]) >= {"estimates.csv", "report.html"}


def test_unknown_variable_and_empty_base_are_reported_before_computing(tmp_path):
    inputs = _inputs()
    inputs.main = inputs.main.drop(columns=["act_games_weekly"])
    inputs.instance = inputs.instance.iloc[0:0]
    with pytest.raises(ValidationError) as exc:
        validate_inputs(inputs, ("en",))
    codes = exc.value.report.codes()
    assert "IND-001" in codes            # games_weekly names a missing variable
    assert "IND-003" in codes            # instance bases select nobody


def test_a_difference_with_a_suppressed_side_is_neither_shown_nor_marked(tmp_path):
    inputs = _inputs(thresholds=Thresholds(suppress_below=200, caution_below=400))
    result = build_report(inputs, tmp_path, pdf=False)
    ctr = pd.read_csv(result.files["contrasts.csv"])
    est = pd.read_csv(result.files["estimates.csv"], keep_default_na=False)
    small = est[(est.domain == "sex") & (est.indicator == "inst_met_in_person")]
    assert (small.n_unweighted.astype(int) < 200).any()       # an instance base is small
    hidden = ctr[ctr.suppressed]
    assert len(hidden) > 0
    assert hidden.difference.isna().all() and hidden.p_value.isna().all()
    assert not hidden.significant.any()


# --- bases as the seed's (Colombia report): one figure, one base, one n --------------------


def _cat_share(table, indicator, category):
    row = table[(table.indicator == indicator) & (table.domain == "") & (table.category == category)]
    return float(row.estimate.iloc[0]), int(row.n_unweighted.iloc[0]), str(row.base.iloc[0])


def test_disclosure_shares_are_of_all_victims_non_answers_included(big_analysis):
    est = big_analysis.estimates
    told, n_told, base = _cat_share(est, "told_anyone", "")
    nobody, n_nobody, _ = _cat_share(est, "told_no_one", "")
    silent, n_silent, _ = _cat_share(est, "told_not_answered", "")
    victims = _cat_share(est, "more_than_one_form", "")[1]    # every victim answered that
    assert base == "victims" and n_told == n_nobody == n_silent == victims
    assert told + nobody + silent == pytest.approx(1.0, abs=1e-12)
    assert told == pytest.approx(TRUTH.told, abs=0.04)           # seed: 52 % of victims
    assert nobody == pytest.approx(TRUTH.not_told, abs=0.04)     # seed: 34 % of victims


def test_whom_they_told_is_a_share_of_victims(big_analysis):
    friend, n, base = _cat_share(big_analysis.estimates, "inst_told_whom", "friend")
    assert base == "victims"
    assert friend == pytest.approx(TRUTH.told_whom["friend"], abs=0.04)  # seed: 17 %


def test_platforms_are_shares_of_social_media_instances(big_analysis):
    est = big_analysis.estimates
    fb, n_fb, base = _cat_share(est, "inst_platform", "facebook")
    social, n_all, _ = _cat_share(est, "inst_social_media", "")
    assert base == "instances_social_media" and n_fb < n_all
    assert fb == pytest.approx(0.80, abs=0.04)          # seed: 80 % of social-media cases
    assert social == pytest.approx(0.50, abs=0.04)      # seed: about half of all cases
    assert _cat_share(est, "inst_gaming", "")[0] == pytest.approx(0.14, abs=0.03)


def test_where_met_is_a_share_of_all_instances(big_analysis):
    est = big_analysis.estimates
    school, n, base = _cat_share(est, "inst_where_met", "school")
    online = _cat_share(est, "inst_where_met", "online")[0]
    assert base == "instances"
    assert school == pytest.approx(0.28, abs=0.04)      # seed: school 28 % of all
    assert online == pytest.approx(1 - _cat_share(est, "inst_met_in_person", "")[0], abs=1e-9)
    levels = est[(est.indicator == "inst_where_met") & (est.domain == "")]
    assert levels.estimate.sum() == pytest.approx(1.0, abs=1e-9)


def test_a_key_figure_and_its_table_give_the_same_n(built):
    html = built.files["report.html"].read_text(encoding="utf-8")
    est = pd.read_csv(built.files["estimates.csv"], keep_default_na=False)
    n = int(est[(est.indicator == "told_anyone") & (est.domain == "")].n_unweighted.iloc[0])
    line = ("Base: internet-using children aged 12–17 subjected to TF-CSEA in the past year, "
            f"n = {n}.")
    assert html.count(line) >= 2          # the key figure and Table "Disclosure ..."


def test_every_table_and_chart_prints_its_base(built):
    import re

    html = built.files["report.html"].read_text(encoding="utf-8")
    for block in re.findall(r'<table id="table-.*?</div>', html, flags=re.S):
        assert 'class="base">Base: ' in block
    for block in re.findall(r'<figure id="figure-.*?</figure>', html, flags=re.S):
        assert 'class="base">Base: ' in block


def test_every_significant_difference_is_shown_in_the_report(built):
    from dhkit.indicators.catalogue import load_catalogue, load_plan

    import html as html_lib

    html = html_lib.unescape(built.files["report.html"].read_text(encoding="utf-8"))
    ctr = pd.read_csv(built.files["contrasts.csv"], keep_default_na=False)
    sig = ctr[ctr.significant.astype(str) == "True"]
    assert len(sig)
    cat = load_catalogue()
    plan = load_plan(catalogue=cat)
    columns = {}
    for s in plan.sections:
        for tb in s.tables:
            for i in tb.indicators:
                columns.setdefault(i, set()).update(tb.domains)
    for r in sig.itertuples(index=False):
        if r.indicator not in columns:
            continue
        if r.domain in columns[r.indicator]:
            continue                      # a † column of the table marks it
        label = cat.domains[r.domain].label["en"]
        label = label if label[:2].isupper() else label[:1].lower() + label[1:]
        est = pd.read_csv(built.files["estimates.csv"], keep_default_na=False)
        sides = est[(est.indicator == r.indicator) & (est.category == r.category)
                    & (est.domain == r.domain)]
        if (sides.se.astype(str) == "0.0").any():
            continue                      # degenerate: a side is 0 % or 100 % by definition
        assert f" differs significantly by {label} (" in html, (r.indicator, r.domain)


def test_off_table_difference_is_worded_with_both_levels_and_p():
    from types import SimpleNamespace

    from dhkit.indicators.catalogue import load_catalogue
    from dhkit.report.i18n import Translator
    from dhkit.report.render import significant_elsewhere

    cat = load_catalogue()
    est = pd.DataFrame({"indicator": ["told_anyone"] * 2, "category": ["", ""],
                        "domain": ["area"] * 2, "level": ["1", "2"], "estimate": [0.41, 0.62],
                        "se": [0.04, 0.05]})
    ctr = pd.DataFrame({"indicator": ["told_anyone"], "category": [""], "domain": ["area"],
                        "level_a": ["1"], "level_b": ["2"], "difference": [0.21],
                        "p_value": [0.013], "significant": [True]})
    a = SimpleNamespace(catalogue=cat, public=est, contrasts=ctr)
    assert significant_elsewhere(a, Translator("en"), ["told_anyone"], ["sex"]) == [
        "Told someone about what happened differs significantly by area (rural: 62.0%, "
        "urban: 41.0%; +21.0 percentage points, p = 0.013)."]
    assert significant_elsewhere(a, Translator("es"), ["told_anyone"], ["sex"]) == [
        "Le contó a alguien lo que pasó: diferencia significativa según zona (rural: "
        "62,0\xa0%, urbana: 41,0\xa0%; +21,0 puntos porcentuales, p = 0,013)."]
    assert significant_elsewhere(a, Translator("en"), ["told_anyone"], ["area"]) == []


@pytest.mark.parametrize("lang, note", [
    ("en", "The share answering “Helpline” differs significantly by area (rural: 24.5%, "
           "urban: 17.0%; +7.5 percentage points, p = 0.022)."),
    ("es", "La proporción que respondió «Línea de ayuda»: diferencia significativa según zona "
           "(rural: 24,5\xa0%, urbana: 17,0\xa0%; +7,5 puntos porcentuales, p = 0,022).")])
def test_a_note_on_one_answer_names_the_share_giving_it(lang, note):
    """"Helpline differs significantly by area" takes an answer for the subject; the note
    names the share of the base giving that answer."""
    from types import SimpleNamespace

    from dhkit.indicators.catalogue import load_catalogue
    from dhkit.report.i18n import Translator
    from dhkit.report.render import significant_elsewhere

    cat = load_catalogue()
    est = pd.DataFrame({"indicator": ["cg_would_report"] * 2, "category": ["helpline"] * 2,
                        "domain": ["area"] * 2, "level": ["1", "2"], "estimate": [0.17, 0.245],
                        "se": [0.02, 0.03]})
    ctr = pd.DataFrame({"indicator": ["cg_would_report"], "category": ["helpline"],
                        "domain": ["area"], "level_a": ["1"], "level_b": ["2"],
                        "difference": [0.075], "p_value": [0.022], "significant": [True]})
    a = SimpleNamespace(catalogue=cat, public=est, contrasts=ctr)
    assert significant_elsewhere(a, Translator(lang), ["cg_would_report"], []) == [note]


def test_excel_marks_only_suppressed_rows_and_writes_no_error_cells(built):
    wb = openpyxl.load_workbook(built.files["tables.xlsx"])
    ws = wb[wb.sheetnames[[n.startswith("Sampling") for n in wb.sheetnames].index(True)]]
    head = [c.value for c in ws[1]]
    flag = head.index("Flag")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows
    for r in rows:
        if r[flag] != "suppressed":
            assert "*" not in r[2:flag], r          # CI, deff ... of a shown row: never *
    for name in wb.sheetnames:
        for row in wb[name].iter_rows(values_only=True):
            assert not any(isinstance(v, str) and v.startswith("=") for v in row), name
            assert not any(isinstance(v, str) and v.startswith("#") for v in row), name


def test_zero_estimate_is_exactly_zero_with_a_korn_graubard_interval_and_blank_deff(built):
    est = pd.read_csv(built.files["estimates.csv"])
    # (a zero by definition is not an estimate: its interval is the value, test_report_fixed)
    zero = est[(est.estimate == 0) & ~est.flag.isin(["suppressed", "fixed"])]
    assert len(zero)
    assert (zero.ci_low == 0).all() and (zero.ci_high > 0).all()
    assert zero.deff.isna().all()
    assert not np.isinf(est.deff.astype(float)).any()
    # Korn–Graubard at 0: the upper bound of 0 of n is 1 − 0.025^(1/n*), n* ≤ n
    n = zero.n_unweighted.astype(float)
    assert (zero.ci_high >= 1 - 0.025 ** (1 / n) - 1e-12).all()


def test_the_contents_list_does_not_number_chapters_a_second_time(built):
    import re

    html = built.files["report.html"].read_text(encoding="utf-8")
    toc = html[html.index('class="toc"'):html.index("</nav>")]
    assert "<ol>" not in toc
    titles = re.findall(r'<a href="#[^"]+">([^<]+)</a>', toc)
    assert any(re.match(r"\d+\. \w", x) for x in titles)   # the chapter carries its number


def test_a_number_range_in_a_table_header_stays_on_one_line():
    from dhkit.report.render import nowrap_ranges

    assert str(nowrap_ranges("12–14 & 15–17")) == \
        '<span class="nowrap">12–14</span> &amp; <span class="nowrap">15–17</span>'


def test_notes_word_the_studys_own_small_base_rule():
    """A study with thresholds 30 / 60: the notes under tables, the methods paragraph and
    the limitations say 30–59 and 30, never the default 25–49."""
    from dhkit.report import chapters
    from dhkit.report.i18n import Translator
    from dhkit.report.render import methods, table_view

    inputs = _inputs(thresholds=Thresholds(suppress_below=30, caution_below=60))
    cat, plan = validate_inputs(inputs, ("en",))
    analysis = analyse(inputs, cat, plan)
    t = Translator("en")
    spec = next(tb for s in plan.sections for tb in s.tables if tb.id == "tfcsea_region")
    notes = table_view(analysis, t, spec, "8").notes
    assert "Values in parentheses: unweighted base of 30–59, interpret with caution." in notes
    rule = ("Values in parentheses: unweighted base of 30–59, interpret with caution. "
            "*: not shown, unweighted base below 30.")
    assert rule in methods(analysis, inputs, t)
    limits = chapters._limits_block(analysis, inputs, t, None).bullets[-1]
    flags = analysis.estimates["flag"]
    assert limits == (f"Some groups are small: of the {len(flags):,} estimates published with "
                      f"this report (estimates.csv), {(flags == 'caution').sum():,} rest on "
                      f"30–59 interviews (shown in parentheses) and "
                      f"{(flags == 'suppressed').sum():,} on fewer than 30 (not shown).")
