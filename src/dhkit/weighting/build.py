"""The study's weighting chain: base weights → within-household factor → nonresponse →
calibration → trimming → replicate weights, with lineage and diagnostics for each step.

The steps are data (``DIR/weighting.toml``, validated on load, every problem listed with its
line); :func:`build_weights` is the pure core that ``dhkit weights build DIR`` calls; the
command stores the final weights, their lineage and the replicate weights in the study
store in one transaction (nothing partial is stored when a step fails).

>>> import pandas as pd
>>> df = pd.DataFrame({"p": [0.1, 0.1, 0.2, 0.2], "r": [1, 1, 1, 0], "k": [1, 2, 1, 1],
...                    "sex": [1, 2, 1, 2]})
>>> spec = WeightingSpec(probabilities=("p",), eligible="k",
...                      nonresponse=NonresponseSpec(respond="r", classes=("sex",)))
>>> res = build_weights(df, spec)
>>> res.weights.tolist()
[10.0, 30.0, 5.0, 0.0]
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from dhkit.errors import DhkitError, ValidationError
from dhkit.validation import ValidationReport
from dhkit.weighting.calibrate import Calibration, calibrate_weights, margin_table
from dhkit.weighting.diagnostics import (
    compare_weights,
    diagnostics_document,
    diagnostics_html,
    factors_by_class,
    write_diagnostics_excel,
)
from dhkit.weighting.margins import Margins
from dhkit.weighting.nonresponse import (
    base_weights,
    household_factor,
    nonresponse_classes,
    nonresponse_propensity,
)
from dhkit.weighting.replicate import ReplicateWeights, jkn_weights, raowu_bootstrap, recalibrate
from dhkit.weighting.trim import trim_weights

SPEC_FILE = "weighting.toml"


@dataclass(frozen=True)
class NonresponseSpec:
    respond: str
    method: str = "classes"                 # classes | propensity
    respond_values: tuple = (1,)            # values of `respond` that mean "responded"
    ineligible_values: tuple = ()           # values that mean "found not eligible": dropped
    classes: tuple[str, ...] = ()
    covariates: tuple[str, ...] = ()
    propensity_classes: int | None = 5
    cap: float | None = None


@dataclass(frozen=True)
class CalibrationSpec:
    margins: Margins
    method: str = "raking"
    bounds: tuple[float, float] = (-np.inf, np.inf)
    maxit: int | None = None
    epsilon: float | None = None


@dataclass(frozen=True)
class ReplicateSpec:
    type: str = "JKn"                       # JKn | bootstrap
    strata: str | None = None
    psu: str = "psu_id"
    replicates: int = 200
    seed: int = 1


@dataclass(frozen=True)
class WeightingSpec:
    """Settings of the weighting chain (``weighting.toml``). Give ``probabilities`` (stage
    inclusion-probability columns) or ``base_weight`` (a column)."""

    probabilities: tuple[str, ...] = ()
    base_weight: str | None = None
    eligible: str | None = None
    child_probability: str | None = None
    nonresponse: NonresponseSpec | None = None
    calibration: CalibrationSpec | None = None
    trim: tuple[float, float] | None = None
    trim_strict: bool = False
    replicates: ReplicateSpec | None = None
    id: str | None = None
    table: str = "main"
    weight_name: str | None = None          # default: study.toml [design] weights, or "weight"


@dataclass(frozen=True)
class WeightStep:
    """One step of the chain: its name, what it did, and the weights after it."""

    name: str
    description: str
    weights: np.ndarray


@dataclass(frozen=True)
class WeightResult:
    """Final weights (0 for nonrespondents), the steps, and the diagnostics."""

    weights: np.ndarray
    steps: tuple[WeightStep, ...]
    respondents: np.ndarray
    calibration: Calibration | None
    replicates: ReplicateWeights | None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def lineage(self) -> pd.DataFrame:
        """One column per step (``w_base``, ``w_household``, ...) and the final weight."""
        return pd.DataFrame({f"w_{s.name}": s.weights for s in self.steps})

    def html(self) -> str:
        """The diagnostics as an HTML fragment for the report's appendix."""
        return diagnostics_html(self.tables)

    def document(self) -> str:
        """The diagnostics as an HTML page of their own (``--appendix x.html``)."""
        return diagnostics_document(self.tables)

    def write_excel(self, path: str | Path) -> Path:
        """The diagnostics as a sheet "Weighting" in an Excel workbook."""
        return write_diagnostics_excel(self.tables, path)


