"""Commands of the survey stage: ``dhkit estimate`` works on any data file, no study folder."""

from __future__ import annotations

from pathlib import Path

import typer


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _notes(command):
    """Run ``command`` with Python warnings (equal weights assumed, a guessed JK1 scale...)
    printed as one ``note:`` line on stderr, not as ``file.py:89: UserWarning`` plus a
    source line."""
    import functools

    @functools.wraps(command)
    def run(*args, **kwargs):
        import warnings

        from dhkit.console import err_console

        def show(message, category, filename, lineno, file=None, line=None):
            err_console.print(f"note: {message}", markup=False, highlight=False, soft_wrap=True)

        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = show
            return command(*args, **kwargs)

    return run


@_notes
def estimate_cmd(
    file: Path = typer.Argument(..., help="Data file: .csv, .parquet, .sav, .dta or .xlsx."),
    weights: str = typer.Option(None, "--weights", "-w",
                                help="Weight column (none: derived from --fpc as R svydesign, "
                                     "else equal weights with a warning)."),
    strata: str = typer.Option(None, "--strata", help="Stratum column."),
    psu: str = typer.Option(None, "--psu", help="Cluster column(s), one per stage, comma-separated."),
    fpc: str = typer.Option(None, "--fpc", help="FPC column(s) per stage: population size or fraction."),
    nest: bool = typer.Option(False, "--nest", help="PSU labels repeat across strata (R nest=TRUE)."),
    pps: str = typer.Option(None, "--pps",
                            help="PSUs drawn with probability proportional to size without "
                                 "replacement: brewer, hr (Hartley-Rao) or overton; --fpc then "
                                 "holds each cluster's inclusion probability (R pps=)."),
    pps_variance: str = typer.Option("HT", "--pps-variance",
                                     help="PPS variance form: HT, or YG (Yates-Grundy; hr/overton)."),
    mean: str = typer.Option(None, "--mean", help="Variables for means/proportions, comma-separated."),
    total: str = typer.Option(None, "--total", help="Variables for totals, comma-separated."),
    ratio: str = typer.Option(None, "--ratio", help="Ratios NUM/DEN, comma-separated."),
    by: str = typer.Option(None, "--by", help="Domain variables, comma-separated; cross two with ':' (sex:area)."),
    multiple: str = typer.Option(None, "--multiple", help="Space-separated select_multiple columns."),
    categorical: str = typer.Option(None, "--categorical", help="Numeric-coded columns to treat as categories."),
    ci: str = typer.Option("logit", "--ci", help="Proportion interval: logit, beta, korn-graubard, xlogit, mean, likelihood."),
    level: float = typer.Option(0.95, "--level", help="Confidence level."),
    lonely_psu: str = typer.Option("fail", "--lonely-psu",
                                   help="Single-PSU strata: fail, remove, certainty, adjust, average."),
    deff: str = typer.Option("true", "--deff", help="Design effect: true (SRS without replacement), replace, false."),
    repweights: str = typer.Option(None, "--repweights",
                                   help="Replicate-weight columns: a regular expression (as R's "
                                        "svrepdesign repweights=) or a comma-separated list."),
    rep_type: str = typer.Option("JK1", "--type",
                                 help="Replicate type: JK1, JKn, BRR, Fay, bootstrap, SDR."),
    scale: float = typer.Option(None, "--scale", help="Replicate variance scale (R scale=)."),
    rho: float = typer.Option(None, "--rho", help="Fay's rho (type Fay)."),
    mse: bool = typer.Option(False, "--mse", help="Centre replicates at the full-sample estimate."),
    combined: bool = typer.Option(True, "--combined/--not-combined",
                                  help="Replicate columns already include the sampling weight "
                                       "(R combined.weights)."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the tidy table: .csv or .parquet."),
    json_out: bool = typer.Option(False, "--json", help="Print the table as JSON records on stdout."),
) -> None:
    """Design-based estimates (equal to R survey) for any data file.

    Example:

        dhkit estimate children.csv --weights w --strata region --psu cluster
            --mean q1,q2,device --by sex,area,sex:area --ci logit --out estimates.csv

    With replicate weights (R svrepdesign), instead of --strata/--psu:

        dhkit estimate scd.csv --weights w --repweights "^rep" --type BRR --mean alive

    PSUs drawn with probability proportional to size (R svydesign(pps="brewer")):

        dhkit estimate election.csv --fpc p --pps brewer --total Bush,Kerry
    """
    from dhkit.console import err_console, out_console
    from dhkit.errors import DhkitError
    from dhkit.survey import Design
    from dhkit.tabular import read_table

    if not (mean or total or ratio):
        raise DhkitError("EST-019", "nothing to estimate: give --mean, --total or --ratio.")
    if deff not in ("true", "false", "replace"):
        raise DhkitError("EST-018", f"--deff {deff}: use true, false or replace.")
    if out is not None and out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise DhkitError("EST-022", f"--out {out}: write .csv or .parquet.")
    data = read_table(file, value_labels=True)
    if data.empty:
        raise DhkitError("EST-026", f"{file}: no data rows (only a header); nothing to estimate.")
    for opt, names in (("--categorical", categorical), ("--multiple", multiple)):
        missing = [n for n in _split(names) if n not in data.columns]
        if missing:
            from dhkit.survey.design import columns_hint

            raise DhkitError("EST-013", f"{opt} column '{missing[0]}' is not in {file}; "
                             f"{columns_hint(missing[0], data.columns)}")
    psus = _split(psu)
    fpcs = _split(fpc)
    if repweights:
        from dhkit.survey.replicate import ReplicateDesign

        if strata or psus or fpcs or pps:
            raise DhkitError("EST-024", "--repweights replaces --strata/--psu/--fpc: the "
                             "replicate weights carry the design; give one or the other.")
        pattern = _split(repweights) if "," in repweights else repweights
        d = ReplicateDesign(data, weights=weights, repweights=pattern, type=rep_type,
                            scale=scale, rho=rho, mse=mse, combined_weights=combined)
    else:
        d = Design(data, weights=weights, strata=strata, psu=psus or None, fpc=fpcs or None,
                   nest=nest, lonely_psu=lonely_psu, pps=pps, variance=pps_variance)
    ratios = []
    for r in _split(ratio):
        if "/" not in r:
            raise DhkitError("EST-017", f"--ratio {r}: write NUMERATOR/DENOMINATOR.")
        ratios.append(tuple(r.split("/", 1)))
    by_specs = [b.split(":") if ":" in b else b for b in _split(by)]
    res = d.estimate(means=_split(mean), totals=_split(total), ratios=ratios, domains=by_specs,
                     ci=ci, level=level, deff={"true": True, "false": False}.get(deff, deff),
                     multiple=_split(multiple), categorical=_split(categorical))
    t = res.table
    if out is not None:
        res.to_file(str(out))
        err_console.print(f"wrote {len(t)} estimates to {out} (design: {d.n} rows, degf {d.degf})")
    if json_out:
        typer.echo(_json_records(t))
        return
    _print(t, out_console if out is None else err_console, limit=None if out is None else 20)


def _json_records(t) -> str:
    """The table as JSON records with every float at full precision (pandas' ``to_json``
    keeps 10 decimals: an SE of 1.2e-5 would lose its 1e-8 agreement with R); NaN → null."""
    import json
    import math

    rows = t.to_dict(orient="records")
    clean = [{k: (None if isinstance(v, float) and not math.isfinite(v) else
                  v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in rows]
    return json.dumps(clean, ensure_ascii=False)


def _num(x: float, digits: int) -> str:
    """A figure for the screen: large numbers in full with thousands separators (R prints
    3687177.5, not 3.69e+06), others to ``digits`` significant digits."""
    if x != x:
        return ""
    return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:.{digits}g}"


def _print(t, console, limit: int | None) -> None:
    from rich import box
    from rich.table import Table

    shown = t if limit is None else t.head(limit)
    rows = []
    for r in shown.itertuples():
        name = f"{r.indicator}[{r.category}]" if r.category else r.indicator
        where = f"{r.domain}={r.level}" if r.domain else "(all)"
        rows.append((name, where, _num(r.estimate, 4), _num(r.se, 3),
                     f"{_num(r.ci_low, 3)}–{_num(r.ci_high, 3)}", _num(r.deff, 3),
                     str(r.n_unweighted), r.flag))
    columns = ["indicator", "domain", "estimate", "se", "CI", "deff", "n", "flag"]
    if not any(row[-1] for row in rows):          # no flag anywhere: no empty column
        columns, rows = columns[:-1], [row[:-1] for row in rows]
    # no vertical rules; names and numbers are never broken across lines (a CI folded as
    # "0.129–0.22" / "5" reads as two numbers)
    tab = Table(show_lines=False, pad_edge=False, box=box.SIMPLE_HEAD, collapse_padding=True)
    widths = [max([len(c)] + [len(row[k]) for row in rows]) for k, c in enumerate(columns)]
    for c, width in zip(columns, widths):
        tab.add_column(c, justify="left" if c in ("indicator", "domain", "flag") else "right",
                       no_wrap=True, min_width=width)
    for row in rows:
        tab.add_row(*row)
    # wider than the terminal: the terminal wraps the lines rather than rich cropping figures
    console.print(tab, width=max(console.width, sum(widths) + 3 * len(widths)))
    if limit is not None and len(t) > limit:
        console.print(f"... {len(t) - limit} more rows in the output file")


@_notes
def regress_cmd(
    file: Path = typer.Argument(..., help="Data file: .csv, .parquet, .sav, .dta or .xlsx."),
    weights: str = typer.Option(None, "--weights", "-w",
                                help="Weight column (none: derived from --fpc as R svydesign, "
                                     "else equal weights with a warning)."),
    formula: str = typer.Option(..., "--formula", "-f",
                                help='Model formula, e.g. "y ~ x1 + C(x2)" (C() or factor(): categorical).'),
    family: str = typer.Option("gaussian", "--family",
                               help="gaussian (linear), binomial (logit: odds ratios) or poisson "
                                    "(log: prevalence ratios); quasi- variants as R svyglm."),
    strata: str = typer.Option(None, "--strata", help="Stratum column."),
    psu: str = typer.Option(None, "--psu", help="Cluster column(s), one per stage, comma-separated."),
    fpc: str = typer.Option(None, "--fpc", help="FPC column(s) per stage: population size or fraction."),
    nest: bool = typer.Option(False, "--nest", help="PSU labels repeat across strata (R nest=TRUE)."),
    pps: str = typer.Option(None, "--pps",
                            help="PSUs drawn with probability proportional to size without "
                                 "replacement: brewer, hr (Hartley-Rao) or overton; --fpc then "
                                 "holds each cluster's inclusion probability (R pps=)."),
    pps_variance: str = typer.Option("HT", "--pps-variance",
                                     help="PPS variance form: HT, or YG (Yates-Grundy; hr/overton)."),
    lonely_psu: str = typer.Option("fail", "--lonely-psu",
                                   help="Single-PSU strata: fail, remove, certainty, adjust, average."),
    subset: str = typer.Option(None, "--subset",
                               help='Fit in a domain of the full design, e.g. "age >= 15".'),
    exp: bool = typer.Option(False, "--exp",
                             help="Exponentiate estimates and CIs (odds or prevalence ratios); "
                                  "se stays on the model scale."),
    level: float = typer.Option(0.95, "--level", help="Confidence level."),
    out: Path = typer.Option(None, "--out", "-o", help="Write the tidy table: .csv or .parquet."),
    json_out: bool = typer.Option(False, "--json", help="Print the table as JSON records on stdout."),
) -> None:
    """Design-based regression (equal to R svyglm), one row per coefficient.

    Each row holds the estimate, se, CI, t, p and df.

    Example (adjusted prevalence ratios):

        dhkit regress children.csv --weights w --strata region --psu cluster
            --formula "tfcsea ~ inperson + C(sex) + age" --family poisson --exp --out pr.csv
    """
    from dhkit.console import err_console, out_console
    from dhkit.errors import DhkitError
    from dhkit.survey import Design
    from dhkit.survey.regression import family_of
    from dhkit.tabular import read_table

    family_of(family)
    if out is not None and out.suffix.lower() not in (".csv", ".parquet", ".pq"):
        raise DhkitError("EST-022", f"--out {out}: write .csv or .parquet.")
    data = read_table(file, value_labels=True)
    if data.empty:
        raise DhkitError("EST-026", f"{file}: no data rows (only a header); nothing to fit.")
    d = Design(data, weights=weights, strata=strata, psu=_split(psu) or None,
               fpc=_split(fpc) or None, nest=nest, lonely_psu=lonely_psu, pps=pps,
               variance=pps_variance)
    fit = d.glm(formula, family, subset=subset, level=level)
    t = fit.exp() if exp else fit.table
    t = t.rename(columns={"p": "p_value"})
    if out is not None:
        if out.suffix.lower() == ".csv":
            from dhkit.safetext import csv_frame

            csv_frame(t).to_csv(out, index=False)   # term names come from the user's data
        else:
            t.to_parquet(out, index=False)
        err_console.print(f"wrote {len(t)} coefficients to {out} ({fit.n} rows in the model, "
                          f"df {fit.df:g}, family {fit.family.name})")
    if json_out:
        typer.echo(_json_records(t))
        return
    if out is None:
        from rich.table import Table

        tab = Table(pad_edge=False)
        for c in ("term", "estimate", "se", "CI", "t", "p", "df"):
            tab.add_column(c, justify="left" if c == "term" else "right")
        for r in t.itertuples():
            tab.add_row(r.term, f"{r.estimate:.4g}", f"{r.se:.3g}", f"{r.ci_low:.3g}–{r.ci_high:.3g}",
                        f"{r.t:.3g}", f"{r.p_value:.3g}", f"{r.df:g}")
        out_console.print(tab)


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.command("estimate")(estimate_cmd)
    app.command("regress")(regress_cmd)
