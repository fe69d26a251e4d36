"""`Design.var` equals R `svyvar` (and `svyby(..., svyvar)`) on R's own data sets
(fixtures from tests/reference/r/variance.R, R survey 4.1.1)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dhkit.survey import Design

REF = Path(__file__).resolve().parents[1] / "reference" / "fixtures"
R = pd.read_csv(REF / "variance" / "svyvar.csv", keep_default_na=False)


def data(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / "core" / f"{name}.csv")


DESIGNS = {
    "strat": lambda: Design(data("apistrat"), weights="pw", strata="stype", fpc="fpc"),
    "clus1": lambda: Design(data("apiclus1"), weights="pw", psu="dnum", fpc="fpc"),
    "clus2": lambda: Design(data("apiclus2"), psu=["dnum", "snum"], fpc=["fpc1", "fpc2"]),
    "nhanes": lambda: Design(data("nhanes"), weights="WTMEC2YR", strata="SDMVSTRA",
                             psu="SDMVPSU", nest=True),
    "strat_subset_E": lambda: Design(data("apistrat"), weights="pw", strata="stype",
                                     fpc="fpc").subset("stype == 'E'"),
}

SYN = pd.read_csv(REF / "core" / "synth.csv").query("region != 6").reset_index(drop=True)
MARGINS = {"sex": {1: 51000, 2: 49000}, "area": {"rural": 38000, "urban": 62000}}
SCALES = pd.read_csv(REF / "variance" / "replicate_scales.csv").set_index("case")


def calibrated(method: str) -> Design:
    from dhkit.weighting.calibrate import calibrate_design
    from dhkit.weighting.margins import Margins

    d = Design(SYN, weights="w", strata="region", psu="psu")
    return calibrate_design(d, Margins.from_dict(MARGINS), method)


def replicate(case: str):
    """R's replicate design of ``case`` rebuilt from its exported analysis weights."""
    from dhkit.survey.replicate import ReplicateDesign

    kind = {"jk1_clus1": "JK1", "boot_strat": "bootstrap", "jkn_synth": "JKn"}[case]
    rscales = [float(v) for v in SCALES.loc[case, "rscales"].split()]
    return ReplicateDesign(pd.read_csv(REF / "variance" / f"{case}.csv"), weights="pw",
                           repweights="^rep[0-9]+$", type=kind,
                           scale=float(SCALES.loc[case, "scale"]), rscales=rscales)


DESIGNS.update({
    "raked": lambda: calibrated("raking"),
    "linear": lambda: calibrated("linear"),
    "jk1_clus1": lambda: replicate("jk1_clus1"),
    "jk1_clus1_subset_E": lambda: replicate("jk1_clus1").subset("stype == 'E'"),
    "boot_strat": lambda: replicate("boot_strat"),
    "jkn_synth": lambda: replicate("jkn_synth"),
})


@pytest.mark.parametrize("case", sorted(set(R.case)))
def test_variance_equals_r_svyvar(case):
    want = R[R.case == case]
    d = DESIGNS[case]()
    for (var, domain), rows in want.groupby(["indicator", "domain"]):
        got = d.var(var, by=domain or None).table
        got = got[got.domain == domain].set_index("level")
        for r in rows.itertuples():
            row = got.loc[str(r.level)]
            assert row.estimate == pytest.approx(r.estimate, rel=1e-10), (case, var, r.level)
            assert row.se == pytest.approx(r.se, rel=1e-8), (case, var, r.level)
            assert row.statistic == "variance"
