"""Kobo repeat entries have no lasting key (``_index`` is renumbered by every export), so a
re-export matches them to the stored entries by their answers: after an export that lost a
middle row, the fixing re-export adds the lost entry and leaves history empty. Exports are
written as Kobo writes them (``;`` CSV, one file per repeat, ``_index``/``_parent_index``)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture
def study(tmp_path):
    form = ff.household_form(tmp_path / "hh_visit.xlsx", size=True)
    return init_study(tmp_path / "study", instrument=form, demo=True)


def _households():
    """H000: members A0, Bx, C0 (each with episodes); H001: A1 (two episodes) and B1."""
    subs = ff.sample(2)
    subs[0].members = [ff.Member("A0", 30, "f", [ff.Episode("ill", 3), ff.Episode("inj", 1)]),
                       ff.Member("Bx", 12, "m", [ff.Episode("ill", 2)]),
                       ff.Member("C0", 8, "f", [ff.Episode("inj", 5)])]
    subs[0].hh_size, subs[1].hh_size = 3, 2
    return subs


def _drop_row(path: Path, name: str) -> Path:
    """The CSV with the row of member ``name`` lost (a filter left on in Excel)."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    kept = [r for r in rows if r[0] != name]
    assert len(kept) == len(rows) - 1
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL).writerows(kept)
    return path


def _counts(study):
    """table -> (rows in the table, rows in its history, unreleased rows in quarantine)."""
    out = {}
    with study.open_store() as store:
        con = store.con
        q = dict(con.execute('SELECT "table", count(*) FROM study.quarantine WHERE NOT '
                             "released GROUP BY ALL").fetchall())
        for t in ("main", "members", "episodes"):
            n = con.execute(f"SELECT count(*) FROM study.{t}").fetchone()[0]
            h = con.execute(f"SELECT count(*) FROM study.{t}_history").fetchone()[0] \
                if store.has_table(f"{t}_history") else 0
            out[t] = (n, h, q.get(t, 0))
    return out


def _episodes_by_member(study):
    with study.open_store() as store:
        return sorted(store.con.execute(
            "SELECT m.m_name, e.ep_kind, e.ep_days FROM study.episodes e JOIN study.members m "
            "ON m._key = e._parent_key").fetchall())


def test_the_re_export_after_a_lost_middle_row_adds_it_and_keeps_history_empty(study,
                                                                                 tmp_path):
    subs = _households()
    cut, full = tmp_path / "cut", tmp_path / "full"
    cut.mkdir()
    full.mkdir()
    main, members, episodes = ff.kobo_csvs(cut, subs, size=True)
    first = import_files(study, [main, _drop_row(members, "Bx"), episodes])
    # the lost member: a count warning (data kept); its episode has no parent row (IMP-012)
    assert [w.code for w in first.warnings] == ["IMP-022"]
    assert [(p.code, p.field) for p in first.report] == [("IMP-012", "_parent_key")]
    assert _counts(study) == {"main": (2, 0, 0), "members": (4, 0, 0),
                              "episodes": (5, 0, 1)}

    res = import_files(study, ff.kobo_csvs(full, subs, size=True))
    assert res.ok and not res.warnings, [str(p) for p in [*res.report, *res.warnings]]
    assert res.accepted == {"members": 1, "episodes": 1}
    assert res.unchanged == {"members": 4, "episodes": 5} and res.edited == {}
    assert res.identical == {"main": 2}          # the main file: byte for byte the same
    # the episodes file is byte for byte the first one, but one of its rows waited in the
    # quarantine: it was checked again, the orphan found its member and went in, and its
    # quarantine entry is closed (released); every member once, no history
    assert "Household_visit-episodes.csv: imported before, checked again because rows of " \
        "it wait in the quarantine (those that pass now go in)" in res.notes
    assert _counts(study) == {"main": (2, 0, 0), "members": (5, 0, 0),
                              "episodes": (6, 0, 0)}
    with study.open_store() as store:
        assert store.con.execute("SELECT \"table\", problems, released FROM study.quarantine"
                                 ).fetchall() == [("episodes", ["IMP-012 _parent_key"], True)]
    assert _episodes_by_member(study) == [("A0", "ill", 3), ("A0", "inj", 1),
                                          ("A1", "ill", 3), ("A1", "inj", 1),
                                          ("Bx", "ill", 2), ("C0", "inj", 5)]


def test_an_export_that_loses_a_row_after_a_complete_one_changes_nothing(study, tmp_path):
    subs = _households()
    full, cut = tmp_path / "full", tmp_path / "cut"
    full.mkdir()
    cut.mkdir()
    assert import_files(study, ff.kobo_csvs(full, subs, size=True)).ok
    main, members, _ = ff.kobo_csvs(cut, subs, size=True)
    (cut / "Household_visit.csv").write_text(main.read_text(encoding="utf-8") + "\n",
                                             encoding="utf-8")      # another export's bytes
    res = import_files(study, [main, _drop_row(members, "Bx")])
    assert res.ok and res.edited == {} and res.unchanged == {"main": 2, "members": 4}
    assert not res.warnings       # the store holds the lost member: 3 entries, as counted
    assert _counts(study) == {"main": (2, 0, 0), "members": (5, 0, 0),
                              "episodes": (6, 0, 0)}


def test_a_changed_entry_under_the_same_submission_is_still_an_edit(study, tmp_path):
    subs = _households()
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    import_files(study, ff.kobo_csvs(a, subs, size=True))
    subs[0].members[2].age = 9             # C0's age corrected in a later export
    _, members, _ = ff.kobo_csvs(b, subs, size=True)
    res = import_files(study, [members])
    assert res.ok and res.edited == {"members": 1} and res.unchanged == {"members": 4}
    with study.open_store() as store:
        assert store.con.execute("SELECT m_age FROM study.members WHERE m_name = 'C0'"
                                 ).fetchall() == [(9,)]
        assert store.con.execute("SELECT m_name, m_age FROM study.members_history"
                                 ).fetchall() == [("C0", 8)]
    assert _episodes_by_member(study)[-1] == ("C0", "inj", 5)     # its episode stays with it
