"""Choice files attached to a form (``select_one_from_file``): read as pyxform's itemsets
read them (value column ``name``, or ``parameters`` ``value=``; GeoJSON ``id``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dhkit.errors import DhkitError
from dhkit.instrument.attachments import read_choice_file, value_column
from dhkit.instrument.codebook import Question


def test_an_xml_file_gives_one_choice_per_item(tmp_path):
    p = tmp_path / "towns.xml"
    p.write_text("<root><item><name>t1</name><label>Riverside</label><region>n</region></item>"
                 "<item><name>t2</name><label>Hilltop</label><region>s</region></item></root>")
    got = read_choice_file(p)
    assert [(c.list_name, c.name, c.labels, c.attrs) for c in got] == [
        ("towns.xml", "t1", {"default": "Riverside"}, {"label": "Riverside", "region": "n"}),
        ("towns.xml", "t2", {"default": "Hilltop"}, {"label": "Hilltop", "region": "s"})]


def test_a_geojson_file_is_valued_by_its_feature_ids(tmp_path):
    p = tmp_path / "wells.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "w1", "geometry": None, "properties": {"title": "North"}},
        {"type": "Feature", "geometry": None, "properties": {"id": "w2", "title": "South"}}]}))
    q = Question("well", "select_one_from_file wells.geojson", choice_file="wells.geojson")
    assert [c.name for c in read_choice_file(p, value_column(q))] == ["w1", "w2"]


def test_parameters_value_names_the_value_column(tmp_path):
    p = tmp_path / "towns.csv"
    p.write_text("code;name\n11;Riverside\n12;Hilltop\n", encoding="utf-8")
    q = Question("town", "select_one_from_file towns.csv", choice_file="towns.csv",
                 parameters="value=code label=name")
    assert value_column(q) == "code"
    assert [c.name for c in read_choice_file(p, value_column(q))] == ["11", "12"]


def test_a_file_without_the_value_column_is_refused_with_its_columns(tmp_path):
    p = tmp_path / "towns.csv"
    p.write_text("code,label\n11,Riverside\n", encoding="utf-8")
    with pytest.raises(DhkitError) as exc:
        read_choice_file(p)
    assert exc.value.code == "INS-044"
    assert "no column 'name' (the values the data hold); it has code, label" in \
        exc.value.message


def test_an_xml_file_with_entity_declarations_is_refused(tmp_path):
    p = tmp_path / "towns.xml"
    p.write_text('<!DOCTYPE r [<!ENTITY a "x">]><root><item><name>&a;</name></item></root>')
    with pytest.raises(DhkitError) as exc:
        read_choice_file(p)
    assert exc.value.code == "INS-044"


def test_the_parameters_column_is_read_from_the_form(tmp_path):
    from openpyxl import Workbook

    from dhkit.instrument.xlsform import read_xlsform

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "parameters"])
    ws.append(["select_one_from_file towns.csv", "town", "Town", "value=code"])
    wb.save(tmp_path / "f.xlsx")
    q = read_xlsform(tmp_path / "f.xlsx").question("town")
    assert (q.choice_file, q.parameters, value_column(q)) == ("towns.csv", "value=code", "code")


def test_instrument_check_notes_a_choice_file_missing_next_to_the_form(tmp_path):
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
    import fieldforms as ff

    from dhkit.instrument.xlsform import check_form

    form = ff.towns_form(tmp_path, with_file=False)
    rep = check_form(form)
    assert [(p.code, p.field, p.message) for p in rep] == [
        ("INS-044", "survey:type", "town: choices not checked at import (towns.csv is not "
                                   "next to the form)"),
        ("INS-044", "survey:type", "markets: choices not checked at import (towns.csv is not "
                                   "next to the form)")]
    (tmp_path / "towns.csv").write_text(ff.TOWNS_CSV, encoding="utf-8")
    assert check_form(form).codes() == []


def test_labels_are_keyed_by_language_code(tmp_path):
    p = tmp_path / "towns.csv"
    p.write_text("name,label::English (en),label::Español (es)\nt1,Riverside,Ribera\n",
                 encoding="utf-8")
    assert read_choice_file(p)[0].labels == {"en": "Riverside", "es": "Ribera"}
