"""A simple final weight for the demo data, so it can be analysed directly.

Base weight ``1 / (p_psu * p_hh * p_child)``; a nonresponse adjustment within region x area
cells (issued households of unknown eligibility count with the cell's screened
eligibility rate); then raking to the population margins of :mod:`dhkit.demo.truth`
(region x area, sex, single year of age). A few lines of numpy: the weighting stage
(``dhkit.weighting``) builds the full, documented machinery; this one only makes the demo
analysable out of the box (the method follows Valliant, Dever & Kreuter, *Practical
Tools for Designing and Weighting Survey Samples*, ch. 13-14).

>>> from dhkit.demo.generate import draw
>>> d = draw(200, seed=3)
>>> round(float(d.main["weight"].sum()) / 4_100_000, 6)
1.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dhkit.demo.truth import REGIONS, Truth


def demo_weights(main: pd.DataFrame, psu_region, psu_area, psu_unscreened, psu_ids,
                 truth: Truth, iterations: int = 25) -> np.ndarray:
    """Final child weights (NaN for households without a completed interview)."""
    result = main["interview_result"].to_numpy(dtype=float)
    comp = result == 1
    hw = 1.0 / (main["p_psu"].to_numpy() * main["p_hh"].to_numpy())
    reg = pd.Categorical(main["region"], categories=REGIONS).codes
    area = main["area"].to_numpy(dtype=float).astype(int)
    cell = reg * 2 + (area - 1)
    # unscreened issued households, weighted, per cell
    psu_hw = pd.Series(hw, index=main["psu_id"]).groupby(level=0).first()
    psu_hw = psu_hw.reindex(psu_ids).to_numpy()
    us_w = np.bincount(psu_region * 2 + (psu_area - 1),
                       weights=np.nan_to_num(psu_hw) * psu_unscreened, minlength=12)
    eligible_known = np.bincount(cell, weights=hw * np.isin(result, (1, 2, 3)), minlength=12)
    screened = np.bincount(cell, weights=hw, minlength=12)
    complete_w = np.bincount(cell, weights=hw * comp, minlength=12)
    e_rate = np.divide(eligible_known, screened, out=np.ones(12), where=screened > 0)
    factor = np.divide(eligible_known + us_w * e_rate, complete_w, out=np.ones(12),
                       where=complete_w > 0)
    w = hw / main["p_child"].to_numpy(dtype=float) * factor[cell]
    w = np.where(comp, w, np.nan)

    # raking to population margins (only completes)
    idx = np.flatnonzero(comp)
    wc = w[idx]
    cells = truth.population_cells()
    m_cell = np.array([cells[(r, a)] for r in REGIONS for a in (1, 2)])
    sex = main["child_sex"].to_numpy(dtype=float)[idx].astype(int) - 1
    ages = sorted(truth.age_share)
    age = main["child_age"].to_numpy(dtype=float)[idx].astype(int) - ages[0]
    N = truth.population_children
    m_sex = N * np.array([truth.girls_share, 1 - truth.girls_share])
    m_age = N * np.array([truth.age_share[a] for a in ages])
    margins = [(cell[idx], m_cell), (sex, m_sex), (age, m_age)]
    for _ in range(iterations):
        for codes, target in margins:
            tot = np.bincount(codes, weights=wc, minlength=len(target))
            # a margin cell with no respondent keeps its weights (collapsed implicitly)
            f = np.divide(target, tot, out=np.ones(len(target)), where=tot > 0)
            wc = wc * f[codes]
    wc *= N / wc.sum()
    w[idx] = wc
    return w
