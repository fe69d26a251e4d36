"""On a large sample the weighted estimates land on the Colombia targets (FIGURES.md)."""

import pytest

from dhkit.demo.generate import draw
from dhkit.demo.schema import AB_ITEMS
from dhkit.demo.study import summarize
from dhkit.demo.truth import TRUTH


@pytest.fixture(scope="module")
def big():
    data = draw(20_000, seed=11)
    return data, *summarize(data)


def test_any_tfcsea_is_21_percent(big):
    _, _, est = big
    assert est.any_tfcsea == pytest.approx(0.21, abs=0.015)


def test_girls_above_boys_and_rural_above_urban(big):
    _, _, est = big
    assert est.any_girls == pytest.approx(0.25, abs=0.02)
    assert est.any_boys == pytest.approx(0.17, abs=0.02)
    assert est.any_rural == pytest.approx(0.29, abs=0.025)
    assert est.any_urban == pytest.approx(0.17, abs=0.02)


def test_scaled_to_about_860000_children(big):
    _, _, est = big
    assert est.victims_weighted == pytest.approx(860_000, rel=0.08)


def test_rises_from_age_12_to_the_middle_ages(big):
    data, _, _ = big
    c = data.main[data.main["interview_result"] == 1]
    w = c["weight"].to_numpy(float)
    any_ = c["any_tfcsea"].to_numpy(float) == 1
    age = c["child_age"].to_numpy(float)
    rate = {a: (w * any_)[age == a].sum() / w[age == a].sum() for a in range(12, 18)}
    assert rate[12] == pytest.approx(0.07, abs=0.02)
    assert rate[17] == pytest.approx(0.21, abs=0.03)
    assert rate[12] < rate[13] < rate[14] < rate[15]


@pytest.mark.parametrize("item", AB_ITEMS)
def test_item_prevalence_near_target(big, item):
    _, _, est = big
    assert est.items[item] == pytest.approx(TRUTH.items[item], abs=0.012)


def test_two_instances_per_victim_and_39_percent_multi_form(big):
    _, _, est = big
    assert est.instances_per_victim == pytest.approx(379 / 190, abs=0.1)
    assert est.multi_form_share == pytest.approx(0.39, abs=0.03)


def test_design_story_counts(big):
    data, counts, _ = big
    assert counts.response_rate == pytest.approx(0.44, abs=0.02)
    rostered = data.main["interview_result"].isin([1, 4]).sum()   # households with a roster
    assert rostered / counts.children == pytest.approx(1309 / 999, rel=0.01)


def test_age_and_sex_composition(big):
    data, _, _ = big
    c = data.main[data.main["interview_result"] == 1]
    w = c["weight"].to_numpy(float)
    girls = (w * (c["child_sex"].to_numpy(float) == 1)).sum() / w.sum()
    young = (w * (c["child_age"].to_numpy(float) <= 14)).sum() / w.sum()
    assert girls == pytest.approx(0.48, abs=1e-6)     # post-stratified exactly
    assert young == pytest.approx(0.56, abs=1e-6)


def _share(inst, col, value):
    return float((inst[col] == value).mean())


def _multi_share(inst, col, code, base=None):
    s = inst[col] if base is None else inst.loc[base, col]
    return float(s.fillna("").str.split().apply(lambda x: code in x).mean())


def test_instance_perpetrators_and_where_met(big):
    inst = big[0].instance
    assert _share(inst, "inst_met", 2) == pytest.approx(0.70, abs=0.02)
    assert _share(inst, "inst_where_met", "school") == pytest.approx(0.28 * 0.70 / 0.70, abs=0.05)
    assert _share(inst, "inst_relation", "stranger") == pytest.approx(0.21, abs=0.02)
    assert _share(inst, "inst_relation", "family") == pytest.approx(0.22, abs=0.02)
    assert _share(inst, "inst_relation", "refused") == pytest.approx(0.18, abs=0.02)
    assert _share(inst, "inst_perp_under18", 1) == pytest.approx(0.17, abs=0.02)


def test_instance_platforms_among_social_media_cases(big):
    inst = big[0].instance
    social = inst["inst_platform"].fillna("").str.contains(
        "facebook|whatsapp|instagram|snapchat|tiktok|youtube|telegram|\\bx\\b", regex=True)
    assert float(social.mean()) == pytest.approx(0.50, abs=0.03)
    assert _multi_share(inst, "inst_platform", "facebook", social) == pytest.approx(0.80, abs=0.03)
    assert _multi_share(inst, "inst_platform", "whatsapp", social) == pytest.approx(0.30, abs=0.03)
    assert _multi_share(inst, "inst_platform", "gaming") == pytest.approx(0.14, abs=0.02)


def test_disclosure(big):
    inst = big[0].instance
    assert _share(inst, "inst_told", 1) == pytest.approx(0.52, abs=0.02)
    assert _share(inst, "inst_told", 2) == pytest.approx(0.34, abs=0.02)
    assert _multi_share(inst, "inst_told_whom", "friend") == pytest.approx(0.17, abs=0.02)
    assert _multi_share(inst, "inst_told_whom", "mother") == pytest.approx(0.15, abs=0.02)
    not_told = inst["inst_told"] == 2
    assert _multi_share(inst, "inst_why_not_told", "dont_know_where", not_told) == \
        pytest.approx(0.36, abs=0.03)
    assert (inst["inst_reported_formal"] == 2).all()


def test_activities(big):
    data, _, _ = big
    c = data.main[data.main["interview_result"] == 1]
    w = c["weight"].to_numpy(float)
    for col, target in (("act_social_weekly", 0.83), ("act_games_weekly", 0.64)):
        share = (w * (c[col].to_numpy(float) == 1)).sum() / w.sum()
        assert share == pytest.approx(target, abs=0.015)


def test_clustering_gives_a_design_effect_above_one():
    """Between-PSU variation of the PSU means exceeds what independent draws would give."""
    data = draw(8_000, seed=2)
    c = data.main[data.main["interview_result"] == 1]
    y = (c["any_tfcsea"].to_numpy(float) == 1)
    g = c.groupby("psu_id")["any_tfcsea"].agg(["mean", "size"])
    g = g[g["size"] >= 4]
    between = float(((g["mean"] - y.mean()) ** 2 * g["size"]).sum() / (len(g) - 1))
    assert between / (y.mean() * (1 - y.mean())) > 1.3
