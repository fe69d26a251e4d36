"""The regional demo: four synthetic country studies and the region folder over them.

``dhkit demo --region`` writes ``dhkit-demo-region/``: ``countries/<ID>/`` holds each
country's exports and study folder (its own design, weights and — demo — key), and
``region.toml`` + ``harmonisation.yaml`` name them; the regional report goes to
``report/``. No real data: every country is drawn from a fixed seed.

The countries differ as real ones do:

* **CO** — the Colombia demo study itself (same generator, seed and size as ``dhkit
  demo``: 999 children, raked weights, Spanish and English).
* **KE** — "Kenya (synthetic)": larger clusters (12 completes per PSU), more
  clustering, lower prevalence; platform shares from the presentation's Kenya row
  (Facebook 84, WhatsApp 64, YouTube 19, Instagram 19); raked weights; English.
* **PH** — "Philippines (synthetic)": small clusters (5 per PSU), imported from the
  Parquet analysis file, weights adjusted for nonresponse but not calibrated; platform
  shares from the Philippines row (Facebook 97, YouTube 8, TikTok 10, X 10, Snapchat 10).
* **TH** — "Thailand (synthetic)": a small sample and an instrument variant whose list
  of platforms has no Snapchat and no Telegram (its national tables read 0 % there; the
  harmonisation says "not collected", never 0);
  the lowest prevalence, so its bases of children subjected to abuse are small (shown
  "interpret with caution") and many of its domain cells are suppressed — the regional
  report shows how that carries through; platform shares from the Thailand row
  (Facebook 96, TikTok 74, X 82).

Prevalence is scaled from the Colombia margins so that the countries span the
presentation's "1–20 %" (chosen: factors 1, 0.5, 0.8, 0.35 of Colombia's 21 %); the
disclosure figures lean on the presentation's regional ones (a third told no one,
friends 40 %, siblings 24 %) for the non-Colombian countries (chosen).

>>> [c.id for c in COUNTRIES]
['CO', 'KE', 'PH', 'TH']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dhkit.demo.truth import TRUTH, Truth

OTHER = {"friend": 0.40, "mother": 0.12, "father": 0.05, "sibling": 0.24,
         "other_family": 0.06, "teacher": 0.03, "other": 0.03}


def _scaled(factor: float, **changes) -> Truth:
    t = TRUTH
    scale = lambda d: {k: v * factor for k, v in d.items()}       # noqa: E731
    return replace(t, any_overall=t.any_overall * factor, any_by_sex=scale(t.any_by_sex),
                   any_by_area=scale(t.any_by_area), any_by_age=scale(t.any_by_age),
                   items=scale(t.items), **changes)


@dataclass(frozen=True)
class DemoCountry:
    """One synthetic country of the regional demo."""

    id: str
    name: dict
    children: int
    truth: Truth
    languages: tuple[str, ...]
    calibrate: bool = True               # raked weights, or nonresponse-adjusted only
    not_offered: tuple[str, ...] = ()    # instrument variant: platform choices left out
    seed_offset: int = 0


COUNTRIES: tuple[DemoCountry, ...] = (
    DemoCountry("CO", {"en": "Colombia", "es": "Colombia"}, 999, TRUTH, ("es", "en")),
    DemoCountry("KE", {"en": "Kenya (synthetic)", "es": "Kenia (sintético)"}, 700,
                _scaled(0.5, population_children=5_200_000, completes_per_psu=12.0,
                        psu_sigma=0.8, girls_share=0.50, rural_total=0.6,
                        platforms={"facebook": 0.80, "whatsapp": 0.62, "youtube": 0.17,
                                   "instagram": 0.17, "tiktok": 0.04, "snapchat": 0.02,
                                   "telegram": 0.02, "x": 0.03},
                        told_whom=OTHER, told=0.60, not_told=0.33),
                ("en",), seed_offset=1),
    DemoCountry("PH", {"en": "Philippines (synthetic)", "es": "Filipinas (sintético)"}, 800,
                _scaled(0.8, population_children=11_500_000, completes_per_psu=5.0,
                        psu_sigma=0.4, girls_share=0.49, rural_total=0.45,
                        platforms={"facebook": 0.96, "youtube": 0.07, "tiktok": 0.09,
                                   "x": 0.09, "snapchat": 0.09, "whatsapp": 0.02,
                                   "instagram": 0.04, "telegram": 0.01},
                        told_whom=OTHER, told=0.62, not_told=0.33),
                ("en",), calibrate=False, seed_offset=2),
    DemoCountry("TH", {"en": "Thailand (synthetic)", "es": "Tailandia (sintético)"}, 600,
                _scaled(0.35, population_children=4_700_000, completes_per_psu=10.0,
                        psu_sigma=0.5, rural_total=0.5,
                        platforms={"facebook": 0.95, "tiktok": 0.70, "x": 0.78,
                                   "youtube": 0.05, "whatsapp": 0.02, "instagram": 0.05,
                                   "telegram": 0.0, "snapchat": 0.0},
                        told_whom=OTHER, told=0.60, not_told=0.35),
                ("en",), not_offered=("snapchat", "telegram"), seed_offset=3),
)


def _sizes(scale: float) -> dict[str, int]:
    return {c.id: max(60, int(round(c.children * scale))) for c in COUNTRIES}


def generate_countries(out: Path, seed: int = 20240601, scale: float = 1.0,
                       on_step: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Draw, import and weight every demo country; return ``{id: study folder}``.
    ``scale`` shrinks every sample (tests); CO at scale 1 is the Colombia demo study."""
    from dhkit.demo.pipeline import DemoContext, run

    sizes = _sizes(scale)
    studies: dict[str, Path] = {}
    for c in COUNTRIES:
        folder = out / "countries" / c.id
        if c.id == "CO":
            ctx = DemoContext(out_dir=folder, children=sizes["CO"], seed=seed,
                              formats=("kobo_csv",))
            if not (ctx.study_dir / "store").exists() or not any(
                    (ctx.study_dir / "store").iterdir()):
                run(ctx, only=["generate", "study", "import", "weights"])
            studies[c.id] = ctx.study_dir
        else:
            studies[c.id] = _country(c, folder, sizes[c.id], seed + c.seed_offset)
        if on_step:
            on_step(c.id)
    return studies


