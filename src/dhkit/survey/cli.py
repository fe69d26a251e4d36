"""Commands of the survey stage: ``dhkit estimate`` works on any data file, no study folder."""

from __future__ import annotations

from pathlib import Path

import typer


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def estimate_cmd(
    file: Path = typer.Argument(..., help="Data file: .csv, .parquet, .sav, .dta or .xlsx."),
    weights: str = typer.Option(..., "--weights", "-w", help="Weight column."),
    strata: str = typer.Option(None, "--strata", help="Stratum column."),
    psu: str = typer.Option(None, "--psu", help="Cluster column(s), one per stage, comma-separated."),
    fpc: str = typer.Option(None, "--fpc", help="FPC column(s) per stage: population size or fraction."),
    nest: bool = typer.Option(False, "--nest", help="PSU labels repeat across strata (R nest=TRUE)."),
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
            raise DhkitError("EST-013", f"{opt} column '{missing[0]}' is not in {file}; columns are "
                             f"{', '.join(map(str, data.columns[:12]))}{'...' if data.shape[1] > 12 else ''}.")
    psus = _split(psu)
    fpcs = _split(fpc)
    if repweights:
        from dhkit.survey.replicate import ReplicateDesign

        if strata or psus or fpcs:
            raise DhkitError("EST-024", "--repweights replaces --strata/--psu/--fpc: the "
                             "replicate weights carry the design; give one or the other.")
        pattern = _split(repweights) if "," in repweights else repweights
        d = ReplicateDesign(data, weights=weights, repweights=pattern, type=rep_type,
                            scale=scale, rho=rho, mse=mse, combined_weights=combined)
    else:
        d = Design(data, weights=weights, strata=strata, psu=psus or None, fpc=fpcs or None,
                   nest=nest, lonely_psu=lonely_psu)
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
        typer.echo(t.to_json(orient="records"))
        return
    _print(t, out_console if out is None else err_console, limit=None if out is None else 20)


def _print(t, console, limit: int | None) -> None:
    from rich.table import Table

    tab = Table(show_lines=False, pad_edge=False)
    for c, right in (("indicator", False), ("domain", False), ("estimate", True), ("se", True),
                     ("CI", True), ("deff", True), ("n", True), ("flag", False)):
        tab.add_column(c, justify="right" if right else "left", overflow="fold")
    shown = t if limit is None else t.head(limit)
    for r in shown.itertuples():
        name = f"{r.indicator}[{r.category}]" if r.category else r.indicator
        where = f"{r.domain}={r.level}" if r.domain else "(all)"
        tab.add_row(name, where, f"{r.estimate:.4g}", f"{r.se:.3g}", f"{r.ci_low:.3g}–{r.ci_high:.3g}",
                    f"{r.deff:.3g}", str(r.n_unweighted), r.flag)
    console.print(tab)
    if limit is not None and len(t) > limit:
        console.print(f"... {len(t) - limit} more rows in the output file")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.command("estimate")(estimate_cmd)
