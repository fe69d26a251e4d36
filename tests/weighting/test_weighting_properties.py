"""Properties of calibration on random samples: raking on the cell table equals row-wise
iterative proportional fitting; every converged method reproduces the margins."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dhkit.weighting.calibrate import calibrate_weights
from dhkit.weighting.margins import Margins


def _sample(seed: int, n: int):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"a": rng.integers(1, 4, n), "b": rng.integers(1, 3, n),
                       "c": rng.integers(1, 5, n)})
    for col, k in (("a", 3), ("b", 2), ("c", 4)):   # every level present
        df.loc[: k - 1, col] = np.arange(1, k + 1)
    w = rng.uniform(1, 5, n)
    N = w.sum() * rng.uniform(0.8, 1.5)
    spec = {}
    for col in ("a", "b", "c"):
        share = np.bincount(df[col], weights=w)[1:] * rng.uniform(0.9, 1.1, df[col].max())
        spec[col] = dict(zip(range(1, len(share) + 1), N * share / share.sum()))
    return df, w, Margins.from_dict(spec)


def _naive_rake(df, w, margins, sweeps):
    w = w.copy()
    for _ in range(sweeps):
        for m in margins.margins:
            col = df[m.variable].to_numpy()
            for lev, tot in zip(m.levels, m.totals):
                rows = col == int(lev)
                w[rows] *= tot / w[rows].sum()
    return w


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(80, 300))
def test_cell_table_raking_equals_row_wise_ipf(seed, n):
    df, w, margins = _sample(seed, n)
    cal = calibrate_weights(w, df, margins, "raking", maxit=7, epsilon=1e-300, strict=False)
    np.testing.assert_allclose(cal.weights, _naive_rake(df, w, margins, 7), rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(80, 300),
       method=st.sampled_from(["linear", "calraking", "raking"]))
def test_calibrated_weights_reproduce_every_margin(seed, n, method):
    df, w, margins = _sample(seed, n)
    cal = calibrate_weights(w, df, margins, method, maxit=200, epsilon=1e-12 if method ==
                            "raking" else None)
    table = cal.achieved()
    np.testing.assert_allclose(table["after"], table["target"], rtol=1e-6)


def test_cells_group_any_number_of_margin_combinations():
    from dhkit.weighting.calibrate import Cells

    rng = np.random.default_rng(1)
    for k, m in ((3, 3), (100, 12)):             # 27 combinations; 100**12 > 2**62
        codes = tuple(rng.integers(0, k, 500) for _ in range(m))
        cells = Cells(codes, [k] * m)
        for cell_code, row_code in zip(cells.codes, codes):
            assert np.array_equal(cell_code[cells.row], row_code)
        assert cells.ncell == len({tuple(c[i] for c in codes) for i in range(500)})
