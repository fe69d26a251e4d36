"""Redaction: every planted identifier found, review flow, typed placeholders, log without
text, map only in the store."""

import pytest

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative import redaction
from dhkit.qualitative.demo import DEMO_DIR, planted, transcript_files
from dhkit.qualitative.detect import Gazetteers, detect
from dhkit.qualitative.participants import import_participants
from dhkit.qualitative.transcripts import import_transcripts, transcript_text
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.duckdb", KEY) as s:
        import_participants(s, DEMO_DIR / "participants.csv")
        import_transcripts(s, transcript_files())
        yield s


def _covered(store, tid, text):
    original = transcript_text(store, tid)
    start = original.find(text)
    assert start >= 0, (tid, text)
    spans = [p for p in redaction.proposals(store, tid)
             if p.status in ("proposed", "accepted", "added")]
    return [p for p in spans if p.start <= start and p.end >= start + len(text)]


def test_recall_is_100_percent_on_the_planted_identifiers(store):
    redaction.propose(store, use_ner=False)
    missed = [(p.transcript_id, p.kind) for p in planted()
              if not _covered(store, p.transcript_id, p.text)]
    assert missed == []
    kinds = {p.kind for p in planted()}
    assert kinds == {"NAME", "PLACE", "PHONE", "EMAIL", "HANDLE", "URL", "DATE", "AGE",
                     "INSTITUTION", "SCHOOL"}


def test_kinds_match_the_planted_kinds(store):
    redaction.propose(store, use_ner=False)
    wrong = [(p.transcript_id, p.text, p.kind) for p in planted()
             if {s.kind for s in _covered(store, p.transcript_id, p.text)} != {p.kind}]
    assert wrong == []


def test_precision_on_the_demo_is_reported_and_high(store):
    redaction.propose(store, use_ner=False)
    proposals = redaction.proposals(store)
    true = 0
    for prop in proposals:
        text = transcript_text(store, prop.transcript_id)
        hit = any(text.find(p.text) < prop.end and text.find(p.text) + len(p.text) > prop.start
                  for p in planted() if p.transcript_id == prop.transcript_id)
        true += hit
    precision = true / len(proposals)
    print(f"demo redaction precision {precision:.3f} ({true}/{len(proposals)})")
    assert precision >= 0.95


@pytest.mark.parametrize("sentence", [
    "Hace 3 años que trabajo aquí y durante 5 años estuve en otra ciudad.",
    "Sentía mucha soledad y tristeza; el 40 por ciento de los casos llega tarde.",
    "She waited for 20 minutes. It was 2 hours before anyone came.",
    "En marzo de 2023 hubo más denuncias que en todo 2022.",
    "The Fiscalía and the ICBF received 1500 complaints.",
])
def test_ordinary_sentences_raise_no_proposal(sentence):
    assert detect(sentence, Gazetteers.load(), use_ner=False) == []


def test_apply_refuses_while_proposals_are_undecided(store):
    redaction.propose(store, ["YP-01"], use_ner=False)
    with pytest.raises(DhkitError) as exc:
        redaction.apply(store, ["YP-01"])
    assert exc.value.code == "QUAL-031" and "YP-01" in exc.value.message


def test_accept_all_then_apply_writes_typed_placeholders(store):
    redaction.propose(store, use_ner=False)
    redaction.accept_all(store)
    redaction.apply(store)
    text = transcript_text(store, "YP-02", redacted=True)
    assert "[URL]" in text and "[EMAIL]" in text and "[INSTITUTION]" in text
    for p in planted():
        assert p.text not in transcript_text(store, p.transcript_id, redacted=True), p
    originals = store.con.execute("SELECT count(*) FROM qual_pseudonym_map").fetchone()[0]
    assert originals == len(redaction.proposals(store))


def test_decisions_file_rejects_and_adds(store, tmp_path):
    redaction.propose(store, ["FW-02"], use_ner=False)
    first = redaction.proposals(store, "FW-02")[0]
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("transcript_id,action,proposal_id,kind,start,end,match\n"
                         f"FW-02,reject,{first.proposal_id},,,,\n"
                         "FW-02,add,,NAME,,,padrastro\n", encoding="utf-8")
    assert redaction.apply_decisions(store, decisions) == 2
    redaction.accept_all(store, ["FW-02"])
    redaction.apply(store, ["FW-02"])
    text = transcript_text(store, "FW-02", redacted=True)
    assert text.count("[NAME]") == 2  # Jairo, and the added word
    assert "Fundación Horizonte Caribe" in text  # the rejected proposal stays


def test_bad_decisions_file_lists_every_problem_and_changes_nothing(store, tmp_path):
    redaction.propose(store, ["FW-02"], use_ner=False)
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("transcript_id,action,proposal_id,kind,start,end,match\n"
                         "FW-02,reject,999,,,,\n"
                         "XX-01,accept,1,,,,\n"
                         "FW-02,add,,COLOUR,,,x\n"
                         "FW-02,accept,1,,,,\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        redaction.apply_decisions(store, decisions)
    assert sorted(exc.value.report.codes()) == ["QUAL-027", "QUAL-033", "QUAL-033", "QUAL-035"]
    assert all(p.status == "proposed" for p in redaction.proposals(store, "FW-02"))


def test_redaction_log_carries_no_text(store):
    redaction.propose(store, use_ner=False)
    redaction.accept_all(store, actor="coder-a")
    redaction.apply(store)
    log = redaction.redaction_log(store)
    dump = log.to_csv()
    assert set(log["action"]) == {"proposed", "accept", "applied"}
    for p in planted():
        if len(p.text) > 4:  # "16" occurs in timestamps
            assert p.text not in dump


def test_participant_names_from_the_sheet_are_found(store):
    redaction.propose(store, ["YP-01"], use_ner=False)
    assert _covered(store, "YP-01", "Yurleidy")[0].detector == "participant"


def test_a_study_adds_its_own_schools_and_places(tmp_path):
    from dhkit.errors import DhkitError

    (tmp_path / "schools.txt").write_text("# local schools\nLa Escuelita del Río\n",
                                          encoding="utf-8")
    (tmp_path / "places.txt").write_text("El Hoyo\n", encoding="utf-8")
    text = "Estudiaba en La Escuelita del Río y jugábamos en El Hoyo."
    shipped = detect(text, Gazetteers.load(), use_ner=False)
    ours = detect(text, Gazetteers.load(tmp_path), use_ner=False)
    assert shipped == []
    assert [(text[s.start:s.end], s.kind) for s in ours] == [
        ("La Escuelita del Río", "SCHOOL"), ("El Hoyo", "PLACE")]
    with pytest.raises(DhkitError) as exc:
        Gazetteers.load(tmp_path / "nothing-here")
    assert exc.value.code == "QUAL-038"


def test_overlapping_spans_merge_into_one_placeholder_of_the_longer_kind():
    from dhkit.qualitative.model import Span
    from dhkit.qualitative.redaction import redact_text

    text = "Fui al Colegio San José de Bello ayer."
    spans = [Span(7, 32, "SCHOOL", "rule"), Span(27, 32, "PLACE", "gazetteer"),
             Span(22, 26, "NAME", "gazetteer")]
    redacted, rows = redact_text(text, spans)
    assert redacted == "Fui al [SCHOOL] ayer."
    assert [(r[1], r[2]) for r in rows] == [("SCHOOL", "Colegio San José de Bello")]
