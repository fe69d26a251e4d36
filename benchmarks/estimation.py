"""Benchmark: 50 binary indicators × (overall + 8 domain variables), SEs and logit CIs.

Times dhkit, R ``survey`` 4.1.1 (``svymean`` + ``svyby`` per indicator and domain
variable, via Rscript) and the Python ``svy`` (0.35) and ``samplics`` (0.6.1,
``TaylorEstimator(PopParam.prop)`` per indicator and domain variable) packages on the same
synthetic CSV, in separate processes so each one's peak memory (max RSS) is its own. Not a
test.

Conventions: every tool's estimates and SEs should equal R's; the logit CIs differ in the
df of their t quantile. R's ``svyciprop`` uses each domain's df (PSUs - strata in the
domain); samplics uses the whole design's df, so its CIs equal R's on the overall rows
(column "CI, overall rows") and differ on small domains; svy uses each domain's df counted
over the PSUs with a non-missing answer, so it differs where a PSU has no answers.

    python benchmarks/estimation.py                      # 1,000 and 200,000 (+1M without R)
    python benchmarks/estimation.py --sizes 1000 --tools dhkit,r,samplics
    python benchmarks/estimation.py --skip-r-above 200000 --write-results
    (samplics is skipped above --skip-samplics-above, 200,000: it takes 2 minutes there)

Synthetic design (three-stage-like, from a fixed seed): 6 regions (strata), PSUs of about
12 households with about one child each, weights varying within PSU; domains: sex, age
group, age, urban/rural, region, wealth quintile, school attendance, device; 10 of the 50
indicators have 5-20 % missing values.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
N_IND = 50
DOMAINS = ["sex", "agegroup", "age", "urban", "region", "wealth", "school", "device"]
INDICATORS = [f"y{i:02d}" for i in range(1, N_IND + 1)]


def synthetic(n: int, seed: int = 20260401) -> pd.DataFrame:
    """n children: 6 regions, PSUs of ~12 households (one child each)."""
    rng = np.random.default_rng(seed)
    n_psu = max(12, n // 12)
    psu_region = np.sort(rng.integers(1, 7, n_psu))
    psu_region[:12] = np.repeat(np.arange(1, 7), 2)  # every region has at least two PSUs
    psu = np.sort(rng.integers(0, n_psu, n))
    psu[:n_psu] = np.arange(n_psu)
    psu.sort()
    region = psu_region[psu]
    urban_psu = rng.random(n_psu) < 0.6
    df = pd.DataFrame({"region": region, "psu": psu + 1})
    df["w"] = np.round(rng.uniform(50, 400, n_psu)[psu] * rng.uniform(0.8, 1.25, n), 4)
    df["sex"] = rng.integers(1, 3, n)
    df["age"] = rng.integers(12, 18, n)
    df["agegroup"] = np.where(df.age < 15, 1, 2)
    df["urban"] = np.where(urban_psu[psu], 1, 2)
    df["wealth"] = rng.integers(1, 6, n)
    df["school"] = np.where(rng.random(n) < 0.9, 1, 2)
    df["device"] = rng.choice([1, 2, 3], n, p=[0.6, 0.25, 0.15])
    psu_effect = rng.normal(0, 0.5, n_psu)[psu]
    for j, name in enumerate(INDICATORS):
        base = -2 + 3 * j / N_IND
        lin = base + psu_effect + 0.2 * (df.sex.to_numpy() == 2) + 0.05 * (df.age.to_numpy() - 14)
        y = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(float)
        if j % 5 == 0:
            y[rng.random(n) < rng.uniform(0.05, 0.2)] = np.nan
        df[name] = y
    return df


# ---- one tool per process ---------------------------------------------------------------
def run_dhkit(csv: str, out: str) -> float:
    from dhkit.survey import Design
    from dhkit.survey.batch import estimate

    df = pd.read_csv(csv)
    t0 = time.perf_counter()
    d = Design(df, weights="w", strata="region", psu="psu")
    e = estimate(d, means=INDICATORS, domains=DOMAINS, ci="logit", deff=False)
    secs = time.perf_counter() - t0
    e.table[["indicator", "domain", "level", "estimate", "se", "ci_low", "ci_high"]].to_csv(out, index=False)
    return secs


def run_svy(csv: str, out: str) -> float:
    import polars as pl
    import svy

    data = pl.read_csv(csv)
    t0 = time.perf_counter()
    sample = svy.Sample(data, svy.Design(stratum="region", psu="psu", wgt="w"))
    rows = []
    for by in [None] + DOMAINS:
        res = sample.estimation.prop(INDICATORS, by=by, ci_method="logit", drop_nulls=True)
        for name, est in zip(INDICATORS, res):
            rows.append((name, by or "", est.to_polars()))
    secs = time.perf_counter() - t0
    frames = []
    for name, by, t in rows:
        t = t.to_pandas()
        lev_col = [c for c in t.columns if c == name][0]
        t = t[t[lev_col].astype(float) == 1.0]
        frames.append(pd.DataFrame({"indicator": name, "domain": by,
                                    "level": t[by].astype(str) if by else "",
                                    "estimate": t["est"], "se": t["se"],
                                    "ci_low": t["lci"], "ci_high": t["uci"]}))
    pd.concat(frames).to_csv(out, index=False)
    return secs


def run_samplics(csv: str, out: str) -> float:
    import warnings

    warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived": still timed
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    df = pd.read_csv(csv)
    t0 = time.perf_counter()
    rows = []
    for name in INDICATORS:
        # Missing answers get weight 0 (R's na.rm: the respondents are a subpopulation of the
        # full design). samplics' remove_nan=True drops those rows instead, and with them any
        # PSU whose children all lack the answer: n_h and df change, SEs differ up to 2 %.
        y, w = df[name].fillna(0.0), df["w"].where(df[name].notna(), 0.0)
        for by in [None] + DOMAINS:
            e = TaylorEstimator(param=PopParam.prop)  # logit CI with t on the design df
            e.estimate(y=y, samp_weight=w, stratum=df["region"], psu=df["psu"],
                       domain=df[by] if by else None)
            parts = [(lev, e.point_est[lev], e.stderror[lev], e.lower_ci[lev], e.upper_ci[lev])
                     for lev in e.point_est] if by else \
                [("", e.point_est, e.stderror, e.lower_ci, e.upper_ci)]
            for lev, est, se, lo, hi in parts:  # keep the level y = 1 (0 if nobody has it)
                rows.append((name, by or "", lev, est.get(1.0, 0.0), se.get(1.0, 0.0),
                             lo.get(1.0, 0.0), hi.get(1.0, 0.0)))
    secs = time.perf_counter() - t0
    pd.DataFrame(rows, columns=["indicator", "domain", "level", "estimate", "se", "ci_low",
                                "ci_high"]).to_csv(out, index=False)
    return secs


R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(TRUE)
df <- read.csv(args[1])
inds <- sprintf("y%02d", 1:50)
doms <- c("sex", "agegroup", "age", "urban", "region", "wealth", "school", "device")
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~psu, strata = ~region, weights = ~w, data = df)
# degf(design[domain]) per level, as svyby(..., svyciprop) uses
domdf <- lapply(setNames(doms, doms), function(dv) {
  sapply(split(df[c("psu", "region")], df[[dv]]), function(s) length(unique(s$psu)) - length(unique(s$region)))
})
out <- list()
for (y in inds) {
  f <- as.formula(paste0("~", y))
  m <- svymean(f, des, na.rm = TRUE)
  out[[length(out) + 1]] <- data.frame(indicator = y, domain = "", level = "",
                                       estimate = as.numeric(coef(m)), se = as.numeric(SE(m)),
                                       df = degf(des))
  for (dv in doms) {
    b <- svyby(f, as.formula(paste0("~", dv)), des, svymean, na.rm = TRUE)
    lev <- as.character(b[[dv]])
    out[[length(out) + 1]] <- data.frame(indicator = y, domain = dv, level = lev,
                                         estimate = as.numeric(b[[y]]), se = as.numeric(b$se),
                                         df = domdf[[dv]][lev])
  }
}
res <- do.call(rbind, out)
# logit intervals from the SEs: R svyciprop "xlogit" on each domain (equal to its "logit")
q <- qt(0.975, res$df); eta <- qlogis(res$estimate); s <- res$se / (res$estimate * (1 - res$estimate))
res$ci_low <- plogis(eta - q * s); res$ci_high <- plogis(eta + q * s)
secs <- proc.time()[["elapsed"]] - t0
write.csv(res, args[2], row.names = FALSE)
cat(secs, "\n")
"""


