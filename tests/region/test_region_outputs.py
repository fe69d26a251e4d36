"""The regional report's files: HTML in en and es, Excel, tidy CSV/Parquet with a
country column and provenance, the manifest; re-running gives the same bytes."""

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from dhkit.region.report import build_region_report


def test_every_output_is_written(built):
    for name in ("report.html", "report.es.html", "tables.xlsx", "tables.es.xlsx",
                 "estimates.csv", "estimates.parquet", "regional.csv", "differences.csv",
                 "countries.csv", "manifest.json"):
        assert name in built.files and built.files[name].stat().st_size > 0, name


def test_the_tidy_table_has_a_country_column_and_provenance(built):
    t = pd.read_parquet(built.files["estimates.parquet"])
    assert set(t["country"]) == {"CO", "KE", "PH", "TH"}
    pub = t[t["status"] == "published"]
    assert pub["source_row_id"].notna().all()
    # the national table, or the cells the region added from the same data and design
    national = pub["source_file"] == "countries/" + pub["country"] + "/estimates.csv"
    added = pub["source_file"] == "countries/" + pub["country"] + "/estimates-regional.csv"
    assert (national | added).all() and national.sum() > added.sum() > 0
    assert pub["source_study"].str.startswith("countries/").all()


def test_the_html_names_tables_ranges_and_rules_in_both_languages(built):
    en = built.files["report.html"].read_text(encoding="utf-8")
    es = built.files["report.es.html"].read_text(encoding="utf-8")
    assert "Regional figures at a glance" in en and "Cifras regionales de un vistazo" in es
    assert "Combined (population-weighted)" in en and "Combinado (ponderado por población)" in es
    assert "variance = Σ (weight share)² × country variance" in en
    assert "Facebook" in en and "<svg" in en
    assert "estimates.csv row" in en and "estimates.csv fila" in es


def test_the_workbook_has_numbers_not_text(built):
    wb = load_workbook(built.files["tables.xlsx"], read_only=True)
    assert "Estimates" in wb.sheetnames and "Differences" in wb.sheetnames
    ws = wb[wb.sheetnames[1]]
    values = [c.value for row in ws.iter_rows(min_row=4, max_row=6) for c in row]
    assert any(isinstance(v, float) and 0 <= v <= 1 for v in values)


def test_the_manifest_lists_every_countrys_inputs_and_every_output(built):
    m = json.loads(built.files["manifest.json"].read_text(encoding="utf-8"))
    assert set(m["countries"]) == {"CO", "KE", "PH", "TH"}
    assert all(len(c["estimates_sha256"]) == 64 for c in m["countries"].values())
    assert "estimates.csv" in m["outputs"] and "report.html" in m["outputs"]


def test_re_running_gives_byte_identical_outputs(region, built, tmp_path):
    again = build_region_report(region, tmp_path / "again", pdf=False)
    assert set(again.files) == set(built.files)
    for name, path in built.files.items():
        assert again.files[name].read_bytes() == path.read_bytes(), name


def test_the_table_legend_names_the_regions_own_base_thresholds(analysis):
    from dataclasses import replace

    from dhkit.region.render import table_views

    stricter = replace(analysis, region=replace(analysis.region, suppress_below=30,
                                                caution_below=60))
    en = " ".join(table_views(stricter, "en")[0].rules)
    es = " ".join(table_views(stricter, "es")[0].rules)
    assert "unweighted base 30–59: interpret with caution" in en and "under 30" in en
    assert "base no ponderada de 30 a 59" in es and "menor de 30" in es
    assert "25–49" not in en


def _sheet_rows(path, name):
    wb = load_workbook(path, read_only=True)
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def test_the_workbook_table_gives_each_country_its_ci_and_base_as_numbers(built, analysis):
    rows = _sheet_rows(built.files["tables.xlsx"], "Table 1")
    assert rows[2][1] == "Colombia (CO)" and rows[3][1:5] == ["%", "95% CI low", "95% CI high",
                                                               "n"]
    first = rows[4]
    assert first[0].startswith("Subjected to at least one of four forms")
    c = analysis.cells
    co = c[(c["country"] == "CO") & (c["indicator"] == "ocsea_four_forms")
           & (c["domain"] == "")].iloc[0]
    assert first[1:5] == pytest.approx([co["estimate"], co["ci_low"], co["ci_high"], 200])
    reg = analysis.regional
    r = reg[(reg["indicator"] == "ocsea_four_forms") & (reg["domain"] == "")].iloc[0]
    # range as numbers with the countries at each end, then the combined figure and its CI
    assert first[17:20] == [pytest.approx(r["low"]), pytest.approx(r["high"]),
                            f"{r['low_countries']} – {r['high_countries']}"]
    assert first[20:23] == pytest.approx([r["combined"], r["combined_ci_low"],
                                          r["combined_ci_high"]])


def test_the_workbook_country_rows_table_lists_the_range_ends_by_country(built, analysis):
    # the overlap table (countries in rows, as the platform table): online only first
    rows = _sheet_rows(built.files["tables.xlsx"], "Table 3")
    by_label = {r[0]: r for r in rows if r[0]}
    reg = analysis.regional
    online = reg[(reg["indicator"] == "abuse_space") & (reg["category"] == "1")
                 & (reg["domain"] == "")].iloc[0]
    assert rows[2][1] == "Online only" and rows[3][1:4] == ["%", "95% CI low", "95% CI high"]
    assert by_label["Range: lowest"][1:3] == [pytest.approx(online["low"]),
                                              online["low_countries"]]
    assert by_label["Range: highest"][1:3] == [pytest.approx(online["high"]),
                                               online["high_countries"]]
    c = analysis.cells
    co_n = c[(c["country"] == "CO") & (c["indicator"] == "abuse_space")
             & (c["domain"] == "")]["n_unweighted"].max()
    assert rows[3][-1] == "n" and by_label["Colombia (CO)"][-1] == int(co_n)


def test_the_spanish_workbook_names_its_data_sheets_in_spanish(analysis, tmp_path):
    from dhkit.region.excel import write_workbook

    names = load_workbook(write_workbook(analysis, "es", tmp_path / "tables.es.xlsx"),
                          read_only=True).sheetnames
    assert {"Estimaciones", "Diferencias", "Dentro de cada país", "Países"} <= set(names)
    assert "Estimates" not in names
