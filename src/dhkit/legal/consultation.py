"""National consultation: comments on each recommendation, decisions, history.

Comments come from a spreadsheet (.xlsx first sheet, or .csv) with the columns
``recommendation, organisation, sector, comment, proposed_change, endorsement`` (and
optionally ``id, decision, reason`` when a workbook exported here comes back with
decisions). Every row is checked; by default the clean rows are imported and the others
quarantined to ``DIR/legal/quarantine/`` with the problem named (as for survey data);
``strict=True`` imports nothing unless every row is clean. Comments are kept in
``DIR/legal/consultation-CO.yaml``. :func:`finalize` copies each decided comment into its
recommendation's history so the final recommendations keep the record.

>>> summarise([Comment("C-001", "1.1", "Org", "government", "ok", "", "endorse")]).by_sector
{'government': {'endorse': 1, 'endorse_with_changes': 0, 'do_not_endorse': 0, 'no_position': 0}}
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from dhkit.errors import DhkitError, ValidationError
from dhkit.legal import yamlio
from dhkit.validation import ValidationReport

COLUMNS = ["recommendation", "organisation", "sector", "comment", "proposed_change",
           "endorsement"]
OPTIONAL = ["id", "decision", "reason"]
ENDORSEMENTS = ("endorse", "endorse_with_changes", "do_not_endorse", "no_position")
DECISIONS = ("accepted", "noted", "rejected")
SECTORS = ("government", "law_enforcement", "justice", "social_services", "educators",
           "health", "industry", "civil_society", "academia", "international",
           "children_youth", "other")


@dataclass(frozen=True)
class Comment:
    id: str
    recommendation: str
    organisation: str
    sector: str
    comment: str
    proposed_change: str
    endorsement: str
    decision: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    quarantined: int
    report: ValidationReport
    quarantine_file: Path | None = None


@dataclass(frozen=True)
class Summary:
    by_sector: dict          # sector -> {endorsement: count}
    changes_by_sector: dict  # sector -> number of comments proposing a change
    by_recommendation: dict  # number -> {"comments": n, decision or "undecided": n}


def read_rows(path: str | Path, report: ValidationReport) -> list[tuple[int, dict]]:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in COLUMNS if c not in header]
            if missing:
                report.add("LEG-050", f"missing column(s): {', '.join(missing)}",
                           file=str(path), row=1, hint="Use the columns of dhkit consultation "
                           "template")
                return []
            return [(n, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
                    for n, row in enumerate(reader, start=2)
                    if any((v or "").strip() for v in row.values())]
    import openpyxl

    from dhkit.legal.xlsxio import read_sheet

    if not path.is_file():
        raise DhkitError("LEG-001", f"{path}: file not found; check the path.")
    from dhkit.zipguard import check_zip

    check_zip(path)
    wb = openpyxl.load_workbook(path, read_only=True)
    first = wb.sheetnames[0]
    wb.close()
    return read_sheet(path, first, COLUMNS, report, code="LEG-050") or []


def check_row(d: dict, numbers: set[str], file: str, n: int) -> list:
    """Problems of one row (empty when clean)."""
    rep = ValidationReport()
    rec = d.get("recommendation", "")
    if rec not in numbers:
        rep.add("LEG-051", f"recommendation {rec!r} does not exist", file=file, row=n,
                field="recommendation", value=rec,
                hint="Use a number N.M from the recommendations (dhkit recommendations check)")
    for f in ("organisation", "comment"):
        if not d.get(f):
            rep.add("LEG-053", f"{f} is empty", file=file, row=n, field=f,
                    hint=f"Fill in the {f}")
    if d.get("sector") not in SECTORS:
        rep.add("LEG-056", f"sector {d.get('sector')!r} is not one of {', '.join(SECTORS)}",
                file=file, row=n, field="sector", value=d.get("sector"),
                hint="Use one of the listed sectors")
    if d.get("endorsement") not in ENDORSEMENTS:
        rep.add("LEG-052", f"endorsement {d.get('endorsement')!r} is not one of "
                f"{', '.join(ENDORSEMENTS)}", file=file, row=n, field="endorsement",
                value=d.get("endorsement"), hint="Use one of the listed values")
    dec = d.get("decision") or None
    if dec is not None and dec not in DECISIONS:
        rep.add("LEG-054", f"decision {dec!r} is not one of {', '.join(DECISIONS)}", file=file,
                row=n, field="decision", value=dec, hint="Leave it empty or use a listed value")
    if dec == "rejected" and not d.get("reason"):
        rep.add("LEG-054", "a rejected comment needs a reason", file=file, row=n,
                field="reason", hint="Say why the comment was rejected")
    return rep.problems


def load_comments(study) -> list[Comment]:
    if not study.consultation_path.exists():
        return []
    doc = yamlio.load(study.consultation_path) or {}
    return [Comment(**{k: c.get(k) if k == "decision" else (c.get(k) or "")
                       for k in Comment.__dataclass_fields__}) for c in doc.get("comments") or []]


def save_comments(study, comments: list[Comment]) -> Path:
    doc = {"country": study.country, "comments": [
        {k: v for k, v in asdict(c).items() if v not in (None, "") or k in ("id",)}
        for c in comments]}
    path = study.consultation_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yamlio.dumps(doc, f"# National consultation comments, {study.country}.\n"),
                    encoding="utf-8")
    return path


def import_comments(study, path: str | Path, numbers: set[str], strict: bool = False
                    ) -> ImportResult:
    """Import a comments spreadsheet (see module docstring)."""
    path = Path(path)
    report = ValidationReport()
    rows = read_rows(path, report)
    if not report.ok:  # a missing column: the whole file is refused
        raise ValidationError("LEG-050", f"{path}: {len(report)} problem(s); nothing was "
                              "imported.", report)
    existing = load_comments(study)
    by_id = {c.id: c for c in existing}
    clean, bad = [], []
    for n, d in rows:
        problems = check_row(d, numbers, str(path), n)
        if d.get("id") and d["id"] not in by_id:
            problems.append(_p("LEG-055", f"comment id {d['id']!r} is not in this study",
                               path, n))
        report.extend(problems)
        (bad if problems else clean).append((n, d, problems))
    if strict and bad:
        raise ValidationError("LEG-050", f"{path}: {len(report)} problem(s) in {len(bad)} "
                              "row(s); nothing was imported (--strict).", report)
    added = updated = 0
    next_id = 1 + max([int(c.id.split("-")[1]) for c in existing] or [0])
    for _, d, _ in clean:
        fields = {k: d.get(k, "") for k in COLUMNS}
        fields["decision"], fields["reason"] = d.get("decision") or None, d.get("reason", "")
        if d.get("id"):
            by_id[d["id"]] = Comment(id=d["id"], **fields)
            updated += 1
        else:
            cid = f"C-{next_id:03d}"
            next_id += 1
            by_id[cid] = Comment(id=cid, **fields)
            added += 1
    save_comments(study, sorted(by_id.values(), key=lambda c: c.id))
    qfile = _quarantine(study, path, bad) if bad else None
    return ImportResult(added, updated, len(bad), report, qfile)


def _p(code, msg, path, n):
    rep = ValidationReport()
    rep.add(code, msg, file=str(path), row=n, field="id",
            hint="Leave id empty for new comments")
    return rep.problems[0]


def _quarantine(study, path: Path, bad) -> Path:
    from dhkit.safetext import csv_row

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:8]
    out = study.legal_dir / "quarantine" / f"consultation-{digest}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["row", *COLUMNS, *OPTIONAL, "problem"])
        for n, d, problems in bad:   # comments are outsiders' text: no formula injection
            w.writerow(csv_row([n, *[d.get(c, "") for c in COLUMNS + OPTIONAL],
                                " | ".join(str(p) for p in problems)]))
    return out


def decide(study, comment_id: str, decision: str, reason: str = "") -> Comment:
    """Record the decision on one comment (rejected needs a reason)."""
    if decision not in DECISIONS:
        raise DhkitError("LEG-054", f"decision {decision!r} is not one of "
                         f"{', '.join(DECISIONS)}.")
    if decision == "rejected" and not reason.strip():
        raise DhkitError("LEG-054", f"comment {comment_id}: a rejected comment needs a reason "
                         "(--reason).")
    comments = load_comments(study)
    if comment_id not in {c.id for c in comments}:
        raise DhkitError("LEG-055", f"comment {comment_id} is not in "
                         f"{study.consultation_path}; list them with dhkit consultation summary.")
    comments = [replace(c, decision=decision, reason=reason.strip()) if c.id == comment_id
                else c for c in comments]
    save_comments(study, comments)
    return next(c for c in comments if c.id == comment_id)


def summarise(comments: list[Comment]) -> Summary:
    by_sector: dict = {}
    changes: dict = {}
    by_rec: dict = {}
    for c in comments:
        by_sector.setdefault(c.sector, {e: 0 for e in ENDORSEMENTS})[c.endorsement] += 1
        changes[c.sector] = changes.get(c.sector, 0) + bool(c.proposed_change)
        r = by_rec.setdefault(c.recommendation, {"comments": 0})
        r["comments"] += 1
        key = c.decision or "undecided"
        r[key] = r.get(key, 0) + 1
    return Summary(by_sector, changes, dict(sorted(by_rec.items(), key=lambda kv: tuple(
        int(x) for x in kv[0].split(".")))))


def export_comments(study, path: str | Path) -> Path:
    """All comments with id, decision and reason, ready to be edited and imported back."""
    from dhkit.legal.render import Workbook

    wb = Workbook(path)
    wb.sheet("comments", ["id", *COLUMNS, "decision", "reason"],
             [[c.id, *[getattr(c, k) for k in COLUMNS], c.decision or "", c.reason]
              for c in load_comments(study)], [8, 10, 24, 14, 50, 40, 18, 10, 30])
    return wb.close()


def write_summary(study, out: Path, lang: str = "en",
                  formats: tuple[str, ...] = ("html", "pdf", "xlsx")) -> list[Path]:
    from dhkit.legal.render import Workbook, render_html, write_outputs
    from dhkit.legal.strings import t

    comments = load_comments(study)
    s = summarise(comments)
    html = render_html("consultation.html.j2", lang=lang, title=t("consult_title", lang),
                       country=study.country, s=s, comments=comments,
                       endorsements=ENDORSEMENTS)

    def xlsx(path: Path) -> Path:
        wb = Workbook(path)
        wb.sheet(t("by_sector", lang), [t("sector", lang), *[t(e, lang) for e in ENDORSEMENTS],
                                        t("changes_proposed", lang)],
                 [[t(sec, lang), *[v[e] for e in ENDORSEMENTS], s.changes_by_sector[sec]]
                  for sec, v in s.by_sector.items()], [24, 12, 16, 14, 12, 14])
        wb.sheet(t("comments", lang), ["id", t("recommendation", lang), t("organisation", lang),
                                       t("sector", lang), t("comment", lang),
                                       t("proposed_change", lang), t("endorsement", lang),
                                       t("decision", lang), t("reason", lang)],
                 [[c.id, c.recommendation, c.organisation, t(c.sector, lang), c.comment,
                   c.proposed_change, t(c.endorsement, lang),
                   t(c.decision, lang) if c.decision else t("undecided", lang), c.reason]
                  for c in comments], [8, 10, 24, 16, 50, 40, 16, 12, 30])
        return wb.close()

    return write_outputs(html, out, f"consultation-{study.country}-{lang}", formats, xlsx)


def finalize(study, registry_path: Path | None = None, date: str | None = None) -> Path:
    """Attach every decided comment to its recommendation's history and mark the
    recommendations final (a new version). Refused while any comment is undecided."""
    from dhkit.legal.recommendations import load_registry, write_registry

    comments = load_comments(study)
    undecided = [c.id for c in comments if not c.decision]
    if undecided:
        raise DhkitError("LEG-057", f"{len(undecided)} comment(s) have no decision yet "
                         f"({', '.join(undecided[:8])}); record them with dhkit consultation "
                         "decide.")
    path = registry_path or study.recommendations_path
    reg = load_registry(path)
    date = date or _dt.date.today().isoformat()
    insights = []
    for ins in reg.insights:
        recs = []
        for r in ins.recommendations:
            hist = [h for h in r.history]
            known = {h.get("comment") for h in hist}
            hist += [{"comment": c.id, "date": date, "organisation": c.organisation,
                      "sector": c.sector, "endorsement": c.endorsement,
                      "proposed_change": c.proposed_change, "decision": c.decision,
                      "reason": c.reason} for c in comments
                     if c.recommendation == r.number and c.id not in known]
            recs.append(replace(r, history=tuple(hist)))
        insights.append(replace(ins, recommendations=tuple(recs)))
    final = replace(reg, insights=tuple(insights), version=reg.version + 1, status="final")
    return write_registry(final, path)
