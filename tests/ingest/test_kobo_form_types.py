"""Forms and exports as KoboToolbox and ODK Central users produce them, beyond plain selects:
Kobo's "Ranking", "Rating" and "Matrix" rows (``begin_rank``/``rank__level``,
``begin_score``/``score__row``, ``begin_kobomatrix``, which Kobo documents for XLSForm
authors and expands on upload) read as the questions Kobo deploys; a geopoint split into latitude/longitude/altitude/precision
columns by Kobo's exporter (next to the point) or ODK Central's (instead of it); Kobo's
``photo_URL`` link next to a media answer ("include media URLs", formpack ``MediaField``)
and a note's (empty) column;
an ODK ``rank``; ``range`` parameters."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from openpyxl import Workbook  # noqa: E402

import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.instrument.xlsform import read_xlsform  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

HEAD = ["type", "name", "label::English (en)", "label::Español (es)", "required",
        "appearance", "kobo--rank-items", "kobo--rank-constraint-message",
        "kobo--score-choices"]


def _form(folder: Path) -> Path:
    """Group ``loc`` (field-list) with a geopoint; a ranking of three needs; a rating of two
    statements on an agreement scale (required)."""
    folder.mkdir(parents=True, exist_ok=True)
    survey = [["start", "start", "", "", "", "", "", "", ""],
              ["begin_group", "loc", "Location", "Lugar", "", "field-list", "", "", ""],
              ["geopoint", "gps", "GPS point", "Punto GPS", "", "", "", "", ""],
              ["image", "photo", "Photo of the place", "Foto del lugar", "", "", "", "", ""],
              ["note", "thanks", "Thank you", "Gracias", "", "", "", "", ""],
              ["end_group", "", "", "", "", "", "", "", ""],
              ["begin_rank", "needs", "Top needs?", "¿Necesidades?", "", "", "needs",
               "Each need once", ""],
              ["rank__level", "n1", "1st need", "1a necesidad", "", "", "", "", ""],
              ["rank__level", "n2", "2nd need", "2a necesidad", "", "", "", "", ""],
              ["rank__level", "n3", "3rd need", "3a necesidad", "", "", "", "", ""],
              ["end_rank", "", "", "", "", "", "", "", ""],
              ["begin_score", "skr", "How much do you agree?", "¿Qué tan de acuerdo?", "true",
               "", "", "", "agree"],
              ["score__row", "q1", "Schools are safe", "Las escuelas son seguras", "", "", "",
               "", ""],
              ["score__row", "q2", "Phones are safe", "Los teléfonos son seguros", "", "", "",
               "", ""],
              ["end_score", "", "", "", "", "", "", "", ""],
              ["rank needs", "ranking", "Order the needs", "Ordene las necesidades", "", "", "",
               "", ""]]
    choices = [["needs", "food", "Food", "Comida"], ["needs", "water", "Water", "Agua"],
               ["needs", "shelter", "Shelter", "Refugio"],
               ["agree", "1", "Agree", "De acuerdo"],
               ["agree", "2", "Disagree", "En desacuerdo"]]
    return ff._workbook(folder / "needs.xlsx", survey, choices,
                        [["form_title", "form_id", "version", "default_language"],
                         ["Needs survey", "needs", "1", "English (en)"]], HEAD)


def test_kobo_ranking_and_rating_rows_are_the_questions_kobo_deploys(tmp_path):
    cb = read_xlsform(_form(tmp_path))
    n1, n2, n3 = (cb.question(n) for n in ("n1", "n2", "n3"))
    assert (n1.type, n1.group, n1.required, n1.constraint) == ("select_one needs", "needs",
                                                               True, None)
    assert n2.constraint == "${n2} != ${n1}"
    assert n3.constraint == "${n3} != ${n1} and ${n3} != ${n2}"
    assert cb.question("needs").type == "begin group"
    assert cb.question("needs").labels == {"en": "Top needs?", "es": "¿Necesidades?"}
    head, q1 = cb.question("skr_header"), cb.question("q1")
    assert (head.type, head.group, head.required, head.appearance) == (
        "select_one agree", "skr", False, "label")
    assert (q1.type, q1.group, q1.required, q1.labels["es"]) == (
        "select_one agree", "skr", True, "Las escuelas son seguras")


def _kobo_export(path: Path, rows: list[list[str]]) -> Path:
    """Kobo's XLSX export (XML values, group paths): the point and its four parts."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Needs survey"
    ws.append(["start", "loc/gps", "loc/_gps_latitude", "loc/_gps_longitude",
               "loc/_gps_altitude", "loc/_gps_precision", "loc/photo", "loc/photo_URL",
               "loc/thanks", "needs/n1", "needs/n2", "needs/n3",
               "skr/skr_header", "skr/q1", "skr/q2", "__version__", "_id", "_uuid",
               "_submission_time", "_index"])
    for i, r in enumerate(rows, start=1):
        ws.append(["2024-03-01T10:00:00", *r, "1", str(700 + i), f"uuid-n{i}",
                   "2024-03-01T10:05:00", str(i)])
    wb.save(path)
    return path


