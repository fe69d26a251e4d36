"""``dhkit release DIR --out FOLDER --tier public|licensed [--k 3]``."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer



def release_cmd(
    study_dir: Path = typer.Argument(..., help="The study folder."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder to write the release to."),
    tier: str = typer.Option("public", "--tier", help="public (no design ids) or licensed "
                             "(masked design codes, replicate weights, PRAM matrices, "
                             "design scripts)."),
    k: Optional[int] = typer.Option(None, "--k", min=2, help="k-anonymity threshold "
                                    "(default: k in release.toml, else 3)."),
    spec: Optional[Path] = typer.Option(None, "--spec", help="release.toml (default: in the "
                                        "study folder)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write the risk report as PDF."),
    init: bool = typer.Option(False, "--init", help="Write a release.toml template into the "
                              "study folder and stop."),
) -> None:
    """Anonymised microdata release with measured disclosure risk.

    Example: dhkit release my-study --out release/ --tier public --k 3
    """
    from dhkit.errors import DhkitError
    from dhkit.release.config import DEMO_SPEC, SPEC_FILE

    if init:
        target = spec or study_dir / SPEC_FILE
        if target.exists():
            raise DhkitError("REL-021", f"{target} already exists; edit it or remove it first.")
        target.write_text(DEMO_SPEC, encoding="utf-8")
        typer.echo(f"wrote {target}")
        return
    if out is None:
        raise DhkitError("REL-022", "no --out folder given; e.g. --out release/")
    if tier not in ("public", "licensed"):
        raise DhkitError("REL-010", f"unknown tier '{tier}'; use --tier public or --tier licensed.")
    from dhkit.release.run import release_study

    r = release_study(study_dir, out, tier, k, spec, pdf)
    b, a = r.prepared.before, r.prepared.after
    err = lambda text: typer.echo(text, err=True)   # noqa: E731
    err(f"{tier} release of {a.records} records, k = {r.k}: uniques {b.uniques} → {a.uniques}, "
        f"{r.k}-anonymity violations {b.k_violations} → {a.k_violations}, expected "
        f"re-identifications {b.expected_reidentifications:.3g} → "
        f"{a.expected_reidentifications:.3g}; suppressed values "
        + ", ".join(f"{v} {n}" for v, n in r.prepared.suppressed.items()))
    if a.household is not None:
        hb, ha = b.household, a.household
        err(f"households ({' + '.join(ha.keys)}): {r.k}-anonymity violations "
            f"{hb.k_violations} → {ha.k_violations}, expected re-identified households "
            f"{hb.expected_reidentifications:.3g} → {ha.expected_reidentifications:.3g}")
    if a.l_rule:
        err(f"{a.l_rule.split(';')[0]}: records breaking it "
            + ", ".join(f"{s} {b.l_violations[s]} → {n}" for s, n in a.l_violations.items()))
    reps = r.prepared.replicates
    if reps is not None:
        err(f"replicate weights {reps.columns[0]}..{reps.columns[-1]} ({reps.type}, "
            f"{'re-calibrated' if reps.recalibrated else 'not re-calibrated'})")
    inside = int(r.estimates["within_original_ci"].sum()) if len(r.estimates) else 0
    err(f"headline estimates within their original CI: {inside} of {len(r.estimates)}")
    for name in sorted(r.files):
        typer.echo(str(r.files[name]))


def register(app: typer.Typer) -> None:
    app.command("release")(release_cmd)
