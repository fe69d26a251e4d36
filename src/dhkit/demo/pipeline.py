"""The ``dhkit demo`` pipeline as a list of named steps: generate the synthetic study →
create the demo study folder (with the Colombia legal files and the fictional interview
material) → import the Kobo export → build the weights → write the report.

A step is a name, a function of the shared :class:`DemoContext`, and a size (``total``)
for its progress bar; the function calls ``ctx.tick()`` as it works. A new stage adds a
step without touching the others::

    from dhkit.demo.pipeline import Step, steps
    steps.append(Step("dashboard", lambda ctx: make_dashboard(ctx.study_dir)))

The CLI runs them in order with one progress bar each (:func:`run`).

>>> [s.name for s in steps]
['generate', 'study', 'import', 'weights', 'report']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dhkit.demo.study import DEFAULT_FORMATS, DemoStudy, generate_study


@dataclass
class DemoContext:
    """What the steps share: settings in, results out (``results[step name]``)."""

    out_dir: Path
    children: int = 999
    seed: int = 20240601
    formats: tuple[str, ...] = DEFAULT_FORMATS
    import_format: str = "kobo_csv"      # the export the demo imports into the study
    demo: DemoStudy | None = None
    study: Any = None                    # dhkit.workspace.config.Study once created
    results: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    tick: Callable[[int], None] = lambda n=1: None

    @property
    def data_dir(self) -> Path:
        return self.out_dir / "exports"

    @property
    def study_dir(self) -> Path:
        return self.out_dir / "study"


@dataclass
class Step:
    """One named step of ``dhkit demo``: ``fn(ctx)``; ``total`` ticks on its progress bar."""

    name: str
    fn: Callable[[DemoContext], Any]
    description: str = ""
    total: int | Callable[[DemoContext], int] = 1

    def size(self, ctx: DemoContext) -> int:
        return self.total(ctx) if callable(self.total) else self.total


def _generate(ctx: DemoContext) -> DemoStudy:
    truth = ctx.data_dir / "truth.json"
    if truth.exists() and (ctx.study_dir / "study.toml").exists():
        import json

        from dhkit.errors import DhkitError

        old = json.loads(truth.read_text(encoding="utf-8"))
        if (old.get("seed"), old.get("counts", {}).get("children")) != (ctx.seed, ctx.children):
            raise DhkitError(
                "DEM-004", f"{ctx.out_dir} already holds a demo study with seed "
                f"{old.get('seed')} and {old.get('counts', {}).get('children')} children; "
                "use another --out or remove that folder to make a different one.")
    ctx.demo = generate_study(ctx.data_dir, children=ctx.children, seed=ctx.seed,
                              formats=ctx.formats, on_step=lambda _: ctx.tick(1))
    return ctx.demo


def _create_study(ctx: DemoContext):
    """The demo study folder (demo = true), with the Colombia legal files and the fictional
    interview material; reused when it exists."""
    from dhkit.legal import install_colombia
    from dhkit.qualitative import load_demo
    from dhkit.workspace.config import init_study, load_study

    if (ctx.study_dir / "study.toml").exists():
        ctx.study = load_study(ctx.study_dir)
        ctx.notes.append(f"reused the study folder {ctx.study_dir}")
    else:
        init_study(ctx.study_dir, country="CO", demo=True,
                   name="Disrupting Harm — Colombia (synthetic demo)")
        ctx.study = _adjust_lonely_psu(ctx.study_dir)
        install_colombia(ctx.study_dir)      # the Colombia legal assessment and recommendations
        with ctx.study.open_store() as store:
            load_demo(store, second_wave=True)  # fictional transcripts, redacted, coded, consented
            from dhkit.demo.interviews import add_interviews

            # short drawn interviews so the counts by group are the seed's 30/15/11
            add_interviews(store, ctx.data_dir / "interviews", seed=ctx.seed)
        _methods_and_capacity(ctx)
    ctx.tick(1)
    return ctx.study


def _methods_and_capacity(ctx: DemoContext) -> None:
    """The demo's methods notes (coverage, issued households, ethics...) and a synthetic
    law-enforcement capacity sheet, imported from outside the study folder (its
    restricted answers go to the encrypted store only)."""
    from dhkit.demo.methods import capacity_sheet, methods_yaml
    from dhkit.legal.capacity import import_answers

    issued = ctx.demo.counts.issued_households if ctx.demo is not None else 0
    if issued:
        (ctx.study_dir / "methods.yaml").write_text(methods_yaml(issued), encoding="utf-8")
    from dhkit.legal.study import open_legal_study

    import_answers(open_legal_study(ctx.study_dir),
                   capacity_sheet(ctx.data_dir / "le_capacity_answers.csv"))


def _adjust_lonely_psu(study_dir: Path):
    """Small demos (``--children 60``) leave some strata with one PSU: the demo study uses
    R's ``survey.lonely.psu = "adjust"`` (centred at the grand mean), which changes
    nothing when every stratum has two or more PSUs, as at the default size."""
    from dhkit.workspace.config import load_study

    toml = study_dir / "study.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace('lonely_psu = "fail"', 'lonely_psu = "adjust"', 1),
                    encoding="utf-8")
    return load_study(study_dir)


def _import(ctx: DemoContext):
    from dhkit.ingest import import_files

    paths = ctx.demo.paths.get(ctx.import_format) or ctx.demo.all_paths()
    result = import_files(ctx.study, paths)
    ctx.tick(1)
    return result


WEIGHTING_TEMPLATE = Path(__file__).parents[1] / "weighting" / "templates" / "household_survey.toml"


def demo_margins(truth=None):
    """Population margins of the synthetic frame (variable, level, total) for raking:
    region, area and sex, which every demo size samples (single years of age are left to
    the nonresponse classes so that small demos still calibrate)."""
    import pandas as pd

    from dhkit.demo.truth import TRUTH

    t = truth or TRUTH
    n = t.population_children
    rows = [("region", r, n * s) for r, s in t.region_share.items()]
    rows += [("area", "1", n * (1 - t.rural_total)), ("area", "2", n * t.rural_total)]
    rows += [("child_sex", "1", n * t.girls_share), ("child_sex", "2", n * (1 - t.girls_share))]
    return pd.DataFrame(rows, columns=["variable", "level", "total"])


def _weights(ctx: DemoContext):
    from dhkit.console import out_console
    from dhkit.weighting.build import run_build

    # the shipped household survey's weighting chain, with the synthetic frame's margins
    (ctx.study_dir / "weighting.toml").write_text(
        WEIGHTING_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    demo_margins(ctx.demo.truth if ctx.demo else None).to_csv(
        ctx.study_dir / "margins.csv", index=False)
    with out_console.capture():          # the diagnostics go to the appendix file instead
        result = run_build(ctx.study_dir, appendix=ctx.out_dir / "weights_appendix.html")
    ctx.tick(1)
    return result


def _report(ctx: DemoContext):
    from dhkit.report.build import build_report
    from dhkit.report.study import inputs_from_study

    inputs = inputs_from_study(ctx.study)
    result = build_report(inputs, ctx.out_dir, languages=("en", "es"),
                          progress=lambda _name: ctx.tick(1))
    return result


steps: list[Step] = [
    Step("generate", _generate, "Generating the synthetic study",
         total=lambda ctx: 1 + len(ctx.formats)),
    Step("study", _create_study, "Creating the study folder"),
    Step("import", _import, "Importing the Kobo export"),
    Step("weights", _weights, "Building the weights"),
    Step("report", _report, "Writing the report (HTML, PDF, Excel, tidy data)", total=10),
]


def run(ctx: DemoContext, only: list[str] | None = None) -> DemoContext:
    """Run the steps in order, each with its own progress bar on stderr."""
    from dhkit.console import progress

    with progress() as bar:
        for step in steps:
            if only is not None and step.name not in only:
                continue
            task = bar.add_task(step.description or step.name, total=step.size(ctx))
            ctx.tick = lambda n=1, _t=task: bar.advance(_t, n)
            ctx.results[step.name] = step.fn(ctx)
            bar.update(task, completed=step.size(ctx))
    ctx.tick = lambda n=1: None
    return ctx
