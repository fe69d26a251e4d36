"""REFI-QDA: .qdpx / .qdc export is structurally valid and re-imports to the same codings;
broken or inconsistent projects are refused whole."""

import zipfile

import pytest
from lxml import etree

from dhkit.errors import DhkitError, ValidationError
from dhkit.qualitative import redaction
from dhkit.qualitative.codebook import codebook
from dhkit.qualitative.codings import codings
from dhkit.qualitative.demo import DEMO_DIR, load_demo, planted, transcript_files
from dhkit.qualitative.participants import import_participants
from dhkit.qualitative.refiqda import (
    NS,
    export_qdc,
    export_qdpx,
    import_qdc,
    import_qdpx,
    read_qdc,
    validate_project,
)
from dhkit.qualitative.transcripts import import_transcripts
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    d = tmp_path_factory.mktemp("refi")
    with Store.open(d / "source.duckdb", KEY) as s:
        load_demo(s, withdraw=False)
        export_qdpx(s, d / "demo.qdpx")
        export_qdc(s, d / "demo.qdc")
        yield d, codings(s), codebook(s)


def _fresh(tmp_path):
    """A second store with the same transcripts redacted, but no codebook or codings."""
    s = Store.open(tmp_path / "fresh.duckdb", KEY)
    import_participants(s, DEMO_DIR / "participants.csv")
    import_transcripts(s, transcript_files())
    redaction.propose(s, use_ner=False)
    redaction.accept_all(s)
    redaction.apply(s)
    return s


def _key(cs):
    return sorted((c.transcript_id, c.start, c.end, c.code_id, c.coder) for c in cs)


def test_qdpx_is_a_zip_with_project_and_sources_that_passes_the_structural_check(exported):
    d, _, _ = exported
    with zipfile.ZipFile(d / "demo.qdpx") as zf:
        names = zf.namelist()
        xml = zf.read("project.qde")
        sources = [zf.read(n).decode("utf-8") for n in names if n.startswith("sources/")]
    assert "project.qde" in names and len(sources) == 6
    assert validate_project(xml).ok
    root = etree.fromstring(xml)
    assert root.tag == f"{{{NS}}}Project"
    assert [etree.QName(c).localname for c in root] == ["Users", "CodeBook", "Sources"]


def test_qdpx_carries_only_redacted_text(exported):
    d, _, _ = exported
    with zipfile.ZipFile(d / "demo.qdpx") as zf:
        everything = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8")
    for p in planted():
        if len(p.text) > 3:
            assert p.text not in everything, (p.transcript_id, p.kind)
    assert "[NAME]" in everything


def test_round_trip_restores_the_same_codings_and_codebook(exported, tmp_path):
    d, original, book = exported
    with _fresh(tmp_path) as s:
        result = import_qdpx(s, d / "demo.qdpx")
        assert (result.n_sources, result.n_codings, result.coders) == (6, 65, ("coder-a",
                                                                             "coder-b"))
        assert _key(codings(s)) == _key(original)
        assert codebook(s) == book


def test_qdc_round_trip(exported, tmp_path):
    d, _, book = exported
    assert read_qdc(d / "demo.qdc") == book
    with Store.open(tmp_path / "c.duckdb", KEY) as s:
        assert import_qdc(s, d / "demo.qdc") == len(book)
        assert codebook(s) == book


def _rewrite(src, dst, edit):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            zout.writestr(n, edit(data) if n == "project.qde" else data)


def test_broken_xml_is_refused_with_its_line(exported, tmp_path):
    d, _, _ = exported
    bad = tmp_path / "broken.qdpx"
    _rewrite(d / "demo.qdpx", bad, lambda x: x.replace(b"</Sources>", b"</Sourcez>"))
    with _fresh(tmp_path) as s:
        with pytest.raises(DhkitError) as exc:
            import_qdpx(s, bad)
        assert exc.value.code == "QUAL-081" and "broken.qdpx" in exc.value.message
        assert "line" in exc.value.message
        assert codings(s) == [] and codebook(s) == []


def test_unknown_code_reference_is_refused_and_nothing_imported(exported, tmp_path):
    d, _, book = exported
    bad = tmp_path / "unknown.qdpx"
    guid = book[-1].guid.encode()
    _rewrite(d / "demo.qdpx", bad,
             lambda x: x.replace(b'CodeRef targetGUID="' + guid,
                                 b'CodeRef targetGUID="00000000-0000-0000-0000-00000000000' +
                                 b'1" x="', 1))
    with _fresh(tmp_path) as s:
        with pytest.raises(ValidationError) as exc:
            import_qdpx(s, bad)
        assert exc.value.report.codes() == ["QUAL-082"]
        assert exc.value.report.problems[0].line > 1
        assert codings(s) == [] and codebook(s) == []


def test_source_text_edited_in_another_tool_is_refused(exported, tmp_path):
    d, _, _ = exported
    bad = tmp_path / "edited.qdpx"
    with zipfile.ZipFile(d / "demo.qdpx") as zin, zipfile.ZipFile(bad, "w") as zout:
        for n in zin.namelist():
            data = zin.read(n)
            zout.writestr(n, b"extra " + data if n.startswith("sources/") else data)
    with _fresh(tmp_path) as s:
        with pytest.raises(ValidationError) as exc:
            import_qdpx(s, bad)
        assert set(exc.value.report.codes()) == {"QUAL-084"}
        assert codings(s) == []


def test_withdrawn_participants_are_left_out_of_new_exports(tmp_path):
    import datetime as dt

    from dhkit.qualitative.participants import withdraw

    with Store.open(tmp_path / "w.duckdb", KEY) as s:
        load_demo(s, withdraw=False)
        withdraw(s, "YP-03", dt.date(2025, 4, 2))
        export_qdpx(s, tmp_path / "w.qdpx")
    xml = zipfile.ZipFile(tmp_path / "w.qdpx").read("project.qde")
    names = [e.get("name") for e in etree.fromstring(xml).iter(f"{{{NS}}}TextSource")]
    assert names == ["FW-01", "FW-02", "JP-01", "YP-01", "YP-02"]


def test_not_a_zip_is_refused(tmp_path):
    bad = tmp_path / "plain.qdpx"
    bad.write_text("hello", encoding="utf-8")
    with Store.open(tmp_path / "x.duckdb", KEY) as s, pytest.raises(DhkitError) as exc:
        import_qdpx(s, bad)
    assert exc.value.code == "QUAL-080"


def test_structural_check_catches_order_missing_attributes_and_bad_guids():
    xml = (f'<Project xmlns="{NS}" name="p"><Sources><TextSource guid="nope" name="a">'
           '<PlainTextSelection guid="3f2504e0-4f89-11d3-9a0c-0305e82c3301" startPosition="5"/>'
           '</TextSource></Sources><CodeBook><Codes><Code name="x"/></Codes></CodeBook>'
           '</Project>').encode()
    messages = [p.message for p in validate_project(xml)]
    assert any("comes after" in m for m in messages)          # CodeBook after Sources
    assert any("'nope' is not a GUID" in m for m in messages)
    assert any("endPosition" in m for m in messages)
    assert any("isCodable" in m for m in messages)
    assert any("PlainTextContent or plainTextPath" in m for m in messages)
