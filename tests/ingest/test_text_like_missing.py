"""A text answer that reads like a missing-value marker ("NA", "None", "null", "N/A") is an
answer: an Excel export keeps it exactly as a CSV export does; only an empty cell is no
answer. (The lowercase "nan" alone is read as no answer in every format: it is what a file
written by pandas with ``astype(str)`` holds in every empty cell.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402

NAMES = ["NA", "None", "null", "NULL", "N/A", "NaN", "n/a", "-"]


@pytest.mark.parametrize("xlsx", [False, True], ids=["kobo csv", "kobo xlsx"])
def test_text_answers_that_look_missing_are_stored_as_written(tmp_path, xlsx):
    study = init_study(tmp_path / "study", instrument=ff.household_form(tmp_path / "f.xlsx"),
                       demo=True)
    subs = ff.sample(len(NAMES))
    for s, name in zip(subs, NAMES):
        s.members[0].name = name
    if xlsx:
        files = [ff.kobo_xlsx(tmp_path / "export.xlsx", subs)]
    else:
        (tmp_path / "export").mkdir()
        files = ff.kobo_csvs(tmp_path / "export", subs)
    res = import_files(study, files)
    assert [(p.code, p.field, p.message) for p in res.report] == []
    with study.open_store() as store:
        names = [r[0] for r in store.con.execute(
            "SELECT m_name FROM study.members WHERE m_name NOT LIKE 'B%' ORDER BY m_name"
        ).fetchall()]
    assert names == sorted(NAMES)


def test_an_empty_excel_cell_is_still_no_answer(tmp_path):
    study = init_study(tmp_path / "study", instrument=ff.household_form(tmp_path / "f.xlsx"),
                       demo=True)
    subs = ff.sample(2)
    subs[0].members[0].episodes[0].days = None
    import_files(study, [ff.kobo_xlsx(tmp_path / "export.xlsx", subs)])
    with study.open_store() as store:
        days = store.con.execute("SELECT count(*) FROM study.episodes WHERE ep_days IS NULL"
                                 ).fetchone()[0]
    assert days == 1


def test_a_lowercase_nan_is_no_answer(tmp_path):
    study = init_study(tmp_path / "study", instrument=ff.household_form(tmp_path / "f.xlsx"),
                       demo=True)
    subs = ff.sample(2)
    subs[0].members[1].name = "nan"
    res = import_files(study, [ff.kobo_xlsx(tmp_path / "export.xlsx", subs)])
    assert [(p.row, p.code, p.field) for p in res.report][:1] == [(3, "IMP-006", "m_name")]
