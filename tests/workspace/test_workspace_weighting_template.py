"""`dhkit init` with the shipped instrument leaves the weighting chain ready: the form's
weighting.toml and a margins.csv listing every cell whose population total is to be given."""

import tomllib

import pandas as pd
import pytest

from dhkit.errors import ValidationError
from dhkit.weighting.build import load_spec
from dhkit.workspace.config import init_study


def test_init_writes_the_shipped_weighting_chain_and_a_margins_table_to_fill(tmp_path):
    study = init_study(tmp_path / "s", country="PE")
    spec = tomllib.loads((study.dir / "weighting.toml").read_text(encoding="utf-8"))
    assert spec["base"]["probabilities"] == ["p_psu", "p_hh"]
    assert spec["calibration"]["method"] == "raking"
    margins = pd.read_csv(study.dir / "margins.csv")
    assert set(margins.variable) == {"region", "area", "child_sex"}
    assert margins.total.isna().all()


def test_building_before_the_totals_are_given_names_every_empty_cell(tmp_path):
    study = init_study(tmp_path / "s", country="PE")
    with pytest.raises(ValidationError) as exc:
        load_spec(study.dir / "weighting.toml")
    problems = [p for p in exc.value.report if "no total" in p.message] if exc.value.report \
        else []
    assert len(problems) == 10
    assert problems[0].line == 2 and "region = caribe" in problems[0].message


def test_a_team_form_gets_no_weighting_template(tmp_path):
    from dhkit.instrument import shipped_form_path
    import shutil

    own = tmp_path / "own_form.xlsx"
    shutil.copy(shipped_form_path(), own)
    study = init_study(tmp_path / "s", instrument=own)
    assert not (study.dir / "weighting.toml").exists()
