"""Commands of the qualitative stage (``dhkit NOUN VERB``):

``participants import|list|withdraw``, ``transcripts import|list``,
``redact propose|list|review|add|apply|log|evaluate``, ``codes import|export|list|matrix|
cooccurrence|delete``, ``agreement report``, ``quotes list|show|export``.

Every command takes the study folder ``DIR`` and opens its encrypted store. Messages go to
stderr and never carry transcript text; results go to stdout or files (``--json`` where a
machine may read them). The one place text is shown is ``redact review``: the reviewer's
own terminal, which is the point of reviewing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path

import typer

participants_app = typer.Typer(help="Interview participants and their consent records.",
                               no_args_is_help=True)
transcripts_app = typer.Typer(help="Interview transcripts (.txt, .docx, .odt), stored "
                              "encrypted.", no_args_is_help=True)
redact_app = typer.Typer(help="Redaction: propose, review (accept / reject / add), apply.",
                         no_args_is_help=True)
codes_app = typer.Typer(help="Codebook and coded segments; REFI-QDA exchange; matrices.",
                        no_args_is_help=True)
agreement_app = typer.Typer(help="Inter-coder agreement (Cohen's kappa, Krippendorff's "
                            "alpha).", no_args_is_help=True)
quotes_app = typer.Typer(help="The quote bank: consented, redacted quotes by code.",
                         no_args_is_help=True)

DIR = typer.Argument(..., help="The study folder (with study.toml).")


@contextmanager
def _store(dir: Path) -> Iterator:
    """Open the study's encrypted store; print a validation report before re-raising."""
    from dhkit.errors import ValidationError

    from dhkit.workspace.config import load_study

    store = load_study(dir).open_store()
    try:
        yield store
    except ValidationError as exc:
        if exc.report is not None:
            exc.report.print("Problems")
        raise
    finally:
        store.close()


def _say(message: str) -> None:
    from dhkit.console import err_console

    err_console.print(message, highlight=False)


def _json(items) -> None:
    def plain(x):
        return asdict(x) if is_dataclass(x) else x

    data = [plain(i) for i in items] if isinstance(items, (list, tuple)) else plain(items)
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _table(title: str, columns: list[str], rows: list[list]) -> None:
    from rich.table import Table

    from dhkit.console import out_console

    t = Table(title=title)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    out_console.print(t)


# ---------------------------------------------------------------- participants

@participants_app.command("import")
def participants_import(dir: Path = DIR,
                        sheet: Path = typer.Argument(..., help="Participants sheet (.csv or "
                                                     ".xlsx) with consent records.")) -> None:
    """Import the participants sheet (insert or update by id), all or nothing.

    Example: dhkit participants import my-study participants.xlsx
    """
    from dhkit.qualitative.participants import import_participants

    with _store(dir) as store:
        r = import_participants(store, sheet)
    _say(f"{r.file}: {r.n_participants} participant(s) stored ({r.n_refused} refusal(s), "
         f"{r.n_withdrawn} withdrawal(s))")


@participants_app.command("list")
def participants_list(dir: Path = DIR, as_json: bool = typer.Option(False, "--json")) -> None:
    """List participants with their group and consent status (ids only, no names).

    Example: dhkit participants list my-study --json
    """
    from dhkit.qualitative.participants import participants

    with _store(dir) as store:
        people = list(participants(store).values())
    if as_json:
        _json(people)
        return
    _table("Participants", ["id", "group", "sex", "age band", "interview", "quote",
                            "withdrawn"],
           [[p.participant_id, p.group, p.sex, p.age_band, "yes" if p.consented else "no",
             "yes" if p.may_be_quoted else "no", p.withdrawn_on] for p in people])


@participants_app.command("withdraw")
def participants_withdraw(
    dir: Path = DIR, participant_id: str = typer.Argument(..., help="Participant id."),
    date: str = typer.Option(..., "--date", help="Date consent was withdrawn (YYYY-MM-DD)."),
) -> None:
    """Record a withdrawal: the participant's quotes leave every output built after it.

    Example: dhkit participants withdraw my-study YP-03 --date 2025-04-02
    """
    import datetime as dt

    from dhkit.errors import DhkitError
    from dhkit.qualitative.participants import withdraw

    try:
        on = dt.date.fromisoformat(date)
    except ValueError:
        raise DhkitError("QUAL-008", f"--date '{date}' is not a date; write YYYY-MM-DD."
                         ) from None
    with _store(dir) as store:
        withdraw(store, participant_id, on)
    _say(f"{participant_id}: withdrawal recorded ({on}); their quotes are left out from now on")


