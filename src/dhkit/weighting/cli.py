"""Commands of the weighting stage: ``dhkit weights calibrate`` (any file, no study folder)
and ``dhkit weights build DIR`` (the study's full weighting chain)."""

from __future__ import annotations

from pathlib import Path

import typer

weights_app = typer.Typer(
    name="weights", no_args_is_help=True,
    help="Survey weights: calibration to population margins, and the study's weighting chain.")


def _pair(text: str | None, option: str) -> tuple[float, float] | None:
    from dhkit.errors import DhkitError

    if text is None:
        return None
    try:
        lo, hi = (float(v) for v in text.split(","))
    except ValueError:
        raise DhkitError("WGT-010", f"{option} '{text}' must be two numbers 'L,U', e.g. "
                         f"{option} 0.3,3.") from None
    return lo, hi


@weights_app.command("calibrate")
def calibrate_cmd(
    file: Path = typer.Argument(..., help="Data file: .csv, .parquet, .sav, .dta or .xlsx."),
    weights: str = typer.Option(..., "--weights", "-w", help="Column with the input weights."),
    margins: Path = typer.Option(..., "--margins", "-m",
                                 help="CSV with columns variable, level, total."),
    method: str = typer.Option("raking", "--method",
                               help="poststratify | raking | linear | logit | calraking."),
    bounds: str = typer.Option(None, "--bounds", help="Bounds L,U on the g-factors (linear, "
                                                      "logit, calraking)."),
    trim: str = typer.Option(None, "--trim", help="Trim final weights to L,U and redistribute "
                                                  "(R trimWeights)."),
    maxit: int = typer.Option(None, "--maxit", help="Iteration limit (R: 10 rake, 50 calibrate)."),
    epsilon: float = typer.Option(None, "--epsilon", help="Convergence tolerance (R defaults)."),
    out: Path = typer.Option(None, "--out", "-o", help="Output .csv or .parquet (default: CSV "
                                                       "on stdout, tables on stderr)."),
    as_json: bool = typer.Option(False, "--json", help="Print margins and diagnostics as JSON."),
) -> None:
    """Calibrate a file's weights to population margins; adds the column `weight_cal`.

    Equal to R survey's postStratify / rake / calibrate (and trimWeights with --trim).

    Example:

        dhkit weights calibrate children.csv --weights w0 --margins margins.csv \\
            --method logit --bounds 0.3,3 --out children_cal.csv
    """
    import json

    import numpy as np

    from dhkit.console import err_console, out_console
    from dhkit.errors import DhkitError
    from dhkit.tabular import read_table
    from dhkit.weighting.calibrate import calibrate_weights, margin_table
    from dhkit.weighting.diagnostics import compare_weights
    from dhkit.weighting.margins import Margins
    from dhkit.weighting.trim import trim_weights

    if as_json and out is None:
        raise DhkitError("WGT-017", "--json prints the diagnostics on stdout, where the weighted "
                         "rows would go too: add --out FILE.csv for the rows.")
    data = read_table(file)
    if weights not in data.columns:
        raise DhkitError("WGT-008", f"{file}: no column '{weights}' for --weights; columns are "
                         f"{', '.join(map(str, data.columns[:12]))}.")
    w0 = data[weights].to_numpy(dtype=float)
    spec = Margins.from_csv(margins)
    b = _pair(bounds, "--bounds") or (-np.inf, np.inf)
    cal = calibrate_weights(w0, data, spec, method, bounds=b, maxit=maxit, epsilon=epsilon)
    final = cal.weights
    if trim is not None:
        lo, hi = _pair(trim, "--trim")
        final = trim_weights(final, lo, hi).weights
    result = data.copy()
    result["weight_cal"] = final
    table = margin_table(cal.margins, w0, final)
    diag = compare_weights({"input": w0, "weight_cal": final})
    if out is not None:
        if out.suffix.lower() in (".parquet", ".pq"):
            result.to_parquet(out, index=False)
        else:
            from dhkit.safetext import csv_frame

            csv_frame(result).to_csv(out, index=False)
        err_console.print(f"wrote {len(result)} rows with weight_cal to {out}")
    else:
        from dhkit.safetext import csv_frame

        csv_frame(result).to_csv(typer.get_text_stream("stdout"), index=False)
    console = out_console if out is not None else err_console
    if as_json:
        payload = {"method": cal.method, "iterations": cal.iterations,
                   "converged": bool(cal.converged),
                   "margins": table.to_dict(orient="records"),
                   "diagnostics": diag.to_dict(orient="records")}
        typer.echo(json.dumps(payload, indent=2, default=float))
        return
    _print_table(console, table, f"Margins: target vs achieved ({cal.method}, "
                                 f"{cal.iterations} iteration(s))")
    _print_table(console, diag, "Weights")


