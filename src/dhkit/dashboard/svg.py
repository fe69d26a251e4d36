"""Dot-and-whisker charts as static SVG, written without a charting library.

Why not the report's Altair charts (:mod:`dhkit.report.charts`): the dashboard draws one
chart per indicator and language (a hundred or more per site), and a page served under a
strict content security policy may carry no inline ``style`` attributes. A dot-and-whisker
chart is a few lines and rectangles, so it is written here directly: presentation
attributes and CSS classes only, no script, a ``<title>``/``<desc>`` for screen readers,
and it scales with the page (``viewBox``). Suppressed estimates are left out, as in the
report's charts; the table beside it shows ``*``.

>>> svg = dot_whisker([("Girls", 0.2, 0.15, 0.26, False), ("Boys", 0.1, 0.07, 0.14, True)],
...                   title="Any TF-CSEA", desc="Girls 20%; Boys 10%")
>>> svg.count("<circle")
2
"""

from __future__ import annotations

import math
from html import escape

ROW = 26
PLOT = 260           # the value axis' length (user units: px at the chart's natural size)
RIGHT = 24
#: the label column: as wide as the longest label needs (DejaVu Sans at 12 px averages
#: about 7 px a character), within these bounds; a longer label is shortened with "…"
#: (its full text stays in the table beside the chart and in the chart's description)
CHAR = 7.0
LEFT_MIN, LEFT_MAX = 90, 270


def _scale_max(values: list[float]) -> float:
    top = max(values) if values else 1.0
    for limit in (0.1, 0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1.0):
        if top <= limit + 1e-12:
            return limit
    return 1.0


def _ok(v) -> bool:
    return v is not None and not math.isnan(v)


def _fit(label: str, room: float) -> str:
    """``label`` shortened with "…" to about ``room`` px."""
    most = max(int(room / CHAR), 4)
    return label if len(label) <= most else label[:most - 1].rstrip() + "…"


def dot_whisker(rows: list[tuple[str, float, float, float, bool]], *, title: str, desc: str,
                decimal: str = ".", uid: str = "c") -> str:
    """``rows``: (label, estimate, ci_low, ci_high, caution) with values in 0–1; a row
    whose label starts with ``"§"`` is a group heading (no values). The axis is in per
    cent ("%" on its ticks; ``decimal="," `` also spaces it as Spanish does: "20 %")."""
    values = [x for r in rows if not r[0].startswith("§") for x in (r[3], r[1])
              if x is not None and not math.isnan(x)]
    top = _scale_max(values)
    labels = [r[0] for r in rows if not r[0].startswith("§")]
    left = round(min(max(max((len(x) for x in labels), default=0) * CHAR + 14, LEFT_MIN),
                     LEFT_MAX))
    plot = PLOT
    width = left + PLOT + RIGHT
    height = ROW * len(rows) + 34

    def x(v: float) -> float:
        return round(left + plot * min(max(v, 0.0), top) / top, 1)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'width="{width}" viewBox="0 0 {width} {height}" aria-labelledby="{uid}t {uid}d">'
           f'<title id="{uid}t">{escape(title)}</title>'
           f'<desc id="{uid}d">{escape(desc)}</desc>']
    ticks = 5 if top in (0.5, 1.0, 0.25) else 4
    for i in range(ticks + 1):
        v = top * i / ticks
        pct = round(v * 100, 1)
        label = f"{pct:.0f}" if pct == int(pct) else f"{pct:.1f}".replace(".", decimal)
        label += " %" if decimal == "," else "%"
        out.append(f'<line class="grid" x1="{x(v)}" x2="{x(v)}" y1="4" y2="{height - 26}"/>'
                   f'<text class="tick" x="{x(v)}" y="{height - 10}" text-anchor="middle">'
                   f'{label}</text>')
    for i, (label, est, lo, hi, caution) in enumerate(rows):
        y = 4 + ROW * i + ROW / 2
        if label.startswith("§"):
            out.append(f'<text class="group" x="4" y="{y + 4}">{escape(label[1:])}</text>')
            continue
        out.append(f'<text class="lab" x="{left - 8}" y="{y + 4}" text-anchor="end">'
                   f'{escape(_fit(label, left - 12))}</text>')
        if _ok(lo) and _ok(hi):
            out.append(f'<line class="ci" x1="{x(lo)}" x2="{x(hi)}" y1="{y}" y2="{y}"/>')
        if _ok(est):
            cls = "dot caution" if caution else "dot"
            out.append(f'<circle class="{cls}" cx="{x(est)}" cy="{y}" r="5"/>')
    out.append("</svg>")
    return "".join(out)