def _require(frame: pd.DataFrame, cols, what: str) -> None:
    missing = [c for c in cols if c and c not in frame.columns]
    if missing:
        raise DhkitError("WGT-016", f"the child table has no column(s) {', '.join(missing)} "
                         f"named for {what} in {SPEC_FILE}; fix the setting or the data.")


def build_weights(frame: pd.DataFrame, spec: WeightingSpec) -> WeightResult:
    """Run the weighting chain on the child table (every sampled household or child, with
    the response indicator when there is a nonresponse step).

    Order: base (1 / Π stage probabilities) → nonresponse (rows found not eligible are out
    of scope; respondents only from here) → within-household factor (× eligible children,
    or 1 / p_child) → calibration → trimming → replicates (re-calibrated).
    Reference: Valliant, Dever & Kreuter (2018) *Practical Tools for Designing and Weighting
    Survey Samples*, ch. 13–14.
    """
    frame = frame.reset_index(drop=True)
    steps: list[WeightStep] = []
    tables: dict[str, pd.DataFrame] = {}
    keep = np.ones(len(frame), dtype=bool)          # in scope and, later, responding
    nr = spec.nonresponse
    if nr is not None:
        _require(frame, [nr.respond, *nr.classes, *nr.covariates], "[nonresponse]")
        if nr.ineligible_values:
            keep = ~frame[nr.respond].isin(list(nr.ineligible_values)).to_numpy()
    w = np.zeros(len(frame))
    if spec.base_weight:
        _require(frame, [spec.base_weight], "[base] weight")
        w0 = pd.to_numeric(frame[spec.base_weight], errors="coerce").to_numpy(float)[keep]
        if not np.all(w0 > 0):
            raise DhkitError("WGT-008", f"base weight '{spec.base_weight}' has missing or "
                             "non-positive values; fix them before weighting.")
        desc = f"base weight column {spec.base_weight}"
    elif spec.probabilities:
        w0 = base_weights(frame[keep], list(spec.probabilities))
        desc = "1 / (" + " × ".join(spec.probabilities) + ")"
    else:
        raise DhkitError("WGT-014", f"{SPEC_FILE}: give [base] probabilities = [...] or "
                         "[base] weight = \"column\".")
    w[keep] = w0
    steps.append(WeightStep("base", desc, w.copy()))
    if nr is not None:
        scope = frame[keep]
        responded = scope[nr.respond].isin(list(nr.respond_values)).to_numpy()
        if nr.method == "classes":
            if not nr.classes:
                raise DhkitError("WGT-014", f"{SPEC_FILE}: [nonresponse] method = \"classes\" "
                                 "needs classes = [\"column\", ...].")
            adj = nonresponse_classes(w[keep], responded, scope[list(nr.classes)], nr.cap)
        elif nr.method == "propensity":
            if not nr.covariates:
                raise DhkitError("WGT-014", f"{SPEC_FILE}: [nonresponse] method = \"propensity\" "
                                 "needs covariates = [\"column\", ...].")
            adj = nonresponse_propensity(w[keep], responded, scope[list(nr.covariates)],
                                         cap=nr.cap, classes=nr.propensity_classes)
        else:
            raise DhkitError("WGT-014", f"{SPEC_FILE}: [nonresponse] method '{nr.method}'; use "
                             "classes or propensity.")
        w[keep] = adj.weights
        keep[keep] = responded
        capped = f", {adj.n_capped} capped at {nr.cap:g}" if nr.cap else ""
        steps.append(WeightStep("nonresponse", f"{adj.method}{capped}", w.copy()))
        tables["Nonresponse adjustment factors"] = adj.table
    if spec.eligible or spec.child_probability:
        col = spec.eligible or spec.child_probability
        _require(frame, [col], "[household]")
        if spec.eligible:
            factor = household_factor(frame.loc[keep, col])
        else:
            p = pd.to_numeric(frame.loc[keep, col], errors="coerce").to_numpy(float)
            if not np.all((p > 0) & (p <= 1)):
                raise DhkitError("WGT-016", f"column '{col}': a respondent's child-selection "
                                 "probability is missing or outside (0, 1]; fix the record.")
            factor = 1 / p
        w[keep] = w[keep] * factor
        steps.append(WeightStep("household", f"× within-household factor ({col})", w.copy()))
    respondents = keep
    cal = None
    if spec.calibration:
        c = spec.calibration
        cal = calibrate_weights(w[respondents], frame[respondents], c.margins, c.method,
                                bounds=c.bounds, maxit=c.maxit, epsilon=c.epsilon)
        w[respondents] = cal.weights
        steps.append(WeightStep("calibrated", f"{cal.method}, {cal.iterations} iteration(s)",
                                w.copy()))
    if spec.trim:
        t = trim_weights(w[respondents], spec.trim[0], spec.trim[1], strict=spec.trim_strict)
        w[respondents] = t.weights
        steps.append(WeightStep("trimmed", f"[{spec.trim[0]:g}, {spec.trim[1]:g}], "
                                f"{t.n_trimmed} trimmed", w.copy()))
    reps = None
    if spec.replicates:
        reps = _replicates(frame[respondents], steps, respondents, spec, cal)
    steps.append(WeightStep("final", "final weight", w))
    tables = {"Weights by step": compare_weights({s.name: s.weights[respondents]
                                                  for s in steps[:-1]}), **tables}
    if cal is not None:
        before = steps[[s.name for s in steps].index("calibrated") - 1].weights[respondents]
        tables["Margins before and after calibration"] = margin_table(
            cal.margins, before, steps[[s.name for s in steps].index("calibrated")].weights[
                respondents])
        tables["Calibration factors by margin"] = pd.concat(
            [factors_by_class(before, cal.weights, np.asarray(m.levels, dtype=object)[code],
                              "level").assign(variable=m.variable)
             for m, code in zip(cal.margins.margins, cal.margins.codes)], ignore_index=True
        )[["variable", "level", "n", "before", "after", "factor"]]
    return WeightResult(w, tuple(steps), respondents, cal, reps, tables)


