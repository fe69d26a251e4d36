"""Write a release folder: data files, codebook, design declarations, PRAM matrices,
information-loss table, the disclosure-risk report and a manifest with file hashes."""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import pandas as pd

from dhkit import __version__
from dhkit.errors import DhkitError
from dhkit.release.build import PSU_CODE, RESPONDENT, STRATUM_CODE, Prepared
from dhkit.release.config import ReleaseSpec
from dhkit.safetext import csv_frame


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def derived_labels() -> dict[str, str]:
    """English labels of the catalogue's indicators, for derived columns whose instrument
    label is only their name (``any_tfcsea``, a ``calculate``)."""
    from dhkit.indicators.catalogue import load_catalogue

    try:
        inds = load_catalogue().indicators.values()
    except DhkitError:     # a broken catalogue must not stop a release: names stay
        return {}
    return {i.id: (i.label.get("en", i.id) if isinstance(i.label, dict) else str(i.label))
            for i in inds}


def _label(c: str, codebook) -> str:
    lab = codebook.label(c) if codebook is not None and c in codebook.questions else c
    return derived_labels().get(c, lab) if lab == c else lab


def value_labels(codebook, columns) -> dict[str, dict]:
    """Numeric value → label of every released select_one variable (for SPSS and Stata)."""
    out: dict[str, dict] = {}
    if codebook is None:
        return out
    for q in codebook.questions.values():
        if q.name in columns and q.type.startswith("select_one") and q.list_name:
            labels = codebook.choice_labels(q.list_name)
            try:
                out[q.name] = {int(v): lab for v, lab in labels.items()}
            except ValueError:
                continue
    return out


def codebook_table(prep: Prepared, spec: ReleaseSpec, codebook) -> pd.DataFrame:
    """One row per released variable of each released table: label, type, values and what
    was done to it (replicate weights carry their method, scale and mse setting)."""
    main = _codebook_rows(prep, spec, codebook, prep.data, "main")
    if prep.instance is not None:
        main += _codebook_rows(prep, spec, codebook, prep.instance, "instance")
    return pd.DataFrame(main)


def _codebook_rows(prep: Prepared, spec: ReleaseSpec, codebook, frame: pd.DataFrame,
                   table: str) -> list[dict]:
    rows = []
    recoded = {r.variable for r in spec.recodes}
    reps = prep.replicates
    repcols = set(reps.columns) if reps is not None and table == "main" else set()
    for c in frame.columns:
        label, qtype = _label(c, codebook), str(frame[c].dtype)
        if codebook is not None and c in codebook.questions:
            qtype = codebook.questions[c].type
        treatment = []
        if c in recoded:
            treatment.append("globally recoded")
        if prep.suppressed.get(c):
            treatment.append(f"{prep.suppressed[c]} values locally suppressed")
        if c in spec.pram:
            treatment.append(f"PRAM (keep probability {spec.pram[c]:g})")
        if c in spec.noise:
            treatment.append(f"noise (sd {spec.noise[c]:g} × sd)")
        special = {RESPONDENT: "random respondent number (row order shuffled)" if table == "main"
                   else "respondent number: links the instance to its row of the main file",
                   PSU_CODE: "random code of the primary sampling unit",
                   STRATUM_CODE: "random code of the stratum", prep.weights: "final survey weight"}
        if c in special:
            label = special[c]
        if c == prep.weights and table == "main" and prep.tier == "public" and \
                spec.weight_digits:
            treatment.append(f"rounded to {spec.weight_digits} significant digits")
        if c in repcols:
            label = f"replicate weight {c.removeprefix('repw_')} of {len(repcols)}"
            qtype = "replicate weight"
            treatment = [f"{reps.method}; type {reps.type}, scale {reps.scale:.10g}, "
                         f"rscales {'1' if reps.type == 'bootstrap' else 'see manifest'}, "
                         f"mse {'TRUE' if reps.mse else 'FALSE'}, combined weights"]
        vals = frame[c].dropna()
        n_vals = vals.nunique()
        rows.append({"table": table, "variable": c, "label": label, "type": qtype,
                     "key_variable": c in spec.keys or c in spec.household_keys,
                     "sensitive": c in spec.sensitive,
                     "distinct_values": int(n_vals), "missing": int(frame[c].isna().sum()),
                     "treatment": "; ".join(treatment)})
    return rows


