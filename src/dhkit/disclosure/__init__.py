"""Disclosure control: small-base flags and suppression before anything is written.

Household-survey convention (MICS/DHS, and the Disrupting Harm reports): an estimate whose
unweighted base is below ``suppress_below`` (25) is not shown (``*``); one whose base is
below ``caution_below`` (50) is shown in parentheses with a note to interpret it with
caution. Thresholds are study settings (``[disclosure]`` in study.toml).

>>> import pandas as pd
>>> t = pd.DataFrame({"estimate": [0.2, 0.3, 0.4], "se": [0.01] * 3, "ci_low": [0.1] * 3,
...                   "ci_high": [0.5] * 3, "n_unweighted": [10, 30, 999]})
>>> apply_flags(t)["flag"].tolist()
['suppressed', 'caution', '']
>>> public_view(apply_flags(t))["estimate"].isna().tolist()
[True, False, False]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError

SUPPRESSED, CAUTION = "suppressed", "caution"
VALUE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "deff", "cv", "n_weighted",
                 "population")


@dataclass(frozen=True)
class Thresholds:
    suppress_below: int = 25
    caution_below: int = 50

    def __post_init__(self) -> None:
        if not 0 <= self.suppress_below <= self.caution_below:
            raise DhkitError("DISC-001", f"disclosure thresholds out of order: suppress_below="
                             f"{self.suppress_below} must be ≤ caution_below={self.caution_below}. "
                             "Fix [disclosure] in study.toml.")


def apply_flags(table: pd.DataFrame, thresholds: Thresholds = Thresholds()) -> pd.DataFrame:
    """Set ``flag`` from the unweighted base: "suppressed", "caution" or ""."""
    out = table.copy()
    n = out["n_unweighted"].to_numpy()
    out["flag"] = np.where(n < thresholds.suppress_below, SUPPRESSED,
                           np.where(n < thresholds.caution_below, CAUTION, ""))
    return out


def public_view(table: pd.DataFrame) -> pd.DataFrame:
    """The table as it may leave the study: values of suppressed rows blanked (NaN),
    the unweighted base and the flag kept so readers see why."""
    out = table.copy()
    hidden = out["flag"].to_numpy() == SUPPRESSED
    for col in VALUE_COLUMNS:
        if col in out.columns:
            out[col] = out[col].astype(float)
            out.loc[hidden, col] = np.nan
    return out
