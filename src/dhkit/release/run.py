"""``dhkit release``: from the study's encrypted store to a release folder, logged in the
audit log with its settings and file hashes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dhkit.errors import DhkitError, SafetyError
from dhkit.release.build import Prepared, prepare
from dhkit.release.config import SPEC_FILE, load_release_spec
from dhkit.release.estimates import compare_headlines
from dhkit.release.write import _sha, write_release


@dataclass(frozen=True)
class ReleaseResult:
    prepared: Prepared
    estimates: pd.DataFrame
    files: dict[str, Path]
    k: int


def release_study(study_dir: str | Path, out: str | Path, tier: str, k: int | None = None,
                  spec_path: str | Path | None = None, pdf: bool = True) -> ReleaseResult:
    """Release the study's respondents under ``release.toml`` (default: in the study folder).

    Refuses (exit 3, ``REL-030``) when the release still breaks k-anonymity or its expected
    number of re-identifications is above ``max_expected_reidentifications``.
    """
    from dhkit.report.study import inputs_from_study
    from dhkit.workspace.config import load_study

    study = load_study(study_dir)
    spec_path = Path(spec_path) if spec_path else study.dir / SPEC_FILE
    if not spec_path.exists():
        raise DhkitError("REL-020", f"{spec_path} does not exist; write one with "
                         f"`dhkit release {study_dir} --init` and edit its key variables.")
    spec = load_release_spec(spec_path)
    inputs = inputs_from_study(study)
    try:
        codebook = study.codebook()
    except DhkitError:
        codebook = None
    k = k or spec.k
    prep = prepare(inputs.main, spec, inputs.design, tier, k, codebook, inputs.calibration,
                   inputs.instance)
    a = prep.after
    if a.k_violations:
        raise SafetyError("REL-030", f"{a.k_violations} records still break {k}-anonymity; "
                          "nothing written. Recode the key variables further.")
    if a.household is not None and a.household.k_violations:
        raise SafetyError("REL-030", f"{a.household.k_violations} households still break "
                          f"{k}-anonymity on {', '.join(a.household.keys)}; nothing written. "
                          "Recode the caregiver's key variables further.")
    rule = spec.ldiversity
    broken = {s: n for s, n in a.l_violations.items() if n}
    if rule is not None and rule.treat != "report" and broken:
        raise SafetyError("REL-032", f"{a.l_rule.split(';')[0]} fails for "
                          + ", ".join(f"{s} ({n} records)" for s, n in broken.items())
                          + (" even with every key value of those records suppressed"
                             if rule.treat == "suppress" else "")
                          + f"; nothing written. Lower l or raise c in [ldiversity] of "
                          f"{spec_path}, list harmless values in dont_care, or set "
                          "treat = \"suppress\".")
    cap = spec.max_expected_reidentifications
    if cap is not None and a.expected_reidentifications > cap:
        raise SafetyError("REL-031", "expected re-identifications "
                          f"{a.expected_reidentifications:.3g} exceed "
                          f"max_expected_reidentifications = {cap:g} in {spec_path}; "
                          "nothing written. Recode further or raise k.")
    estimates = compare_headlines(inputs.main, inputs.design, prep.data, prep.weights,
                                  prep.strata, prep.psu, inputs.calibration, prep.replicates)
    out = Path(out)
    files = write_release(prep, spec, k, estimates, out, codebook, study.name, study.demo,
                          {**inputs.input_hashes, str(spec_path): _sha(spec_path)}, pdf)
    with study.open_store() as store:
        store.audit("release", file=str(out / "manifest.json"),
                    sha256=_sha(files["manifest.json"]), rows_accepted=len(prep.data),
                    note=json.dumps({"tier": tier, "k": k, "seed": spec.seed,
                                     "replicates": (None if prep.replicates is None else
                                                    {"type": prep.replicates.type,
                                                     "replicates": prep.replicates.weights.shape[1],
                                                     "recalibrated": prep.replicates.recalibrated}),
                                     "instance_rows": (None if prep.instance is None
                                                       else len(prep.instance)),
                                     "release_toml": _sha(spec_path),
                                     "files": {n: _sha(f) for n, f in sorted(files.items())
                                               if n != "manifest.json"}}))
    return ReleaseResult(prep, estimates, files, k)