def run_r(csv: str, out: str) -> float:
    script = Path(out).with_suffix(".R")
    script.write_text(R_SCRIPT)
    res = subprocess.run(["Rscript", str(script), csv, out], capture_output=True, text=True, check=True)
    return float(res.stdout.strip().split()[-1])


RUNNERS = {"dhkit": run_dhkit, "svy": run_svy, "samplics": run_samplics, "r": run_r}


def measure(tool: str, csv: str, out: str) -> dict:
    """Run one tool in a child process; seconds (its own clock) and peak RSS of the process
    tree it started (R runs in a grandchild: RUSAGE_CHILDREN of the child covers it)."""
    code = ("import json,resource,sys; sys.path.insert(0, %r); import estimation as b; "
            "s=b.RUNNERS[%r](%r,%r); r=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            "c=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss; "
            "print(json.dumps({'seconds': s, 'peak_mb': max(r, c)/1024}))") % (str(HERE), tool, csv, out)
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if res.returncode != 0:
        return {"seconds": float("nan"), "peak_mb": float("nan"), "error": res.stderr.strip()[-400:]}
    info = json.loads(res.stdout.strip().splitlines()[-1])
    info["wall"] = time.perf_counter() - t0
    return info


def compare(a: str, b: str, cols=("estimate", "se", "ci_low", "ci_high"),
            overall_only: bool = False) -> float:
    """Max relative difference of the given columns over matching rows (or the overall ones)."""
    x = pd.read_csv(a, keep_default_na=False, dtype={"level": str, "domain": str})
    y = pd.read_csv(b, keep_default_na=False, dtype={"level": str, "domain": str})
    for t in (x, y):
        t["level"] = t["level"].str.replace(r"\.0$", "", regex=True)
    m = x.merge(y, on=["indicator", "domain", "level"], suffixes=("_a", "_b"))
    if len(m) < len(x) or len(m) < len(y):
        return float("nan")
    if overall_only:
        m = m[m["domain"] == ""]
    worst = 0.0
    for c in cols:
        va, vb = m[f"{c}_a"].astype(float).to_numpy(), m[f"{c}_b"].astype(float).to_numpy()
        worst = max(worst, float(np.nanmax(np.abs(va - vb) / np.maximum(np.abs(vb), 1e-300))))
    return worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,200000,1000000")
    ap.add_argument("--tools", default="dhkit,svy,samplics,r")
    ap.add_argument("--skip-r-above", type=int, default=200_000)
    ap.add_argument("--skip-samplics-above", type=int, default=200_000)
    ap.add_argument("--write-results", action="store_true", help="update benchmarks/RESULTS.md")
    args = ap.parse_args()
    tools = args.tools.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            csv = os.path.join(tmp, f"children_{n}.csv")
            synthetic(n).to_csv(csv, index=False)
            outs = {}
            for tool in tools:
                if tool == "r" and n > args.skip_r_above:
                    rows.append({"n": n, "tool": tool, "note": "skipped (R at this size takes too long)"})
                    continue
                if tool == "samplics" and n > args.skip_samplics_above:
                    rows.append({"n": n, "tool": tool, "note": "skipped (> 10 minutes expected)"})
                    continue
                out = os.path.join(tmp, f"{tool}_{n}.csv")
                info = measure(tool, csv, out)
                if "error" not in info:
                    outs[tool] = out
                rows.append({"n": n, "tool": tool, **info})
                print(f"n={n:>9,} {tool:<6} {info.get('seconds', float('nan')):9.2f} s "
                      f"{info.get('peak_mb', float('nan')):8.0f} MB {info.get('error', '')}", flush=True)
            ref = outs.get("r")
            for r in rows:
                if r["n"] == n and r["tool"] in outs:
                    other = ref if r["tool"] != "r" else None
                    r["diff_est_se"] = compare(outs[r["tool"]], other, ("estimate", "se")) if other else None
                    r["diff_ci"] = compare(outs[r["tool"]], other, ("ci_low", "ci_high")) if other else None
                    r["diff_ci_overall"] = (compare(outs[r["tool"]], other, ("ci_low", "ci_high"),
                                                    overall_only=True) if other else None)
    table = render(rows)
    print(table)
    if args.write_results:
        write_results(table)


