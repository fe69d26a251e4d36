"""Participants sheet: consent records checked row by row, all problems listed, all or nothing."""

import pandas as pd
import pytest

from dhkit.errors import ValidationError
from dhkit.qualitative.demo import DEMO_DIR
from dhkit.qualitative.participants import import_participants, participants, withdraw
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"
HEADER = ("participant_id,group,sex,age_band,region,interview_date,interviewer,language,"
          "consent_interview,consent_quote,caregiver_consent,withdrawal_date\n")


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.duckdb", KEY) as s:
        yield s


def test_demo_sheet_imports_with_its_refusal(store):
    result = import_participants(store, DEMO_DIR / "participants.csv")
    assert (result.n_participants, result.n_refused, result.n_withdrawn) == (7, 1, 0)
    people = participants(store)
    assert people["YP-01"].minor and people["YP-01"].may_be_quoted
    assert not people["YP-04"].consented
    assert people["JP-01"].consented and not people["JP-01"].may_be_quoted


def test_every_problem_is_listed_and_nothing_is_stored(store, tmp_path):
    sheet = tmp_path / "p.csv"
    sheet.write_text(HEADER
                     + "YP-01,YP,female,16-17,X,2024-01-02,I,es,yes,,yes,\n"   # no quote consent
                     + "YP-02,XX,female,18-24,X,2024-01-02,I,es,yes,yes,,\n"   # bad group
                     + "YP-03,YP,male,16-17,X,2024-01-02,I,es,yes,yes,,\n"     # minor, no caregiver
                     + "FW-01,FW,female,,X,2024-13-40,I,en,yes,yes,,\n",       # bad date
                     encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        import_participants(store, sheet)
    report = exc.value.report
    assert sorted(report.codes()) == ["QUAL-005", "QUAL-007", "QUAL-008", "QUAL-009"]
    assert {p.row for p in report} == {2, 3, 4, 5}
    assert all(p.file == "p.csv" for p in report)
    assert participants(store) == {}


def test_missing_consent_column_is_named(store, tmp_path):
    sheet = tmp_path / "p.csv"
    sheet.write_text("participant_id,group,consent_interview\nYP-01,YP,yes\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        import_participants(store, sheet)
    assert [(p.code, "consent_quote" in p.message) for p in exc.value.report] == [
        ("QUAL-002", True)]


def test_xlsx_sheet_and_spanish_yes_values(store, tmp_path):
    sheet = tmp_path / "p.xlsx"
    pd.DataFrame({"ID": ["JP-09"], "Grupo": ["jp"], "consent_interview": ["Sí"],
                  "consent_quote": ["no"]}).to_excel(sheet, index=False)
    import_participants(store, sheet)
    p = participants(store)["JP-09"]
    assert (p.group, p.consent_interview, p.consent_quote) == ("JP", True, False)


def test_withdrawal_is_recorded(store):
    import datetime as dt

    import_participants(store, DEMO_DIR / "participants.csv")
    p = withdraw(store, "YP-03", dt.date(2025, 4, 2))
    assert p.withdrawn and not p.may_be_quoted
