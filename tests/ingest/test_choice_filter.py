"""Cascading selects: an answer must be a choice the form's ``choice_filter`` offered, given
the answers it depends on (IMP-021). Forms and exports written the way pyxform users and
KoboToolbox write them (``fieldforms.cascade_form``, ``kobo_cascade_xlsx``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.instrument.xlsform import check_form  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture
def form(tmp_path):
    return ff.cascade_form(tmp_path / "mkt.xlsx")


@pytest.fixture
def study(tmp_path, form):
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _imp021(res):
    return [(p.row, p.field, p.message) for p in res.report if p.code == "IMP-021"]


def test_district_of_another_region_is_quarantined_naming_the_region(study, tmp_path):
    subs = [ff.Market("u1", "N", "n1"), ff.Market("u2", "N", "s1"), ff.Market("u3", "S", "s1")]
    res = import_files(study, [ff.kobo_cascade_xlsx(tmp_path / "x.xlsx", subs)])
    assert _imp021(res) == [(3, "district", '"s1" is not a choice offered when region = "N" '
                                            '(choice_filter region=${region})')]
    assert res.accepted["main"] == 2 and res.quarantined["main"] == 1


def test_filter_on_a_select_multiple_answer_in_the_parent_sheet(study, tmp_path):
    subs = [ff.Market("u1", "N", "n1", crops="rice", plots=[("rice", "n2"), ("yam", "n1")])]
    res = import_files(study, [ff.kobo_cascade_xlsx(tmp_path / "x.xlsx", subs)])
    assert [(f, m.split(" (")[0]) for _, f, m in _imp021(res)] == [
        ("main_crop", '"yam" is not a choice offered when crops = "rice"')]
    assert res.accepted["plots"] == 1


def test_repeat_answer_checked_against_the_parent_region(study, tmp_path):
    subs = [ff.Market("u1", "S", "s1", plots=[("rice", "s1"), ("rice", "n1")])]
    res = import_files(study, [ff.kobo_cascade_xlsx(tmp_path / "x.xlsx", subs)])
    assert [(r, f) for r, f, _ in _imp021(res)] == [(3, "plot_district")]


def test_not_a_choice_at_all_is_only_imp005(study, tmp_path):
    subs = [ff.Market("u1", "N", "zz")]
    res = import_files(study, [ff.kobo_cascade_xlsx(tmp_path / "x.xlsx", subs)])
    assert [p.code for p in res.report if p.field == "district"] == ["IMP-005"]


def test_unsupported_filter_is_a_note_at_import_and_at_check(study, form, tmp_path):
    subs = [ff.Market("u1", "N", "n1", stall="s1")]
    res = import_files(study, [ff.kobo_cascade_xlsx(tmp_path / "x.xlsx", subs)])
    assert res.ok
    assert any("stall: choice_filter starts-with(name, ${region}) not checked at import" in n
               for n in res.notes)
    probs = [p for p in check_form(form) if p.field == "survey:choice_filter"]
    assert [(p.code, p.row, p.value) for p in probs] == [
        ("INS-031", 8, "starts-with(name, ${region})")]
    assert "not checked at import" in probs[0].message