# ---------------------------------------------------------------- transcripts

@transcripts_app.command("import")
def transcripts_import(
    dir: Path = DIR,
    files: list[Path] = typer.Argument(..., help="Transcripts named <participant_id>.txt "
                                       "(or .docx, .odt; <id>_<label>.* also works)."),
    replace: bool = typer.Option(False, "--replace", help="Re-import transcripts already "
                                 "stored (drops their redaction and codings)."),
) -> None:
    """Import transcripts into the encrypted store, all or nothing.

    Example: dhkit transcripts import my-study transcripts/*.docx
    """
    from dhkit.qualitative.transcripts import import_transcripts

    with _store(dir) as store:
        infos = import_transcripts(store, files, replace=replace)
    for i in infos:
        _say(f"{i.source_file}: transcript {i.transcript_id} ({i.n_chars:,} characters, "
             f"{i.encoding}) stored encrypted")
    _say("Next: dhkit redact propose " + str(dir))


@transcripts_app.command("show")
def transcripts_show(dir: Path = DIR, transcript_id: str = typer.Argument(...)) -> None:
    """Print a transcript's REDACTED text (the original never leaves the store this way).

    Example: dhkit transcripts show my-study YP-01 > YP-01.redacted.txt
    """
    from dhkit.qualitative.transcripts import transcript_text

    with _store(dir) as store:
        text = transcript_text(store, transcript_id, redacted=True)
    typer.echo(text)


@transcripts_app.command("list")
def transcripts_list(dir: Path = DIR, as_json: bool = typer.Option(False, "--json")) -> None:
    """List stored transcripts: id, participant, source hash, redaction status (no text).

    Example: dhkit transcripts list my-study
    """
    from dhkit.qualitative.transcripts import transcripts

    with _store(dir) as store:
        infos = transcripts(store)
    if as_json:
        _json(infos)
        return
    _table("Transcripts", ["id", "participant", "file", "chars", "language", "status"],
           [[i.transcript_id, i.participant_id, i.source_file, i.n_chars, i.language,
             i.status] for i in infos])


# ---------------------------------------------------------------- redaction

def _summary(rows) -> None:
    _table("Redaction", ["transcript", "status", "undecided", "accepted", "rejected", "added",
                         "by kind"],
           [[r.transcript_id, r.status, r.proposed, r.accepted, r.rejected, r.added,
             ", ".join(f"{k} {n}" for k, n in r.by_kind)] for r in rows])


@redact_app.command("propose")
def redact_propose(
    dir: Path = DIR,
    transcript_ids: list[str] | None = typer.Argument(None, help="Transcripts (default: "
                                                          "all not yet redacted)."),
    no_ner: bool = typer.Option(False, "--no-ner", help="Rules and gazetteers only, even if "
                                "the NER model is installed."),
    force: bool = typer.Option(False, "--force", help="Propose again for redacted "
                               "transcripts (refused while they have codings)."),
    gazetteers: Path | None = typer.Option(None, "--gazetteers", help="Folder with the "
                                              "study's own lists (places.txt, schools.txt, "
                                              "institutions.txt, given_names.txt, "
                                              "surnames.txt), added to the shipped ones."),
) -> None:
    """Detect names, places, phones, e-mails, handles, URLs, dates, ages, institutions and
    schools, and store them as proposals for review.

    Example: dhkit redact propose my-study --gazetteers lists/
    """
    from dhkit.qualitative import redaction
    from dhkit.qualitative.detect import Gazetteers

    g = Gazetteers.load(gazetteers)
    _say_if_no_ner(no_ner)
    with _store(dir) as store:
        rows = redaction.propose(store, transcript_ids or None, g, use_ner=not no_ner,
                                 force=force, show_progress=True)
    _summary(rows)
    _say("Next: dhkit redact review " + str(dir) + " TRANSCRIPT (or --accept-all)")


