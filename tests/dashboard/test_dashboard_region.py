"""With a region folder the site shows the country comparison: the regional tables as the
regional report builds them (:func:`dhkit.region.render.table_views`), in both languages.

The two "countries" are the same planted demo study under two ids; each country's national
analysis is taken from the analysis the dashboard already made (the regional pipeline's
own national step is the report's, tested with the region layer), so this stays fast."""

from __future__ import annotations

import dataclasses

import pytest

from dash_helpers import file_text, leaks

from dhkit.dashboard.build import build_site
from dhkit.dashboard.data import collect_region

REGION = """
[region]
name = "Test region"
languages = ["en", "es"]
harmonisation = "harmonisation.yaml"
combine = "population"
on_suppressed = "exclude"
suppress_below = 25
caution_below = 50

[[countries]]
id = "CO"
name = {{ en = "Colombia", es = "Colombia" }}
study = "{study}"

[[countries]]
id = "PE"
name = {{ en = "Peru", es = "Perú" }}
study = "{study}"
"""


@pytest.fixture(scope="module")
def region_site(planted, site_data, tmp_path_factory):
    from dhkit.region import report as region_report
    from dhkit.region.config import starter_harmonisation, write_harmonisation
    from dhkit.region.estimates import CountryEstimates
    from dhkit.report.build import TIDY_ORDER

    folder = tmp_path_factory.mktemp("region")
    (folder / "region.toml").write_text(REGION.format(study=planted.study.dir),
                                        encoding="utf-8")
    write_harmonisation(starter_harmonisation(), folder / "harmonisation.yaml")
    from dhkit.region.estimates import extra_estimates
    from dhkit.report.study import inputs_from_study
    from dhkit.workspace.config import load_study

    a = site_data.analysis
    inputs = inputs_from_study(load_study(planted.study.dir))
    public = a.public[[c for c in TIDY_ORDER if c in a.public.columns]]
    added = {}

    def country(ref, needs=None):
        # the cells the region adds to the national table (same engine), made once
        if "x" not in added:
            added["x"] = extra_estimates(inputs, a.catalogue, a.plan, public, needs or {})
        x = added["x"]
        return CountryEstimates(ref=ref, study_name=site_data.study_name,
                                study_dir=site_data.study_dir, languages=("en", "es"),
                                synthetic=True, thresholds=site_data.thresholds,
                                population=ref.population, design=a.design_summary,
                                calibrated=True, public=public, analysis=a, tidy_sha256="",
                                extra=None if x is None else x.public[public.columns],
                                extra_analysis=x)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(region_report, "country_estimates", country)
        region = collect_region(folder)
    data = dataclasses.replace(site_data, region=region, cache={})
    return build_site(data, tmp_path_factory.mktemp("rsite") / "site")


def test_the_country_comparison_is_a_page_in_both_languages(region_site):
    en = (region_site.out_dir / "en/countries.html").read_text(encoding="utf-8")
    es = (region_site.out_dir / "es/countries.html").read_text(encoding="utf-8")
    assert "Country comparison" in en and "Colombia" in en and "Peru" in en
    assert "Comparación entre países" in es and "Perú" in es
    assert "Range" in en or "range" in en.lower()
    index = (region_site.out_dir / "en/index.html").read_text(encoding="utf-8")
    assert 'href="../en/countries.html"' in index


def test_country_cells_are_the_published_national_figures_and_nothing_restricted_is_added(
        region_site, site_data, planted):
    from dhkit.report.i18n import Translator

    pub = site_data.public
    row = pub[(pub.indicator == "any_tfcsea") & (pub.domain == "") & (pub.category == "")]
    html = (region_site.out_dir / "en/countries.html").read_text(encoding="utf-8")
    assert html.count(Translator("en").percent(row.estimate.iloc[0])) >= 2     # both countries
    for path in region_site.out_dir.rglob("*"):
        if path.is_file():
            assert not leaks(file_text(path), planted.markers), path


def _countries(region_site, lang="en") -> str:
    return (region_site.out_dir / f"{lang}/countries.html").read_text(encoding="utf-8")


