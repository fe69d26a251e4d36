"""The drawn fictional interviews: the seed's counts by group, in its four cities."""

from __future__ import annotations

import pandas as pd
import pytest

from dhkit.demo.interviews import CITIES, MARKER, add_interviews, participant_rows


def test_rows_complete_the_seed_counts_given_those_already_interviewed():
    rows = pd.DataFrame(participant_rows({"YP": (2, 1), "FW": (2, 0), "JP": (2, 0)}))
    assert rows.groupby("group").size().to_dict() == {"FW": 13, "JP": 9, "YP": 27}
    yp = rows[rows["group"] == "YP"]
    assert (yp["sex"] == "male").sum() == 1          # 28 female, 2 male with the existing
    assert set(rows["region"]) <= set(CITIES)
    assert rows["participant_id"].is_unique
    minors = yp["age_band"] == "16-17"
    assert (yp.loc[minors, "caregiver_consent"] == "yes").all()


def test_interviews_are_dated_inside_the_seed_s_fieldwork_july_2024_to_march_2025():
    rows = pd.DataFrame(participant_rows({"YP": (2, 1), "FW": (2, 0), "JP": (2, 0)}))
    days = pd.to_datetime(rows["interview_date"])
    assert days.min() >= pd.Timestamp("2024-07-01")
    assert days.max() <= pd.Timestamp("2025-03-31")
    # spread over the window, not bunched in its first months
    assert days.dt.to_period("M").nunique() >= 7


def test_rows_are_reproducible_from_the_seed():
    assert participant_rows({}, seed=3) == participant_rows({}, seed=3)
    assert participant_rows({}, seed=3) != participant_rows({}, seed=4)


@pytest.fixture(scope="module")
def study_store(tmp_path_factory):
    from dhkit.qualitative import load_demo
    from dhkit.workspace.config import init_study

    d = tmp_path_factory.mktemp("interviews")
    study = init_study(d / "study", country="CO", demo=True, name="interviews")
    with study.open_store() as store:
        load_demo(store, second_wave=True)
        added = add_interviews(store, d / "exports")
    return study, added, d


def test_the_study_then_holds_30_15_11_interviewed_people(study_store):
    from dhkit.qualitative.participants import participants

    study, added, _ = study_store
    assert added == 49
    with study.open_store() as store:
        people = [p for p in participants(store).values() if p.consent_interview]
    groups = pd.Series([p.group for p in people]).value_counts().to_dict()
    assert groups == {"YP": 30, "FW": 15, "JP": 11}
    assert sum(p.group == "YP" and p.sex == "male" for p in people) == 2


def test_each_drawn_transcript_is_short_and_marked_fictional(study_store):
    _, _, d = study_store
    files = sorted((d / "exports").glob("*.txt"))
    assert len(files) == 49
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert text.startswith(MARKER) and len(text) < 800