def _replicates(sub: pd.DataFrame, steps, respondents, spec: WeightingSpec,
                cal: Calibration | None) -> ReplicateWeights:
    r = spec.replicates
    _require(sub, [r.strata, r.psu], "[replicates]")
    pre = (steps[[s.name for s in steps].index("calibrated") - 1].weights if cal is not None
           else steps[-1].weights)[respondents]
    strata = sub[r.strata].to_numpy() if r.strata else None
    if r.type.lower() == "jkn":
        reps = jkn_weights(pre, strata, sub[r.psu].to_numpy())
    elif r.type.lower() == "bootstrap":
        reps = raowu_bootstrap(pre, strata, sub[r.psu].to_numpy(), r.replicates, r.seed)
    else:
        raise DhkitError("WGT-014", f"{SPEC_FILE}: [replicates] type '{r.type}'; use JKn or "
                         "bootstrap.")
    if cal is not None:
        c = spec.calibration
        reps = recalibrate(reps, cal, bounds=c.bounds)
    if spec.trim:  # each replicate trimmed as the full sample; rows a replicate drops stay 0
        lo, hi = spec.trim
        trimmed = reps.weights.copy()
        for r in range(reps.replicates):
            pos = trimmed[:, r] > 0
            trimmed[pos, r] = trim_weights(trimmed[pos, r], lo, hi,
                                           strict=spec.trim_strict).weights
        reps = replace(reps, weights=trimmed, full=steps[-1].weights[respondents])
    return reps


# --------------------------------------------------------------------------------------
# weighting.toml
# --------------------------------------------------------------------------------------
SCHEMA: dict[tuple[str, str], type | tuple] = {
    ("input", "table"): str, ("input", "id"): str, ("input", "weight_name"): str,
    ("base", "probabilities"): list, ("base", "weight"): str,
    ("household", "eligible"): str, ("household", "child_probability"): str,
    ("nonresponse", "respond"): str, ("nonresponse", "method"): str,
    ("nonresponse", "respond_values"): list, ("nonresponse", "ineligible_values"): list,
    ("nonresponse", "classes"): list, ("nonresponse", "covariates"): list,
    ("nonresponse", "propensity_classes"): int, ("nonresponse", "cap"): (int, float),
    ("calibration", "method"): str, ("calibration", "margins"): str,
    ("calibration", "bounds"): list, ("calibration", "maxit"): int,
    ("calibration", "epsilon"): (int, float),
    ("trim", "lower"): (int, float), ("trim", "upper"): (int, float), ("trim", "strict"): bool,
    ("replicates", "type"): str, ("replicates", "strata"): str, ("replicates", "psu"): str,
    ("replicates", "replicates"): int, ("replicates", "seed"): int,
}


_TYPE_NAMES = {str: 'text in quotes ("region")', list: 'a list (["region", "area"])',
               int: "a whole number", bool: "true or false", (int, float): "a number (3.0)"}

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("nonresponse", "method"): ("classes", "propensity"),
    ("calibration", "method"): ("poststratify", "raking", "linear", "logit", "calraking", "rake"),
    ("replicates", "type"): ("JKn", "bootstrap"),  # either case, as the build accepts
}


