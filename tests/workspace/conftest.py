"""A small real (non-demo) study with rows in the store, keyed by DHKIT_KEY."""

import pytest

from recovery_support import KEY


@pytest.fixture
def keyed_study(tmp_path, monkeypatch):
    """A study folder whose store holds 3 tables with known row counts."""
    from dhkit.workspace.config import init_study, load_study

    monkeypatch.setenv("DHKIT_KEY", KEY)
    monkeypatch.delenv("DHKIT_NEW_KEY", raising=False)
    init_study(tmp_path / "study", country="CO", name="Hardening test")
    study = load_study(tmp_path / "study")
    with study.open_store() as s:
        s.con.execute("CREATE SEQUENCE study.q START 1")
        s.con.execute("CREATE TABLE main (id BIGINT DEFAULT nextval('study.q'), v VARCHAR)")
        s.con.execute("INSERT INTO main (v) SELECT 'row-' || i FROM range(1000) r(i)")
        s.con.execute("CREATE TABLE roster AS SELECT i AS k, i * 2 AS x FROM range(2500) r(i)")
        s.audit("import", file="a.csv", sha256="ab" * 32, rows_accepted=1000, rows_quarantined=0)
        s.audit("import", file="b.csv", sha256="cd" * 32, rows_accepted=2500, rows_quarantined=0)
    return study