def render(rows: list[dict]) -> str:
    lines = [("| children | tool | seconds | peak MB | × dhkit time | max rel. diff vs R: estimate, SE "
              "| CI | CI, overall rows |"), "|---:|---|---:|---:|---:|---:|---:|---:|"]
    by_n = {}
    for r in rows:
        by_n.setdefault(r["n"], {})[r["tool"]] = r
    for n, tools in by_n.items():
        base = tools.get("dhkit", {}).get("seconds")
        for tool, r in tools.items():
            if "note" in r:
                lines.append(f"| {n:,} | {tool} | {r['note']} | | | | | |")
                continue
            if "error" in r:
                lines.append(f"| {n:,} | {tool} | failed: {r['error'][-80:]} | | | | | |")
                continue
            ratio = f"{r['seconds'] / base:.1f}" if base else ""
            diffs = [r.get(k) for k in ("diff_est_se", "diff_ci", "diff_ci_overall")]
            cells = " | ".join("" if d is None else f"{d:.1e}" for d in diffs)
            lines.append(f"| {n:,} | {tool} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | {ratio} | {cells} |")
    return "\n".join(lines)


def write_results(table: str) -> None:
    path = HERE / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    section = (f"## Estimation\n\n`python benchmarks/estimation.py` — {date.today()}, {machine}.\n"
               "50 binary indicators × (overall + 8 domain variables), SEs and logit CIs; "
               "seconds from data in memory to results (design included); peak = max RSS of "
               "the tool's process.\n\n" + table + "\n")
    start = text.find("## Estimation")
    if start < 0:
        text = text.rstrip() + "\n\n" + section
    else:
        end = text.find("\n## ", start + 5)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    path.write_text(text)


if __name__ == "__main__":
    main()