def _country(c: DemoCountry, folder: Path, children: int, seed: int) -> Path:
    """One non-Colombian country: draw, drop the items its form did not ask, write the
    export, create its study folder, import, and build raked weights if it calibrates."""
    from dhkit.console import out_console
    from dhkit.demo.generate import draw
    from dhkit.demo.pipeline import WEIGHTING_TEMPLATE, _adjust_lonely_psu, demo_margins
    from dhkit.demo.writers import WRITERS
    from dhkit.ingest import import_files
    from dhkit.workspace.config import init_study

    study_dir = folder / "study"
    if (study_dir / "study.toml").exists():
        return study_dir
    data = draw(children, seed, c.truth)
    fmt = "kobo_csv" if c.calibrate else "parquet"
    paths = WRITERS[fmt](data, folder / "exports" / fmt)
    init_study(study_dir, country=c.id, demo=True, languages=list(c.languages), seed=seed,
               name=f"Disrupting Harm — {c.name['en'].removesuffix(' (synthetic)')} "
                    "(synthetic demo)")     # the country's name already says it once
    _adjust_lonely_psu(study_dir)
    _set_population(study_dir, c.truth.population_children)
    if c.not_offered:
        _form_variant(study_dir / "instrument" / "household_survey.xlsx", c.not_offered)
    from dhkit.workspace.config import load_study

    study = load_study(study_dir)
    import_files(study, paths)
    spec = WEIGHTING_TEMPLATE.read_text(encoding="utf-8")
    if c.calibrate:
        demo_margins(c.truth).to_csv(study_dir / "margins.csv", index=False)
    else:       # base, nonresponse and household factor only: no calibration step
        spec = spec.split("[calibration]", 1)[0]
    (study_dir / "weighting.toml").write_text(spec, encoding="utf-8")
    from dhkit.weighting.build import run_build

    with out_console.capture():
        run_build(study_dir, appendix=folder / "weights_appendix.html")
    return study_dir


