"""Benchmark: a raked design on the fast path, and design-based logistic regression.

Two workloads on the synthetic design of :mod:`estimation` (6 strata, PSUs of ~12
children, weights varying within PSU), each tool in its own process (peak memory = its own
max RSS), side by side in one run:

1. **plan on a raked design**: rake the weights to sex (2), region (6) and age group (2)
   margins (R ``rake``), then 50 binary indicators × (overall + 8 domain variables) with SEs
   from the calibrated design (R ``svymean`` + ``svyby`` on the ``rake()``d design);
2. **glm**: logistic regression of one indicator on 10 covariates (R ``svyglm`` with
   ``quasibinomial``), coefficients and SEs.

Tools: dhkit, R ``survey`` (Rscript), and the Python ``svy`` package (``weighting.rake``
then ``estimation.prop``; ``glm.fit``). svy's SEs after raking are compared with R's as
they come (it is not told about the calibration the way R's ``rake`` design is).

    python benchmarks/calibrated.py                     # 200,000 rows, all tools
    python benchmarks/calibrated.py --rows 20000 --tools dhkit,r
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from estimation import DOMAINS, INDICATORS, synthetic  # noqa: E402

COVARIATES = [f"x{i}" for i in range(1, 11)]
OUTCOME = "y25"


def data(n: int) -> pd.DataFrame:
    df = synthetic(n)
    rng = np.random.default_rng(7)
    for i, c in enumerate(COVARIATES):
        df[c] = np.round(rng.normal(0, 1, n) + (0.3 * df["sex"] if i % 3 == 0 else 0), 4)
    lin = -0.5 + sum(0.1 * (i % 4 - 1.5) * df[c] for i, c in enumerate(COVARIATES))
    df[OUTCOME] = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(float)
    return df


def margins(df: pd.DataFrame) -> dict[str, dict[int, float]]:
    """Population totals: one grand total (1.1 × the weights' sum) shared by every margin,
    each margin's shares tilted away from the sample's so raking moves the weights."""
    grand = 1.1 * float(df["w"].sum())
    out = {}
    for v, tilt in (("sex", 0.04), ("region", 0.03), ("agegroup", -0.05)):
        share = df.groupby(v)["w"].sum() / df["w"].sum()
        share = share * (1 + tilt * (np.arange(len(share)) - (len(share) - 1) / 2))
        share = share / share.sum()
        out[v] = {int(k): float(grand * sh) for k, sh in share.items()}
    return out


# ---- one tool per process -------------------------------------------------------------------
def run_dhkit_plan(csv: str, out: str, marg: str) -> float:
    from dhkit.survey import Design
    from dhkit.weighting.calibrate import calibrate_design
    from dhkit.weighting.margins import Margins

    import dhkit.survey.batch  # noqa: F401  (imports before the clock, as R's library())
    import scipy.stats  # noqa: F401

    df = pd.read_csv(csv)
    m = Margins.from_dict(json.loads(marg))
    t0 = time.perf_counter()
    d = calibrate_design(Design(df, weights="w", strata="region", psu="psu"), m, "raking")
    e = d.estimate(means=INDICATORS, domains=DOMAINS, ci="logit", deff=False)
    secs = time.perf_counter() - t0
    e.table[["indicator", "domain", "level", "estimate", "se"]].to_csv(out, index=False)
    return secs


def run_dhkit_glm(csv: str, out: str, marg: str) -> float:
    import formulaic  # noqa: F401  (imports before the clock, as R's library())
    import scipy.stats  # noqa: F401

    import dhkit.survey.regression  # noqa: F401
    from dhkit.survey import Design

    df = pd.read_csv(csv)
    t0 = time.perf_counter()
    fit = Design(df, weights="w", strata="region", psu="psu").glm(
        f"{OUTCOME} ~ " + " + ".join(COVARIATES), "binomial")
    secs = time.perf_counter() - t0
    fit.table[["term", "estimate", "se"]].to_csv(out, index=False)
    return secs


def run_svy_plan(csv: str, out: str, marg: str) -> float:
    import polars as pl
    import svy

    data_ = pl.read_csv(csv)
    m = {k: {int(a): b for a, b in v.items()} for k, v in json.loads(marg).items()}
    t0 = time.perf_counter()
    sample = svy.Sample(data_, svy.Design(stratum="region", psu="psu", wgt="w"))
    sample = sample.weighting.rake(controls=m, wgt_name="rk_wgt")
    rows = []
    for by in [None] + DOMAINS:
        res = sample.estimation.prop(INDICATORS, by=by, ci_method="logit", drop_nulls=True)
        for name, est in zip(INDICATORS, res):
            rows.append((name, by or "", est.to_polars()))
    secs = time.perf_counter() - t0
    frames = []
    for name, by, t in rows:
        t = t.to_pandas()
        t = t[t[name].astype(float) == 1.0]
        frames.append(pd.DataFrame({"indicator": name, "domain": by,
                                    "level": t[by].astype(str) if by else "",
                                    "estimate": t["est"], "se": t["se"]}))
    pd.concat(frames).to_csv(out, index=False)
    return secs


def run_svy_glm(csv: str, out: str, marg: str) -> float:
    import polars as pl
    import svy

    data_ = pl.read_csv(csv)
    t0 = time.perf_counter()
    sample = svy.Sample(data_, svy.Design(stratum="region", psu="psu", wgt="w"))
    fit = sample.glm.fit(OUTCOME, x=COVARIATES, family="binomial")
    secs = time.perf_counter() - t0
    t = fit.to_polars().to_pandas().rename(columns={"std_err": "se"})[["term", "estimate", "se"]]
    t.to_csv(out, index=False)
    return secs


R_PLAN = r"""
suppressMessages(library(survey))
library(jsonlite, quietly = TRUE, warn.conflicts = FALSE)
args <- commandArgs(TRUE)
df <- read.csv(args[1])
marg <- fromJSON(args[3])
inds <- sprintf("y%02d", seq_len(as.integer(args[4])))
doms <- c("sex", "agegroup", "age", "urban", "region", "wealth", "school", "device")
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = df)
pops <- lapply(names(marg), function(v) {
  x <- data.frame(as.integer(names(marg[[v]])), as.numeric(unlist(marg[[v]])))
  names(x) <- c(v, "Freq"); x })
