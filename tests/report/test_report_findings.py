"""Written findings: placeholders follow the estimates, wording follows the design-based
test, small bases are worded as caution, and edited text that states a number or a
difference the estimates do not support stops the build (FND-00x with file and line)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from dhkit.disclosure import Thresholds
from dhkit.errors import ValidationError
from dhkit.indicators.catalogue import load_catalogue, load_plan
from dhkit.report.findings import draft, findings_for, parse_findings
from dhkit.report.i18n import Translator

CAT = load_catalogue()
PLAN = load_plan(catalogue=CAT)


def _row(ind, est, n=999, dom="", lvl="", flag="", cat=""):
    return {"indicator": ind, "category": cat, "domain": dom, "level": lvl, "estimate": est,
            "n_unweighted": n, "flag": flag,
            "population": None if est is None else est * 4_100_000}


def _analysis(area_p=0.001, rural_n=349, rural_flag=""):
    public = pd.DataFrame([
        _row("any_tfcsea", 0.21), _row("any_tfcsea", 0.17, 650, "area", "1"),
        _row("any_tfcsea", 0.29, rural_n, "area", "2", rural_flag),
        _row("ab_unwanted_images", 0.15), _row("told_anyone", None, 12, flag="suppressed"),
    ])
    contrasts = pd.DataFrame([{"indicator": "any_tfcsea", "category": "", "domain": "area",
                               "level_a": "1", "level_b": "2", "difference": 0.12,
                               "p_value": area_p, "significant": area_p < 0.05,
                               "suppressed": False}])
    return SimpleNamespace(catalogue=CAT, plan=PLAN, public=public, estimates=public,
                           contrasts=contrasts)


def _inputs(tmp_path: Path, text: str | None = None, lang: str = "en"):
    if text is not None:
        (tmp_path / f"findings.{lang}.md").write_text(text, encoding="utf-8")
    return SimpleNamespace(study=SimpleNamespace(dir=tmp_path), thresholds=Thresholds())


def _render(tmp_path, text, analysis=None, lang="en"):
    return findings_for(analysis or _analysis(), _inputs(tmp_path, text, lang), Translator(lang))


def test_placeholders_take_the_estimates_in_the_reports_locale(tmp_path):
    text = "## summary\nOverall {{pct any_tfcsea}}, about {{pop any_tfcsea}} children.\n"
    assert _render(tmp_path, text).summary == ["Overall 21.0%, about 860,000 children."]
    es = "## summary\nEn total {{pct any_tfcsea}}.\n"
    assert _render(tmp_path, es, lang="es").summary == ["En total 21,0\xa0%."]


def test_a_difference_is_called_one_only_when_the_design_based_test_says_so(tmp_path):
    text = "## summary\nBy area: {{diff any_tfcsea area}}.\n"
    sig = _render(tmp_path, text).summary[0]
    assert sig == ("By area: the share was higher among children in rural areas (29.0%) than "
                   "among children in urban areas (17.0%), a statistically significant "
                   "difference of 12.0 percentage points (p = 0.001).")
    ns = _render(tmp_path, text, _analysis(area_p=0.2)).summary[0]
    assert ns == ("By area: the share among children in urban areas (17.0%) and among "
                  "children in rural areas (29.0%) does not differ significantly (p = 0.200).")


def test_a_difference_opening_a_sentence_reads_as_one_in_both_languages(tmp_path):
    text = "## summary\nOverall {{pct any_tfcsea}}. {{diff any_tfcsea area}}.\n"
    assert _render(tmp_path, text).summary[0] == (
        "Overall 21.0%. The share was higher among children in rural areas (29.0%) than "
        "among children in urban areas (17.0%), a statistically significant difference of "
        "12.0 percentage points (p = 0.001).")
    assert _render(tmp_path, text, lang="es").summary[0] == (
        "Overall 21,0\xa0%. La proporción fue mayor entre quienes viven en zonas rurales "
        "(29,0\xa0%) que entre quienes viven en zonas urbanas (17,0\xa0%), una diferencia "
        "estadísticamente significativa de 12,0 puntos porcentuales (p = 0,001).")


def test_a_caution_figure_in_a_difference_keeps_one_pair_of_parentheses(tmp_path):
    text = "## summary\n{{diff any_tfcsea area}}.\n"
    out = _render(tmp_path, text, _analysis(rural_n=38, rural_flag="caution")).summary[0]
    assert "children in rural areas (29.0%; interpret with caution: n = 38) than" in out


def test_a_small_base_is_worded_as_caution(tmp_path):
    text = "## summary\nRural: {{pct any_tfcsea area=2}}.\n"
    out = _render(tmp_path, text, _analysis(rural_n=38, rural_flag="caution")).summary[0]
    assert out == "Rural: (29.0%; interpret with caution: n = 38)."


def test_edited_text_claiming_a_difference_the_test_rejects_fails_the_build(tmp_path):
    text = ("## summary\n\nRural children are significantly more likely to be abused: "
            "{{diff any_tfcsea area}}.\n")
    with pytest.raises(ValidationError) as exc:
        _render(tmp_path, text, _analysis(area_p=0.3))
    (problem,) = exc.value.report.problems
    assert problem.code == "FND-003" and problem.line == 3
    assert problem.file.endswith("findings.en.md")


def test_a_claim_bound_to_a_significant_contrast_passes(tmp_path):
    text = "## summary\nRural children are significantly more often affected: {{diff any_tfcsea area}}.\n"
    assert "p = 0.001" in _render(tmp_path, text).summary[0]


def test_a_typed_number_no_estimate_supports_fails_and_a_supported_one_passes(tmp_path):
    with pytest.raises(ValidationError) as exc:
        _render(tmp_path, "## summary\nOne child in four (25 %) was affected.\n")
    assert [p.code for p in exc.value.report.problems] == ["FND-002"]
    assert _render(tmp_path, "## summary\nAbout 21% were affected.\n").summary


def test_unknown_indicator_and_suppressed_estimate_are_all_listed(tmp_path):
    text = "## summary\nA {{pct no_such_thing}}.\n\nB {{pct told_anyone}}.\n\n## nowhere\nC.\n"
    with pytest.raises(ValidationError) as exc:
        _render(tmp_path, text)
    codes = sorted(p.code for p in exc.value.report.problems)
    assert codes == ["FND-001", "FND-001", "FND-004"]


def test_first_draft_binds_every_figure_to_a_placeholder(tmp_path):
    text = draft(_analysis(), Translator("en"))
    body = "\n".join(p for paras in parse_findings(text).values() for _, p in paras)
    assert "{{pct any_tfcsea}}" in body and "{{diff any_tfcsea area}}" in body
    assert "%" not in body.replace("{{", "").split("-->")[-1]
    out = findings_for(_analysis(), _inputs(tmp_path), Translator("en"))
    assert out.origin == "draft" and out.summary[0].startswith("In the past year, 21.0%")


def test_a_draft_never_cites_a_suppressed_cell(tmp_path):
    analysis = _analysis(rural_n=12, rural_flag="suppressed")
    analysis.public.loc[analysis.public["level"] == "2", "estimate"] = None
    analysis.contrasts["suppressed"] = True
    analysis.contrasts["p_value"] = None
    out = findings_for(analysis, _inputs(tmp_path), Translator("en"))
    assert out.summary[0].endswith(" The share among children in urban areas cannot be "
                                   "compared with that among children in rural areas: too "
                                   "few interviews.")


def _fails_with(tmp_path, text, ratio=None):
    with pytest.raises(ValidationError) as exc:
        findings_for(_analysis(), _inputs(tmp_path, text), Translator("en"), ratio)
    return [p.code for p in exc.value.report.problems]


def test_a_typed_count_no_base_or_population_supports_fails(tmp_path):
    assert _fails_with(tmp_path, "## summary\nOf the 205 victims, most told no one.\n") == \
        ["FND-002"]
    assert _fails_with(tmp_path, "## summary\nAll were asked (n = 1,000).\n") == ["FND-002"]
    assert _fails_with(tmp_path, "## summary\nAbout 900,000 children were affected.\n") == \
        ["FND-002"]


def test_a_typed_count_that_is_a_base_or_a_rounded_population_passes(tmp_path):
    # 999 is the base of any_tfcsea; 21 % of 4.1 million = 861,000 → 860,000 as typed
    text = ("## summary\nOf 999 children (n = 999), about 860,000 children were affected. "
            "One in 5 children said so.\n")
    assert _render(tmp_path, text).summary


def test_a_typed_ratio_must_be_the_reports_prevalence_ratio(tmp_path):
    pr = SimpleNamespace(ratio=3.134, ci_low=2.399, ci_high=4.094, se_log=0.135,
                         n_exposed=78, n_reference=921)
    ok = "## summary\nThe ratio was 3.1 times (prevalence ratio 3.13; 78 children).\n"
    assert findings_for(_analysis(), _inputs(tmp_path, ok), Translator("en"), pr).summary
    assert _fails_with(tmp_path, "## summary\nIt was 2.5 times the rate.\n", pr) == ["FND-002"]
    assert _fails_with(tmp_path, "## summary\nIt was 3 times the rate.\n") == ["FND-002"]
    es = "## summary\nFue 3,1 veces la tasa.\n"
    assert findings_for(_analysis(), _inputs(tmp_path, es, "es"), Translator("es"), pr).summary


def _told(formal):
    a = _analysis()
    extra = pd.DataFrame([_row("told_anyone", 0.49, 205), _row("told_no_one", 0.37, 205),
                          _row("reported_formal", formal, 205)])
    a.public = pd.concat([a.public[a.public["indicator"] != "told_anyone"], extra],
                         ignore_index=True)
    a.estimates = a.public
    return a


@pytest.mark.parametrize("lang, words", [
    ("en", "none of the 205 children who were subjected to it reported it to the police"),
    ("es", "ninguno de los 205 niños, niñas y adolescentes que la sufrieron lo denunció")])
def test_no_formal_report_is_worded_as_none_of_the_base_not_zero_per_cent(tmp_path, lang,
                                                                         words):
    out = findings_for(_told(0.0), _inputs(tmp_path), Translator(lang))
    told = [p for p in out.summary if "205" in p][0]
    assert words in told and "0.0%" not in told and "0,0" not in told


def test_a_non_zero_formal_report_is_cited_as_a_per_cent(tmp_path):
    out = findings_for(_told(0.03), _inputs(tmp_path), Translator("en"))
    assert any("3.0% reported it to the police" in p for p in out.summary)


def test_the_most_common_form_is_named_inside_the_sentence_in_lower_case(tmp_path):
    out = findings_for(_analysis(), _inputs(tmp_path), Translator("en"))
    assert "The most common form was “sent unwanted sexual images” (15.0%)." in out.summary


def test_a_chapter_box_lists_distinct_findings_one_each(tmp_path):
    out = findings_for(_analysis(), _inputs(tmp_path), Translator("en"))
    box = out.sections["abuse"]
    assert box[0] == "Subjected to any TF-CSEA in the past year: 21.0%."
    assert len(box) == len(set(box)) and 1 < len(box) <= 6
    assert "Subjected to any TF-CSEA in the past year: the share was higher among children " \
        "in rural areas (29.0%) than among children in urban areas (17.0%), a statistically " \
        "significant difference of 12.0 percentage points (p = 0.001)." in box


def test_the_draft_summary_states_the_headline_and_its_differences_in_one_paragraph(tmp_path):
    out = findings_for(_analysis(), _inputs(tmp_path), Translator("en"))
    assert out.summary[0] == (
        "In the past year, 21.0% of internet-using children aged 12–17 were subjected to at "
        "least one form of TF-CSEA, equivalent to an estimated 860,000 children. The share "
        "was higher among children in rural areas (29.0%) than among children in urban "
        "areas (17.0%), a statistically significant difference of 12.0 percentage points "
        "(p = 0.001).")


def _multi(analysis, ind, levels):
    rows = [_row(ind, est, 205, cat=code) for code, est in levels.items()]
    analysis.public = pd.concat([analysis.public, pd.DataFrame(rows)], ignore_index=True)
    analysis.estimates = analysis.public
    return analysis


def test_a_box_names_the_answer_given_most_often_leaving_out_catch_alls(tmp_path):
    a = _multi(_told(0.0), "inst_why_not_told", {"dont_know_where": 0.317,
                                                  "embarrassed": 0.162, "other": 0.449})
    out = findings_for(a, _inputs(tmp_path), Translator("en"))
    box = out.sections["disclosure"]
    assert "Reasons for not telling anyone: the answer given most often was “Did not know " \
        "where or whom to tell” (31.7%)." in box
    assert not any("Other reason" in p or "44.9" in p for p in box)


@pytest.mark.parametrize("lang, sentence", [
    ("en", "Where the caregiver would report abuse: the answer given most often was “Police” "
           "(51.9%)."),
    ("es", "Dónde denunciaría el cuidador un abuso: la respuesta más frecuente fue «Policía» "
           "(51,9\xa0%).")])
def test_the_answer_given_most_often_is_quoted_so_the_sentence_needs_no_article(
        tmp_path, lang, sentence):
    """An answer label such as "Police" is not a phrase a sentence takes as it stands
    ("most often police" lacks its article; "con mayor frecuencia, policía" too): the
    sentence quotes the answer as the questionnaire words it."""
    a = _multi(_told(0.0), "cg_would_report", {"police": 0.519, "family": 0.323,
                                                "nobody": 0.019})
    out = findings_for(a, _inputs(tmp_path), Translator(lang))
    assert sentence in out.sections["reporting"]


def test_a_box_words_a_zero_share_as_none_of_the_base(tmp_path):
    out = findings_for(_told(0.0), _inputs(tmp_path), Translator("en"))
    assert "Reported to the police, a helpline or a social worker: none of the 205 children " \
        "in the base." in out.sections["reporting"]
    es = findings_for(_told(0.0), _inputs(tmp_path), Translator("es"))
    assert any(p.endswith(": 0 de 205 niñas, niños y adolescentes de la base.")
               for p in es.sections["reporting"])


def test_a_recommendations_citation_skips_catch_alls_and_words_zero_as_none():
    from dhkit.report.evidence import figure_texts

    a = _multi(_told(0.0), "inst_why_not_told", {"dont_know_where": 0.317,
                                                  "embarrassed": 0.162, "other": 0.449})
    texts = figure_texts(a, Translator("en"), {"inst_why_not_told": "17",
                                               "reported_formal": "18"})
    assert texts["inst_why_not_told"].startswith(
        "Reasons for not telling anyone: Did not know where or whom to tell 31.7% (base: ")
    assert texts["reported_formal"] == (
        "Reported to the police, a helpline or a social worker: none (base: internet-using "
        "children aged 12–17 subjected to TF-CSEA in the past year, n = 205; Table 18)")


def test_none_of_the_base_stops_the_build_once_the_share_is_not_zero(tmp_path):
    """A draft saved while no child reported formally says "none of the 205"; when the
    data later hold 3 %, the saved sentence is no longer true and the build says so."""
    text = draft(_told(0.0), Translator("en"))
    assert "none of the {{n reported_formal}} children" in text
    with pytest.raises(ValidationError) as exc:
        findings_for(_told(0.03), _inputs(tmp_path, text), Translator("en"))
    problems = [p for p in exc.value.report.problems if p.code == "FND-002"]
    assert [p.message for p in problems][:1] == [
        "the sentence says none of the base for 'reported_formal', whose estimate is 3.0%"]
    assert findings_for(_told(0.0), _inputs(tmp_path, text), Translator("en")).summary


def test_a_chapter_does_not_repeat_a_finding_an_earlier_chapter_gave(tmp_path):
    """The drivers chapter holds the overlap table, whose first row is any TF-CSEA: its
    box does not list again the prevalence chapter 1 already gave."""
    a = _analysis()
    a.public = pd.concat([a.public, pd.DataFrame([_row("inperson_sv", 0.078)])],
                         ignore_index=True)
    a.estimates = a.public
    out = findings_for(a, _inputs(tmp_path), Translator("en"))
    assert "Subjected to any TF-CSEA in the past year: 21.0%." in out.sections["abuse"]
    assert "Subjected to in-person sexual violence in the past year: 7.8%." in \
        out.sections["drivers"]
    assert not any(p.startswith("Subjected to any TF-CSEA") for p in out.sections["drivers"])


def test_the_chapter_with_the_overlap_table_states_the_prevalence_ratio(tmp_path):
    pr = SimpleNamespace(ratio=3.134, ci_low=2.399, ci_high=4.094, se_log=0.135,
                         n_exposed=78, n_reference=921)
    out = findings_for(_analysis(), _inputs(tmp_path), Translator("en"), pr)
    assert out.sections["drivers"][0] == (
        "Children subjected to in-person sexual violence were 3.1 times as likely "
        "(prevalence ratio 3.1, 95% CI 2.4 to 4.1) to be subjected to TF-CSEA.")
    assert not any("prevalence ratio" in p for p in out.sections["abuse"])
