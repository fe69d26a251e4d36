"""Build the legal stage's public outputs for a study folder.

:func:`public_outputs` writes every public output the stage makes (gap reports, matrix,
recommendations, consultation summary, public law-enforcement findings) and is what the
restricted-content leak test runs. Restricted law-enforcement answers are never read
here: the only function that reads them is
:func:`dhkit.legal.capacity.write_restricted_report`.
"""

from __future__ import annotations

from pathlib import Path

from dhkit.legal.study import LegalStudy


def _registry(study: LegalStudy):
    from dhkit.legal.recommendations import load_registry

    if not study.recommendations_path.exists():
        return None
    return load_registry(study.recommendations_path)


def gap_outputs(study: LegalStudy, langs: tuple[str, ...] = ("en", "es"),
                formats: tuple[str, ...] = ("html", "pdf", "xlsx"), out: Path | None = None,
                country: str | None = None) -> list[Path]:
    """Gap report of the study's assessment in each language and format."""
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.checklist import load_checklist
    from dhkit.legal.gap import build_gap, write_gap

    cl = load_checklist()
    a = load_assessment(study.assessment_path(country), cl)
    registry = _registry(study)
    written = []
    for lang in langs:
        written += write_gap(build_gap(cl, a, lang, registry), cl, out or study.outputs_dir,
                             formats)
    return written


def public_outputs(study: LegalStudy, out: Path | None = None,
                   langs: tuple[str, ...] = ("en", "es"),
                   formats: tuple[str, ...] = ("html", "pdf", "xlsx")) -> list[Path]:
    """Every public output of the legal stage that the study's files allow."""
    from dhkit.legal import capacity, consultation
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.checklist import load_checklist
    from dhkit.legal.gap import build_matrix, write_matrix
    from dhkit.legal.recommendations import load_registry, render_registry_html
    from dhkit.legal.render import write_html, write_pdf

    out = Path(out or study.outputs_dir)
    written: list[Path] = []
    if study.assessment_path().exists():
        written += gap_outputs(study, langs, formats, out)
        cl = load_checklist()
        m = build_matrix(cl, [load_assessment(p, cl) for p in study.assessment_paths()])
        written += write_matrix(m, cl, out, langs[0], formats)
    if study.recommendations_path.exists():
        reg = load_registry(study.recommendations_path)
        for lang in langs:
            html = render_registry_html(reg, lang)
            written.append(write_html(html, out / f"recommendations-{reg.country}-{lang}.html"))
            if "pdf" in formats:
                written.append(write_pdf(html, out / f"recommendations-{reg.country}-{lang}.pdf"))
    if study.consultation_path.exists():
        for lang in langs:
            written += consultation.write_summary(study, out, lang, formats)
    if study.capacity_public_path.exists():
        for lang in langs:
            written += capacity.write_public_report(study, out, lang, formats)
    return written
