"""One small demo study (200 children, with planted identifiers and a planted unique) and
its public and licensed releases, shared by the release tests (built once per session)."""

import pytest

from dhkit.demo.pipeline import DemoContext, run
from dhkit.release.config import DEMO_SPEC
from dhkit.release.run import release_study


@pytest.fixture(scope="session")
def study(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    ctx = run(DemoContext(out_dir=out, children=200, formats=("kobo_csv",)),
              only=["generate", "study", "import", "weights"])
    (ctx.study_dir / "release.toml").write_text(DEMO_SPEC, encoding="utf-8")
    with ctx.study.open_store() as store:
        t = store.table("main")
        store.con.execute(f"ALTER TABLE {t} ADD COLUMN child_name VARCHAR")
        store.con.execute(f"ALTER TABLE {t} ADD COLUMN gps_latitude DOUBLE")
        store.con.execute(f"ALTER TABLE {t} ADD COLUMN notes_other VARCHAR")
        store.con.execute(f"UPDATE {t} SET child_name = 'ZZNAME' || hh_id || 'QQ', "
                          "gps_latitude = 4.123456789, notes_other = 'ZZTEXT ' || hh_id")
        # a planted unique: the only 17-year-old in a household of 14
        hh = store.con.execute(f"SELECT hh_id FROM {t} WHERE child_age IS NOT NULL "
                               "LIMIT 1").fetchone()[0]
        store.con.execute(f"UPDATE {t} SET hh_size = 14, child_age = 17 WHERE hh_id = ?", [hh])
        i = store.table("instance")
        store.con.execute(f"ALTER TABLE {i} ADD COLUMN perpetrator_name VARCHAR")
        store.con.execute(f"UPDATE {i} SET perpetrator_name = 'ZZPERP' || hh_id")
    return ctx


@pytest.fixture(scope="session")
def public(study, tmp_path_factory):
    return release_study(study.study_dir, tmp_path_factory.mktemp("pub"), "public")


@pytest.fixture(scope="session")
def licensed(study, tmp_path_factory):
    return release_study(study.study_dir, tmp_path_factory.mktemp("lic"), "licensed",
                         pdf=False)