rk <- rake(des, lapply(names(marg), function(v) as.formula(paste0("~", v))), pops)
out <- list()
for (y in inds) {
  f <- as.formula(paste0("~", y))
  m <- svymean(f, rk, na.rm = TRUE)
  out[[length(out) + 1]] <- data.frame(indicator = y, domain = "", level = "",
                                       estimate = as.numeric(coef(m)), se = as.numeric(SE(m)))
  for (dv in doms) {
    b <- svyby(f, as.formula(paste0("~", dv)), rk, svymean, na.rm = TRUE)
    out[[length(out) + 1]] <- data.frame(indicator = y, domain = dv, level = as.character(b[[dv]]),
                                         estimate = as.numeric(b[[y]]), se = as.numeric(b$se))
  }
}
res <- do.call(rbind, out)
secs <- proc.time()[["elapsed"]] - t0
write.csv(res, args[2], row.names = FALSE)
cat(secs, "\n")
"""

R_GLM = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
df <- read.csv(args[1])
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = df)
f <- as.formula(paste("%s ~", paste(sprintf("x%%d", 1:10), collapse = " + ")))
m <- svyglm(f, des, family = quasibinomial())
s <- summary(m)$coefficients
secs <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(term = rownames(s), estimate = s[, 1], se = s[, 2]), args[2], row.names = FALSE)
cat(secs, "\n")
""" % OUTCOME


R_INDICATORS = int(os.environ.get("DHKIT_BENCH_R_INDICATORS", "50"))


def _run_r(script_text: str, csv: str, out: str, marg: str) -> float:
    script = Path(out).with_suffix(".R")
    script.write_text(script_text)
    res = subprocess.run(["Rscript", str(script), csv, out, marg, str(R_INDICATORS)],
                         capture_output=True, text=True, check=True)
    return float(res.stdout.strip().split()[-1])


def run_r_plan(csv: str, out: str, marg: str) -> float:
    return _run_r(R_PLAN, csv, out, marg)


def run_r_glm(csv: str, out: str, marg: str) -> float:
    return _run_r(R_GLM, csv, out, marg)


