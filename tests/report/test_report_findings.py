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
    assert sig == ("By area: Rural 29.0% against Urban 17.0% (a statistically significant "
                   "difference, p = 0.001).")
    ns = _render(tmp_path, text, _analysis(area_p=0.2)).summary[0]
    assert "not statistically significant" in ns and "against" not in ns


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
    assert "By area: Rural and Urban cannot be compared: too few interviews." in out.summary


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
