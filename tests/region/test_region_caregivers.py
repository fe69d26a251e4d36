"""The regional presentation's measures that the national plan does not tabulate come
from each country's own data all the same: its headline (at least one of the four
forms it lists), offenders known to the child, and the role of caregivers — children
online at home, and caregivers' use, knowledge, talk, worry and where they would turn
(the caregiver indicators declared in the catalogue, base: caregivers)."""

import pytest

from dhkit.indicators.catalogue import load_catalogue
from dhkit.region.config import starter_harmonisation
from dhkit.region.render import base_text, table_views

CAREGIVERS = ["cg_internet_weekly", "cg_knows_platforms", "cg_talked_online_safety",
              "cg_worry_online_sex", "cg_would_report_formal", "cg_would_report_nobody"]


def _overall(frame, indicator, category=""):
    rows = frame[(frame["indicator"] == indicator) & (frame["domain"] == "")
                 & (frame["category"].fillna("") == category)]
    return rows.iloc[0]


def test_the_catalogue_declares_the_caregiver_indicators_on_the_caregivers_base():
    cat = load_catalogue(None, languages=("en", "es"))
    for ind in CAREGIVERS:
        assert cat.indicators[ind].base == "caregivers", ind
        assert cat.unit_of(ind) == "caregiver"
    assert cat.indicators["cg_would_report_formal"].label["es"] == (
        "El cuidador acudiría a la policía, una línea de ayuda o un trabajador social")


def test_the_starting_harmonisation_has_the_presentations_caregiver_table():
    doc = starter_harmonisation()
    table = next(t for t in doc["tables"] if t["id"] == "caregivers")
    assert table["title"] == {"en": "The role of caregivers", "es": "El papel de los cuidadores"}
    assert table["indicators"] == ["places_online", *CAREGIVERS]
    assert list(doc["indicators"]["places_online"]["categories"]) == ["home"]


def test_the_caregiver_table_reads_in_both_languages_with_both_bases(analysis):
    tv = next(t for t in table_views(analysis, "en") if t.id == "caregivers")
    assert [r.label for r in tv.rows] == [
        "Places where the child goes online", "At home",
        "Caregiver uses the internet at least weekly",
        "Caregiver knows which platforms the child uses",
        "Caregiver has talked with the child about online safety",
        "Caregiver worries about online sexual abuse of the child",
        "Caregiver would go to the police, a helpline or a social worker",
        "Caregiver would not go to anyone for help or to report"]
    # a fifth of the demo: 200, 140, 160 and 120 children, one caregiver each
    assert tv.base == ("internet-using children aged 12–17 (unweighted n: CO 200, KE 140, "
                       "PH 160, TH 120); caregivers of internet-using children aged 12–17 "
                       "(unweighted n: CO 200, KE 140, PH 160, TH 120)")
    es = next(t for t in table_views(analysis, "es") if t.id == "caregivers")
    assert es.title == "El papel de los cuidadores"
    assert es.rows[-2].label == ("El cuidador acudiría a la policía, una línea de ayuda o un "
                                 "trabajador social")
    assert base_text(analysis, ["cg_worry_online_sex"], "es").startswith(
        "cuidadores de niñas, niños y adolescentes de 12 a 17 años usuarios de internet")


def test_every_country_publishes_every_caregiver_figure_with_a_range(analysis):
    c, reg = analysis.cells, analysis.regional
    for ind in CAREGIVERS:
        for cid, n in (("CO", 200), ("KE", 140), ("PH", 160), ("TH", 120)):
            cell = _overall(c[c["country"] == cid], ind)
            assert cell["status"] == "published" and cell["n_unweighted"] == n, (ind, cid)
            assert 0 < cell["estimate"] < 1 and cell["ci_low"] < cell["estimate"] < cell["ci_high"]
        r = _overall(reg, ind)
        ests = c[(c["indicator"] == ind) & (c["domain"] == "")]["estimate"]
        assert (r["low"], r["high"]) == (ests.min(), ests.max())


def test_formal_reporting_sits_between_its_largest_channel_and_their_sum(analysis):
    for ce in analysis.countries:
        shares = [_overall(ce.public, "cg_would_report", ch)["estimate"]
                  for ch in ("police", "helpline", "social_worker")]
        formal = _overall(ce.extra, "cg_would_report_formal")["estimate"]
        assert max(shares) <= formal <= sum(shares) + 1e-12, ce.ref.id


def test_the_presentations_headline_counts_its_four_forms(analysis):
    for ce in analysis.countries:
        forms = [_overall(ce.public, f)["estimate"] for f in (
            "ab_offered_money_images", "ab_offered_money_acts", "ab_shared_without_consent",
            "ab_threatened_share")]
        four = _overall(ce.extra, "ocsea_four_forms")["estimate"]
        anyf = _overall(ce.public, "any_tfcsea")["estimate"]
        assert max(forms) <= four <= min(sum(forms), anyf) + 1e-12, ce.ref.id
    first = table_views(analysis, "en")[0].rows[0]
    assert first.label.startswith("Subjected to at least one of four forms")


def test_offenders_known_to_the_child_leave_out_who_preferred_not_to_say(analysis):
    checked = []
    for ce in analysis.countries:
        rel = {k: _overall(ce.public, "inst_relation", k)["estimate"]
               for k in ("stranger", "family", "partner", "friend", "acquaintance", "refused")}
        known = _overall(ce.extra, "inst_perp_known")
        if known["estimate"] != known["estimate"] or any(v != v for v in rel.values()):
            continue                      # suppressed in this small test region
        checked.append(ce.ref.id)
        expected = (rel["family"] + rel["partner"] + rel["friend"] + rel["acquaintance"]) \
            / (1 - rel["refused"])
        assert known["estimate"] == pytest.approx(expected, rel=1e-9), ce.ref.id
    assert "CO" in checked


def test_the_tables_follow_the_presentations_slides(analysis):
    """Scale, platforms, overlap, offenders, disclosure, gender (girls and boys: activities
    and online safety talk), territory (urban and rural: risks and skills), caregivers."""
    views = table_views(analysis, "en")
    assert [t.id for t in views] == ["prevalence", "platforms", "overlap", "offenders",
                                     "disclosure", "online", "area", "caregivers"]
    online = next(t for t in views if t.id == "online")
    labels = [r.label for r in online.rows]
    k = labels.index("Caregiver has talked with the child about online safety")
    assert labels[k + 1:k + 3] == ["Sex: Girls", "Sex: Boys"]
    c = analysis.cells
    by_sex = c[(c["indicator"] == "cg_talked_online_safety") & (c["domain"] == "sex")
               & (c["country"] == "CO")]
    assert (by_sex["status"] == "published").all() and len(by_sex) == 2
    area = next(t for t in views if t.id == "area")
    assert area.rows[0].label == "Met in person someone first known online"
    assert [r.label for r in area.rows[1:3]] == ["Area: Urban", "Area: Rural"]