def test_a_kobo_export_of_ranking_rating_and_a_point_imports_every_column(tmp_path):
    study = init_study(tmp_path / "study", instrument=_form(tmp_path / "form"), demo=True)
    point = ["4.61 -74.08 2600 5", "4.61", "-74.08", "2600", "5", "p1.jpg",
             "https://kf.example.org/media/p1.jpg", ""]
    res = import_files(study, [_kobo_export(tmp_path / "e.xlsx", [
        point + ["food", "water", "shelter", "", "1", "2"],
        point + ["food", "food", "shelter", "", "1", "2"],
        point + ["water", "food", "shelter", "", "1", "7"]])])
    assert [(p.code, p.row, p.field) for p in res.report] == [
        ("IMP-010", 3, "n2"), ("IMP-005", 4, "q2")]
    with study.open_store() as store:
        got = store.con.execute("SELECT gps, photo, n1, n2, n3, q1, q2 FROM study.main"
                                ).fetchall()
    assert got == [("4.61 -74.08 2600 5", "p1.jpg", "food", "water", "shelter", 1, 2)]


def test_odk_central_points_split_into_four_columns_are_put_back_together(tmp_path):
    study = init_study(tmp_path / "study", instrument=_form(tmp_path / "form"), demo=True)
    head = ["SubmissionDate", "start", "loc-gps-Latitude", "loc-gps-Longitude",
            "loc-gps-Altitude", "loc-gps-Accuracy", "needs-n1", "needs-n2", "needs-n3",
            "skr-skr_header", "skr-q1", "skr-q2", "meta-instanceID", "KEY"]
    rows = [["2024-03-01T10:05:00.000Z", "2024-03-01T10:00:00", "4.61", "-74.08", "2600",
             "5", "food", "water", "shelter", "", "1", "2", "uuid:a", "uuid:a"],
            ["2024-03-01T10:05:00.000Z", "2024-03-01T10:00:00", "", "", "", "", "water",
             "food", "shelter", "", "2", "2", "uuid:b", "uuid:b"]]
    path = tmp_path / "needs.csv"
    path.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    res = import_files(study, [path])
    assert res.ok, [str(p) for p in res.report]
    with study.open_store() as store:
        got = store.con.execute("SELECT gps FROM study.main ORDER BY _key").fetchall()
    assert got == [("4.61 -74.08 2600 5",), (None,)]


def test_instrument_check_judges_the_form_as_kobo_deploys_it(tmp_path):
    from dhkit.instrument.xlsform import check_form

    from openpyxl import load_workbook

    path = _form(tmp_path)
    wb = load_workbook(path)
    wb["survey"].append(["image", "photo2", "Another photo", "Otra foto"])   # row 18
    wb.save(path)
    problems = check_form(path)
    assert [str(p) for p in problems if p.code != "INS-021"] == []     # no refusal
    # pyxform's advice on the photos' size, at their rows in the form as written (the
    # copy pyxform reads has one row more before the second: the rating's header)
    assert [p.row for p in problems] == [5, 18]


def test_an_odk_rank_holds_choices_of_its_list_in_order(tmp_path):
    study = init_study(tmp_path / "study", instrument=_form(tmp_path / "form"), demo=True)
    head = ["SubmissionDate", "ranking", "needs-n1", "needs-n2", "needs-n3", "skr-q1",
            "skr-q2", "meta-instanceID", "KEY"]
    rest = ["food", "water", "shelter", "1", "1"]
    rows = [["2024-03-01T10:05:00.000Z", "water food shelter", *rest, "uuid:a", "uuid:a"],
            ["2024-03-01T10:05:00.000Z", "water kiwi", *rest, "uuid:b", "uuid:b"]]
    path = tmp_path / "needs.csv"
    path.write_text("\n".join(",".join(r) for r in [head, *rows]) + "\n", encoding="utf-8")
    res = import_files(study, [path])
    assert [(p.code, p.row, p.field) for p in res.report] == [("IMP-005", 3, "ranking")]
    assert res.report.problems[0].message.startswith('"kiwi" is not a choice of list needs')
    with study.open_store() as store:
        assert store.con.execute("SELECT ranking FROM study.main").fetchall() == [
            ("water food shelter",)]


