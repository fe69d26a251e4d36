"""Benchmark: raking and linear calibration of 1,000,000 records on 4 margins
(region 6, sex 2, age 6, wealth quintile 5), dhkit vs R survey (rake, calibrate) in one run,
the Python `svy` package's raking and `samplics` 0.6.1 (`SampleWeight.rake`, and
`SampleWeight.calibrate` only up to SAMPLICS_DENSE_MAX rows: it builds a dense n × n matrix).

Each side runs in its own process so peak memory (max RSS) is its own; the data are written
once as CSV (R) and Parquet (dhkit) and the reading time is not counted. Prints a table and,
with --write, replaces the "Weighting" section of benchmarks/RESULTS.md.

    /work/venv/bin/python benchmarks/weighting.py [--rows 1000000] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LEVELS = {"region": 6, "sex": 2, "age": 6, "quintile": 5}
SAMPLICS_DENSE_MAX = 10_000  # np.diag(weights) in samplics' calibrate: 0.8 GB at 10,000 rows


def make_data(n: int, seed: int = 20240601) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({v: rng.integers(1, k + 1, n) for v, k in LEVELS.items()})
    df["w"] = np.round(np.exp(rng.normal(np.log(300), 0.4, n)) * (1 + df["region"] / 10), 4)
    N = float(df["w"].sum()) * 1.05
    rows = []
    for v, k in LEVELS.items():
        share = np.linspace(1.0, 1.3, k)
        share = share / share.sum()
        tot = np.round(N * share, 0)
        tot[-1] = round(N) - tot[:-1].sum()
        rows += [(v, str(j + 1), t) for j, t in enumerate(tot)]
    return df, pd.DataFrame(rows, columns=["variable", "level", "total"])


DHKIT_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    import numpy as np, pandas as pd
    from dhkit.weighting.calibrate import calibrate_weights
    from dhkit.weighting.margins import Margins
    data_path, margins_path, out = sys.argv[1:4]
    df = pd.read_parquet(data_path)
    m = Margins.from_csv(margins_path)
    w0 = df["w"].to_numpy()
    res = {}
    for method, kw in (("raking", dict(maxit=50, epsilon=1.0)), ("linear", {})):
        t = time.perf_counter()
        cal = calibrate_weights(w0, df, m, method, **kw)
        res[method] = time.perf_counter() - t
        np.save(out + f"_{method}.npy", cal.weights)
    res["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))
""")

SVY_CHILD = textwrap.dedent("""
    import json, sys, time
    import numpy as np, pandas as pd, polars as pl, svy
    data_path, margins_path, out = sys.argv[1:4]
    df = pl.read_parquet(data_path)
    m = pd.read_csv(margins_path)
    controls = {v: {int(l): float(t) for l, t in zip(g.level, g.total)}
                for v, g in m.groupby("variable", sort=False)}
    sample = svy.Sample(df, svy.Design(wgt="w"))
    t = time.perf_counter()
    raked = sample.weighting.rake(controls=controls, tol=1e-10, max_iter=100)
    res = {"raking": time.perf_counter() - t}
    np.save(out + "_raking.npy", raked.data["rk_wgt"].to_numpy())
    print(json.dumps(res))
""")

SAMPLICS_CHILD = textwrap.dedent("""
    import json, sys, time, warnings
    import numpy as np, pandas as pd
    warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived": still timed
    from samplics.weighting import SampleWeight
    data_path, margins_path, out, dense_max = sys.argv[1:5]
    df = pd.read_parquet(data_path)
    m = pd.read_csv(margins_path)
    control = {v: {int(l): float(t) for l, t in zip(g.level, g.total)}
               for v, g in m.groupby("variable", sort=False)}
    w0 = df["w"].to_numpy()
    t = time.perf_counter()
    raked = SampleWeight().rake(w0, {v: df[v].to_numpy() for v in control}, control=control,
                                tol=1e-10, ctrl_tol=1e-10, max_iter=100)
    res = {"raking": time.perf_counter() - t}
    np.save(out + "_raking.npy", raked)
    if len(df) <= int(dense_max):  # calibrate() builds an n x n diagonal matrix (np.diag)
        # R's model matrix: intercept + treatment dummies; totals N and levels 2..k
        cols = [np.ones(len(df))] + [(df[v] == l).to_numpy(float)
                                     for v in control for l in list(control[v])[1:]]
        tots = [sum(control["region"].values())] + [control[v][l] for v in control
                                                    for l in list(control[v])[1:]]
        t = time.perf_counter()
        lin = SampleWeight().calibrate(w0, np.column_stack(cols),
                                       dict(enumerate(tots)))
        res["linear"] = time.perf_counter() - t
        np.save(out + "_linear.npy", lin)
    print(json.dumps(res))
""")

R_CHILD = textwrap.dedent("""
    suppressMessages(library(survey))
    args <- commandArgs(TRUE)
    d <- read.csv(args[1])
    for (v in c("region", "sex", "age", "quintile")) d[[v]] <- factor(d[[v]])
    m <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
    pops <- lapply(split(m, factor(m$variable, unique(m$variable))), function(x) {
      df <- data.frame(x$level, x$total); names(df) <- c(x$variable[1], "Freq"); df })
    fl <- lapply(names(pops), function(v) as.formula(paste("~", v)))
    des <- svydesign(ids = ~1, weights = ~w, data = d)
    t_rake <- system.time(r <- rake(des, fl, pops, control = list(maxit = 50, epsilon = 1)))[["elapsed"]]
    writeBin(as.numeric(weights(r)), paste0(args[3], "_raking.bin"))
    t_lin <- system.time(l <- calibrate(des, fl, pops, calfun = "linear"))[["elapsed"]]
    writeBin(as.numeric(weights(l)), paste0(args[3], "_linear.bin"))
    cat(sprintf('{"raking": %.4f, "linear": %.4f}\\n', t_rake, t_lin))
""")


