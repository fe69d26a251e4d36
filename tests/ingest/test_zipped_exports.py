"""ODK Central's "CSV (zip)" download is imported as it comes: its files as if given one by
one (named after the zip), its media never inflated, nothing extracted left behind."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import fieldforms as ff  # noqa: E402

from dhkit.errors import DhkitError  # noqa: E402
from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture
def study(tmp_path):
    return init_study(tmp_path / "study", instrument=ff.household_form(tmp_path / "f.xlsx"),
                      demo=True)


def _central_zip(tmp_path: Path, subs, media: bytes = b"") -> Path:
    (tmp_path / "csv").mkdir()
    files = ff.odk_csvs(tmp_path / "csv", subs)
    out = tmp_path / "hh_visit.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, f.name)
        if media:
            z.writestr("media/1712345678.jpg", media)
    return out


def test_a_central_zip_lands_in_every_table(study, tmp_path):
    res = import_files(study, [_central_zip(tmp_path, ff.sample(3))])
    assert res.accepted == {"main": 3, "members": 6, "episodes": 6}
    assert [f.file for f in res.files] == ["hh_visit.zip:hh_visit.csv",
                                           "hh_visit.zip:hh_visit-members.csv",
                                           "hh_visit.zip:hh_visit-episodes.csv"]
    assert list((study.store_path.parent / ".tmp").glob("unzip-*")) == []


def test_a_problem_names_the_zip_and_its_file(study, tmp_path):
    subs = ff.sample(2)
    subs[1].members[0].age = 130
    res = import_files(study, [_central_zip(tmp_path, subs)])
    assert [(p.file, p.row, p.field) for p in res.report] == [
        ("hh_visit.zip:hh_visit-members.csv", 4, "m_age"),        # and its two episodes
        ("hh_visit.zip:hh_visit-episodes.csv", 4, "_parent_key"),
        ("hh_visit.zip:hh_visit-episodes.csv", 5, "_parent_key")]
    with study.open_store() as store:
        held = store.con.execute("SELECT source_file FROM study.quarantine").fetchall()
    assert held[0] == ("hh_visit.zip:hh_visit-members.csv",)


def test_the_same_zip_again_adds_nothing(study, tmp_path):
    z = _central_zip(tmp_path, ff.sample(2))
    import_files(study, [z])
    again = import_files(study, [z])
    assert all(f.already_imported for f in again.files) and len(again.files) == 3


def test_media_in_the_zip_are_not_read(study, tmp_path, monkeypatch):
    monkeypatch.setenv("DHKIT_ZIP_MAX_BYTES", str(200_000))
    res = import_files(study, [_central_zip(tmp_path, ff.sample(2), media=b"\xff" * 500_000)])
    assert res.accepted["main"] == 2


def test_a_zip_bomb_is_refused_and_nothing_imported(study, tmp_path, monkeypatch):
    monkeypatch.setenv("DHKIT_ZIP_MAX_BYTES", str(1_000))
    with pytest.raises(DhkitError) as err:
        import_files(study, [_central_zip(tmp_path, ff.sample(20))])
    assert err.value.code == "IO-010"
    with study.open_store() as store:
        assert not store.has_table("main")


def test_a_zip_without_an_export_says_so(study, tmp_path):
    z = tmp_path / "photos.zip"
    with zipfile.ZipFile(z, "w") as f:
        f.writestr("media/a.jpg", b"x")
    with pytest.raises(DhkitError) as err:
        import_files(study, [z])
    assert err.value.code == "IMP-001" and "holds no export file" in err.value.message
