"""Charts as inline SVG: bar charts with confidence intervals (Altair → vl-convert).

Rendered offline by vl-convert's embedded Vega engine, so the report needs no browser
and no network. Suppressed estimates are left out of a chart (the table shows ``*``);
every chart gets a text alternative for screen readers.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert as vlc

from dhkit.report.i18n import Translator

COLOURS = ["#1f5f8b", "#e07b39", "#5b8c5a", "#8e5ea2", "#c44e52", "#937860"]


def _base_chart(data: pd.DataFrame, t: Translator, height: int):
    data = data.assign(pct=data["estimate"] * 100, lo=data["ci_low"] * 100,
                       hi=data["ci_high"] * 100,
                       text=[t.percent(v) for v in data["estimate"]])
    return alt.Chart(data).properties(width=420, height=height), data


def bars(data: pd.DataFrame, t: Translator) -> str:
    """Horizontal bars, one per row of ``data`` (columns label, estimate, ci_low, ci_high)."""
    chart, data = _base_chart(data, t, max(60, 26 * len(data)))
    order = list(data["label"])
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("pct:Q", title=t("Per cent of base"), scale=alt.Scale(domain=[0, 100]))
    layer = (chart.mark_bar(color=COLOURS[0]).encode(x=x, y=y)
             + chart.mark_rule(color="#333").encode(x="lo:Q", x2="hi:Q", y=y)
             + chart.mark_text(align="left", dx=4, dy=-7, fontSize=10).encode(
                 x="hi:Q", y=y, text="text:N"))
    return _svg(layer)


def grouped(data: pd.DataFrame, t: Translator) -> str:
    """Bars grouped by indicator, one colour per domain level (columns label, group, ...)."""
    chart, data = _base_chart(data, t, max(60, 22 * len(data)))
    groups = list(dict.fromkeys(data["group"]))
    y = alt.Y("group:N", sort=groups, title=None, axis=alt.Axis(labelLimit=120))
    x = alt.X("pct:Q", title=t("Per cent of base"), scale=alt.Scale(domain=[0, 100]))
    colour = alt.Color("group:N", sort=groups, title=None,
                       scale=alt.Scale(range=COLOURS), legend=alt.Legend(orient="bottom"))
    row = alt.Row("label:N", sort=list(dict.fromkeys(data["label"])), title=None,
                  header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=400,
                                    labelOrient="top"))
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
