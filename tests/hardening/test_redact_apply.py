"""`redact apply` without ids applies to the transcripts that need it: a coded, already
redacted transcript no longer blocks the others (it used to raise QUAL-032 for all)."""

import pytest

from dhkit.errors import DhkitError
from dhkit.qualitative import redaction
from dhkit.qualitative.demo import DEMO_DIR, transcript_files
from dhkit.qualitative.participants import import_participants
from dhkit.qualitative.transcripts import import_transcripts, transcripts
from dhkit.workspace.store import Store


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.duckdb", "qual-test-key-0123456789") as s:
        import_participants(s, DEMO_DIR / "participants.csv")
        import_transcripts(s, transcript_files())
        redaction.propose(s, use_ner=False)
        redaction.accept_all(s)
        first = transcripts(s)[0].transcript_id
        redaction.apply(s, [first])
        s.insert_rows("qual_codings", [["c1", first, 0, 5, "code", "coder-a", None]])
        yield s, first


def test_apply_without_ids_skips_the_coded_redacted_transcript(store):
    s, first = store
    done = redaction.apply(s)
    ids = {r.transcript_id for r in done}
    assert first not in ids and len(ids) == len(transcripts(s)) - 1
    assert {t.status for t in transcripts(s)} == {"redacted"}


def test_apply_without_ids_when_all_are_redacted_does_nothing(store):
    s, _ = store
    redaction.apply(s)
    assert redaction.apply(s) == []


def test_naming_the_coded_transcript_is_still_refused(store):
    s, first = store
    with pytest.raises(DhkitError) as exc:
        redaction.apply(s, [first])
    assert exc.value.code == "QUAL-032"