def test_the_countries_page_opens_with_the_ranges_across_countries(region_site, site_data):
    from dhkit.report.i18n import Translator

    html = _countries(region_site)
    pub = site_data.public
    est = pub[(pub.indicator == "told_anyone") & (pub.domain == "") & (pub.category == "")]
    value = Translator("en").percent(est.estimate.iloc[0])
    n = int(est.n_unweighted.iloc[0])
    # both "countries" are the same study: the range is one value, said so, with both bases
    assert '<h2 id="rg">Ranges across countries</h2>' in html
    assert (f'<li><span class="value">{value}</span>\n  <span class="label">Told someone '
            'about what happened</span>') in html
    assert f"(unweighted n: CO {n}, PE {n})" in html
    assert "Rangos entre países" in _countries(region_site, "es")


def test_each_range_names_its_countries_and_a_flat_range_says_so(region_site):
    html = _countries(region_site)
    assert '<br><span class="base">same in every country</span>' in html


def test_the_region_title_is_in_the_pages_language(region_site):
    assert '<p class="chapter">Test region: Colombia, Peru</p>' in _countries(region_site)
    assert '<p class="chapter">Test region: Colombia, Perú</p>' in _countries(region_site, "es")


def test_the_countries_page_has_no_note_about_a_chart_it_does_not_show(region_site):
    html = _countries(region_site)
    assert "Each bar splits" not in html and "<svg" not in html
    assert "within.csv" not in html and "differences.csv" not in html   # the report's files


def test_a_caution_cell_is_announced_in_words_on_the_countries_page(region_site):
    html = _countries(region_site)
    cells = html.split('<td class="num caution"')[1:]
    assert cells, "the planted study has cells with a small base"
    assert all('<span class="vh"> (interpret with caution)</span>' in c.split("</td>")[0]
               for c in cells)


def test_a_countrys_own_significant_difference_is_marked_and_said_in_words(region_site):
    html = _countries(region_site)
    # the planted study's girls and boys differ on any TF-CSEA (the report marks it †)
    assert ('<span class="sig" aria-hidden="true">†</span><span class="vh"> (the two groups '
            'differ significantly in this country)</span>') in html
    assert "† says that in that country the two groups differ significantly" in html
    assert "† (the two groups differ within that country): Sex: Girls – Boys" in html


def test_the_countries_page_says_each_rule_once_and_every_table_points_to_it(region_site):
    for lang, rule, diff, title in (
            ("en", "variance = Σ (weight share)² × country variance",
             "Welch–Satterthwaite degrees of freedom", "How to read the tables"),
            ("es", "varianza = Σ (proporción del peso)² × varianza del país",
             "grados de libertad de Welch–Satterthwaite", "Cómo leer los cuadros")):
        html = _countries(region_site, lang)
        assert html.count(rule) == 1 and html.count(diff) == 1, lang
        assert f'<h2 id="reading">{title}</h2>' in html
        assert html.index('id="reading"') < html.index('id="rt-prevalence"')
        # eight tables and six differences tables, each with its way back
        assert html.count(f'<a href="#reading">{title}</a>') == 8 + 6, lang


def test_the_countries_page_shows_the_differences_between_countries(region_site):
    html = _countries(region_site)
    # the two "countries" are one study: their difference is 0.0 points, p = 1, unmarked
    assert "<h3 id=\"rd-prevalence\">Differences between countries: " in html
    assert '<tr><th scope="row">Peru − Colombia</th><td class="num">0.0</td>' in html
    row = html.split('<tr><th scope="row">Peru − Colombia</th>', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">1.000</td>' in row and "▲" not in row
    assert "Diferencias entre países" in _countries(region_site, "es")


def test_the_countries_page_carries_the_role_of_caregivers(region_site):
    from dhkit.report.i18n import Translator

    from dhkit.region.config import starter_harmonisation

    assert "caregivers" in [t["id"] for t in starter_harmonisation()["tables"]]
    en, es = _countries(region_site), _countries(region_site, "es")
    assert '<h2 id="rt-caregivers">The role of caregivers</h2>' in en
    assert '<h2 id="rt-caregivers">El papel de los cuidadores</h2>' in es
    row = en.split('<th scope="row">Caregiver would go to the police, a helpline or a social '
                   'worker</th>', 1)[1].split("</tr>", 1)[0]
    # a figure in both "countries" (the same study), from the cells the region added to
    # the national table, and a range of one value
    assert 'title="source: Colombia estimates-regional.csv row ' in row
    figures = [c.split(">", 1)[1].split("<")[0] for c in row.split('<td class="num "')[1:3]]
    assert figures[0] == figures[1] and figures[0].endswith("%")
    assert 0 < float(figures[0].rstrip("%")) < 100
    assert "same in every country" in row
    assert Translator("es").percent(float(figures[0].rstrip("%")) / 100) in es
