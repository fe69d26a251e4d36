"""The demo generator: design shape, reproducibility, links between tables."""

import hashlib
import time

import numpy as np
import pytest

from dhkit.demo.generate import draw
from dhkit.demo.study import generate_study


@pytest.fixture(scope="module")
def data():
    return draw(999, seed=20240601)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_exactly_the_requested_children_complete(data):
    assert int((data.main["interview_result"] == 1).sum()) == 999


def test_six_strata_and_psus_nested_in_them(data):
    m = data.main
    assert sorted(m["region"].unique()) == sorted(
        ["caribe", "centro_sur", "centro_oriente", "eje_cafetero", "llano", "pacifico"])
    assert (m.groupby("psu_id")["region"].nunique() == 1).all()


def test_one_child_per_household_and_unique_keys(data):
    m = data.main
    assert m["hh_id"].is_unique and m["_index"].is_unique and m["_uuid"].is_unique
    comp = m[m["interview_result"] == 1]
    assert comp["child_age"].between(12, 17).all()
    assert (comp["p_child"] == 1 / comp["n_eligible"].astype(float)).all()


def test_instances_link_to_parents_and_match_n_instances(data):
    m, inst = data.main, data.instance
    assert inst["_parent_index"].isin(m["_index"]).all()
    counts = inst.groupby("_parent_index").size()
    n = m.set_index("_index")["n_instances"].dropna().astype(int)
    assert (n[n > 0].sort_index() == counts.sort_index()).all()
    assert int(n.sum()) == len(inst)


def test_roster_holds_the_selected_child(data):
    m, r = data.main, data.roster
    comp = m[m["interview_result"] == 1].set_index("_index")
    sel = r.merge(comp[["selected_line", "child_age", "child_sex"]], left_on="_parent_index",
                  right_index=True)
    sel = sel[sel["member_line"] == sel["selected_line"]]
    assert len(sel) == len(comp)
    assert (sel["member_age"] == sel["child_age"]).all()
    assert (sel["member_internet"] == 1).all()


def test_same_seed_same_files_in_every_format(tmp_path):
    a = generate_study(tmp_path / "a", children=40, seed=5)
    time.sleep(1.1)                    # headers of .sav/.dta/.xlsx would carry the time
    b = generate_study(tmp_path / "b", children=40, seed=5)
    assert len(a.all_paths()) == 16
    for pa_, pb in zip(a.all_paths(), b.all_paths()):
        assert _sha(pa_) == _sha(pb), pa_.name


def test_readstat_headers_carry_a_fixed_timestamp(tmp_path):
    s = generate_study(tmp_path, children=20, seed=1, formats=("sav", "dta"))
    assert (tmp_path / "sav" / "household_survey.sav").read_bytes()[92:109] == b"01 Jul 2400:00:00"
    assert b"<timestamp>\x1101 Jul 2024 00:00" in (tmp_path / "dta" / "household_survey.dta").read_bytes()
    assert len(s.paths["sav"]) == 3


def test_different_seed_different_data(tmp_path):
    a = draw(80, seed=5).main["_uuid"].tolist()
    b = draw(80, seed=6).main["_uuid"].tolist()
    assert a != b


def test_weights_sum_to_the_population(data):
    w = data.main["weight"].dropna()
    assert len(w) == 999 and (w > 0).all()
    assert np.isclose(w.sum(), 4_100_000)


def test_disclosure_answers_are_exact_shares_of_the_victims(data):
    # quota draws: of the 205 victims, round(0.52·205) = 107 told someone and
    # round(0.86·205) − 107 = 69 told no one; of those, round(0.13·69) = 9 did not care
    child = data.instance.drop_duplicates("hh_id")
    n = len(child)
    assert n == 205
    assert (child["inst_told"] == 1).sum() == 107
    assert (child["inst_told"] == 2).sum() == 69
    why = child.loc[child["inst_told"] == 2, "inst_why_not_told"].str.split()
    assert why.map(lambda c: "didnt_care" in c).sum() == round(0.13 * len(why))
    assert why.map(lambda c: "dont_know_where" in c).sum() == round(0.36 * len(why))


def test_1309_households_have_a_roster_and_the_response_rate_is_kept(data):
    m = data.main
    rostered = m["interview_result"].isin([1, 4])
    assert int(rostered.sum()) == 1309
    assert set(data.roster["_parent_index"]) == set(m.loc[rostered, "_index"])
    assert m["hh_id"].is_unique and m["_index"].is_unique and data.roster["_index"].is_unique
    assert 999 / data.issued_households == pytest.approx(0.444, abs=0.001)


def test_revisited_households_leave_every_first_pass_draw_unchanged():
    # the revisited households come from their own stream: the children are the same
    # with or without them (here: the same seed, so the same children and answers)
    a = draw(200, seed=5)
    first = a.main[a.main["interview_result"] == 1]
    assert int(first["any_tfcsea"].sum()) == int(draw(200, seed=5).main["any_tfcsea"].sum())
    assert (a.main.loc[a.main["interview_result"] == 4, "n_eligible"] == 0).all()
