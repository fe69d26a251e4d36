"""Choices that live outside the choices sheet, as the XLSForm spec defines them: labels of
``select_*_from_file`` read back to codes ("labels as values" exports); ``select_one_external``
checked against the form's ``external_choices`` sheet (or the ``itemsets.csv`` pyxform makes
of it); a ``search()`` select checked against its CSV and static choices. Exports are Kobo
XLSX main sheets (group paths, ``_uuid``, ``_index``)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


def _kobo_xlsx(path: Path, title: str, head: list[str], rows: list[list[str]]) -> Path:
    """Kobo's XLSX export of a form without repeats: the answers, then Kobo's meta."""
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["start", *head, "__version__", "_id", "_uuid", "_submission_time", "_index"])
    for i, r in enumerate(rows, start=1):
        ws.append(["2024-03-01T10:00:00", *r, "1", str(8000 + i), f"uuid-x{i}",
                   "2024-03-01T10:05:00", str(i)])
    wb.save(path)
    return path


def _stored(study, *cols):
    with study.open_store() as store:
        return store.con.execute(f"SELECT {', '.join(cols)} FROM study.main ORDER BY _key"
                                 ).fetchall()


def _quarantined(study):
    with study.open_store() as store:
        if not store.has_table("quarantine"):
            return 0
        return store.con.execute("SELECT count(*) FROM study.quarantine").fetchone()[0]


# ------------------------------------------------------------------ select_*_from_file labels
def test_labels_of_an_attached_file_are_read_back_to_its_codes_in_any_language(tmp_path):
    form_dir = tmp_path / "form"
    form_dir.mkdir()
    study = init_study(tmp_path / "study", instrument=ff.towns_form(form_dir), demo=True)
    export = ff.kobo_towns_xlsx(tmp_path / "labels.xlsx", [
        ("North", "Riverside", "Riverside, Hilltop"), ("Sur", "Bahía", "Ribera; Colina"),
        ("North", "Atlantis", "")])
    res = import_files(study, [export])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-005", 4, "town")]
    assert res.report.problems[0].message.startswith('"Atlantis" is not a choice of list '
                                                     "towns.csv")
    assert any("choice labels read back as codes in" in n and "town, markets" in n
               for n in res.notes), res.notes
    assert _stored(study, "region", "town", "markets") == [("north", "t1", "t1 t2"),
                                                          ("south", "t3", "t1 t2")]
    assert _quarantined(study) == 1


# ------------------------------------------------------------------ select_one_external
def _external_form(folder: Path, *, sheet: bool = True) -> Path:
    """``town`` is ``select_one_external town`` filtered by ``region=${region}``; its
    choices are on the ``external_choices`` sheet (``sheet``) or only in ``itemsets.csv``
    next to the form (pyxform's output of that sheet)."""
    head = ["type", "name", "label::English (en)", "label::Español (es)", "required",
            "choice_filter"]
    survey = [["start", "start", "", "", "", ""],
              ["begin_group", "loc", "Location", "Lugar", "", ""],
              ["select_one region", "region", "Region", "Región", "yes", ""],
              ["select_one_external town", "town", "Town", "Pueblo", "yes",
               "region=${region}"],
              ["end_group", "", "", "", "", ""]]
    path = ff._workbook(folder / "ext_form.xlsx", survey,
                        [["region", "north", "North", "Norte"],
                         ["region", "south", "South", "Sur"]],
                        [["form_title", "form_id", "version", "default_language"],
                         ["Town visit", "ext", "1", "English (en)"]], head)
    rows = [["list_name", "name", "label::English (en)", "label::Español (es)", "region"],
            ["town", "t1", "Riverside", "Ribera", "north"],
            ["town", "t2", "Hilltop", "Colina", "north"],
            ["town", "t3", "Bayview", "Bahía", "south"]]
    if sheet:
        wb = load_workbook(path)
        ws = wb.create_sheet("external_choices")
        for r in rows:
            ws.append(r)
        wb.save(path)
    else:
        (folder / "itemsets.csv").write_text("\n".join(",".join(r) for r in rows) + "\n",
                                             encoding="utf-8")
    return path


def _study(tmp_path, form, **kw):
    """A demo study holding the form ``form(folder, **kw)`` writes into a folder of its own."""
    folder = tmp_path / "form"
    folder.mkdir()
    return init_study(tmp_path / "study", instrument=form(folder, **kw), demo=True)


def _external_study(tmp_path, **kw):
    return _study(tmp_path, _external_form, **kw)


def test_select_one_external_answers_are_checked_against_the_external_choices_sheet(tmp_path):
    study = _external_study(tmp_path)
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Town visit",
                                          ["loc/region", "loc/town"],
                                          [["north", "t1"], ["north", "t9"], ["north", "t3"],
                                           ["south", "Bahía"]])])
    assert [(p.code, p.row, p.field) for p in res.report] == [
        ("IMP-005", 3, "town"), ("IMP-021", 4, "town")]
    assert res.report.problems[0].message == \
        '"t9" is not a choice of list town (expected t1, t2, t3)'
    assert res.report.problems[1].message == ('"t3" is not a choice offered when region = '
                                              '"north" (choice_filter region=${region})')
    assert _stored(study, "region", "town") == [("north", "t1"), ("south", "t3")]
    assert _quarantined(study) == 2


