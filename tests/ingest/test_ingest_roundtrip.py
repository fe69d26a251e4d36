"""Round trip: the demo study generated in each format imports to the same rows."""

import shutil

import pandas as pd
import pytest

from dhkit.demo.study import generate_study
from dhkit.ingest.importer import import_files
from dhkit.workspace.config import init_study

FORMATS = ("kobo_csv", "odk_csv", "sav", "dta", "parquet")
META = ["_key", "_parent_key", "_source_file", "_source_row", "_import_id", "_submission_time",
        "_form_version", "_kobo_id", "_instance_id", "_deprecated_id", "_edits"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return generate_study(out, children=40, formats=FORMATS)


def store_rows(study):
    with study.open_store() as s:
        out = {}
        for t in ("main", "instance", "roster"):
            if not s.has_table(t):
                continue
            df = s.read(t)
            out[t] = df.drop(columns=[c for c in META if c in df]).sort_values(
                list(df.columns.drop([c for c in META if c in df]))).reset_index(drop=True)
        return out


@pytest.fixture(scope="module")
def from_kobo(demo, tmp_path_factory):
    study = init_study(tmp_path_factory.mktemp("kobo"), demo=True)
    result = import_files(study, demo.paths["kobo_csv"])
    assert result.ok, [str(p) for p in result.report][:5]
    return result, store_rows(study)


def test_kobo_csv_imports_every_submission_and_repeat_row(demo, from_kobo):
    result, rows = from_kobo
    c = demo.counts
    assert result.accepted == {"main": c.submissions, "instance": c.instances,
                               "roster": c.roster_members}
    assert sum(result.quarantined.values()) == 0
    assert rows["instance"]["hh_id"].notna().all()


@pytest.mark.parametrize("fmt", ["odk_csv", "sav", "dta", "parquet"])
def test_every_format_gives_the_same_rows_as_kobo_csv(demo, from_kobo, fmt, tmp_path):
    study = init_study(tmp_path, demo=True)
    result = import_files(study, demo.paths[fmt])
    assert sum(result.quarantined.values()) == 0
    assert not [p for p in result.report if p.code != "IMP-003"]
    got = store_rows(study)
    for table, expected in from_kobo[1].items():
        pd.testing.assert_frame_equal(got[table], expected, check_dtype=False)


def test_kobo_xlsx_with_a_sheet_per_repeat_gives_the_same_rows(demo, from_kobo, tmp_path):
    xlsx = tmp_path / "export.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xw:
        for path, sheet in zip(demo.paths["kobo_csv"], ("main", "instance", "roster")):
            name = {"household_survey.csv": "household_survey"}.get(path.name,
                                                                      path.stem.split("-")[-1])
            pd.read_csv(path, sep=";", dtype=str).to_excel(xw, sheet_name=name, index=False)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [xlsx])
    assert result.ok and sum(result.quarantined.values()) == 0
    got = store_rows(study)
    for table, expected in from_kobo[1].items():
        pd.testing.assert_frame_equal(got[table], expected, check_dtype=False)


def test_integer_coded_choices_are_stored_as_numbers(from_kobo):
    main = from_kobo[1]["main"]
    assert pd.api.types.is_integer_dtype(main["ab_unwanted_images"])
    assert set(main["region"].dropna()) <= {"caribe", "centro_sur", "centro_oriente",
                                            "eje_cafetero", "llano", "pacifico"}


def test_split_select_multiple_columns_become_the_space_separated_value(demo, from_kobo,
                                                                         tmp_path):
    src = pd.read_csv(demo.paths["kobo_csv"][1], sep=";", dtype=str)
    whole = "child/instance/inst_platform"
    src = src.drop(columns=[whole])          # only the 0/1 columns remain
    split_only = tmp_path / "instance.csv"
    src.to_csv(split_only, sep=";", index=False)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [demo.paths["kobo_csv"][0], split_only])
    assert result.quarantined.get("instance", 0) == 0
    got = store_rows(study)["instance"]
    pd.testing.assert_series_equal(got["inst_platform"], from_kobo[1]["instance"]["inst_platform"])


def test_sav_value_labels_are_kept(demo, tmp_path):
    study = init_study(tmp_path, demo=True)
    import_files(study, demo.paths["sav"])
    with study.open_store() as s:
        labels = s.con.execute("SELECT label FROM value_labels WHERE variable = 'area' "
                               "AND value = '1'").fetchall()
    assert labels and labels[0][0]


def test_label_headers_with_group_labels_map_to_the_questions(demo, from_kobo, tmp_path):
    from dhkit.instrument import shipped_codebook

    cb = shipped_codebook()
    src = pd.read_csv(demo.paths["kobo_csv"][0], sep=";", dtype=str)
    by_path = {q.path: q for q in cb.questions.values()}

    def label(header):
        parts = header.split("/")
        q = by_path.get(header)
        if q is None or not q.labels:
            return header
        groups = [cb.questions[g].labels.get("en", g) for g in parts[:-1] if g in cb.questions]
        return "/".join(groups + [q.labels["en"]])

    src.columns = [label(c) for c in src.columns]
    assert "caregiver/cg_sex" not in src.columns
    path = tmp_path / "labels.csv"
    src.to_csv(path, sep=";", index=False)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [path])
    assert result.ok, [str(p) for p in result.report][:3]
    got = store_rows(study)["main"]
    pd.testing.assert_frame_equal(got, from_kobo[1]["main"], check_dtype=False)


def test_comma_separated_csv_with_bare_names_gives_the_same_rows(demo, from_kobo, tmp_path):
    from dhkit.instrument import shipped_codebook

    paths = {q.path: q.name for q in shipped_codebook().questions.values()}
    src = pd.read_csv(demo.paths["kobo_csv"][0], sep=";", dtype=str)
    src = src[[c for c in src.columns if c in paths or c.startswith("_")]]   # no split columns
    src.columns = [paths.get(c, c) for c in src.columns]
    path = tmp_path / "plain.csv"
    src.to_csv(path, sep=",", index=False)
    study = init_study(tmp_path / "s", demo=True)
    result = import_files(study, [path])
    assert result.ok
    pd.testing.assert_frame_equal(store_rows(study)["main"], from_kobo[1]["main"],
                                  check_dtype=False)
