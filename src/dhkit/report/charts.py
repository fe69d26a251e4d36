"""Charts as inline SVG: bar charts with confidence intervals (Altair → vl-convert).

Rendered offline by vl-convert's embedded Vega engine, so the report needs no browser
and no network. Suppressed estimates are left out of a chart (the table shows ``*``);
every chart gets a text alternative for screen readers.

The value axis runs from 0 to a round limit just above the largest upper confidence bound
(:func:`axis_max`), so 1–15 % values are not slivers on a 0–100 scale; long labels are
wrapped onto several lines (:func:`wrap`) and never cut.
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd
import vl_convert as vlc

from dhkit.report.i18n import Translator

COLOURS = ["#1f5f8b", "#e07b39", "#5b8c5a", "#8e5ea2", "#c44e52", "#937860"]
STEPS = (5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100)
#: Vega draws a label given as an array of strings on several lines.
MULTILINE = "split(datum.label, '\\n')"


def axis_max(data: pd.DataFrame) -> int:
    """The value axis' end, in per cent: the smallest round step that leaves room for the
    largest upper bound and its value label (about a sixth of the axis), at most 100.

    >>> axis_max(pd.DataFrame({"estimate": [0.02, 0.15], "ci_high": [0.04, 0.19]}))
    25
    >>> axis_max(pd.DataFrame({"estimate": [0.8], "ci_high": [0.9]}))
    100
    """
    top = float(pd.concat([data["estimate"], data["ci_high"]]).max()) * 100
    need = top * 1.18 + 1
    return next((s for s in STEPS if s >= need), 100)


def wrap(label: str, width: int) -> str:
    """A label broken at spaces into lines of at most ``width`` characters (no ellipsis).

    >>> wrap("Asked for sexual images or talk when they did not want to", 28)
    'Asked for sexual images or\\ntalk when they did not want\\nto'
    """
    return "\n".join(textwrap.wrap(str(label), width, break_long_words=False)) or str(label)


def _base_chart(data: pd.DataFrame, t: Translator, height: int):
    data = data.assign(pct=data["estimate"] * 100, lo=data["ci_low"] * 100,
                       hi=data["ci_high"] * 100,
                       text=[t.percent(v) for v in data["estimate"]])
    return alt.Chart(data).properties(width=400, height=height), data


def _lines(text: str) -> int:
    return text.count("\n") + 1


def bars(data: pd.DataFrame, t: Translator) -> str:
    """Horizontal bars, one per row of ``data`` (columns label, estimate, ci_low, ci_high)."""
    top = axis_max(data)
    data = data.assign(label=[wrap(x, 34) for x in data["label"]])
    rows = sum(max(26, 13 * _lines(x) + 8) for x in data["label"])
    chart, data = _base_chart(data, t, max(60, rows))
    order = list(data["label"])
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=1000, labelExpr=MULTILINE))
    x = alt.X("pct:Q", title=t("Per cent of base"), scale=alt.Scale(domain=[0, top], nice=False))
    layer = (chart.mark_bar(color=COLOURS[0]).encode(x=x, y=y)
             + chart.mark_rule(color="#333").encode(x="lo:Q", x2="hi:Q", y=y)
             + chart.mark_text(align="left", dx=4, dy=-7, fontSize=10).encode(
                 x="hi:Q", y=y, text="text:N"))
    return _svg(layer)


def grouped(data: pd.DataFrame, t: Translator) -> str:
    """Bars grouped by indicator, one colour per domain level (columns label, group, ...),
    each bar named by its level on the axis (no legend repeating the names)."""
    top = axis_max(data)
    data = data.assign(label=[wrap(x, 70) for x in data["label"]])
    chart, data = _base_chart(data, t, max(60, 22 * len(data)))
    groups = list(dict.fromkeys(data["group"]))
    y = alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=1000))
    x = alt.X("pct:Q", title=t("Per cent of base"), scale=alt.Scale(domain=[0, top], nice=False))
    # every bar carries its group's name on the axis: a legend would only repeat it
    colour = alt.Color("group:N", sort=groups, title=None,
                       scale=alt.Scale(range=COLOURS), legend=None)
    row = alt.Row("label:N", sort=list(dict.fromkeys(data["label"])), title=None,
                  header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=1000,
                                    labelOrient="top", labelAnchor="start",
                                    labelExpr=MULTILINE))
    base = chart.properties(height=22 * len(groups))
    layer = alt.layer(
        base.mark_bar().encode(x=x, y=y, color=colour),
        base.mark_rule(color="#333").encode(x="lo:Q", x2="hi:Q", y=y),
        base.mark_text(align="left", dx=4, fontSize=10).encode(x="hi:Q", y=y, text="text:N"),
        data=data,
    ).facet(row=row)
    return _svg(layer)


def _svg(chart) -> str:
    spec = chart.configure_view(stroke=None).configure(font="DejaVu Sans").to_dict()
    svg = vlc.vegalite_to_svg(spec)
    return svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