def test_without_the_sheet_the_itemsets_csv_kept_next_to_the_form_is_used(tmp_path):
    study = _external_study(tmp_path, sheet=False)
    assert (study.instrument_path.parent / "itemsets.csv").is_file()    # copied by init
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Town visit",
                                          ["loc/region", "loc/town"],
                                          [["north", "t2"], ["south", "t7"]])])
    assert [(p.code, p.row) for p in res.report] == [("IMP-005", 3)]


def test_external_choices_nowhere_to_be_found_are_named_in_a_note_and_rows_kept(tmp_path):
    study = _external_study(tmp_path, sheet=False)
    (study.instrument_path.parent / "itemsets.csv").unlink()
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Town visit",
                                          ["loc/region", "loc/town"], [["north", "t9"]])])
    assert res.ok
    assert [n for n in res.notes if n.startswith("town:")] == [
        "town: answers not checked (select_one_external town: the form has no "
        "external_choices sheet with list town and no itemsets.csv is in the study; copy "
        f"itemsets.csv next to the form, into {study.instrument_path.parent}/, and import "
        "again)"]
    assert _stored(study, "town") == [("t9",)]


# ------------------------------------------------------------------ search()
FRUITS_CSV = "name_key,name,name_es\nmango,Mango,Mango\npapaya,Papaya,Papaya\nlime,Lime,Lima\n"


def _search_form(folder: Path, appearance: str = "search('fruits')", csv: bool = True) -> Path:
    """``fruit`` is ``select_one fruits`` with ``appearance`` search(); the list's row names
    the CSV columns (value ``name_key``, labels ``name``/``name_es``); ``99`` is a static
    choice shown with them."""
    head = ["type", "name", "label::English (en)", "label::Español (es)", "appearance"]
    survey = [["start", "start", "", "", ""],
              ["select_one fruits", "fruit", "Fruit", "Fruta", appearance],
              ["text", "shop", "Shop", "Tienda", ""]]
    path = ff._workbook(folder / "fruit_form.xlsx", survey,
                        [["fruits", "name_key", "name", "name_es"],
                         ["fruits", "99", "Other fruit", "Otra fruta"]],
                        [["form_title", "form_id", "version", "default_language"],
                         ["Fruit survey", "fruit", "1", "English (en)"]], head)
    if csv:
        (folder / "fruits.csv").write_text(FRUITS_CSV, encoding="utf-8")
    return path


def _search_study(tmp_path, **kw):
    return _study(tmp_path, _search_form, **kw)


