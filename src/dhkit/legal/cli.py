"""Commands of the legal stage: ``dhkit legal``, ``dhkit capacity``,
``dhkit recommendations`` and ``dhkit consultation``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

legal = typer.Typer(help="Legal and policy checklist, country assessments and gap reports.",
                    no_args_is_help=True)
capacity = typer.Typer(help="Law-enforcement capacity assessment (public and restricted "
                       "answers).", no_args_is_help=True)
recommendations = typer.Typer(help="Insights and recommendations with their evidence links.",
                              no_args_is_help=True)
consultation = typer.Typer(help="National consultation comments on the recommendations.",
                           no_args_is_help=True)

DIR = typer.Argument(..., help="Study folder (contains study.toml).")
LANG = typer.Option(None, "--lang", help="en or es (default: every language of the study).")
JSON = typer.Option(False, "--json", help="Print the result as JSON on stdout.")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(legal, name="legal")
    app.add_typer(capacity, name="capacity")
    app.add_typer(recommendations, name="recommendations")
    app.add_typer(consultation, name="consultation")


def _fail_on(report, title: str) -> None:
    from dhkit.errors import ValidationError

    if not report.ok:
        report.print(title)
        raise ValidationError("LEG-100", f"{len(report)} problem(s) listed above; nothing was "
                              "written. Fix them and run the command again.", report)


def _langs(study, lang: str | None) -> tuple[str, ...]:
    return (lang,) if lang else tuple(x for x in study.languages if x in ("en", "es")) or ("en",)


def _echo_paths(paths) -> None:
    for p in paths:
        typer.echo(str(p))


# ---------------------------------------------------------------- dhkit legal
@legal.command("checklist")
def checklist_cmd(
    file: Path = typer.Option(None, "--file", help="Check this checklist file instead of the "
                              "shipped one."),
    export: Path = typer.Option(None, "--export", help="Also write the checklist to this .xlsx."),
    as_json: bool = JSON,
) -> None:
    """Validate the checklist and summarise it by area.

    Example: dhkit legal checklist --export checklist.xlsx
    """
    from collections import Counter

    from dhkit.legal.checklist import default_checklist_path, load_checklist

    cl = load_checklist(file)
    per_area = Counter(i.area for i in cl.items)
    if export:
        from dhkit.legal.render import Workbook

        wb = Workbook(export)
        wb.sheet("checklist", ["id", "area", "topic", "question_en", "question_es", "standards",
                               "guidance"],
                 [[i.id, i.area, i.topic, i.question["en"], i.question["es"],
                   "; ".join(i.standards), i.guidance] for i in cl.items],
                 [9, 16, 14, 60, 60, 40, 50])
        wb.sheet("instruments", ["id", "instrument"], [[k, v] for k, v in cl.instruments.items()],
                 [10, 100])
        wb.close()
    result = {"file": str(file or default_checklist_path()), "version": cl.version,
              "items": len(cl.items), "areas": dict(per_area)}
    if as_json:
        typer.echo(json.dumps(result))
        return
    typer.echo(f"checklist {cl.name} {cl.version}: {len(cl.items)} items, valid")
    for area, n in per_area.items():
        typer.echo(f"  {area:16s} {n:4d}  {cl.area_label(area)}")


@legal.command("init")
def init_cmd(
    dir: Path = DIR,
    country: str = typer.Option(None, "--country", help="ISO code (default: the study's)."),
    colombia: bool = typer.Option(False, "--colombia", help="Start from the shipped Colombia "
                                  "assessment and recommendations."),
    force: bool = typer.Option(False, "--force", help="Overwrite existing files."),
) -> None:
    """Create the study's assessment file (every item 'unknown', or the Colombia example).

    Example: dhkit legal init my-study --colombia
    """
    from dhkit.errors import DhkitError
    from dhkit.legal.assessment import blank_assessment, write_assessment
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    country = (country or study.country).upper()
    target = study.assessment_path(country)
    if target.exists() and not force:
        raise DhkitError("LEG-061", f"{target} already exists; use --force to overwrite it.")
    if colombia:
        from dhkit.legal import install_colombia

        _echo_paths(install_colombia(study.dir, force=force))
    else:
        typer.echo(str(write_assessment(blank_assessment(country), target)))


@legal.command("assess")
def assess_cmd(
    dir: Path = DIR,
    country: str = typer.Option(None, "--country", help="Check only this country's file."),
    report_csv: Path = typer.Option(None, "--report", help="Also write the problems as CSV."),
    as_json: bool = JSON,
) -> None:
    """Validate the study's assessments: scale, item ids, completeness, citations, status.

    Example: dhkit legal assess my-study --json
    """
    from collections import Counter

    from dhkit.errors import DhkitError, ValidationError
    from dhkit.legal.assessment import check_assessment_file
    from dhkit.legal.checklist import load_checklist
    from dhkit.legal.study import open_legal_study
    from dhkit.validation import ValidationReport

    study = open_legal_study(dir)
    paths = [study.assessment_path(country.upper())] if country else study.assessment_paths()
    if not paths or not all(p.exists() for p in paths):
        raise DhkitError("LEG-061", f"no assessment found in {study.legal_dir}; create one with "
                         f"dhkit legal init {dir}")
    cl = load_checklist()
    all_problems, results = ValidationReport(), []
    for p in paths:
        a, rep = check_assessment_file(p, cl)
        all_problems.extend(rep)
        counts = Counter(x.answer for x in a.answers) if a else {}
        results.append({"file": str(p), "ok": rep.ok, "problems": len(rep),
                        "country": a.country if a else None,
                        "status": a.status if a else None, "answers": dict(counts)})
    if report_csv:
        all_problems.write_csv(report_csv)
    if as_json:
        typer.echo(json.dumps({"checklist_version": cl.version, "assessments": results,
                               "problems": [str(p) for p in all_problems]}))
    else:
        for r in results:
            state = "valid" if r["ok"] else f"{r['problems']} problem(s)"
            typer.echo(f"{r['file']}: {state}" + (f", status {r['status']}, " + ", ".join(
                f"{k} {v}" for k, v in sorted(r["answers"].items())) if r["ok"] else ""))
    if not all_problems.ok:
        if not as_json:
            all_problems.print("Assessment problems")
        raise ValidationError("LEG-100", f"{len(all_problems)} problem(s) in the assessment(s); "
                              "see the list.", all_problems)


@legal.command("diff")
def diff_cmd(
    old: str = typer.Argument(..., help="Older assessment file, or GITREV:path (e.g. HEAD~1:"
                              "legal/assessment-CO.yaml, run inside the repository)."),
    new: Path = typer.Argument(..., help="Newer assessment file."),
    as_json: bool = JSON,
) -> None:
    """Show what changed between two versions of an assessment, item by item.

    Example: dhkit legal diff old/assessment-CO.yaml my-study/legal/assessment-CO.yaml
    """
    from dhkit.legal.assessment import diff_assessments, load_assessment

    changes = diff_assessments(load_assessment(_old_version(old, new)), load_assessment(new))
    if as_json:
        typer.echo(json.dumps([c.__dict__ for c in changes]))
        return
    if not changes:
        typer.echo("no changes")
    for c in changes:
        typer.echo(f"{c.item:8s} {c.field:10s} {c.old!r} -> {c.new!r}")


def _old_version(old: str, new: Path) -> Path:
    """A file path, or 'REV:path' read with git show into a temporary file."""
    import subprocess
    import tempfile

    from dhkit.errors import DhkitError

    if Path(old).exists() or ":" not in old:
        return Path(old)
    cwd = Path(new).resolve().parent
    res = subprocess.run(["git", "show", old], cwd=cwd, capture_output=True, text=True,
                         check=False)
    if res.returncode != 0:
        raise DhkitError("LEG-063", f"git show {old} failed ({res.stderr.strip()[:120]}); give "
                         "REV:path relative to the repository root, or a file.")
    tmp = Path(tempfile.mkdtemp()) / "old.yaml"
    tmp.write_text(res.stdout, encoding="utf-8")
    return tmp


@legal.command("export")
def export_cmd(
    dir: Path = DIR,
    out: Path = typer.Option(..., "--out", help="The .xlsx to write."),
    country: str = typer.Option(None, "--country", help="Country (default: the study's)."),
) -> None:
    """Write the assessment to Excel for editing (import it back with dhkit legal import).

    Example: dhkit legal export my-study --out assessment-CO.xlsx
    """
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.study import open_legal_study
    from dhkit.legal.xlsxio import export_assessment_xlsx

    study = open_legal_study(dir)
    typer.echo(str(export_assessment_xlsx(load_assessment(study.assessment_path(country)), out)))


@legal.command("import")
def import_cmd(
    dir: Path = DIR,
    workbook: Path = typer.Argument(..., help="Edited assessment workbook (.xlsx)."),
    report_csv: Path = typer.Option(None, "--report", help="Also write problems as CSV."),
) -> None:
    """Import an assessment workbook; nothing is written unless every row is clean.

    Example: dhkit legal import my-study assessment-CO.xlsx
    """
    from dhkit.legal.assessment import write_assessment
    from dhkit.legal.study import open_legal_study
    from dhkit.legal.xlsxio import import_assessment_xlsx

    study = open_legal_study(dir)
    a, report = import_assessment_xlsx(workbook)
    if report_csv:
        report.write_csv(report_csv)
    _fail_on(report, "Assessment workbook problems")
    typer.echo(str(write_assessment(a, study.assessment_path(a.country))))


@legal.command("gap")
def gap_cmd(
    dir: Path = DIR,
    lang: str = LANG,
    formats: str = typer.Option("html,pdf,xlsx", "--formats", help="Any of html,pdf,xlsx."),
    out: Path = typer.Option(None, "--out", help="Output folder (default DIR/outputs/legal)."),
    country: str = typer.Option(None, "--country", help="Country (default: the study's)."),
) -> None:
    """Write the gap report (HTML, PDF, Excel) in English and/or Spanish.

    Example: dhkit legal gap my-study --lang es --formats html,pdf
    """
    from dhkit.legal.outputs import gap_outputs
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    _echo_paths(gap_outputs(study, _langs(study, lang), tuple(formats.split(",")), out,
                            country))


@legal.command("matrix")
def matrix_cmd(
    dir: Path = DIR,
    lang: str = LANG,
    formats: str = typer.Option("html,xlsx", "--formats", help="Any of html,pdf,xlsx."),
    out: Path = typer.Option(None, "--out", help="Output folder (default DIR/outputs/legal)."),
) -> None:
    """Cross-country matrix (items × countries) of every assessment in the study.

    Example: dhkit legal matrix my-study --lang en
    """
    from dhkit.legal.assessment import load_assessment
    from dhkit.legal.checklist import load_checklist
    from dhkit.legal.gap import build_matrix, write_matrix
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    cl = load_checklist()
    assessments = [load_assessment(p, cl) for p in study.assessment_paths()]
    for lg in _langs(study, lang):
        _echo_paths(write_matrix(build_matrix(cl, assessments, lg), cl,
                                 out or study.outputs_dir, lg, tuple(formats.split(","))))


# ---------------------------------------------------------------- dhkit capacity
@capacity.command("template")
def capacity_template_cmd(
    out: Path = typer.Option(..., "--out", help="The .xlsx answer sheet to write."),
    lang: str = typer.Option("en", "--lang", help="Language of the question texts."),
) -> None:
    """Write the law-enforcement capacity answer sheet (one row per question).

    Example: dhkit capacity template --out le-answers.xlsx
    """
    from dhkit.legal.capacity import write_template

    typer.echo(str(write_template(out, lang)))


@capacity.command("import")
def capacity_import_cmd(
    dir: Path = DIR,
    answers: Path = typer.Argument(..., help="Filled answer sheet (.xlsx or .csv)."),
) -> None:
    """Import answers: public ones to DIR/legal, restricted ones only to the encrypted store.

    Example: DHKIT_KEY=... dhkit capacity import my-study le-answers.xlsx
    """
    from dhkit.console import err_console
    from dhkit.errors import ValidationError
    from dhkit.legal.capacity import import_answers
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    try:
        n_pub, n_res = import_answers(study, answers)
    except ValidationError as exc:
        if exc.report is not None:
            exc.report.print("Capacity answer problems")
        raise
    typer.echo(f"{n_pub} public answer(s) -> {study.capacity_public_path}")
    typer.echo(f"{n_res} restricted answer(s) -> encrypted store (table le_restricted)")
    err_console.print(f"The answer sheet {answers} holds restricted content: delete it when "
                      "it is no longer needed.")


@capacity.command("report")
def capacity_report_cmd(
    dir: Path = DIR,
    lang: str = LANG,
    restricted: bool = typer.Option(False, "--restricted", help="Include restricted answers "
                                    "(needs the study key; for national authorities only)."),
    out: Path = typer.Option(None, "--out", help="Output folder (public default: DIR/outputs/"
                             "legal; required with --restricted, outside the study folder)."),
    formats: str = typer.Option("html,pdf,xlsx", "--formats", help="Any of html,pdf,xlsx."),
) -> None:
    """Write the capacity report: public findings, or with --restricted the full one.

    Example: dhkit capacity report my-study --restricted --out /secure/le --lang es
    """
    from dhkit.legal.capacity import write_public_report, write_restricted_report
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    fmts = tuple(formats.split(","))
    for lg in _langs(study, lang):
        if restricted:
            if out is None:
                from dhkit.errors import DhkitError

                raise DhkitError("LEG-032", "--restricted needs --out: a protected folder "
                                 "outside the study folder.")
            _echo_paths(write_restricted_report(study, out, lg, restricted=True, formats=fmts))
        else:
            _echo_paths(write_public_report(study, out or study.outputs_dir, lg, fmts))


# ---------------------------------------------------------------- dhkit recommendations
@recommendations.command("check")
def recs_check_cmd(dir: Path = DIR, as_json: bool = JSON) -> None:
    """Validate the recommendations: numbering, actors, evidence links.

    Example: dhkit recommendations check my-study
    """
    from dhkit.errors import DhkitError, ValidationError
    from dhkit.legal.recommendations import check_registry_file
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    if not study.recommendations_path.exists():
        raise DhkitError("LEG-061", f"{study.recommendations_path} not found; start from the "
                         f"Colombia example with dhkit legal init {dir} --colombia")
    reg, report = check_registry_file(study.recommendations_path)
    if as_json:
        typer.echo(json.dumps({"ok": report.ok, "problems": [str(p) for p in report],
                               "recommendations": len(reg.all()) if reg else None}))
    elif reg:
        typer.echo(f"{study.recommendations_path}: valid, {len(reg.insights)} insights, "
                   f"{len(reg.all())} recommendations")
    if not report.ok:
        report.print("Recommendation problems")
        raise ValidationError("LEG-100", f"{len(report)} problem(s) in the recommendations.",
                              report)


@recommendations.command("render")
def recs_render_cmd(
    dir: Path = DIR,
    lang: str = LANG,
    out: Path = typer.Option(None, "--out", help="Output folder (default DIR/outputs/legal)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Also write a PDF."),
) -> None:
    """Render the recommendations with their evidence links (and history, once final).

    Example: dhkit recommendations render my-study --lang es
    """
    from dhkit.legal.recommendations import load_registry, render_registry_html
    from dhkit.legal.render import write_html, write_pdf
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    reg = load_registry(study.recommendations_path)
    for lg in _langs(study, lang):
        html = render_registry_html(reg, lg)
        stem = (out or study.outputs_dir) / f"recommendations-{reg.country}-{lg}"
        typer.echo(str(write_html(html, stem.with_suffix(".html"))))
        if pdf:
            typer.echo(str(write_pdf(html, stem.with_suffix(".pdf"))))


@recommendations.command("finalize")
def recs_finalize_cmd(dir: Path = DIR) -> None:
    """Attach every decided consultation comment to its recommendation and mark them final.

    Example: dhkit recommendations finalize my-study
    """
    from dhkit.legal.consultation import finalize
    from dhkit.legal.study import open_legal_study

    typer.echo(str(finalize(open_legal_study(dir))))


# ---------------------------------------------------------------- dhkit consultation
@consultation.command("import")
def consult_import_cmd(
    dir: Path = DIR,
    sheet: Path = typer.Argument(..., help="Comments spreadsheet (.xlsx or .csv)."),
    strict: bool = typer.Option(False, "--strict", help="Import nothing unless every row is "
                                "clean (default: clean rows in, others quarantined)."),
) -> None:
    """Import consultation comments per recommendation.

    Example: dhkit consultation import my-study comments.xlsx
    """
    from dhkit.errors import ValidationError
    from dhkit.legal.consultation import import_comments
    from dhkit.legal.recommendations import load_registry
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    numbers = load_registry(study.recommendations_path).numbers()
    try:
        res = import_comments(study, sheet, numbers, strict=strict)
    except ValidationError as exc:
        if exc.report is not None:
            exc.report.print("Consultation sheet problems")
        raise
    typer.echo(f"{res.added} added, {res.updated} updated, {res.quarantined} quarantined")
    if res.quarantined:
        res.report.print("Quarantined rows")
        raise ValidationError("LEG-100", f"{res.quarantined} row(s) quarantined to "
                              f"{res.quarantine_file}; fix them and import that file again.",
                              res.report)


@consultation.command("decide")
def consult_decide_cmd(
    dir: Path = DIR,
    comment: str = typer.Argument(..., help="Comment id, e.g. C-003."),
    decision: str = typer.Argument(..., help="accepted, noted or rejected."),
    reason: str = typer.Option("", "--reason", help="Why (required when rejected)."),
) -> None:
    """Record the decision on one comment.

    Example: dhkit consultation decide my-study C-003 rejected --reason "outside scope"
    """
    from dhkit.legal.consultation import decide
    from dhkit.legal.study import open_legal_study

    c = decide(open_legal_study(dir), comment, decision, reason)
    typer.echo(f"{c.id}: {c.decision}")


@consultation.command("export")
def consult_export_cmd(
    dir: Path = DIR,
    out: Path = typer.Option(..., "--out", help="The .xlsx to write."),
) -> None:
    """Export all comments with their decisions (edit and import them back).

    Example: dhkit consultation export my-study --out comments.xlsx
    """
    from dhkit.legal.consultation import export_comments
    from dhkit.legal.study import open_legal_study

    typer.echo(str(export_comments(open_legal_study(dir), out)))


@consultation.command("summary")
def consult_summary_cmd(
    dir: Path = DIR,
    lang: str = LANG,
    formats: str = typer.Option("html,pdf,xlsx", "--formats", help="Any of html,pdf,xlsx."),
    out: Path = typer.Option(None, "--out", help="Output folder (default DIR/outputs/legal)."),
    as_json: bool = JSON,
) -> None:
    """Summarise endorsement and proposed changes by sector and by recommendation.

    Example: dhkit consultation summary my-study --json
    """
    from dataclasses import asdict

    from dhkit.legal.consultation import load_comments, summarise, write_summary
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    if as_json:
        typer.echo(json.dumps(asdict(summarise(load_comments(study)))))
        return
    for lg in _langs(study, lang):
        _echo_paths(write_summary(study, out or study.outputs_dir, lg, tuple(formats.split(","))))


@legal.command("outputs")
def outputs_cmd(
    dir: Path = DIR,
    out: Path = typer.Option(None, "--out", help="Output folder (default DIR/outputs/legal)."),
) -> None:
    """Build every public output of the legal stage (never restricted content).

    Example: dhkit legal outputs my-study
    """
    from dhkit.legal.outputs import public_outputs
    from dhkit.legal.study import open_legal_study

    study = open_legal_study(dir)
    _echo_paths(public_outputs(study, out, _langs(study, None)))