@redact_app.command("evaluate")
def redact_evaluate(
    evaluation_set: str = typer.Option("heldout", "--set", help="Shipped set: heldout, "
                                       "tuning, fresh, blind, blind-dev or blind-test."),
    file: Path | None = typer.Option(None, "--file", help="Your own marked-up sentences "
                                     "(⟦KIND|text⟧ per identifier) instead of a shipped set."),
    show_misses: bool = typer.Option(False, "--show-misses", help="Also print missed "
                                     "identifiers and false alarms (synthetic text only)."),
    check: bool = typer.Option(False, "--check", help="Exit 1 when a kind is below 98 % "
                               "recall or 90 % precision."),
    no_ner: bool = typer.Option(False, "--no-ner", help="Rules and gazetteers only, even if "
                                "the NER model is installed."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Measure the machine redaction pass: recall and precision per identifier kind.

    Example: dhkit redact evaluate --set heldout
    """
    from dhkit.qualitative import ner
    from dhkit.qualitative.evaluate import evaluate, load_set, table

    name = str(file) if file else evaluation_set
    _say_if_no_ner(no_ner)
    ev = evaluate(load_set(file or evaluation_set), name, use_ner=not no_ner)
    how = "rules + NER" if not no_ner and ner.available() else "rules only"
    if as_json:
        _json([{"kind": sc.kind, "marked": sc.marked, "covered": sc.covered,
                "detected": sc.detected, "correct": sc.correct, "recall": sc.recall,
                "precision": sc.precision} for sc in ev.scores])
    else:
        _table(f"Redaction on {name} ({ev.sentences} sentences, {how})",
               ["kind", "identifiers", "recall", "detected", "precision"], table(ev))
    if show_misses:
        for kind, found, sentence in ev.misses:
            _say(f"missed {kind}: {found!r} in {sentence!r}")
        for kind, found, sentence in ev.false_alarms:
            _say(f"false alarm {kind}: {found!r} in {sentence!r}")
    low = [sc.kind for sc in ev.scores if (sc.marked and sc.recall < 0.98)
           or (sc.detected and sc.precision < 0.90)]
    if check and low:
        _say(f"below 98 % recall or 90 % precision: {', '.join(low)}")
        raise typer.Exit(1)


def _say_if_no_ner(no_ner: bool) -> None:
    """Say once, plainly, when the NER model was wanted but is not installed."""
    from dhkit.qualitative import ner

    if not no_ner and not ner.available():
        _say(ner.missing_message())


@redact_app.command("list")
def redact_list(dir: Path = DIR, transcript_id: str | None = typer.Argument(None),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """List proposals (id, position, kind, detector, decision; never the text).

    Example: dhkit redact list my-study YP-01 --json
    """
    from dhkit.qualitative import redaction

    with _store(dir) as store:
        items = redaction.proposals(store, transcript_id)
        rows = redaction.summaries(store)
    if as_json:
        _json(items)
    elif transcript_id:
        _table(f"Proposals of {transcript_id}", ["id", "start", "end", "kind", "detector",
                                                 "status"],
               [[p.proposal_id, p.start, p.end, p.kind, p.detector, p.status] for p in items])
    else:
        _summary(rows)


@redact_app.command("review")
def redact_review(
    dir: Path = DIR,
    transcript_ids: list[str] | None = typer.Argument(None, help="Transcripts to review "
                                                          "(default: all)."),
    accept_all: bool = typer.Option(False, "--accept-all", help="Accept every undecided "
                                    "proposal without asking."),
    decisions: Path | None = typer.Option(None, "--decisions", help="CSV of decisions: "
                                             "transcript_id, action (accept|reject|add), "
                                             "proposal_id, kind, start, end, match."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Your name or initials "
                                           "for the redaction log."),
) -> None:
    """Review proposals: accept, reject or add — interactively, from a decisions file, or
    --accept-all. Interactive keys: a accept, r reject, A accept the rest, q stop.

    Example: dhkit redact review my-study YP-01 --reviewer MG
    """
    from dhkit.qualitative import redaction
    from dhkit.qualitative.transcripts import transcript_text

    with _store(dir) as store:
        if decisions:
            n = redaction.apply_decisions(store, decisions, actor=reviewer)
            _say(f"{decisions.name}: {n} decision(s) applied")
        if accept_all:
            n = redaction.accept_all(store, transcript_ids or None, actor=reviewer)
            _say(f"{n} proposal(s) accepted")
        if not decisions and not accept_all:
            _interactive(store, transcript_ids, reviewer, redaction, transcript_text)
        _summary(redaction.summaries(store, transcript_ids or None))


def _interactive(store, transcript_ids, reviewer, redaction, transcript_text) -> None:
    from rich.markup import escape

    from dhkit.console import err_console

    pending = [p for p in redaction.proposals(store) if p.status == "proposed"
               and (not transcript_ids or p.transcript_id in transcript_ids)]
    for i, p in enumerate(pending):
        text = transcript_text(store, p.transcript_id)
        before = escape(text[max(0, p.start - 50):p.start].replace("\n", " "))
        span = escape(text[p.start:p.end])
        after = escape(text[p.end:p.end + 50].replace("\n", " "))
        err_console.print(f"\n[bold]{p.transcript_id} #{p.proposal_id}[/bold] {p.kind} "
                          f"({p.detector}) {i + 1}/{len(pending)}")
        err_console.print(f"…{before}[reverse]{span}[/reverse]{after}…", highlight=False)
        answer = typer.prompt("[a]ccept / [r]eject / [A]ccept rest / [q]uit", default="a",
                              err=True)
        if answer == "q":
            break
        if answer == "A":
            redaction.accept_all(store, sorted({q.transcript_id for q in pending[i:]}),
                                 actor=reviewer)
            break
        redaction.decide(store, p.transcript_id, p.proposal_id,
                         "reject" if answer.lower().startswith("r") else "accept", reviewer)


@redact_app.command("add")
def redact_add(
    dir: Path = DIR, transcript_id: str = typer.Argument(...),
    kind: str = typer.Option(..., "--kind", help="NAME, PLACE, PHONE, EMAIL, HANDLE, URL, "
                             "DATE, AGE, INSTITUTION or SCHOOL."),
    match: str | None = typer.Option(None, "--match", help="Redact every occurrence of "
                                        "this text (case-insensitive)."),
    start: int | None = typer.Option(None, "--start"),
    end: int | None = typer.Option(None, "--end"),
    reviewer: str | None = typer.Option(None, "--reviewer"),
) -> None:
    """Add a span the rules missed (by text or position).

    Example: dhkit redact add my-study YP-01 --kind PLACE --match "la cancha del barrio"
    """
    from dhkit.qualitative import redaction

    with _store(dir) as store:
        n = redaction.add(store, transcript_id, kind, start=start, end=end, match=match,
                          actor=reviewer)
    _say(f"{transcript_id}: {n} span(s) added as {kind.upper()}")


@redact_app.command("apply")
def redact_apply(dir: Path = DIR,
                 transcript_ids: list[str] | None = typer.Argument(None),
                 reviewer: str | None = typer.Option(None, "--reviewer")) -> None:
    """Write redacted texts with typed placeholders ([NAME], [PLACE] …); the map of
    placeholders to originals stays encrypted in the store.

    Example: dhkit redact apply my-study
    """
    from dhkit.qualitative import redaction

    with _store(dir) as store:
        rows = redaction.apply(store, transcript_ids or None, actor=reviewer)
    if not rows:
        _say("nothing to apply: every transcript with proposals is already redacted (name a "
             "transcript to apply it again).")
        return
    _summary(rows)


@redact_app.command("log")
def redact_log(dir: Path = DIR, out: Path = typer.Option(..., "--out", help="CSV file.")
               ) -> None:
    """Write the redaction log (ids, kinds, detectors, decisions, who and when; no text).

    Example: dhkit redact log my-study --out redaction-log.csv
    """
    from dhkit.qualitative.redaction import redaction_log
    from dhkit.safetext import csv_frame

    with _store(dir) as store:
        csv_frame(redaction_log(store)).to_csv(out, index=False)
    _say(f"redaction log written to {out}")


# ---------------------------------------------------------------- codes

@codes_app.command("import")
def codes_import(
    dir: Path = DIR,
    file: Path = typer.Argument(..., help="codebook.yaml, codebook.qdc, codings.csv or a "
                                "REFI-QDA project.qdpx."),
    replace: bool = typer.Option(False, "--replace", help="Replace the codebook (.yaml) or "
                                 "the file's coders' earlier codings (.csv, .qdpx)."),
) -> None:
    """Import a codebook, codings or a REFI-QDA project, all or nothing.

    Example: dhkit codes import my-study coded-in-nvivo.qdpx
    """
    from dhkit.errors import DhkitError

    suffix = file.suffix.lower()
    with _store(dir) as store:
        if suffix in (".yaml", ".yml"):
            from dhkit.qualitative.codebook import load_codebook, store_codebook

            n = store_codebook(store, load_codebook(file), replace=replace)
            _say(f"{file.name}: {n} code(s) stored")
        elif suffix == ".qdc":
            from dhkit.qualitative.refiqda import import_qdc

            _say(f"{file.name}: {import_qdc(store, file)} code(s) stored")
        elif suffix == ".csv":
            from dhkit.qualitative.codings import import_codings

            r = import_codings(store, file, replace=replace)
            _say(f"{r.file}: {r.n_codings} coded segment(s) by {', '.join(r.coders)}")
        elif suffix == ".qdpx":
            from dhkit.qualitative.refiqda import import_qdpx

            r = import_qdpx(store, file, replace=replace)
            _say(f"{r.file}: {r.n_codes} code(s), {r.n_sources} source(s), {r.n_codings} "
                 f"coded segment(s) by {', '.join(r.coders)}")
        else:
            raise DhkitError("QUAL-087", f"{file.name}: import a .yaml or .qdc codebook, a "
                             ".csv of codings or a .qdpx project.")


@codes_app.command("export")
def codes_export(
    dir: Path = DIR,
    out: Path = typer.Argument(..., help="project.qdpx, codebook.qdc or codebook.yaml."),
    coder: list[str] | None = typer.Option(None, "--coder", help="Only these coders' "
                                              "codings (.qdpx)."),
) -> None:
    """Export the codebook or a REFI-QDA project of the redacted transcripts and codings.

    Example: dhkit codes export my-study for-qualcoder.qdpx
    """
    from dhkit.errors import DhkitError

    suffix = out.suffix.lower()
    with _store(dir) as store:
        if suffix == ".qdpx":
            from dhkit.qualitative.refiqda import export_qdpx

            export_qdpx(store, out, coders=coder or None)
        elif suffix == ".qdc":
            from dhkit.qualitative.refiqda import export_qdc

            export_qdc(store, out)
        elif suffix in (".yaml", ".yml"):
            from dhkit.qualitative.codebook import codebook, dump_codebook

            out.write_text(dump_codebook(codebook(store)), encoding="utf-8")
        else:
            raise DhkitError("QUAL-087", f"{out.name}: export to .qdpx, .qdc or .yaml.")
    _say(f"written {out}")


@codes_app.command("list")
def codes_list(dir: Path = DIR, as_json: bool = typer.Option(False, "--json")) -> None:
    """List the codebook (hierarchy shown by indentation).

    Example: dhkit codes list my-study
    """
    from dhkit.qualitative.codebook import codebook

    with _store(dir) as store:
        codes = codebook(store)
    if as_json:
        _json(codes)
        return
    depth = {}
    for c in codes:
        depth[c.code_id] = depth.get(c.parent_id, -1) + 1 if c.parent_id else 0
    _table("Codebook", ["code", "name", "definition"],
           [["  " * depth[c.code_id] + c.code_id, c.name, c.definition] for c in codes])


def _frame_out(frame, out: Path | None, as_json: bool, title: str) -> None:
    if out:
        from dhkit.safetext import csv_frame

        csv_frame(frame).to_csv(out)
        _say(f"written {out}")
    elif as_json:
        typer.echo(frame.to_json(orient="split", force_ascii=False))
    else:
        _table(title, [frame.index.name or "", *map(str, frame.columns)],
               [[i, *row] for i, row in zip(frame.index, frame.itertuples(index=False))])


@codes_app.command("matrix")
def codes_matrix(
    dir: Path = DIR,
    count: str = typer.Option("participants", "--count", help="participants or segments."),
    coder: str | None = typer.Option(None, "--coder"),
    out: Path | None = typer.Option(None, "--out", help="Write CSV here."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Code × participant group (YP, FW, JP) frequencies.

    Example: dhkit codes matrix my-study --coder coder-a --out matrix.csv
    """
    from dhkit.qualitative.codings import code_matrix

    with _store(dir) as store:
        frame = code_matrix(store, count=count, coder=coder)
    _frame_out(frame, out, as_json, f"Codes × group ({count})")


@codes_app.command("cooccurrence")
def codes_cooccurrence(
    dir: Path = DIR, coder: str | None = typer.Option(None, "--coder"),
    out: Path | None = typer.Option(None, "--out", help="Write CSV here."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Code × code co-occurrence (overlapping segments of one coder).

    Example: dhkit codes cooccurrence my-study --coder coder-a --out cooc.csv
    """
    from dhkit.qualitative.codings import cooccurrence

    with _store(dir) as store:
        frame = cooccurrence(store, coder=coder)
    _frame_out(frame, out, as_json, "Code co-occurrence")


@codes_app.command("delete")
def codes_delete(dir: Path = DIR, coder: str | None = typer.Option(None, "--coder"),
                 transcript_id: str | None = typer.Option(None, "--transcript")) -> None:
    """Delete coded segments of a coder and/or a transcript.

    Example: dhkit codes delete my-study --coder coder-c
    """
    from dhkit.errors import DhkitError
    from dhkit.qualitative.codings import delete_codings

    if not coder and not transcript_id:
        raise DhkitError("QUAL-088", "name --coder and/or --transcript; deleting every coding "
                         "at once is not offered.")
    with _store(dir) as store:
        n = delete_codings(store, coder, transcript_id)
    _say(f"{n} coded segment(s) deleted")


# ---------------------------------------------------------------- agreement

@agreement_app.command("report")
def agreement_report(
    dir: Path = DIR,
    coder: list[str] | None = typer.Option(None, "--coder", help="Coders to compare "
                                              "(default: all)."),
    level: str = typer.Option("unit", "--level", help="unit (each line/turn) or character."),
    out: Path | None = typer.Option(None, "--out", help="Write CSV here."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Per-code and overall Cohen's kappa (2 coders) and Krippendorff's alpha (nominal).

    Example: dhkit agreement report my-study --coder coder-a --coder coder-b --level unit
    """
    from dhkit.qualitative.agreement import agreement

    with _store(dir) as store:
        report = agreement(store, coder or None, level=level)
    frame = report.to_frame().round(4)
    _frame_out(frame, out, as_json, f"Agreement of {', '.join(report.coders)} ({level} level)")


# ---------------------------------------------------------------- quotes

def _quote_opts(code, lang, sex, age, store):
    from dhkit.qualitative.quotes import quote_bank

    return quote_bank(store, code or None, lang, sex=sex, age=age)


CODE = typer.Option(None, "--code", help="Codes (their sub-codes included); default all.")
LANG = typer.Option(None, "--lang", help="Only quotes in this language (es, en).")
SEX = typer.Option(False, "--sex", help="Add sex to the attribution, e.g. (YP, female).")
AGE = typer.Option(False, "--age", help="Add the age band to the attribution.")


@quotes_app.command("list")
def quotes_list(dir: Path = DIR, code: list[str] | None = CODE, lang: str | None = LANG,
                sex: bool = SEX, age: bool = AGE,
                as_json: bool = typer.Option(False, "--json")) -> None:
    """List quotes cleared for public use (redacted, consented, not withdrawn).

    Example: dhkit quotes list my-study --code disclosure --lang es
    """
    with _store(dir) as store:
        quotes, withheld = _quote_opts(code, lang, sex, age, store)
    if as_json:
        _json(quotes)
    else:
        _table("Quote bank", ["id", "code", "quote", "attribution"],
               [[q.quote_id, q.code_id, q.text, q.attribution] for q in quotes])
    _say(f"{len(quotes)} quote(s); withheld: {withheld.no_quote_consent} without consent to "
         f"quote, {withheld.withdrawn} withdrawn")


@quotes_app.command("show")
def quotes_show(dir: Path = DIR, quote_id: str = typer.Argument(...), sex: bool = SEX,
                age: bool = AGE) -> None:
    """Show one quote; refused when its participant withdrew or did not consent.

    Example: dhkit quotes show my-study Q-1a2b3c4d5e
    """
    from dhkit.qualitative.quotes import get_quote

    with _store(dir) as store:
        q = get_quote(store, quote_id, sex=sex, age=age)
    typer.echo(str(q))


@quotes_app.command("export")
def quotes_export(dir: Path = DIR,
                  out: Path = typer.Argument(..., help="quotes.html or quotes.xlsx"),
                  code: list[str] | None = CODE, lang: str | None = LANG,
                  sex: bool = SEX, age: bool = AGE,
                  title: str = typer.Option("Quote bank", "--title")) -> None:
    """Export the quote bank as HTML or Excel (only cleared quotes; never an id).

    Example: dhkit quotes export my-study quotes.xlsx --lang es --sex
    """
    from dhkit.qualitative.quotes import export_quotes

    with _store(dir) as store:
        quotes, withheld = _quote_opts(code, lang, sex, age, store)
        export_quotes(quotes, out, title=title)
        store.audit("quotes export", file=out.name, rows_accepted=len(quotes),
                    note=f"withheld {withheld.withdrawn} withdrawn, "
                         f"{withheld.no_quote_consent} without consent")
    _say(f"{len(quotes)} quote(s) written to {out}")


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the root `dhkit` app."""
    app.add_typer(participants_app, name="participants")
    app.add_typer(transcripts_app, name="transcripts")
    app.add_typer(redact_app, name="redact")
    app.add_typer(codes_app, name="codes")
    app.add_typer(agreement_app, name="agreement")
    app.add_typer(quotes_app, name="quotes")
