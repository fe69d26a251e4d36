"""Transcript import: formats and encodings, participant and consent checks, encryption."""

import pytest

from dhkit.errors import DhkitError, SafetyError
from dhkit.qualitative.demo import DEMO_DIR, transcript_files
from dhkit.qualitative.participants import import_participants
from dhkit.qualitative.transcripts import (
    import_transcripts,
    read_transcript,
    transcript_text,
    transcripts,
)
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"
SPANISH = "P: Tenía miedo; la niña pidió ayuda en el año de la pandemia. ¿Qué pasó? Ñ."


@pytest.fixture
def store(tmp_path):
    (tmp_path / "store").mkdir()
    with Store.open(tmp_path / "store" / "s.duckdb", KEY) as s:
        import_participants(s, DEMO_DIR / "participants.csv")
        yield s


def test_legacy_windows_1252_text_is_decoded(tmp_path):
    path = tmp_path / "YP-01.txt"
    path.write_bytes(((SPANISH + "\r\n") * 3).encode("cp1252"))
    raw = read_transcript(path)
    assert raw.text.split("\n")[0] == SPANISH
    assert raw.encoding in ("cp1252", "latin_1", "iso8859_15")


def test_docx_and_odt_are_read_paragraph_by_paragraph(tmp_path):
    import docx
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    d = docx.Document()
    d.add_paragraph("E: primera línea")
    d.add_paragraph("P: segunda línea")
    d.save(tmp_path / "a.docx")
    o = OpenDocumentText()
    o.text.addElement(P(text="I: first line"))
    o.text.addElement(P(text="R: second line"))
    o.save(str(tmp_path / "b.odt"))
    assert read_transcript(tmp_path / "a.docx").text == "E: primera línea\nP: segunda línea"
    assert read_transcript(tmp_path / "b.odt").text == "I: first line\nR: second line"


def test_demo_transcripts_are_stored_encrypted(store, tmp_path):
    infos = import_transcripts(store, transcript_files())
    assert [i.transcript_id for i in infos] == ["FW-01", "FW-02", "JP-01", "YP-01", "YP-02",
                                                "YP-03"]
    assert transcript_text(store, "YP-02").count("\n") == 11
    store.con.execute("CHECKPOINT")
    raw = b"".join(p.read_bytes() for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert b"Fundaci" not in raw and b"trabajosya" not in raw


def test_transcript_without_participant_row_names_the_file_and_imports_nothing(store,
                                                                               tmp_path):
    stray = tmp_path / "YP-77.txt"
    stray.write_text("P: secreto que no debe salir en el error", encoding="utf-8")
    with pytest.raises(DhkitError) as exc:
        import_transcripts(store, [*transcript_files(), stray])
    assert exc.value.code == "QUAL-023"
    assert "YP-77.txt" in exc.value.message and "secreto" not in exc.value.message
    assert transcripts(store) == []


def test_transcript_of_a_refusal_is_refused_for_safety(store, tmp_path):
    path = tmp_path / "YP-04_session1.txt"
    path.write_text("P: hola", encoding="utf-8")
    with pytest.raises(SafetyError) as exc:
        import_transcripts(store, [path])
    assert exc.value.code == "QUAL-024" and exc.value.exit_code == 3
    assert "YP-04" in exc.value.message


def test_importing_the_same_transcript_twice_needs_replace(store):
    import_transcripts(store, transcript_files()[:1])
    with pytest.raises(DhkitError) as exc:
        import_transcripts(store, transcript_files()[:1])
    assert exc.value.code == "QUAL-025"
    assert len(import_transcripts(store, transcript_files()[:1], replace=True)) == 1
