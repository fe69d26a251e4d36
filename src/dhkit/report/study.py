"""Report inputs from a study folder: the imported tables from the encrypted store, the
design and disclosure settings from ``study.toml``, and the hashes of what was imported
(from the audit log) for the manifest."""

from __future__ import annotations

from dhkit.disclosure import Thresholds
from dhkit.errors import DhkitError
from dhkit.indicators.compute import DesignSpec
from dhkit.report.build import CalibrationSetup, ReportInputs


def inputs_from_study(study) -> ReportInputs:
    """Read ``main`` and ``instance`` from the study store; final weights come from the
    ``weights`` table when ``dhkit weights build`` has written one, else from the
    design's weight variable in the data."""
    d = study.design
    with study.open_store() as store:
        if not store.has_table("main"):
            raise DhkitError("RPT-010", f"{study.dir}: nothing imported yet; run "
                             f"`dhkit import {study.dir} FILE...` first.")
        main = store.read("main")
        instance = store.read("instance") if store.has_table("instance") else None
        calibration = None
        if store.has_table("weights"):
            weights = store.read("weights")
            if "hh_id" in weights.columns and d.weights in weights.columns:
                calibration = _calibration_setup(study, weights)
                lineage = [c for c in weights.columns if c.startswith("w_")]
                keep = list(dict.fromkeys(["hh_id", d.weights, *lineage]))
                # the weights table holds the respondents: the analysis universe
                main = main.drop(columns=[c for c in keep[1:] if c in main.columns]).merge(
                    weights[keep], on="hh_id", how="inner")
        quotes = _cleared_quotes(store)
        translations = _translations(store) if quotes else {}
        from dhkit.report.fieldwork import load_fieldwork

        fieldwork = load_fieldwork(store, study.dir)
        from dhkit.indicators.versions import load_asked

        asked = load_asked(store)
        audit = store.con.execute(
            "SELECT file, sha256 FROM audit_log WHERE sha256 IS NOT NULL ORDER BY logged_at").fetchall()
    if d.weights not in main.columns:
        raise DhkitError("RPT-011", f"{study.dir}: no weight variable '{d.weights}' in the data; "
                         "run `dhkit weights build` or set [design] weights in study.toml.")
    main = main[main[d.weights].notna()].reset_index(drop=True)   # respondents only
    return ReportInputs(
        main=main, instance=instance,
        design=DesignSpec(weights=d.weights, strata=d.strata or None, psu=d.psu or None,
                          fpc=d.fpc or None, lonely_psu=d.lonely_psu, pps=d.pps or None,
                          pps_variance=d.pps_variance),
        thresholds=Thresholds(study.disclosure.suppress_below, study.disclosure.caution_below),
        study_name=study.name, country=study.country, synthetic=study.demo,
        population=d.population_children, seed=study.seed,
        input_hashes={str(f): h for f, h in audit},
        settings={"languages": list(study.languages)},
        instrument=study.instrument_path if study.instrument_path.exists() else None,
        study=study, quotes=quotes, quote_translations=translations, calibration=calibration,
        fieldwork=fieldwork, form_versions=asked,
        weight_lineage=any(c.startswith("w_") for c in main.columns))


def _calibration_setup(study, weights) -> CalibrationSetup | None:
    """From ``weighting.toml`` and the stored lineage: the weights entering calibration
    (the step before ``w_calibrated``), the margins, method, options and trimming."""
    from dhkit.weighting.build import SPEC_FILE, load_spec

    path = study.dir / SPEC_FILE
    cols = list(weights.columns)
    if not path.exists() or "w_calibrated" not in cols or cols.index("w_calibrated") < 2:
        return None
    spec = load_spec(path)
    if spec.calibration is None:
        return None
    c = spec.calibration
    options = {k: v for k, v in (("bounds", c.bounds), ("maxit", c.maxit),
                                 ("epsilon", c.epsilon)) if v is not None}
    return CalibrationSetup(before=cols[cols.index("w_calibrated") - 1], margins=c.margins,
                            method=c.method, options=options, trim=spec.trim)


def _cleared_quotes(store) -> list:
    """Quotes the quote bank clears for public use (redacted, consented, not withdrawn)."""
    if not store.has_table("qual_participants"):
        return []
    from dhkit.qualitative.quotes import quote_bank

    quotes, _withheld = quote_bank(store)
    return quotes


def _translations(store) -> dict:
    """The team's translations of quotes, so each report language shows its own."""
    from dhkit.qualitative.quotes import quote_translations

    return quote_translations(store)