def _lines(text: str) -> dict[tuple[str, str], int]:
    out, section = {}, ""
    for i, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"\s*\[([^\]]+)\]", line)
        if m:
            section = m.group(1).strip()
            out[(section, "")] = i
            continue
        m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=", line)
        if m:
            out[(section, m.group(1))] = i
    return out


def load_spec(path: str | Path) -> WeightingSpec:
    """Read and validate ``weighting.toml``; every problem listed with its line (WGT-014).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "weighting.toml")
    >>> _ = open(p, "w").write('[base]\\nweight = "w0"\\n')
    >>> load_spec(p).base_weight
    'w0'
    """
    path = Path(path)
    if not path.exists():
        raise DhkitError("WGT-014", f"{path}: not found; write the weighting steps there "
                         "(see docs/weighting.md).")
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DhkitError("WGT-014", f"{path}: not valid TOML ({exc}); fix the syntax.") from None
    lines = _lines(text)
    report = ValidationReport()
    for section, body in data.items():
        if not isinstance(body, dict):
            report.add("WGT-014", f"'{section}' must be a [section]", file=str(path),
                       line=lines.get((section, "")))
            continue
        for key, value in body.items():
            kind = SCHEMA.get((section, key))
            where = {"file": str(path), "line": lines.get((section, key)),
                     "field": f"{section}.{key}"}
            if kind is None:
                report.add("WGT-014", f"unknown setting {section}.{key}", **where,
                           hint="Check the spelling against docs/weighting.md")
            elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                report.add("WGT-014", f"{section}.{key} has the wrong type: write "
                           f"{_TYPE_NAMES.get(kind, 'another value')}", **where, value=str(value))
    g = lambda s, k, d=None: data.get(s, {}).get(k, d)
    for (section, key), allowed in CHOICES.items():
        value = g(section, key)
        known = {a.lower() for a in allowed} if key == "type" else set(allowed)
        if isinstance(value, str) and (value.lower() if key == "type" else value) not in known:
            report.add("WGT-014", f"{section}.{key} '{value}' is not one of {', '.join(allowed)}",
                       file=str(path), line=lines.get((section, key)), field=f"{section}.{key}")
    bounds = g("calibration", "bounds")
    if bounds is not None and (len(bounds) != 2 or not all(isinstance(b, (int, float))
                                                           for b in bounds)):
        report.add("WGT-014", "calibration.bounds must be two numbers [L, U]", file=str(path),
                   line=lines.get(("calibration", "bounds")), field="calibration.bounds")
    margins = None
    if "calibration" in data:
        if not g("calibration", "margins"):
            report.add("WGT-014", "calibration.margins (a CSV file) is required",
                       file=str(path), line=lines.get(("calibration", "")))
        else:
            mpath = path.parent / g("calibration", "margins")
            if not mpath.exists():
                report.add("WGT-014", f"margins file {mpath} not found", file=str(path),
                           line=lines.get(("calibration", "margins")),
                           field="calibration.margins")
    if not report.ok:
        raise ValidationError("WGT-014", f"{path}: {len(report)} problem(s): "
                              + "; ".join(map(str, report)), report)
    if "calibration" in data:
        margins = Margins.from_csv(path.parent / g("calibration", "margins"))
    nr = None
    if "nonresponse" in data:
        nr = NonresponseSpec(respond=g("nonresponse", "respond", "responded"),
                             method=g("nonresponse", "method", "classes"),
                             respond_values=tuple(g("nonresponse", "respond_values", [1])),
                             ineligible_values=tuple(g("nonresponse", "ineligible_values", [])),
                             classes=tuple(g("nonresponse", "classes", ())),
                             covariates=tuple(g("nonresponse", "covariates", ())),
                             propensity_classes=g("nonresponse", "propensity_classes", 5),
                             cap=g("nonresponse", "cap"))
    cal = None
    if margins is not None:
        cal = CalibrationSpec(margins, g("calibration", "method", "raking"),
                              tuple(float(b) for b in bounds) if bounds else (-np.inf, np.inf),
                              g("calibration", "maxit"), g("calibration", "epsilon"))
    trim = None
    if "trim" in data:
        trim = (float(g("trim", "lower", -np.inf)), float(g("trim", "upper", np.inf)))
    reps = None
    if "replicates" in data:
        reps = ReplicateSpec(g("replicates", "type", "JKn"), g("replicates", "strata"),
                             g("replicates", "psu", "psu_id"), g("replicates", "replicates", 200),
                             g("replicates", "seed", 1))
    return WeightingSpec(
        probabilities=tuple(g("base", "probabilities", ())), base_weight=g("base", "weight"),
        eligible=g("household", "eligible"),
        child_probability=g("household", "child_probability"), nonresponse=nr, calibration=cal, trim=trim,
        trim_strict=bool(g("trim", "strict", False)), replicates=reps, id=g("input", "id"),
        table=g("input", "table", "main"), weight_name=g("input", "weight_name"))