def run_child(cmd: list[str]) -> tuple[dict, float]:
    """Run one side in its own process; (its JSON result, its peak RSS in MB)."""
    timer = Path("/usr/bin/time")
    if timer.exists():
        cmd = [str(timer), "-f", "MAXRSS_KB %M", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    for line in out.stderr.splitlines():
        if line.startswith("MAXRSS_KB "):
            peak = int(line.split()[1])
    return json.loads(out.stdout.strip().splitlines()[-1]), peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dhkit-bench-"))
    df, margins = make_data(args.rows)
    df.to_parquet(tmp / "data.parquet", index=False)
    df.to_csv(tmp / "data.csv", index=False)
    margins.to_csv(tmp / "margins.csv", index=False)
    (tmp / "dhkit_child.py").write_text(DHKIT_CHILD)
    (tmp / "r_child.R").write_text(R_CHILD)
    dh, dh_mem = run_child([sys.executable, str(tmp / "dhkit_child.py"),
                            str(tmp / "data.parquet"), str(tmp / "margins.csv"), str(tmp / "dh")])
    dh.pop("maxrss_mb")
    (tmp / "svy_child.py").write_text(SVY_CHILD)
    try:
        sv, sv_mem = run_child([sys.executable, str(tmp / "svy_child.py"),
                                str(tmp / "data.parquet"), str(tmp / "margins.csv"),
                                str(tmp / "svy")])
    except (subprocess.CalledProcessError, ValueError):  # svy missing or its API changed
        sv, sv_mem = {}, float("nan")
    (tmp / "samplics_child.py").write_text(SAMPLICS_CHILD)
    try:
        sp, sp_mem = run_child([sys.executable, str(tmp / "samplics_child.py"),
                                str(tmp / "data.parquet"), str(tmp / "margins.csv"),
                                str(tmp / "samplics"), str(SAMPLICS_DENSE_MAX)])
    except (subprocess.CalledProcessError, ValueError):  # samplics missing or its API changed
        sp, sp_mem = {}, float("nan")
    r, r_mem = run_child(["Rscript", str(tmp / "r_child.R"), str(tmp / "data.csv"),
                          str(tmp / "margins.csv"), str(tmp / "r")])
    rows = []
    for method in ("raking", "linear"):
        a = np.load(tmp / f"dh_{method}.npy")
        b = np.fromfile(tmp / f"r_{method}.bin", dtype="<f8")
        diff = float(np.max(np.abs(a / b - 1)))
        peers = []
        for name, res in (("svy", sv), ("samplics", sp)):
            peer_diff = np.nan
            if method in res:
                peer_diff = float(np.max(np.abs(np.load(tmp / f"{name}_{method}.npy") / b - 1)))
            peers += [res.get(method, np.nan), peer_diff]
        rows.append((method, dh[method], r[method], r[method] / dh[method], diff, *peers))
    table = pd.DataFrame(rows, columns=["method", "dhkit_s", "R_s", "speedup", "max_rel_diff",
                                        "svy_s", "svy_max_rel_diff", "samplics_s",
                                        "samplics_max_rel_diff"])
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    head = (f"Raking and linear calibration, {args.rows:,} records, 4 margins (6+2+6+5 levels); "
            f"{stamp}, `python benchmarks/weighting.py`, 2-core machine "
            f"(load average {load:.1f} at the end: other work shares the cores).")
    header = ("| method | dhkit (s) | R survey (s) | speed-up vs R | max rel. weight diff. "
              "dhkit–R | svy 0.35 (s) | max rel. weight diff. svy–R | samplics 0.6.1 (s) | "
              "max rel. weight diff. samplics–R |")
    lines = [head, "", header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m, a, b, s, d, *peers in rows:
        cells = [("—", "—") if np.isnan(p_s) else (f"{p_s:.2f}", f"{p_d:.1e}")
                 for p_s, p_d in zip(peers[::2], peers[1::2])]
        lines.append(f"| {m} | {a:.3f} | {b:.2f} | {s:.0f}× | {d:.1e} | "
                     + " | ".join(c for pair in cells for c in pair) + " |")
    memory = (f"Peak memory (max RSS of each process, reading the data included): "
              f"dhkit {dh_mem:.0f} MB, R {r_mem:.0f} MB, svy {sv_mem:.0f} MB, samplics "
              f"{sp_mem:.0f} MB. Goal: ≥ 10× faster than R with equal weights, < 500 MB. svy "
              "and samplics rake to their own tolerance (1e-10 relative change and misfit) "
              "rather than R's stopping rule (epsilon = 1 in absolute totals), so their weights "
              "differ slightly from R's (R stops earlier in small samples); svy's linear calibration takes a different input form and is not "
              "timed here. samplics' `calibrate` (given R's model matrix: intercept + "
              "treatment dummies) builds an n × n diagonal matrix, so it is run only up to "
              f"{SAMPLICS_DENSE_MAX:,} rows (8 TB at 1,000,000).")
    lines += ["", memory]
    text = "\n".join(lines)
    print(table.to_string(index=False))
    print(text)
    if args.write:
        write_section(text)


def write_section(body: str) -> None:
    path = ROOT / "benchmarks" / "RESULTS.md"
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    start = old.find("## Weighting")
    section = f"## Weighting\n\n{body}\n"
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + section
    else:
        nxt = old.find("\n## ", start + 1)
        new = old[:start] + section + (old[nxt:] if nxt >= 0 else "")
    path.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