def test_a_search_select_is_checked_against_its_csv_and_static_choices(tmp_path):
    study = _search_study(tmp_path)
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Fruit survey",
                                          ["fruit", "shop"],
                                          [["mango", "a"], ["99", "b"], ["kiwi", "c"]])])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-005", 4, "fruit")]
    assert res.report.problems[0].message == \
        '"kiwi" is not a choice of list fruits (expected 99, mango, papaya, lime)'
    assert _stored(study, "fruit") == [("mango",), ("99",)]
    assert not [n for n in res.notes if n.startswith("fruit:")]


def test_labels_of_a_search_select_come_from_the_csv_columns_its_list_names(tmp_path):
    study = _search_study(tmp_path)
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Fruit survey",
                                          ["fruit", "shop"],
                                          [["Lima", "a"], ["Papaya", "b"], ["Otra fruta", "c"]])])
    assert res.ok, [str(p) for p in res.report]
    assert _stored(study, "fruit") == [("lime",), ("papaya",), ("99",)]


def test_a_filtered_search_is_judged_by_the_rows_its_filter_keeps(tmp_path):
    """(more in test_search_filter.py)"""
    study = _search_study(tmp_path, appearance="search('fruits', 'matches', 'name', ${shop})")
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Fruit survey",
                                          ["fruit", "shop"], [["lime", "Lime"], ["kiwi", "y"],
                                                              ["mango", "Lime"]])])
    assert [(p.code, p.row) for p in res.report] == [("IMP-005", 3), ("IMP-021", 4)]
    assert not [n for n in res.notes if n.startswith("fruit:")]


def test_a_search_select_whose_csv_is_missing_is_not_judged_by_the_placeholder_row(tmp_path):
    study = _search_study(tmp_path, csv=False)
    res = import_files(study, [_kobo_xlsx(tmp_path / "e.xlsx", "Fruit survey",
                                          ["fruit", "shop"], [["mango", "a"]])])
    assert res.ok, [str(p) for p in res.report]
    assert [n for n in res.notes if n.startswith("fruit:")] == [
        "fruit: answers not checked against fruits.csv of its search() appearance (the file "
        f"is not in the study; copy fruits.csv next to the form, into "
        f"{study.instrument_path.parent}/, and import again)"]
    assert _stored(study, "fruit") == [("mango",)]


def test_a_label_two_towns_share_is_named_in_a_note_and_its_rows_quarantined(tmp_path):
    form_dir = tmp_path / "form"
    form_dir.mkdir()
    form = ff.towns_form(form_dir)
    (form_dir / "towns.csv").write_text(ff.TOWNS_CSV + "t4,Riverside,Ribera del sur,south\n",
                                        encoding="utf-8")
    study = init_study(tmp_path / "study", instrument=form, demo=True)
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "labels.xlsx", [
        ("north", "Hilltop", ""), ("north", "Riverside", "")])])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-005", 3, "town")]
    assert "labels.xlsx[Town visit]: town: some labels name several choices (\"Riverside\" is " \
        "t1 and t4); rows answering with them are quarantined (IMP-005). Export XML values " \
        "(codes) instead of labels for this form" in res.notes
    assert _stored(study, "town") == [("t2",)]


def test_labels_come_from_the_column_the_parameters_name(tmp_path):
    form_dir = tmp_path / "form"
    form_dir.mkdir()
    form = ff.towns_form(form_dir)
    wb = load_workbook(form)
    ws = wb["survey"]
    ws.cell(row=1, column=ws.max_column + 1, value="parameters")
    for r in range(2, ws.max_row + 1):
        if str(ws.cell(row=r, column=1).value or "").endswith("towns.csv"):
            ws.cell(row=r, column=ws.max_column, value="value=code label=town_name")
    wb.save(form)
    (form_dir / "towns.csv").write_text(
        "code,town_name,town_name::Español (es),region\n"
        "t1,Riverside,Ribera,north\nt3,Bayview,Bahía,south\n", encoding="utf-8")
    study = init_study(tmp_path / "study", instrument=form, demo=True)
    res = import_files(study, [ff.kobo_towns_xlsx(tmp_path / "labels.xlsx", [
        ("north", "Ribera", "Bayview")])])
    assert res.ok, [str(p) for p in res.report]
    assert _stored(study, "town", "markets") == [("t1", "t3")]
