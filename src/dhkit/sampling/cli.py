"""Commands of the sampling stage: ``dhkit sample size`` and ``dhkit sample draw``."""

from __future__ import annotations

from pathlib import Path

import typer

sample_app = typer.Typer(name="sample", no_args_is_help=True,
                         help="Plan and draw the household sample: size, PSUs, households, child.")


@sample_app.command("size")
def size_cmd(
    p: float = typer.Option(0.5, "--p", help="Expected proportion (0.5 is the most cautious)."),
    moe: float = typer.Option(None, "--moe", help="Margin of error as a fraction (0.05 = ±5 "
                                                  "points)."),
    relative: float = typer.Option(None, "--relative", help="Margin as a share of p (0.2)."),
    confidence: float = typer.Option(0.95, "--confidence"),
    deff: float = typer.Option(None, "--deff", help="Design effect."),
    icc: float = typer.Option(None, "--icc", help="Intra-cluster correlation (with --take)."),
    take: int = typer.Option(None, "--take", help="Households visited per PSU."),
    response: float = typer.Option(1.0, "--response", help="Expected response rate (0.44)."),
    eligibility: float = typer.Option(1.0, "--eligibility",
                                      help="Share of households with an eligible child."),
    domains: int = typer.Option(1, "--domains", help="Domains that each need this precision."),
    population: float = typer.Option(None, "--population", help="Eligible population (FPC)."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Households to visit, PSUs and take for a proportion's target precision.

    Example (a plan like Colombia's 999 children at 44 % response):

        dhkit sample size --p 0.5 --moe 0.05 --deff 2.6 --response 0.44 --eligibility 0.25 --take 25
    """
    import json

    from rich.table import Table

    from dhkit.console import out_console
    from dhkit.sampling.size import sample_size

    r = sample_size(p, moe=moe, relative=relative, confidence=confidence, deff=deff, icc=icc,
                    take=take, response=response, eligibility=eligibility, domains=domains,
                    population=population)
    if as_json:
        typer.echo(json.dumps(r.as_dict(), indent=2))
        return
    t = Table(title="Sample size")
    t.add_column("")
    t.add_column("value", justify="right")
    for label, value in r.table():
        t.add_row(label, value)
    out_console.print(t)


@sample_app.command("draw")
def draw_cmd(
    frame: Path = typer.Argument(..., help="Frame of PSUs (.csv, .parquet, ...)."),
    size: str = typer.Option(..., "--size", help="Measure-of-size column."),
    psus: int = typer.Option(None, "--psus", help="PSUs to select in each stratum."),
    allocation: Path = typer.Option(None, "--allocation",
                                    help="CSV with columns stratum, psus (instead of --psus)."),
    total_psus: int = typer.Option(None, "--total-psus", help="Allocate this many PSUs to "
                                   "strata in proportion to size (at least 2 each)."),
    stratum: str = typer.Option(None, "--stratum", help="Stratum column."),
    psu: str = typer.Option("psu_id", "--psu", help="PSU id column (frame and listing)."),
    order: str = typer.Option(None, "--order", help="Sort within strata (implicit "
                                                    "stratification)."),
    listing: Path = typer.Option(None, "--listing", help="Household listing of the PSUs."),
    take: int = typer.Option(None, "--take", help="Households per PSU."),
    method: str = typer.Option("systematic", "--method", help="systematic | srs (households)."),
    eligible: str = typer.Option(None, "--eligible", help="Listing column: number of eligible "
                                                          "children (Kish choice of one)."),
    seed: int = typer.Option(..., "--seed", help="Random seed (record it with the sample)."),
    out: Path = typer.Option(..., "--out", "-o", help="Write the selected units here (.csv)."),
) -> None:
    """Stratified PPS systematic PSUs, then households, then one child; all probabilities out.

    Example:

        dhkit sample draw frame.csv --stratum region --size households --psus 10 \\
            --listing listing.csv --take 25 --eligible n_children --seed 20240601 --out sample.csv
    """
    from dhkit.console import err_console
    from dhkit.errors import DhkitError
    from dhkit.sampling.draw import draw_sample
    from dhkit.tabular import read_table

    if sum(x is not None for x in (psus, allocation, total_psus)) != 1:
        raise DhkitError("SAM-005", "give exactly one of --psus N, --allocation FILE or "
                         "--total-psus N.")
    n = psus
    frame_df = read_table(frame)
    if total_psus is not None:
        from dhkit.sampling.draw import allocate_psus

        if stratum is None:
            raise DhkitError("SAM-005", "--total-psus needs --stratum.")
        n = allocate_psus(frame_df, stratum=stratum, size=size, total=total_psus)
    if allocation is not None:
        alloc = read_table(allocation)
        if not {"stratum", "psus"} <= set(alloc.columns):
            raise DhkitError("SAM-005", f"{allocation}: needs columns stratum, psus.")
        n = dict(zip(alloc["stratum"], alloc["psus"]))
    drawn = draw_sample(frame_df, size=size, n=n, stratum=stratum, psu=psu, seed=seed,
                        order=order, listing=read_table(listing) if listing else None,
                        take=take, method=method, eligible=eligible)
    from dhkit.safetext import csv_frame

    csv_frame(drawn.table).to_csv(out, index=False)   # frame names: no formula injection
    s = drawn.psus.strata
    err_console.print(f"selected {int(s['psus'].sum())} PSUs ({int(s['certainty'].sum())} "
                      f"certainty) in {len(s)} strata; wrote {len(drawn.table)} rows to {out} "
                      f"(seed {seed})")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(sample_app, name="sample")
