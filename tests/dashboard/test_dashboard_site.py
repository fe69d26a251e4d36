"""The static public site: every view in both languages, the report's figures and flags,
and nothing restricted or suppressed in any file."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from dhkit.dashboard.build import build_site
from dhkit.errors import DhkitError

from dash_helpers import file_text, leaks

VIEWS = ["index.html", "compare.html", "legal.html", "recommendations.html", "downloads.html",
         "about.html", "codebook.html"]


def test_every_view_exists_in_english_and_spanish(site, site_data):
    for lang in ("en", "es"):
        for view in VIEWS + [f"indicators/{i}.html" for i in site_data.indicators]:
            html = (site.out_dir / lang / view).read_text(encoding="utf-8")
            assert f'<html lang="{lang}">' in html
            assert f'href="../{"es" if lang == "en" else "en"}/' in html or "indicators/" in view


def test_spanish_pages_are_translated(site):
    html = (site.out_dir / "es/indicators/any_tfcsea.html").read_text(encoding="utf-8")
    assert "Cualquier ESNNA" in html or "ESNNA" in html
    assert "Porcentaje" in html and "IC 95 %" in html


def test_no_file_of_the_site_holds_restricted_content(site, planted):
    files = [p for p in site.out_dir.rglob("*") if p.is_file()]
    assert len(files) > 100
    for path in files:
        text = file_text(path)
        leaked = leaks(text, planted.markers)
        assert not leaked, f"{path} holds restricted content {leaked[:3]}"


def test_suppressed_estimates_are_blank_in_every_data_file(site, site_data):
    private = site_data.analysis.estimates
    hidden = private[private["flag"] == "suppressed"]
    assert len(hidden) > 50                       # the small study has many small cells
    rows = pd.read_csv(site.out_dir / "data/estimates.csv", keep_default_na=False)
    sup = rows[rows["flag"] == "suppressed"]
    assert len(sup) == len(hidden)
    assert (sup[["estimate", "ci_low", "ci_high"]] == "").all().all()
    records = json.loads((site.out_dir / "data/estimates.json").read_text(encoding="utf-8"))
    assert all(r["estimate"] is None for r in records if r["flag"] == "suppressed")
    # no suppressed value at any precision the site writes, in any file
    values = {f"{v:.8f}" for v in hidden["estimate"] if 0 < v < 1}
    values = {v for v in values if len(v.rstrip("0")) >= 8}     # distinctive digits only
    shown = {f"{v:.8f}" for v in private.loc[private["flag"] != "suppressed", "estimate"]}
    assert len(values) > 50
    values -= shown
    for path in [p for p in site.out_dir.rglob("*") if p.suffix in (".csv", ".json", ".js",
                                                                       ".xlsx")]:
        text = file_text(path)
        assert not [v for v in values if v in text], path


def test_suppressed_cells_show_a_star_and_caution_cells_parentheses(site, site_data):
    html = (site.out_dir / "en/indicators/any_tfcsea.html").read_text(encoding="utf-8")
    pub = site_data.public.set_index("row_id")
    cells = re.findall(r'data-row="(\d+)">([^<]*)<', html)
    assert cells
    for row_id, text in cells:
        flag = pub.loc[int(row_id), "flag"]
        if flag == "suppressed":
            assert text == "*"
        elif flag == "caution":
            assert text.startswith("(") and text.endswith(")")
        elif text == "—":       # 100 % / 0 % by construction (any TF-CSEA by TF-CSEA status)
            row = pub.loc[int(row_id)]
            assert row["se"] == 0 and row["estimate"] in (0.0, 1.0)
            assert "—: not an estimate" in html
        else:
            assert float(text) == pytest.approx(pub.loc[int(row_id), "estimate"] * 100, abs=0.05)


def test_figures_are_the_reports_own_estimates(site, site_data):
    rows = pd.read_csv(site.out_dir / "data/estimates.csv")
    pub = site_data.public
    merged = rows.merge(pub[["row_id", "estimate", "n_unweighted"]], on="row_id",
                        suffixes=("", "_report"))
    assert len(merged) == len(pub)
    shown = merged["estimate"].notna()
    assert (merged.loc[shown, "estimate"] - merged.loc[shown, "estimate_report"]).abs().max() \
        < 1e-9
    assert (merged["n_unweighted"] == merged["n_unweighted_report"]).all()


def test_public_files_carry_no_standard_errors_or_design_effects(site):
    header = (site.out_dir / "data/estimates.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == ["row_id", "indicator", "category", "base", "unit", "domain",
                                 "level", "estimate", "ci_low", "ci_high", "n_unweighted",
                                 "flag"]


def test_every_pair_of_domain_levels_has_a_design_based_test(site_data):
    pairs = site_data.pairs
    cat = site_data.analysis.catalogue
    for dom in site_data.domains:
        k = len(cat.domains[dom].levels)
        got = pairs[(pairs.indicator == "any_tfcsea") & (pairs.domain == dom)
                    & (pairs.category == "")]
        assert len(got) == k * (k - 1) // 2, dom


def test_planned_contrasts_equal_the_reports(site_data):
    planned = site_data.analysis.contrasts
    row = planned[(planned.indicator == "any_tfcsea") & (planned.domain == "sex")
                  & (planned.category == "")].iloc[0]
    pairs = site_data.pairs
    same = pairs[(pairs.indicator == "any_tfcsea") & (pairs.domain == "sex")
                 & (pairs.level_a == row.level_a) & (pairs.level_b == row.level_b)
                 & (pairs.category == "")].iloc[0]
    assert same.difference == pytest.approx(row.difference, rel=1e-12)
    assert same.p_value == pytest.approx(row.p_value, rel=1e-12)


def test_a_pair_with_a_suppressed_side_is_hidden(site_data):
    pairs = site_data.pairs
    hidden = pairs[pairs["suppressed"]]
    assert len(hidden) and hidden["difference"].isna().all() and hidden["p_value"].isna().all()
    assert not hidden["significant"].any()


def test_downloads_exist_for_every_indicator_in_both_languages(site, site_data):
    data = site.out_dir / "data"
    for ind in site_data.indicators:
        assert (data / f"indicators/{ind}.csv").stat().st_size > 50
        for lang in ("en", "es"):
            assert (data / f"indicators/{ind}-{lang}.xlsx").stat().st_size > 1000


def test_excel_download_reopens_with_labels_and_blank_suppressed_cells(site):
    from openpyxl import load_workbook

    wb = load_workbook(site.out_dir / "data/indicators/any_tfcsea-es.xlsx", read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    head = rows[0]
    assert "estimate_pct" in head and "level_label" in head
    flag, est = head.index("flag"), head.index("estimate_pct")
    assert any(r[flag] == "suppressed" for r in rows[1:])
    assert all(r[est] is None for r in rows[1:] if r[flag] == "suppressed")
    assert "Total" in [r[head.index("level_label")] for r in rows[1:]]


def test_legal_summary_and_recommendations_link_their_evidence(site):
    legal = (site.out_dir / "en/legal.html").read_text(encoding="utf-8")
    recs = (site.out_dir / "en/recommendations.html").read_text(encoding="utf-8")
    assert "Not met" in legal and 'href="recommendations.html#rec-' in legal
    assert 'id="rec-1.1"' in recs
    assert 'href="indicators/any_tfcsea.html"' in recs
    assert 'href="legal.html#item-' in recs


def test_assets_are_local_and_need_no_network(site):
    for path in site.out_dir.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def test_manifest_lists_every_file_with_its_hash(site):
    manifest = json.loads((site.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "dhkit-dashboard"
    assert "en/index.html" in manifest["files"] and "assets/data.js" in manifest["files"]
    assert manifest["disclosure"] == {"suppress_below": 25, "caution_below": 50}


def test_build_refuses_a_folder_that_is_not_an_earlier_dashboard(site_data, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(DhkitError) as e:
        build_site(site_data, tmp_path)
    assert e.value.code == "DSH-002"
    assert (tmp_path / "notes.txt").exists()


def test_build_refuses_the_study_folder(site_data):
    with pytest.raises(DhkitError) as e:
        build_site(site_data, site_data.study_dir)
    assert e.value.code == "DSH-003"


def test_the_codebook_the_about_page_names_is_on_the_site_without_data(site, planted):
    for lang, word in (("en", "Codebook"), ("es", "Libro de códigos")):
        about = (site.out_dir / lang / "about.html").read_text(encoding="utf-8")
        assert 'href="codebook.html"' in about and f"data/codebook-{lang}.csv" in about
        assert "codebook.html and codebook.csv" not in about   # the report's own pointer
        page = (site.out_dir / lang / "codebook.html").read_text(encoding="utf-8")
        assert f"<h1>{word}</h1>" in page
        assert "<code>ab_unwanted_images</code>" in page and "<code>interview_result</code>" in page
        csv = (site.out_dir / "data" / f"codebook-{lang}.csv").read_text(encoding="utf-8-sig")
        assert csv.startswith("name,path,level,type,list,label_" + lang)
    # the instrument's variables only: no household id, PSU id or answer of the study
    with planted.study.open_store() as store:
        main = store.read("main")
    ids = set(main["hh_id"].astype(str)) | set(main["psu_id"].astype(str))
    for lang in ("en", "es"):
        text = (site.out_dir / lang / "codebook.html").read_text(encoding="utf-8") + \
            (site.out_dir / "data" / f"codebook-{lang}.csv").read_text(encoding="utf-8-sig")
        assert not [i for i in ids if i in text]


@pytest.mark.parametrize("lang, rule, appendix, precision", [
    ("en", "Values in parentheses: unweighted base of 25–49, interpret with caution.",
     "sampling-error appendix", "Each indicator page shows every figure with its 95% "
     "confidence interval and unweighted base"),
    ("es", "Valores entre paréntesis: base no ponderada de 25 a 49, interpretar con cautela.",
     "anexo de errores de muestreo", "Cada página de indicador muestra cada cifra con su "
     "intervalo de confianza del 95\u00a0% y su base no ponderada")])   # "%" kept on its line
def test_the_about_page_states_the_disclosure_rule_once_and_no_analyst_only_page(
        site, lang, rule, appendix, precision):
    about = (site.out_dir / lang / "about.html").read_text(encoding="utf-8")
    body = about.split("<main", 1)[-1].split("</main>", 1)[0]
    assert body.count(rule) == 1
    assert appendix not in body.lower()
    assert precision in body


def test_recommendations_cite_each_indicator_by_its_figure_and_base(site):
    recs = (site.out_dir / "en/recommendations.html").read_text(encoding="utf-8")
    link = re.search(r'<a href="indicators/any_tfcsea.html" data-indicator="any_tfcsea">'
                     r'([^<]*)</a>', recs).group(1)
    assert re.fullmatch(r"Subjected to any TF-CSEA in the past year: \d+\.\d% \(base: "
                        r"internet-using children aged 12–17, n = \d+\)", link)
    assert ">any_tfcsea<" not in recs
    # a recommendation resting on interview codes alone: no empty part before them
    flat = re.sub(r"\s+", " ", recs)
    assert "Evidence: ;" not in flat and "Evidence: interview codes" in flat


def test_the_comparison_names_the_base_of_the_indicator(site):
    html = (site.out_dir / "en/compare.html").read_text(encoding="utf-8")
    labels = json.loads(re.search(r'<script type="application/json" id="labels">(.*?)</script>',
                                  html, re.S).group(1))
    entry = next(x for x in labels["indicators"] if x[:2] == ["told_anyone", ""])
    assert entry[3] == ("Base: internet-using children aged 12–17 subjected to TF-CSEA in the "
                        "past year.")
