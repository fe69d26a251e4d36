"""The data dictionary of selects whose choices live in a file: a ``search()`` list's
placeholder row (the CSV's column names) is never shown as a choice; the choices are listed
from the CSV when it is next to the form (as a study keeps it), the file is named either
way, and a long file is listed in part."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from dhkit.instrument.dictionary import (MAX_LISTED, data_dictionary, render_html,
                                         write_dictionary_csv)
from dhkit.instrument.xlsform import read_xlsform

VILLAGES = ("name_key,label_en,label_es,district\n"
            "v1,Riverside,Ribera,d1\nv2,Hilltop,Colina,d1\nv3,Bayview,Bahía,d2\n")


def _form(folder: Path, villages: str | None = VILLAGES) -> Path:
    """A Kobo-style form: group ``loc`` with ``district`` and ``village`` (search() over
    villages.csv filtered by district; static choice 99) and ``town``
    (select_one_from_file towns.csv); English and Spanish labels."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for r in [["type", "name", "label::English (en)", "label::Español (es)", "appearance"],
              ["begin_group", "loc", "Location", "Lugar", "field-list"],
              ["select_one districts", "district", "District", "Distrito", ""],
              ["select_one villages", "village", "Village", "Vereda",
               "search('villages', 'matches', 'district', ${district})"],
              ["select_one_from_file towns.csv", "town", "Town", "Pueblo", ""],
              ["end_group", "", "", "", ""]]:
        ws.append(r)
    wc = wb.create_sheet("choices")
    for r in [["list_name", "name", "label::English (en)", "label::Español (es)"],
              ["districts", "d1", "North", "Norte"], ["districts", "d2", "South", "Sur"],
              ["villages", "name_key", "label_en", "label_es"],
              ["villages", "99", "Other village", "Otra vereda"]]:
        wc.append(r)
    wset = wb.create_sheet("settings")
    wset.append(["form_title", "form_id", "default_language"])
    wset.append(["Village visit", "vv", "English (en)"])
    wb.save(folder / "vv.xlsx")
    if villages is not None:
        (folder / "villages.csv").write_text(villages, encoding="utf-8")
    (folder / "towns.csv").write_text("name,label::English (en),label::Español (es)\n"
                                      "t1,Port,Puerto\nt2,Mill,Molino\n", encoding="utf-8")
    return folder / "vv.xlsx"


def _row(cb, name, lang=None):
    return next(r for r in data_dictionary(cb, lang) if r.name == name)


def test_search_choices_are_listed_from_the_csv_never_the_placeholder(tmp_path):
    r = _row(read_xlsform(_form(tmp_path)), "village")
    assert r.choices_from == "villages.csv" and r.choices_found
    assert r.choice_items == (("99", "Other village"), ("v1", "Riverside"), ("v2", "Hilltop"),
                              ("v3", "Bayview"))
    assert r.choices == "99=Other village; v1=Riverside; v2=Hilltop; v3=Bayview"
    assert r.choice_filter == "search('villages', 'matches', 'district', ${district})"


def test_search_choice_labels_follow_the_dictionary_language(tmp_path):
    r = _row(read_xlsform(_form(tmp_path)), "village", "es")
    assert r.choices == "99=Otra vereda; v1=Ribera; v2=Colina; v3=Bahía"


def test_without_the_csv_the_file_is_named_and_only_static_choices_listed(tmp_path):
    cb = read_xlsform(_form(tmp_path, villages=None))
    r = _row(cb, "village")
    assert (r.choices_from, r.choices_found, r.choice_items) == (
        "villages.csv", False, (("99", "Other village"),))
    out = write_dictionary_csv(cb, tmp_path / "cb.csv")
    with out.open(encoding="utf-8-sig") as fh:
        rows = {x["name"]: x for x in csv.DictReader(fh)}
    assert rows["village"]["choices"] == "99=Other village"
    assert rows["village"]["choices_from"] == ("villages.csv (not next to the form: its "
                                               "choices are not listed)")
    assert "name_key" not in out.read_text(encoding="utf-8-sig")
    html = render_html(cb)
    assert "From <code>villages.csv</code> (not next to the form" in html
    assert "name_key" not in html


def test_choices_of_an_attached_file_are_listed_with_the_file_named(tmp_path):
    cb = read_xlsform(_form(tmp_path))
    out = write_dictionary_csv(cb, tmp_path / "cb.csv", "es")
    with out.open(encoding="utf-8-sig") as fh:
        rows = {x["name"]: x for x in csv.DictReader(fh)}
    assert (rows["town"]["choices"], rows["town"]["choices_from"]) == (
        "t1=Puerto; t2=Molino", "towns.csv")
    assert (rows["district"]["choices"], rows["district"]["choices_from"]) == (
        "d1=Norte; d2=Sur", "")


def test_a_long_file_is_listed_in_part_and_the_rest_counted(tmp_path):
    many = "name_key,label_en,label_es,district\n" + "".join(
        f"v{i},Village {i},Vereda {i},d1\n" for i in range(1, 151))
    cb = read_xlsform(_form(tmp_path, villages=many))
    r = _row(cb, "village")
    assert len(r.choice_items) == MAX_LISTED == 100 and r.choices_more == 51
    assert r.choice_items[-1] == ("v99", "Village 99")
    with write_dictionary_csv(cb, tmp_path / "cb.csv").open(encoding="utf-8-sig") as fh:
        row = next(x for x in csv.DictReader(fh) if x["name"] == "village")
    assert row["choices_from"] == "villages.csv (100 of 151 choices listed)"
    assert "… and 51 more in <code>villages.csv</code>" in render_html(cb)


def test_instrument_check_names_a_search_filter_it_cannot_read(tmp_path):
    from openpyxl import load_workbook

    from dhkit.instrument.xlsform import check_form

    path = _form(tmp_path)
    wb = load_workbook(path)
    wb["survey"]["E4"] = "search('villages', 'matches', 'district', concat(${district}, 'x'))"
    wb.save(path)
    notes = [(p.code, p.row, p.field, p.message) for p in check_form(path)
             if p.code == "INS-031"]
    assert notes == [("INS-031", 4, "survey:appearance", "village: the filter of its search() "
                      "appearance is not checked at import (its search type and columns must "
                      "be quoted text and its value ${question} or a literal)")]


def test_instrument_check_names_a_search_csv_that_is_not_next_to_the_form(tmp_path):
    from dhkit.instrument.xlsform import check_form

    path = _form(tmp_path, villages=None)
    notes = [(p.code, p.row, p.field, p.message) for p in check_form(path)
             if p.code == "INS-044"]
    assert notes == [("INS-044", 4, "survey:appearance", "village: choices not checked at "
                      "import (villages.csv of its search() appearance is not next to the "
                      "form)")]
    assert not [p for p in check_form(_form(tmp_path / "with")) if p.code == "INS-044"]
