"""Disclosure rules: small bases flagged, suppressed values never leave the study."""

import math

import pandas as pd
import pytest

from dhkit.disclosure import Thresholds, apply_flags, public_view
from dhkit.errors import DhkitError


def _table(ns):
    return pd.DataFrame({"estimate": [0.5] * len(ns), "se": [0.1] * len(ns),
                         "ci_low": [0.3] * len(ns), "ci_high": [0.7] * len(ns),
                         "n_unweighted": ns})


def test_flags_follow_the_default_thresholds_at_their_edges():
    flags = apply_flags(_table([24, 25, 49, 50]))["flag"].tolist()
    assert flags == ["suppressed", "caution", "caution", ""]


def test_thresholds_come_from_the_study_settings():
    flags = apply_flags(_table([24, 40]), Thresholds(suppress_below=30, caution_below=100))
    assert flags["flag"].tolist() == ["suppressed", "caution"]


def test_public_view_blanks_every_value_of_a_suppressed_row_but_keeps_its_base():
    pub = public_view(apply_flags(_table([10, 500])))
    assert all(math.isnan(pub.loc[0, c]) for c in ("estimate", "se", "ci_low", "ci_high"))
    assert pub.loc[0, "n_unweighted"] == 10
    assert pub.loc[1, "estimate"] == 0.5


def test_thresholds_out_of_order_are_refused():
    with pytest.raises(DhkitError):
        Thresholds(suppress_below=50, caution_below=25)