# --------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------
def run_build(study_dir: Path, *, data: Path | None = None, out: Path | None = None,
              key_file: Path | None = None, appendix: Path | None = None,
              as_json: bool = False) -> WeightResult:
    """``dhkit weights build DIR``: read the child table (store, or ``data``), build, store
    the weights (table ``weights``: id, lineage, final) and replicates in one transaction."""
    import json

    from dhkit.console import err_console, out_console
    from dhkit.tabular import read_table

    study_dir = Path(study_dir)
    spec = load_spec(study_dir / SPEC_FILE)
    store, weight_name = None, spec.weight_name
    if data is not None:
        frame = read_table(data)
    else:
        store, design_weights = _open_store(study_dir, key_file)
        weight_name = weight_name or design_weights
        frame = store.read(spec.table)
    weight_name = weight_name or "weight"
    try:
        result = build_weights(frame, spec)
        keep = result.respondents
        table = pd.DataFrame(index=range(int(keep.sum())))
        if spec.id:
            _require(frame, [spec.id], "[input] id")
            table[spec.id] = frame[spec.id].to_numpy()[keep]
        table = pd.concat([table, result.lineage()[keep].reset_index(drop=True)], axis=1)
        table[weight_name] = result.weights[keep]
        if store is not None:
            reps = result.replicates.to_frame() if result.replicates is not None else None
            with store.transaction() as con:
                con.register("dhkit_weights_df", table)
                con.execute("CREATE OR REPLACE TABLE weights AS SELECT * FROM dhkit_weights_df")
                con.unregister("dhkit_weights_df")
                if reps is not None:
                    if spec.id:
                        reps.insert(0, spec.id, table[spec.id].to_numpy())
                    con.register("dhkit_reps_df", reps)
                    con.execute("CREATE OR REPLACE TABLE weights_replicates AS "
                                "SELECT * FROM dhkit_reps_df")
                    con.unregister("dhkit_reps_df")
                from dhkit import __version__
                from dhkit.workspace.store import file_sha256

                spec_file = study_dir / SPEC_FILE
                steps = "; ".join(f"{s.name}: {s.description}" for s in result.steps)
                if spec.calibration and Path(spec.calibration.margins.source).exists():
                    steps += (f"; margins {spec.calibration.margins.source} sha256 "
                              f"{file_sha256(spec.calibration.margins.source)}")
                store.audit("weights build", file=str(spec_file), sha256=file_sha256(spec_file),
                            rows_accepted=len(table), note=f"dhkit {__version__}; {steps}")
            err_console.print(f"stored {len(table)} weights with lineage in table 'weights'")
    finally:
        if store is not None:
            store.close()
    if out is not None:
        from dhkit.safetext import csv_frame

        if out.suffix.lower() in (".parquet", ".pq"):
            table.to_parquet(out, index=False)
        else:
            csv_frame(table).to_csv(out, index=False)
        err_console.print(f"wrote {len(table)} rows to {out}")
    if appendix is not None:
        if appendix.suffix.lower() == ".xlsx":
            result.write_excel(appendix)
        else:
            appendix.write_text(result.document(), encoding="utf-8")
        err_console.print(f"wrote the weighting appendix to {appendix}")
    if as_json:
        out_console.print_json(json.dumps({k: v.to_dict(orient="records")
                                           for k, v in result.tables.items()}, default=float))
    else:
        from dhkit.weighting.cli import _print_table

        for caption, df in result.tables.items():
            _print_table(out_console, df, caption)
    return result


def _open_store(study_dir: Path, key_file: Path | None):
    from dhkit.workspace.config import load_study
    from dhkit.workspace.store import Store, resolve_key

    study = load_study(study_dir)
    if key_file is None:
        return study.open_store(), study.design.weights
    key = resolve_key(study.dir, key_file=key_file, demo=study.demo)
    return Store.open(study.store_path, key), study.design.weights
