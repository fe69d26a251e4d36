"""Charts: the value axis fits the data (not always 0–100 %), long labels wrap onto
several lines and are never cut with an ellipsis."""

import re

import pandas as pd

from dhkit.report import charts
from dhkit.report.i18n import Translator

LONG = "Threatened with the sharing of sexual images (sexual extortion)"


def _data(estimates, highs, labels=None):
    labels = labels or [f"Item {i}" for i in range(len(estimates))]
    return pd.DataFrame({"label": labels, "group": "", "estimate": estimates,
                         "ci_low": [max(0.0, e - 0.01) for e in estimates], "ci_high": highs})


def _ticks(svg: str) -> list[str]:
    return re.findall(r">(\d+)</text>", svg)


def test_small_values_get_an_axis_just_above_their_upper_bound():
    assert charts.axis_max(_data([0.15, 0.05, 0.02], [0.18, 0.07, 0.04])) == 25
    assert charts.axis_max(_data([0.01], [0.03])) == 5
    assert charts.axis_max(_data([0.52, 0.34], [0.6, 0.41])) == 80


def test_large_values_keep_the_full_scale():
    assert charts.axis_max(_data([0.83], [0.86])) == 100


def test_bar_chart_axis_stops_at_the_round_limit():
    svg = charts.bars(_data([0.15, 0.05], [0.18, 0.07]), Translator("en"))
    ticks = [int(x) for x in _ticks(svg)]
    assert max(ticks) <= 25 and 100 not in ticks


def test_long_labels_are_wrapped_never_cut():
    svg = charts.bars(_data([0.1, 0.02], [0.12, 0.04], [LONG, "Short"]), Translator("en"))
    assert "…" not in svg
    text = " ".join(re.findall(r">([^<>]+)</(?:text|tspan)>", svg))
    for word in LONG.split():
        assert word in text
    assert charts.wrap(LONG, 34) == ("Threatened with the sharing of\n"
                                     "sexual images (sexual extortion)")


def test_grouped_chart_headers_are_wrapped_never_cut():
    data = pd.DataFrame({"label": [LONG + " " + LONG] * 2, "group": ["Girls", "Boys"],
                         "estimate": [0.05, 0.03], "ci_low": [0.03, 0.02],
                         "ci_high": [0.07, 0.05]})
    svg = charts.grouped(data, Translator("en"))
    assert "…" not in svg
    text = " ".join(re.findall(r">([^<>]+)</(?:text|tspan)>", svg))
    assert text.count("extortion)") == 2


def test_a_grouped_chart_names_each_bar_once_without_a_legend():
    """Girls / Boys are on the axis beside their bars; a legend below would repeat them."""
    data = pd.DataFrame({"label": ["Subjected to any TF-CSEA"] * 2, "group": ["Girls", "Boys"],
                         "estimate": [0.231, 0.165], "ci_low": [0.19, 0.13],
                         "ci_high": [0.27, 0.20]})
    svg = charts.grouped(data, Translator("en"))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count("Girls") == 1 and texts.count("Boys") == 1
    assert "23.1%" in texts and "16.5%" in texts