def _stat_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Columns SPSS/Stata can hold: nullable ints → float, objects → text."""
    out = df.copy()
    for c in out.columns:
        if str(out[c].dtype) in ("Int64", "Int32", "boolean"):
            out[c] = out[c].astype("float64")
        elif out[c].dtype == object or str(out[c].dtype) in ("string", "str"):
            out[c] = out[c].map(lambda v: "" if v is None or (isinstance(v, float) and v != v)
                                else str(v)).astype(object)
    return out


def write_data(prep: Prepared, out: Path, codebook) -> dict[str, Path]:
    """``release.*`` (main table) and, when released, ``release_instance.*``, each as CSV,
    Parquet, SPSS and Stata with variable and value labels."""
    files = _write_table(prep.data, "release", out, codebook)
    if prep.instance is not None:
        files.update(_write_table(prep.instance, "release_instance", out, codebook))
    return files


def _write_table(frame: pd.DataFrame, stem: str, out: Path, codebook) -> dict[str, Path]:
    import pyreadstat

    files = {}
    p = out / f"{stem}.csv"
    csv_frame(frame).to_csv(p, index=False)
    files[p.name] = p
    p = out / f"{stem}.parquet"
    parquet = frame.copy()
    for c in parquet.columns:
        if parquet[c].dtype == object:
            parquet[c] = parquet[c].map(lambda v: None if v is None or (isinstance(v, float)
                                                                          and v != v) else str(v))
    parquet.to_parquet(p, index=False)
    files[p.name] = p
    stat = _stat_frame(frame)
    labels = value_labels(codebook, [c for c in stat.columns if stat[c].dtype.kind in "fi"])
    names = {c: _label(c, codebook)[:80] for c in stat.columns}
    p = out / f"{stem}.sav"
    pyreadstat.write_sav(stat, str(p), column_labels=[names.get(c, c) for c in stat.columns],
                         variable_value_labels=labels, variable_format=_spss_formats(stat))
    files[p.name] = p
    p = out / f"{stem}.dta"
    pyreadstat.write_dta(stat, str(p), column_labels=[names.get(c, c)[:80] for c in stat.columns],
                         variable_value_labels=labels)
    files[p.name] = p
    return files


def _spss_formats(stat: pd.DataFrame) -> dict[str, str]:
    """Whole-number columns shown without decimals (F8.0), weights with enough (F12.4)."""
    out = {}
    for c in stat.columns:
        if stat[c].dtype.kind not in "fi":
            continue
        v = stat[c].dropna()
        whole = bool(len(v)) and bool((v == v.round()).all())
        out[c] = "F8.0" if whole and v.abs().max() < 1e7 else "F12.4"
    return out


def design_scripts(prep: Prepared) -> dict[str, str]:
    """R, Stata and SPSS declarations of the released design: ``svydesign``/``svyset``/
    ``CSPLAN`` on the masked codes (licensed) and ``svrepdesign``/``svyset ..., bsrweight()``
    or ``jkrweight()`` on the replicate weights (when shipped)."""
    s, c, w, reps = prep.strata, prep.psu, prep.weights, prep.replicates
    head = f"Design of the {prep.tier} release (dhkit release). Run in the release folder."
    r = [f"# {head}", "library(survey)", "d <- read.csv(\"release.csv\")"]
    stata = [f"* {head}", "use release.dta, clear"]
    spss = [f"* {head}", "GET FILE='release.sav'."]
    if c or s:
        r += ["options(survey.lonely.psu = \"adjust\")",
              "# linearisation on the masked PSU and stratum codes",
              f"des <- svydesign(ids = ~{c or 1}, strata = {'~' + s if s else 'NULL'}, "
              f"weights = ~{w}, data = d, nest = TRUE)",
              "print(svymean(~any_tfcsea, des, na.rm = TRUE))"]
        stata += ["* linearisation on the masked PSU and stratum codes",
                  f"svyset {c or '_n'} [pweight={w}]{', strata(' + s + ')' if s else ''} "
                  "singleunit(centered)", "svy: mean any_tfcsea"]
        spss += ["CSPLAN ANALYSIS\n  /PLAN FILE='release.csaplan'",
                 f"  /PLANVARS ANALYSISWEIGHT={w}",
                 f"  /DESIGN{' STRATA=' + s if s else ''}{' CLUSTER=' + c if c else ''}",
                 "  /ESTIMATOR TYPE=WR.",
                 "CSDESCRIPTIVES\n  /PLAN FILE='release.csaplan'\n  /SUMMARY VARIABLES=any_tfcsea"
                 "\n  /MEAN."]
    if reps is not None:
        n = reps.weights.shape[1]
        first, last = reps.columns[0], reps.columns[-1]
        mse = "TRUE" if reps.mse else "FALSE"
        rsc = ("1" if reps.type == "bootstrap" else
               "c(" + ", ".join(f"{x:.17g}" for x in reps.rscales) + ")")
        r += [f"# replicate weights: {reps.method}",
              f"rdes <- svrepdesign(data = d, weights = ~{w}, repweights = \"repw_[0-9]+\", "
              f"type = \"{reps.type}\", scale = {reps.scale:.17g}, rscales = {rsc}, "
              f"mse = {mse}, combined.weights = TRUE)",
              "print(svymean(~any_tfcsea, rdes, na.rm = TRUE))"]
        opt = " mse" if reps.mse else ""
        if reps.type == "bootstrap":
            stata += [f"* replicate weights: {reps.method}",
                      f"svyset [pweight={w}], bsrweight({first}-{last}) vce(bootstrap){opt}",
                      "svy: mean any_tfcsea",
                      f"* dhkit and R use variance = {reps.scale:.10g} x sum (theta_r - theta)^2 "
                      f"(1/(R-1), R = {n}). If your Stata's",
                      "* bootstrap divisor differs ([SVY] svy bootstrap, Methods and formulas), "
                      "this jackknife form",
                      "* gives exactly that variance:",
                      f"* svyset [pweight={w}], jkrweight({first}-{last}, "
                      f"multiplier({reps.scale:.10g})) vce(jackknife) mse"]
        else:
            mult = " ".join(f"{m:.12g}" for m in reps.scale * reps.rscales)
            jk = f"jkrweight({first}-{last}, multiplier({mult}))"
            stata += [f"* replicate weights: {reps.method}",
                      f"svyset [pweight={w}], {jk} vce(jackknife){opt}", "svy: mean any_tfcsea"]
        spss += [f"* Replicate weights {first}..{last} ({reps.method}): SPSS Complex Samples "
                 "has no",
                 "* replicate-weight variance. Use R (design.R) or Stata (design.do) for them, "
                 "or compute",
                 f"* the variance yourself: {reps.scale:.10g} x sum over r of rscale_r x "
                 "(estimate with repw_r - full estimate)^2."]
    return {"design.R": "\n".join(r) + "\n", "design.do": "\n".join(stata) + "\n",
            "design.sps": "\n".join(spss) + "\n"}


def _fmt(x) -> str:
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.4g}"
    return html.escape(str(x))


def _table(df: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{_fmt(v)}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _pct_ci(e, lo, hi) -> str:
    return f"{100 * e:.1f}% ({100 * lo:.1f}–{100 * hi:.1f})"


def _estimate_view(t: pd.DataFrame) -> pd.DataFrame:
    """Headline estimates as a reader compares them: per cent with 95% CI, and SEs."""
    rows = [(r.label, _pct_ci(r.estimate_original, r.ci_low_original, r.ci_high_original),
             _pct_ci(r.estimate_release, r.ci_low_release, r.ci_high_release),
             f"{100 * r.se_original:.2f}", f"{100 * r.se_release:.2f}", r.release_variance,
             r.within_original_ci)
            for r in t.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["indicator", "report % (95% CI)", "release % (95% CI)",
                                       "SE report (pp)", "SE release (pp)",
                                       "release SE from", "release within report CI"])


def risk_report(prep: Prepared, spec: ReleaseSpec, k: int, estimates: pd.DataFrame,
                study_name: str, synthetic: bool) -> str:
    """The disclosure-risk report a data-release committee signs off (HTML)."""
    b, a = prep.before, prep.after
    risk = pd.DataFrame([
        ("records", b.records, a.records),
        ("sample uniques (f = 1)", b.uniques, a.uniques),
        (f"records violating {k}-anonymity (f < {k})", b.k_violations, a.k_violations),
        ("maximum individual risk", b.max_individual_risk, a.max_individual_risk),
        ("mean individual risk", b.mean_individual_risk, a.mean_individual_risk),
        ("expected re-identifications (sum of risks)", b.expected_reidentifications,
         a.expected_reidentifications),
        (f"records with risk above {spec.risk_threshold:g}", b.high_risk, a.high_risk),
        *[(f"distinct l-diversity (minimum) of {s}", b.l_diversity[s], a.l_diversity[s])
          for s in spec.sensitive],
        *[(f"entropy l-diversity (minimum exp entropy) of {s}", b.entropy_l[s],
           a.entropy_l[s]) for s in spec.sensitive],
        *[(f"records breaking {a.l_rule.split(';')[0]} on {s}", b.l_violations[s],
           a.l_violations[s]) for s in spec.sensitive if s in a.l_violations],
        *_household_rows(b, a, k)], columns=["measure", "original", "release"])
    n = len(prep.data)
    sup = pd.DataFrame([(v, c, prep.household_suppressed.get(v, 0),
                         prep.ldiversity_suppressed.get(v, 0), f"{100 * c / n:.1f}%" if n else "")
                        for v, c in prep.suppressed.items()],
                       columns=["key variable", "values suppressed", "of which for household "
                                f"{k}-anonymity", "of which for l-diversity", "share of records"])
    dropped = pd.DataFrame([("release", v, r) for v, r in sorted(prep.dropped.items())]
                           + [("release_instance", v, r)
                              for v, r in sorted(prep.instance_dropped.items())],
                           columns=["table", "variable", "reason"])
    est = _estimate_view(estimates)
    treatments = [f"global recoding of {r.variable}" for r in spec.recodes]
    treatments += [f"PRAM on {v} (keep probability {p:g})" for v, p in spec.pram.items()]
    treatments += [f"additive noise on {v} (sd {s:g} × sd)" for v, s in spec.noise.items()]
    treatments.append(f"local suppression until {k}-anonymity holds "
                      f"(importance: {', '.join(spec.importance or spec.keys)})")
    if spec.household_keys:
        treatments.append(f"local suppression until every household is {k}-anonymous on the "
                          f"joint key {', '.join(a.household.keys)} (caregiver keys first)")
    if spec.ldiversity is not None:
        treatments.append(f"l-diversity: {a.l_rule}; cells breaking it: "
                          + {"suppress": "key values suppressed (least important first)",
                             "refuse": "the release is refused",
                             "report": "reported only"}[spec.ldiversity.treat])
    banner = ("<p class='synthetic'>Synthetic demonstration data: no real child is described."
              "</p>" if synthetic else "")
    sign = ("<table class='sign'><tr><th>Role</th><th>Name</th><th>Decision</th><th>Date</th>"
            "<th>Signature</th></tr>" + "".join(
                f"<tr><td>{r}</td><td></td><td></td><td></td><td></td></tr>"
                for r in ("Disclosure-control officer", "Data-release committee chair",
                          "Data protection officer")) + "</table>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Disclosure-risk report: {html.escape(study_name)} ({prep.tier} release)</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #999;padding:.25em .5em;
text-align:left}}th{{background:#eee}}
.synthetic{{background:#ffe;padding:.5em;border:1px solid #cc9}}
.sign td{{height:2.5em;min-width:8em}}</style></head><body>
<h1>Disclosure-risk report</h1>{banner}
<p>Study: {html.escape(study_name)} · tier: <b>{prep.tier}</b> · k = {k} ·
seed = {spec.seed} · dhkit {__version__}</p>
<p>Key variables (quasi-identifiers): {html.escape(', '.join(spec.keys))}.
Sensitive variables: {html.escape(', '.join(spec.sensitive) or 'none')}.</p>
<h2>Risk before and after treatment</h2>
<p>Individual risk: Benedetti–Franconi approximation as in sdcMicro <code>measure_risk</code>,
with the population frequency of a key cell estimated by the sum of the sampling weights.
A suppressed value matches every value of its variable.</p>
{_table(risk)}
<h2>Treatments</h2><ul>{''.join(f'<li>{html.escape(t)}</li>' for t in treatments)}</ul>
<h2>Information loss</h2>
<h3>Share of suppressed values per key variable</h3>{_table(sup)}
<h3>Headline estimates on the original data and on the release</h3>
<p>"Report" is the national report's own figure: the full design re-calibrated to the
margins, with the calibration in the SE (Korn–Graubard 95% CI). "Release" is computed from
the released file alone, with what it ships.</p>{_table(est)}
<h2>Sensitive variables: homogeneous cells</h2>
<p>l-diversity protects against attribute disclosure: learning a child's sensitive answer
from the key cell alone. A cell in which every child answered a harmless value ("no",
"don't know", "prefer not to say", listed as <code>dont_care</code>) discloses nothing
harmful and is not counted as a violation; a cell dominated by a sensitive value is
(positive-disclosure recursive (c, l)-diversity, Machanavajjhala et al. 2007, §4.3).
Rule: {html.escape(a.l_rule or 'none set (distinct and entropy l reported only)')}.</p>
<h2>Variance estimation</h2><ul>{''.join(f'<li>{html.escape(x)}</li>' for x in prep.notes)}</ul>
<h2>Released tables</h2>{_table(_tables_view(prep))}
<h2>Variables not released</h2>{_table(dropped)}
<h2>Sign-off</h2>{sign}
</body></html>"""


