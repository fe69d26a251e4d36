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
    reg = reg[(reg["country"] == cid) & (reg["status"] == "published")
              & (reg["source_file"] == f"countries/{cid}/estimates.csv")]
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


@pytest.mark.parametrize("cid", ["CO", "KE", "PH", "TH"])
def test_a_cell_the_national_plan_lacks_is_its_row_of_the_regional_addition(built, cid):
    added = pd.read_csv(built.files[f"countries/{cid}/estimates-regional.csv"]
                        ).set_index("row_id")
    reg = pd.read_csv(built.files["estimates.csv"])
    reg = reg[(reg["country"] == cid) & (reg["status"] == "published")
              & (reg["source_file"] == f"countries/{cid}/estimates-regional.csv")]
    assert {"ocsea_four_forms", "cg_would_report_formal"} <= set(reg["indicator"])
    src = added.loc[reg["source_row_id"].astype(int)]
    for col in ("estimate", "se", "ci_low", "ci_high", "n_unweighted"):
        assert np.array_equal(reg[col].to_numpy(float), src[col].to_numpy(float)), col


@pytest.mark.parametrize("cid", ["CO", "KE", "PH", "TH"])
def test_the_regional_addition_uses_the_national_engine_design_and_weights(analysis, cid):
    """A caregiver who would go to nobody: once as the national table's category of
    cg_would_report, once as the region's own indicator (computed in the addition) —
    the same answers on the same calibrated design give the same estimate and SE."""
    ce = next(c for c in analysis.countries if c.ref.id == cid)
    nat = ce.public[(ce.public["indicator"] == "cg_would_report")
                    & (ce.public["category"] == "nobody") & (ce.public["domain"] == "")]
    add = ce.extra[(ce.extra["indicator"] == "cg_would_report_nobody")
                   & (ce.extra["domain"] == "")]
    for col in ("estimate", "se", "n_unweighted", "n_weighted"):
        assert add[col].item() == pytest.approx(nat[col].item(), rel=1e-10, abs=1e-15), col