RUNNERS = {("dhkit", "plan"): run_dhkit_plan, ("dhkit", "glm"): run_dhkit_glm,
           ("svy", "plan"): run_svy_plan, ("svy", "glm"): run_svy_glm,
           ("r", "plan"): run_r_plan, ("r", "glm"): run_r_glm}


def measure(tool: str, task: str, csv: str, out: str, marg: str) -> dict:
    code = ("import json,resource,sys; sys.path.insert(0, %r); import calibrated as b; "
            "s=b.RUNNERS[(%r, %r)](%r,%r,%r); r=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            "c=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
            "print(json.dumps({'seconds': s, 'peak_mb': max(r, c)/1024}))"
            ) % (str(HERE), tool, task, csv, out, marg)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if res.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "error": res.stderr.strip()[-300:]}
    return json.loads(res.stdout.strip().splitlines()[-1])


def compare_common(a: str, b: str) -> float:
    """Max relative difference of estimate and SE over the rows both tables hold."""
    x = pd.read_csv(a, keep_default_na=False, dtype={"level": str, "domain": str})
    y = pd.read_csv(b, keep_default_na=False, dtype={"level": str, "domain": str})
    for t in (x, y):
        t["level"] = t["level"].str.replace(r"\.0$", "", regex=True)
    m = x.merge(y, on=["indicator", "domain", "level"], suffixes=("_a", "_b"))
    if not len(m):
        return float("nan")
    return max(float(np.nanmax(np.abs(m[f"{c}_a"].astype(float) / m[f"{c}_b"].astype(float) - 1)))
               for c in ("estimate", "se"))


def compare_glm(a: str, b: str) -> float:
    x, y = pd.read_csv(a), pd.read_csv(b)
    if len(x) != len(y) or "se" not in x or "se" not in y:
        return float("nan")
    worst = 0.0
    for c in ("estimate", "se"):
        worst = max(worst, float(np.max(np.abs(x[c].to_numpy() / y[c].to_numpy() - 1))))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--tools", default="dhkit,svy,r")
    ap.add_argument("--tasks", default="plan,glm")
    ap.add_argument("--r-indicators", type=int, default=50,
                    help="R's plan on a raked design is slow: run R on the first N "
                         "indicators only (its time is then scaled to 50, and marked so)")
    args = ap.parse_args()
    os.environ["DHKIT_BENCH_R_INDICATORS"] = str(args.r_indicators)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        df = data(args.rows)
        csv = os.path.join(tmp, "children.csv")
        df.to_csv(csv, index=False)
        marg = json.dumps(margins(df))
        for task in args.tasks.split(","):
            outs = {}
            for tool in args.tools.split(","):
                out = os.path.join(tmp, f"{tool}_{task}.csv")
                info = measure(tool, task, csv, out, marg)
                if "error" not in info:
                    outs[tool] = out
                rows.append({"task": task, "tool": tool, **info})
                print(f"{task:<5} {tool:<6} {info['seconds']:9.2f} s {info['peak_mb']:8.0f} MB "
                      f"{info.get('error', '')}", flush=True)
            ref = outs.get("r")
            for r in rows:
                if r["task"] == task and r["tool"] in outs and r["tool"] != "r" and ref:
                    r["diff"] = (compare_common(outs[r["tool"]], ref) if task == "plan"
                                 else compare_glm(outs[r["tool"]], ref))
            for r in rows:
                if r["task"] == task == "plan" and r["tool"] == "r" and args.r_indicators < 50:
                    r["note"] = (f"R ran {args.r_indicators} of 50 indicators in "
                                 f"{r['seconds']:.1f} s; seconds scaled ×{50 / args.r_indicators:g}")
                    r["seconds"] *= 50 / args.r_indicators
    print(f"\n{args.rows:,} rows\n")
    print("| task | tool | seconds | peak MB | × dhkit time | max rel. diff vs R (estimate, SE) |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        base = next((x["seconds"] for x in rows if x["task"] == r["task"] and x["tool"] == "dhkit"), None)
        ratio = f"{r['seconds'] / base:.1f}" if base and base == base else ""
        diff = f"{r['diff']:.1e}" if r.get("diff") is not None else ""
        err = f" ({r['error'][-120:]})" if "error" in r else (f" ({r['note']})" if "note" in r else "")
        print(f"| {r['task']} | {r['tool']} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | {ratio} | {diff}{err} |")


if __name__ == "__main__":
    main()