def _form_variant(form: Path, not_offered: tuple[str, ...]) -> None:
    """The country's instrument variant: its platform list leaves out some choices."""
    from openpyxl import load_workbook

    wb = load_workbook(form)
    ws = wb["choices"]
    for row in range(ws.max_row, 1, -1):
        if ws.cell(row, 1).value == "platform" and ws.cell(row, 2).value in not_offered:
            ws.delete_rows(row)
    wb.save(form)


def _set_population(study_dir: Path, population: int) -> None:
    toml = study_dir / "study.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("# population_children = 4100000",
                                 f"population_children = {population}", 1), encoding="utf-8")


def write_region(out: Path, studies: dict[str, Path]) -> Path:
    """``region.toml`` and ``harmonisation.yaml`` over the demo countries (TH's form
    offered no Snapchat or Telegram: harmonised as not collected)."""
    from dhkit.region.config import starter_harmonisation, write_harmonisation

    lines = ['# The regional demo (synthetic; no real data). See docs/region.md.', "",
             "[region]", 'name = { en = "Disrupting Harm — regional comparison (synthetic demo)", '
             'es = "Disrupting Harm — comparación regional (demostración sintética)" }',
             'languages = ["en", "es"]', 'harmonisation = "harmonisation.yaml"',
             'combine = "population"', 'on_suppressed = "exclude"', "suppress_below = 25",
             "caution_below = 50", ""]
    for c in COUNTRIES:
        rel = studies[c.id].relative_to(out)
        lines += ["[[countries]]", f'id = "{c.id}"',
                  f'name = {{ en = "{c.name["en"]}", es = "{c.name["es"]}" }}',
                  f'study = "{rel.as_posix()}"', f"population = {c.truth.population_children}",
                  ""]
    (out / "region.toml").write_text("\n".join(lines), encoding="utf-8")
    overrides: dict = {}
    for c in COUNTRIES:
        if c.not_offered:
            overrides.setdefault("victim_platform", {})[c.id] = {
                "indicator": "victim_platform",
                "categories": {k: "not collected" for k in c.not_offered}}
    write_harmonisation(starter_harmonisation(overrides), out / "harmonisation.yaml")
    return out / "region.toml"


def run_region_demo(out: Path, seed: int = 20240601, scale: float = 1.0, pdf: bool = True,
                    progress: Callable[[str], None] | None = None):
    """Countries → region folder → regional report (``out/report``)."""
    from dhkit.region.config import load_region
    from dhkit.region.report import build_region_report

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    studies = generate_countries(out, seed=seed, scale=scale, on_step=progress)
    write_region(out, studies)
    return build_region_report(load_region(out), out / "report", pdf=pdf, progress=progress)


def cli_run(out: Path, seed: int = 20240601) -> None:
    """``dhkit demo --region``: run everything with progress, then list the outputs."""
    from dhkit.console import err_console, out_console, progress

    with progress() as bar:
        task = bar.add_task("regional demo", total=2 * len(COUNTRIES) + 2)
        result = run_region_demo(out, seed=seed, progress=lambda s: bar.update(
            task, advance=1, description=f"regional demo: {s}"))
    err_console.print(f"Regional demo (synthetic; {len(COUNTRIES)} countries) in {out}:")
    for name in ("report.html", "report.pdf", "tables.xlsx", "estimates.csv",
                 "estimates.parquet", "regional.csv", "differences.csv", "manifest.json"):
        if name in result.files:
            out_console.print(f"  {result.files[name]}")
    err_console.print(f"Next: dhkit region report {out} --lang es")


def cli_generate(out: Path, seed: int = 20240601) -> None:
    """``dhkit demo generate --region``: the country studies and region folder only."""
    from dhkit.console import err_console, progress

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with progress() as bar:
        task = bar.add_task("regional demo countries", total=len(COUNTRIES))
        studies = generate_countries(out, seed=seed, on_step=lambda s: bar.update(
            task, advance=1, description=f"country: {s}"))
    path = write_region(out, studies)
    for cid, study in studies.items():
        err_console.print(f"  {cid}: {study}")
    err_console.print(f"Region folder: {path.parent}. Next: dhkit region report {path.parent}")
