"""Weight diagnostics: Kish's design effect due to weighting, effective sample size, CV,
min/max/quantiles, adjustment factors by class, margins against targets; as a CLI table, an
HTML fragment and an Excel sheet for the report's appendix.

Kish (1965, §11.7): deff_w = n Σw² / (Σw)² = 1 + CV², CV with the population (n) divisor;
n_eff = (Σw)² / Σw².

>>> d = weight_diagnostics([1., 1., 2., 4.])
>>> round(d.deff_kish, 4), round(d.n_effective, 4)
(1.375, 2.9091)
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True)
class WeightDiagnostics:
    """Summary of one weight variable (Kish's measures and the distribution)."""

    label: str
    n: int
    total: float
    minimum: float
    maximum: float
    mean: float
    cv: float
    deff_kish: float
    n_effective: float
    quantiles: tuple[tuple[float, float], ...]

    def table(self) -> pd.DataFrame:
        """One row per statistic: ``statistic, value`` (statistics named for a reader).

        The names are the report's (its methods chapter and weighting annex), so the
        report's catalogs translate them.

        >>> weight_diagnostics([1., 3.]).table()["statistic"].tolist()[:4]
        ['Unweighted n', 'Sum of weights', 'Minimum', 'Maximum']
        """
        rows = [("Unweighted n", self.n), ("Sum of weights", self.total),
                ("Minimum", self.minimum), ("Maximum", self.maximum),
                ("Largest to smallest", self.maximum / self.minimum
                 if self.minimum > 0 else np.inf),
                ("Mean", self.mean), ("Coefficient of variation", self.cv),
                ("Design effect due to weighting", self.deff_kish),
                ("Effective sample size", self.n_effective)]
        rows += [(_percentile(q), v) for q, v in self.quantiles]
        return pd.DataFrame(rows, columns=["statistic", self.label])

    def as_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("label", "n", "total", "minimum", "maximum", "mean",
                                             "cv", "deff_kish", "n_effective")}
        d["quantiles"] = {str(q): v for q, v in self.quantiles}
        return d


def _percentile(q: float) -> str:
    """'1st percentile', '25th percentile', 'Median'."""
    p = round(q * 100)
    if p == 50:
        return "Median"
    suffix = "th" if 10 <= p % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(p % 10, "th")
    return f"{p}{suffix} percentile"


def weight_diagnostics(weights, label: str = "weight") -> WeightDiagnostics:
    """Kish deff, effective n, CV and quantiles of a weight vector (zero weights count).

    Reference: Kish (1965) Survey Sampling, §11.7; Kish (1992) J. Off. Stat. 8:183–200.

    >>> weight_diagnostics([2., 2., 2.]).deff_kish
    1.0
    """
    w = np.asarray(weights, dtype=float)
    n, s, s2 = len(w), float(w.sum()), float((w ** 2).sum())
    mean = s / n
    cv = float(np.sqrt(max(s2 / n - mean ** 2, 0.0)) / mean) if mean else np.nan
    return WeightDiagnostics(
        label, n, s, float(w.min()), float(w.max()), mean, cv,
        n * s2 / s ** 2 if s else np.nan, s ** 2 / s2 if s2 else 0.0,
        tuple((q, float(v)) for q, v in zip(QUANTILES, np.quantile(w, QUANTILES))))


def compare_weights(steps: dict[str, np.ndarray]) -> pd.DataFrame:
    """Side-by-side diagnostics of several weight steps (base, nonresponse, calibrated...)."""
    tables = [weight_diagnostics(w, name).table().set_index("statistic") for name, w in steps.items()]
    return pd.concat(tables, axis=1).reset_index()


def factors_by_class(before, after, classes: pd.Series | np.ndarray, name: str = "class"
                     ) -> pd.DataFrame:
    """Adjustment factors by class: Σ after / Σ before, with the unweighted count.

    >>> factors_by_class([1., 1., 2.], [2., 2., 2.], ["a", "a", "b"])["factor"].tolist()
    [2.0, 1.0]
    """
    df = pd.DataFrame({name: np.asarray(classes), "before": before, "after": after})
    g = df.groupby(name, sort=True, dropna=False)
    out = g[["before", "after"]].sum()
    out["n"] = g.size()
    out["factor"] = out["after"] / out["before"]
    return out.reset_index()[[name, "n", "before", "after", "factor"]]


# --------------------------------------------------------------------------------------
# appendix writers
# --------------------------------------------------------------------------------------
def _html_table(df: pd.DataFrame, caption: str) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, (float, np.floating)):
                txt = f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
                cells.append(f'<td class="num">{txt}</td>')
            elif isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{v:,}</td>')
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="dhkit-weights"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def diagnostics_html(tables: dict[str, pd.DataFrame]) -> str:
    """An HTML fragment (a ``<section>`` of captioned tables) for the report's appendix.

    >>> "<table" in diagnostics_html({"Weights": weight_diagnostics([1., 2.]).table()})
    True
    """
    parts = [_html_table(df, caption) for caption, df in tables.items()]
    return '<section class="dhkit-weighting-appendix">\n' + "\n".join(parts) + "\n</section>\n"


#: the look of the appendix as a file of its own (``dhkit weights build --appendix x.html``)
DOCUMENT_CSS = """body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;margin:0 0 2em}
caption{text-align:left;font-weight:bold;padding:.4em 0}
th,td{padding:.25em .7em;border-bottom:1px solid #ddd}th{background:#eef2f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}"""


def diagnostics_document(tables: dict[str, pd.DataFrame],
                         title: str = "Weighting diagnostics") -> str:
    """The appendix as a page of its own (title, styles, the tables of
    :func:`diagnostics_html`), for a file a reader opens in a browser.

    >>> diagnostics_document({"Weights": weight_diagnostics([1., 2.]).table()})[:15]
    '<!DOCTYPE html>'
    """
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{DOCUMENT_CSS}</style></head>"
            f"<body><h1>{html.escape(title)}</h1>\n{diagnostics_html(tables)}</body></html>\n")


def write_diagnostics_excel(tables: dict[str, pd.DataFrame], path: str | Path,
                            sheet: str = "Weighting") -> Path:
    """One Excel sheet with the tables stacked, each under its caption (openpyxl)."""
    path = Path(path)
    mode = "a" if path.exists() else "w"
    kw = {"if_sheet_exists": "replace"} if mode == "a" else {}
    with pd.ExcelWriter(path, engine="openpyxl", mode=mode, **kw) as xw:
        row = 0
        for caption, df in tables.items():
            pd.DataFrame([[caption]]).to_excel(xw, sheet_name=sheet, startrow=row, index=False,
                                               header=False)
            df.to_excel(xw, sheet_name=sheet, startrow=row + 1, index=False)
            row += len(df) + 3
        from dhkit.safetext import defuse_openpyxl

        defuse_openpyxl(xw.sheets[sheet])   # a caption or label is text, never a formula
    return path