def _range_form(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return ff._workbook(folder / "pain.xlsx",
                        [["range", "pain", "Pain (0-10, by 2)", "start=0 end=10 step=2",
                          "rating"],
                         ["range", "score", "Score (default 1-10)", "", ""],
                         ["xml-external", "towns", "", "", ""]], [],
                        [["form_title", "form_id", "version"], ["Pain", "pain", "1"]],
                        ["type", "name", "label::English (en)", "parameters", "appearance"])


def test_a_range_answer_outside_its_parameters_or_off_its_step_is_named(tmp_path):
    study = init_study(tmp_path / "study", instrument=_range_form(tmp_path / "form"),
                       demo=True)
    path = tmp_path / "pain.csv"
    path.write_text("KEY,pain,score\nuuid:a,4,10\nuuid:b,5,0\nuuid:c,12,3.0\nuuid:d,,\n",
                    encoding="utf-8")
    res = import_files(study, [path])
    assert [(p.code, p.row, p.field) for p in res.report] == [
        ("IMP-010", 3, "pain"), ("IMP-010", 3, "score"), ("IMP-010", 4, "pain")]
    assert res.report.problems[0].message == ("outside the range of the question or off its "
                                              "step (start=0, end=10, step=2)")
    with study.open_store() as store:
        cols = {r[0] for r in store.con.execute("DESCRIBE study.main").fetchall()}
    assert "towns" not in cols          # an attached instance holds no answer


def _matrix_form(folder: Path) -> Path:
    """Kobo's matrix as its XLSForm docs write it: ``assets`` over the items car/bike, with
    the columns ``own`` (select_one yn, required) and ``how_many`` (integer, asked when
    ``${own} = 'yes'``)."""
    folder.mkdir(parents=True, exist_ok=True)
    return ff._workbook(
        folder / "assets.xlsx",
        [["begin_kobomatrix", "assets", "Items", "Artículos", "", "", "car_bike"],
         ["select_one yn", "own", "Owns it", "Lo tiene", "true", "", ""],
         ["integer", "how_many", "How many", "Cuántos", "", "${own} = 'yes'", ""],
         ["end_kobomatrix", "", "", "", "", "", ""]],
        [["yn", "yes", "Yes", "Sí"], ["yn", "no", "No", "No"],
         ["car_bike", "car", "Car", "Carro"], ["car_bike", "bike", "Bike", "Bicicleta"]],
        [["form_title", "form_id", "version"], ["Assets", "assets", "1"]],
        ff.SURVEY_HEAD[:6] + ["kobo--matrix_list"])


def test_a_kobo_matrix_is_one_group_per_item_as_kobo_deploys_it(tmp_path):
    from dhkit.instrument.xlsform import check_form

    cb = read_xlsform(_matrix_form(tmp_path))
    data = [q for q in cb.data_questions() if q.base_type != "start"]
    assert [(q.path, q.type, q.required, q.relevant) for q in data] == [
        ("assets_car/assets_car_own", "select_one yn", True, None),
        ("assets_car/assets_car_how_many", "integer", False, "${assets_car_own} = 'yes'"),
        ("assets_bike/assets_bike_own", "select_one yn", True, None),
        ("assets_bike/assets_bike_how_many", "integer", False,
         "${assets_bike_own} = 'yes'")]
    assert cb.question("assets_bike_own").labels == {"en": "Bike: Owns it",
                                                     "es": "Bicicleta: Lo tiene"}
    assert [str(p) for p in check_form(tmp_path / "assets.xlsx")] == []


def test_a_kobo_matrix_export_is_checked_cell_by_cell(tmp_path):
    study = init_study(tmp_path / "study", instrument=_matrix_form(tmp_path / "form"),
                       demo=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Assets"
    ws.append(["assets_header/assets_header_note", "assets_car/assets_car_note",
               "assets_car/assets_car_own", "assets_car/assets_car_how_many",
               "assets_bike/assets_bike_note", "assets_bike/assets_bike_own",
               "assets_bike/assets_bike_how_many", "_uuid", "_index"])
    ws.append(["", "", "yes", "1", "", "no", "", "uuid-1", "1"])
    ws.append(["", "", "no", "2", "", "yes", "3", "uuid-2", "2"])
    wb.save(tmp_path / "e.xlsx")
    res = import_files(study, [tmp_path / "e.xlsx"])
    assert [(p.code, p.row, p.field) for p in res.report] == [
        ("IMP-007", 3, "assets_car_how_many")]
