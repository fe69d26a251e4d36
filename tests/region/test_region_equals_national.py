"""The regional tables equal each country's own `dhkit report` figures exactly: the
country's estimates.csv in the regional output is byte-identical to the national
report's, and every regional cell carries the national row's values unchanged."""

import numpy as np
import pandas as pd
import pytest

from dhkit.report.build import _write_tidy, analyse, validate_inputs
from dhkit.report.study import inputs_from_study
from dhkit.workspace.config import load_study


@pytest.fixture(scope="module")
def national(region, tmp_path_factory):
    """Every country's estimates.csv written by the national report's own steps
    (validate, analyse, write the tidy table — as ``build_report`` does; the full build
    also checks the Colombia findings text, which synthetic countries do not match)."""
    out = {}
    for cid in ("CO", "KE", "PH", "TH"):
        inputs = inputs_from_study(load_study(region.country(cid).study_dir))
        catalogue, plan = validate_inputs(inputs, ("en",))
        folder = tmp_path_factory.mktemp(f"nat-{cid}")
        files = _write_tidy(analyse(inputs, catalogue, plan, validated=True), folder)
        out[cid] = files["estimates.csv"]
    return out


@pytest.mark.parametrize("cid", ["CO", "KE", "PH", "TH"])
def test_the_country_table_is_the_national_reports_byte_for_byte(built, national, cid):
    regional_copy = built.files[f"countries/{cid}/estimates.csv"]
    assert regional_copy.read_bytes() == national[cid].read_bytes()


@pytest.mark.parametrize("cid", ["CO", "KE", "PH", "TH"])
def test_every_regional_cell_equals_its_national_row(built, national, cid):
    nat = pd.read_csv(national[cid]).set_index("row_id")
    reg = pd.read_csv(built.files["estimates.csv"])
    reg = reg[(reg["country"] == cid) & (reg["status"] == "published")]
    assert len(reg) > 50
    src = nat.loc[reg["source_row_id"].astype(int)]
    for col in ("estimate", "se", "ci_low", "ci_high", "n_unweighted", "deff"):
        assert np.array_equal(reg[col].to_numpy(float), src[col].to_numpy(float), equal_nan=True), col
    assert (reg["source_indicator"].to_numpy() == src["indicator"].to_numpy()).all()


def test_any_tfcsea_in_colombia_is_the_national_figure(analysis):
    co = next(c for c in analysis.countries if c.ref.id == "CO").public
    national = co[(co["indicator"] == "any_tfcsea") & (co["domain"] == "")]["estimate"].item()
    cells = analysis.cells
    regional = cells[(cells["country"] == "CO") & (cells["indicator"] == "any_tfcsea")
                     & (cells["domain"] == "")]["estimate"].item()
    assert regional == national