def human_number(v) -> str:
    """A number as a person reads it in a weighting table: thousands separated, no
    exponent, decimals by size — whole numbers and anything from 100,000 up without
    decimals (sums of weights, population totals), 10 to 100,000 with one (weights,
    so a row of weights keeps one decimal), below 10 with three (factors, coefficients
    of variation, design effects); a
    difference that rounds to zero is "0.000", never "-0.000"; a missing value is "–".
    Text is left as it is.

    >>> [human_number(x) for x in (1033670.4, 4100000.0, 999, 773.854, 1.20672, -2.8e-05)]
    ['1,033,670', '4,100,000', '999', '773.9', '1.207', '0.000']
    """
    import math
    from numbers import Integral, Real

    if isinstance(v, bool) or not isinstance(v, Real):
        return str(v)
    if isinstance(v, Integral):
        return f"{int(v):,}"
    x = float(v)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == round(x) or abs(x) >= 100_000:
        return f"{round(x):,.0f}"
    text = f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.3f}"
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text


#: column names of the weighting tables as a reader says them (others: underscores spaced)
HEADERS = {"weight_eligible": "Weights, eligible", "weight_respondents": "Weights, respondents",
           "factor_uncapped": "Factor before the cap", "diff": "After − target",
           "n": "n", "class": "Class"}


def header(name: object) -> str:
    """A table column named for a reader: ``weight_eligible`` -> "Weights, eligible",
    ``before`` -> "Before".

    >>> [header(c) for c in ("weight_eligible", "before", "n", "w_base")]
    ['Weights, eligible', 'Before', 'n', 'W base']
    """
    text = str(name)
    return HEADERS.get(text) or (text[:1].upper() + text[1:]).replace("_", " ")


def column_numbers(values) -> list[str]:
    """A column's numbers with one number of decimals for all (the most any of them needs
    by :func:`human_number`'s rule), so the column's decimals line up.

    >>> column_numbers([235307.2, 63462.71, 0.0, float("nan")])
    ['235,307.2', '63,462.7', '0.0', '–']
    """
    import math
    from numbers import Integral, Real

    def finite_float(v) -> bool:
        return isinstance(v, Real) and not isinstance(v, (bool, Integral)) \
            and math.isfinite(float(v))

    floats = [float(v) for v in values if finite_float(v)]
    if not floats:
        return [human_number(v) for v in values]
    decimals = max(0 if x == round(x) or abs(x) >= 100_000 else 1 if abs(x) >= 10 else 3
                   for x in floats)
    out = []
    for v in values:
        text = f"{float(v):,.{decimals}f}" if finite_float(v) else human_number(v)
        out.append(text.lstrip("-") if finite_float(v) and float(text.replace(",", "")) == 0
                   else text)
    return out


def _print_table(console, df, title: str) -> None:
    """A Rich table of a weighting frame: columns named for a reader; a table of one
    statistic per row formats each number by its own size, any other each column alike."""
    from rich.table import Table

    t = Table(title=title)
    for c in df.columns:
        t.add_column(header(c), justify="right" if df[c].dtype.kind in "fiu" else "left")
    if len(df.columns) and df.columns[0] == "statistic":
        rows = [[human_number(v) for v in row] for row in df.itertuples(index=False)]
    else:
        cols = [column_numbers(list(df[c])) for c in df.columns]
        rows = [list(r) for r in zip(*cols)] if cols else []
    for row in rows:
        t.add_row(*row)
    console.print(t)


@weights_app.command("build")
def build_cmd(
    study: Path = typer.Argument(..., help="Study folder (with weighting.toml)."),
    data: Path = typer.Option(None, "--data", help="Child table file, when the study store is "
                                                   "not used."),
    out: Path = typer.Option(None, "--out", "-o", help="Also write the weights table (id, one "
                                                       "column per step, final) here (.csv or "
                                                       ".parquet)."),
    key_file: Path = typer.Option(None, "--key-file", help="Key for the study store."),
    appendix: Path = typer.Option(None, "--appendix", help="Also write the diagnostics "
                                                           "appendix (.html or .xlsx)."),
    as_json: bool = typer.Option(False, "--json", help="Print the diagnostics as JSON."),
) -> None:
    """Build the study's final weights: base → nonresponse → household → calibration → trim.

    Reads the steps from DIR/weighting.toml; stores the final weights with their lineage.

    Example:

        dhkit weights build studies/colombia --appendix weights_appendix.html
    """
    from dhkit.weighting.build import run_build

    run_build(study, data=data, out=out, key_file=key_file, appendix=appendix, as_json=as_json)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(weights_app, name="weights")
