"""Every format holds the same rows; SPSS/Stata files carry value labels; the columns
follow the shipped instrument (docs/variables.md)."""

import pandas as pd
import pyreadstat
import pytest

from dhkit.demo.schema import CHOICES, COLUMNS, EXTRA_MAIN
from dhkit.demo.study import generate_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return generate_study(tmp_path_factory.mktemp("demo"), children=150, seed=3)


def _main(study, fmt):
    d = study.out_dir / fmt
    if fmt == "kobo_csv":
        return (pd.read_csv(d / "household_survey.csv", sep=";", dtype=str),
                pd.read_csv(d / "household_survey-instance.csv", sep=";", dtype=str))
    if fmt == "odk_csv":
        return (pd.read_csv(d / "household_survey.csv", dtype=str),
                pd.read_csv(d / "household_survey-instance.csv", dtype=str))
    if fmt == "kobo_xlsx":
        sheets = pd.read_excel(d / "household_survey.xlsx", sheet_name=None, dtype=str)
        return sheets["household_survey"], sheets["instance"]
    if fmt in ("sav", "dta"):
        read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        m, _ = read(str(d / f"household_survey.{fmt}"))
        i, _ = read(str(d / f"household_survey_instance.{fmt}"))
        return m, i
    return (pd.read_parquet(d / "household_survey.parquet"),
            pd.read_parquet(d / "household_survey-instance.parquet"))


def _col(df, name):
    for c in (name, COLUMNS[name].path, COLUMNS[name].path.replace("/", "-")):
        if c in df.columns:
            return df[c]
    raise KeyError(name)


@pytest.mark.parametrize("fmt", ["kobo_csv", "odk_csv", "kobo_xlsx", "sav", "dta", "parquet"])
def test_every_format_holds_the_same_rows(study, fmt):
    ref = study.data.main
    main, inst = _main(study, fmt)
    assert len(main) == len(ref) and len(inst) == len(study.data.instance)
    assert main["hh_id"].tolist() == ref["hh_id"].tolist()
    ages = pd.to_numeric(_col(main, "child_age"), errors="coerce")
    assert ages.fillna(-1).tolist() == ref["child_age"].astype(float).fillna(-1).tolist()
    items = pd.to_numeric(_col(main, "ab_unwanted_images"), errors="coerce").fillna(-1)
    assert items.tolist() == ref["ab_unwanted_images"].astype(float).fillna(-1).tolist()
    types = _col(inst, "inst_type").tolist()
    assert types == study.data.instance["inst_type"].tolist()


def test_kobo_csv_layout(study):
    d = study.out_dir / "kobo_csv"
    head = (d / "household_survey.csv").read_text(encoding="utf-8").splitlines()[0]
    cols = [c.strip('"') for c in head.split(";")]
    for c in ("start", "end", "_uuid", "_submission_time", "_index", "_id",
              "child/ab_unwanted_images", "child/devices", "child/devices/smartphone"):
        assert c in cols
    inst = pd.read_csv(d / "household_survey-instance.csv", sep=";")
    main = pd.read_csv(d / "household_survey.csv", sep=";")
    assert inst["_parent_index"].isin(main["_index"]).all()
    roster = pd.read_csv(d / "household_survey-roster.csv", sep=";")
    assert roster["_parent_index"].isin(main["_index"]).all()


def test_split_columns_agree_with_the_space_separated_answer(study):
    main = pd.read_csv(study.out_dir / "kobo_csv" / "household_survey.csv", sep=";", dtype=str)
    answered = main["child/devices"].notna()
    has_tv = main.loc[answered, "child/devices"].str.split().apply(lambda x: "tv" in x)
    assert (main.loc[answered, "child/devices/tv"].astype(int) == has_tv.astype(int)).all()
    assert main.loc[~answered, "child/devices/tv"].isna().all()


def test_odk_repeat_keys(study):
    d = study.out_dir / "odk_csv"
    main = pd.read_csv(d / "household_survey.csv")
    inst = pd.read_csv(d / "household_survey-instance.csv")
    assert (main["KEY"] == main["meta-instanceID"]).all()
    assert inst["PARENT_KEY"].isin(main["KEY"]).all()
    assert inst["KEY"].is_unique


def test_odk_form_version_is_the_shipped_forms_version(study):
    from dhkit.instrument import shipped_codebook

    main, _ = _main(study, "odk_csv")
    assert set(main["FormVersion"]) == {shipped_codebook().version}


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_value_labels_from_the_choice_lists(study, fmt):
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    _, meta = read(str(study.out_dir / fmt / f"household_survey.{fmt}"), metadataonly=True)
    labels = meta.variable_value_labels
    assert labels["ab_unwanted_images"][1] == "Yes"
    assert labels["ab_unwanted_images"][99] == "Prefers not to say"
    assert labels["child_sex"] == {1: "Girl", 2: "Boy"}
    assert "weight" in meta.column_names and "base_weight" in meta.column_names
    _, imeta = read(str(study.out_dir / fmt / f"household_survey_instance.{fmt}"),
                    metadataonly=True)
    assert imeta.variable_value_labels["inst_met"] == {1: "Online", 2: "In person"}


def test_columns_and_codes_follow_the_shipped_instrument():
    from dhkit.instrument.xlsform import read_xlsform

    cb = read_xlsform("src/dhkit/instrument/forms/household_survey.xlsx")
    questions = {q.name: q for q in cb.questions.values()
                 if q.type not in ("note", "begin group", "end group", "begin repeat",
                                   "end repeat")}
    extra = {c.name for c in EXTRA_MAIN}
    for name, col in COLUMNS.items():
        if name in extra:
            continue
        assert name in questions, name
        assert questions[name].path == col.path, name
        if col.list_name:
            assert questions[name].list_name == col.list_name, name
            codes = [c.name for c in cb.choices[col.list_name]]
            assert codes == [str(c) for c, _ in CHOICES[col.list_name]], col.list_name
    assert set(questions) <= set(COLUMNS)