def _household_rows(b, a, k: int) -> list[tuple]:
    if b.household is None:
        return []
    hb, ha = b.household, a.household
    return [("households unique on the joint child + caregiver key", hb.uniques, ha.uniques),
            (f"households violating {k}-anonymity on the joint key", hb.k_violations,
             ha.k_violations),
            ("maximum household risk 1 − (1 − r_child)(1 − r_caregiver)", hb.max_risk,
             ha.max_risk),
            ("expected re-identified households (sum of household risks)",
             hb.expected_reidentifications, ha.expected_reidentifications),
            (f"households with risk above {b.risk_threshold:g}", hb.high_risk, ha.high_risk)]


def _tables_view(prep: Prepared) -> pd.DataFrame:
    rows = [("release (one row per household: child and caregiver)", len(prep.data),
             len(prep.data.columns), "resp_id (random)")]
    if prep.instance is not None:
        rows.append(("release_instance (one row per abuse follow-up)", len(prep.instance),
                     len(prep.instance.columns), "resp_id → release"))
    return pd.DataFrame(rows, columns=["table", "rows", "variables", "link"])


def write_release(prep: Prepared, spec: ReleaseSpec, k: int, estimates: pd.DataFrame,
                  out: Path, codebook, study_name: str, synthetic: bool,
                  input_hashes: dict[str, str], pdf: bool = True) -> dict[str, Path]:
    """Every file of the release; the manifest lists them with their SHA-256."""
    out.mkdir(parents=True, exist_ok=True)
    files = write_data(prep, out, codebook)
    p = out / "codebook.csv"
    csv_frame(codebook_table(prep, spec, codebook)).to_csv(p, index=False)
    files[p.name] = p
    p = out / "information_loss.csv"
    csv_frame(estimates).to_csv(p, index=False)
    files[p.name] = p
    p = out / "disclosure_risk.html"
    page = risk_report(prep, spec, k, estimates, study_name, synthetic)
    p.write_text(page, encoding="utf-8")
    files[p.name] = p
    if pdf:
        from weasyprint import HTML

        p = out / "disclosure_risk.pdf"
        HTML(string=page.replace("max-width:60em", "font-size:9pt")).write_pdf(p)
        files[p.name] = p
    if prep.tier == "licensed" or prep.replicates is not None:
        for name, text in design_scripts(prep).items():
            p = out / name
            p.write_text(text, encoding="utf-8")
            files[name] = p
    if prep.tier == "licensed":
        for var, pr in prep.pram.items():
            p = out / f"pram_{var}.csv"
            m = pd.DataFrame(pr.matrix.round(12), index=[str(c) for c in pr.categories],
                             columns=[str(c) for c in pr.categories])
            m.index.name = "original\\released"
            csv_frame(m).to_csv(p)
            files[p.name] = p
    manifest = {
        "dhkit": __version__, "tier": prep.tier, "k": k, "seed": spec.seed,
        "settings": {"keys": list(spec.keys), "importance": list(spec.importance),
                     "sensitive": list(spec.sensitive),
                     "recodes": [asdict(r) for r in spec.recodes],
                     "pram": spec.pram, "noise": spec.noise,
                     "risk_threshold": spec.risk_threshold,
                     "household_keys": list(spec.household_keys),
                     "ldiversity": asdict(spec.ldiversity) if spec.ldiversity else None,
                     "instance": spec.instance},
        "replicate_weights": prep.replicates.settings() if prep.replicates else None,
        "suppressed_for": {"household k-anonymity": prep.household_suppressed,
                           "l-diversity": prep.ldiversity_suppressed},
        "risk_before": asdict(prep.before), "risk_after": asdict(prep.after),
        "suppressed": prep.suppressed, "inputs": input_hashes,
        "files": {n: _sha(f) for n, f in sorted(files.items())}}
    p = out / "manifest.json"
    p.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    files[p.name] = p
    return files
