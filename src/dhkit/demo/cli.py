"""Commands of the demo stage: ``dhkit demo`` (the full run) and ``dhkit demo generate``."""

from __future__ import annotations

from pathlib import Path

import typer

demo_app = typer.Typer(
    name="demo", invoke_without_command=True, no_args_is_help=False,
    help="The synthetic demo study (no real data). Without a sub-command: generate it, "
         "create a demo study folder, import it and print a summary.\n\n"
         "Example: dhkit demo --out dhkit-demo")

_FORMATS_HELP = ("Formats to write (repeat the option or comma-separate): kobo_csv, "
                 "kobo_xlsx, odk_csv, sav, dta, parquet. Default: all.")


def _formats(values: list[str] | None) -> tuple[str, ...]:
    from dhkit.demo.study import DEFAULT_FORMATS

    if not values:
        return DEFAULT_FORMATS
    return tuple(f.strip() for v in values for f in v.split(",") if f.strip())


@demo_app.callback()
def demo_main(
    ctx: typer.Context,
    out: Path = typer.Option(Path("dhkit-demo"), "--out", help="Folder for the demo."),
    children: int = typer.Option(999, "--children", help="Completed child interviews."),
    seed: int = typer.Option(20240601, "--seed", help="Random seed."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    region: bool = typer.Option(False, "--region", help="Run the regional demo instead: four "
                                "synthetic countries (Colombia among them) and the regional "
                                "report, into dhkit-demo-region/ unless --out is given."),
) -> None:
    """Run the whole demo: generate the synthetic study, create the study folder, import
    the data and print a summary.

    Example: dhkit demo --out dhkit-demo   ·   dhkit demo --region
    """
    if ctx.invoked_subcommand is not None:
        return
    if region:
        from dhkit.demo.region import cli_run

        cli_run(out if out != Path("dhkit-demo") else Path("dhkit-demo-region"), seed)
        return
    from dhkit.demo.pipeline import DemoContext, run

    context = run(DemoContext(out_dir=out, children=children, seed=seed))
    _print_summary(context.demo, as_json, context)


@demo_app.command("generate")
def generate_cmd(
    out: Path = typer.Option(Path("dhkit-demo/exports"), "--out", help="Output folder."),
    children: int = typer.Option(999, "--children", help="Completed child interviews."),
    seed: int = typer.Option(20240601, "--seed", help="Random seed (same seed, same files)."),
    formats: list[str] | None = typer.Option(None, "--formats", help=_FORMATS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    region: bool = typer.Option(False, "--region", help="Instead, the regional demo's four "
                                "synthetic country studies (Colombia among them) and their "
                                "region folder, into dhkit-demo-region/ unless --out is given."),
) -> None:
    """Write a seeded synthetic study (Colombia design) in the chosen formats.

    Example: dhkit demo generate --out demo-data --children 200000 --formats kobo_csv,parquet
    """
    from dhkit.console import progress

    if region:
        from dhkit.demo.region import cli_generate

        cli_generate(out if out != Path("dhkit-demo/exports") else Path("dhkit-demo-region"),
                     seed)
        return
    from dhkit.demo.study import generate_study

    fmts = _formats(formats)
    if children > 50_000 and "kobo_xlsx" in fmts:
        from dhkit.console import err_console

        err_console.print("note: kobo_xlsx is skipped above 50,000 children")
    with progress() as bar:
        task = bar.add_task("Generating the synthetic study", total=1 + len(fmts))
        study = generate_study(out, children=children, seed=seed, formats=fmts,
                               on_step=lambda _: bar.advance(task))
        bar.update(task, completed=1 + len(fmts))
    _print_summary(study, as_json)


def _print_summary(study, as_json: bool, context=None) -> None:
    import json
    from dataclasses import asdict

    from rich.table import Table

    from dhkit.console import err_console, out_console

    if study is None:
        return
    c, e = study.counts, study.estimates
    if as_json:
        doc = {"out_dir": str(study.out_dir), "seed": study.seed, "counts": asdict(c),
               "estimates": asdict(e),
               "files": {k: [str(p) for p in v] for k, v in study.paths.items()}}
        if context is not None:
            doc["study_dir"] = str(context.study_dir) if context.study else None
            doc["notes"] = context.notes
            imp = context.results.get("import")
            if imp is not None:
                doc["import"] = {"accepted": imp.accepted, "quarantined": imp.quarantined,
                                 "problems": len(imp.report.problems)}
        h = _headline(study, context)
        if h is not e:
            doc["report_headline"] = asdict(h)
        out_console.print_json(json.dumps(doc, default=str))
        return
    t = Table(title="Synthetic demo study (no real data)", title_justify="left")
    t.add_column("")
    t.add_column("value", justify="right")
    t.add_column("Colombia target", justify="right")
    t.add_row("PSUs / issued households", f"{c.psus:,} / {c.issued_households:,}", "")
    t.add_row("households visited (submissions)", f"{c.submissions:,}", "")
    t.add_row("  with a roster of their members", f"{c.households_with_roster:,}", "1,309")
    t.add_row("children + caregivers interviewed", f"{c.children:,}", "999")
    t.add_row("response rate", f"{c.response_rate:.0%}", "44%")
    h = _headline(study, context)
    source = ("report" if h is not e
              else "generator's weights, before the weights stage")
    t.add_row(f"any TF-CSEA, past year ({source})", f"{h.any_tfcsea:.1%}", "21%")
    t.add_row("  girls / boys", f"{h.any_girls:.0%} / {h.any_boys:.0%}", "25% / 17%")
    t.add_row("  urban / rural", f"{h.any_urban:.0%} / {h.any_rural:.0%}", "17% / 29%")
    pop = h.population if h is not e else round(e.victims_weighted, -4)
    t.add_row("  children, population estimate", f"~{pop:,.0f}", "~860,000")
    t.add_row("children reporting any / instances", f"{c.victims:,} / {c.instances:,}",
              "190 / 379")
    t.add_row("  victims with more than one form", f"{e.multi_form_share:.0%}", "39%")
    out_console.print(t)
    for fmt, paths in study.paths.items():
        err_console.print(f"  {fmt:10s} {paths[0].parent}")
    if context is not None:
        if context.study is not None:
            err_console.print(f"Study folder: {context.study_dir} (demo = true: public demo key)")
        imp = context.results.get("import")
        if imp is not None:
            acc = ", ".join(f"{k} {v:,}" for k, v in imp.accepted.items()) or \
                "files already imported, nothing added"
            quar = sum(imp.quarantined.values())
            err_console.print(f"Imported ({context.import_format}): {acc}; quarantined {quar:,}; "
                              f"problems {len(imp.report.problems):,}")
        rep = context.results.get("report")
        if rep is not None:
            err_console.print(f"Report ({len(rep.estimates):,} estimates) in {rep.out_dir}:")
            for name in ("report.html", "report.pdf", "tables.xlsx", "estimates.csv",
                         "estimates.parquet", "manifest.json"):
                if name in rep.files:
                    out_console.print(f"  {rep.files[name]}")
        if context.study is not None:
            err_console.print(f"Next: dhkit status {context.study_dir}")
        for note in context.notes:
            err_console.print(f"  note: {note}")


def _headline(study, context):
    """The report's headline when the report was written (its figures are the ones a reader
    sees: calibrated weights of the weights stage); else the generator's own estimates."""
    from dhkit.demo.study import report_headline

    rep = context.results.get("report") if context is not None else None
    h = report_headline(rep.estimates) if rep is not None else None
    return h if h is not None else study.estimates


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(demo_app, name="demo")
