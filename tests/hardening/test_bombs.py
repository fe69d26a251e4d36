"""Bombs: a YAML alias bomb and zip bombs (.qdpx, .docx, .odt, .xlsx) are refused fast with a
coded error, before memory grows. The zip bombs are small (a few MB of zeros, ~1000:1) and
the caps are lowered through the environment so the tests stay fast."""

import time
import zipfile

import pytest

from dhkit.errors import DhkitError


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\ncodes: *j\nitems: *j\n"


@pytest.fixture
def bomb_yaml(tmp_path):
    p = tmp_path / "bomb.yaml"
    p.write_text(billion_laughs(), encoding="utf-8")
    return p


def _refused_fast(call, code):
    t0 = time.perf_counter()
    with pytest.raises(DhkitError) as exc:
        call()
    assert exc.value.code == code
    assert time.perf_counter() - t0 < 5
    return exc.value


def test_alias_bomb_in_a_data_file_is_refused(bomb_yaml):
    from dhkit import yamlio

    err = _refused_fast(lambda: yamlio.load(bomb_yaml), "YAML-002")
    assert "bomb.yaml" in err.message and "alias" in err.message


def test_alias_bomb_in_a_legal_file_is_refused(bomb_yaml):
    from dhkit.legal import yamlio

    _refused_fast(lambda: yamlio.load(bomb_yaml), "YAML-002")


def test_alias_bomb_in_a_qualitative_codebook_is_refused(bomb_yaml):
    from dhkit.qualitative.codebook import load_codebook

    _refused_fast(lambda: load_codebook(bomb_yaml), "YAML-002")


def test_recursive_alias_is_refused(tmp_path):
    from dhkit import yamlio

    p = tmp_path / "r.yaml"
    p.write_text("a: &a [1, *a]\n", encoding="utf-8")
    _refused_fast(lambda: yamlio.load(p), "YAML-002")


def test_a_few_honest_aliases_still_load():
    from dhkit import yamlio

    assert yamlio.loads("base: &b {x: 1}\nother: *b\n")["other"] == {"x": 1}


# ------------------------------------------------------------------ zip bombs
@pytest.fixture
def low_caps(monkeypatch):
    monkeypatch.setenv("DHKIT_ZIP_MAX_BYTES", str(2 << 20))      # 2 MB
    monkeypatch.setenv("DHKIT_ZIP_MAX_RATIO", "100")


def zip_bomb(path, member: str, others: dict | None = None, size: int = 4 << 20):
    """A zip whose ``member`` is ``size`` bytes of zeros (compressed ~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (others or {}).items():
            z.writestr(name, text)
        z.writestr(member, b"\0" * size)
    return path


def test_docx_bomb_is_refused(tmp_path, low_caps):
    from dhkit.qualitative.transcripts import read_transcript

    p = zip_bomb(tmp_path / "t.docx", "word/document.xml", {"[Content_Types].xml": "<x/>"})
    assert p.stat().st_size < 64 << 10
    _refused_fast(lambda: read_transcript(p), "IO-010")


def test_odt_bomb_is_refused(tmp_path, low_caps):
    from dhkit.qualitative.transcripts import read_transcript

    p = zip_bomb(tmp_path / "t.odt", "content.xml", {"mimetype": "application/vnd.oasis"})
    _refused_fast(lambda: read_transcript(p), "IO-010")


def test_qdpx_bomb_is_refused(tmp_path, low_caps):
    from dhkit.qualitative.refiqda import _read_zip

    p = zip_bomb(tmp_path / "p.qdpx", "sources/a.txt", {"project.qde": "<Project/>"})
    _refused_fast(lambda: _read_zip(p), "IO-010")


def test_xlsx_bomb_is_refused_by_every_xlsx_reader(tmp_path, low_caps):
    from dhkit.ingest.readers import _load_xlsx
    from dhkit.instrument.xlsform import _open
    from dhkit.legal.xlsxio import read_sheet
    from dhkit.tabular import read_table
    from dhkit.validation import ValidationReport
    from dhkit.workspace.store import connect_memory

    p = zip_bomb(tmp_path / "b.xlsx", "xl/worksheets/sheet1.xml",
                 {"[Content_Types].xml": "<x/>"})
    _refused_fast(lambda: _load_xlsx(connect_memory(), p, "t"), "IO-010")
    _refused_fast(lambda: _open(p), "IO-010")
    _refused_fast(lambda: read_sheet(p, "answers", ["item"], ValidationReport()), "IO-010")
    _refused_fast(lambda: read_table(p), "IO-010")


def test_ratio_alone_refuses_a_bomb_under_the_size_cap(tmp_path, monkeypatch):
    from dhkit.zipguard import check_zip

    monkeypatch.setenv("DHKIT_ZIP_MAX_RATIO", "100")
    p = zip_bomb(tmp_path / "b.docx", "word/document.xml", size=3 << 20)
    err = _refused_fast(lambda: check_zip(p), "IO-010")
    assert "compressed" in err.message


def test_a_member_that_lies_about_its_size_is_stopped_at_the_cap(tmp_path):
    from dhkit.zipguard import read_member

    p = zip_bomb(tmp_path / "p.qdpx", "sources/a.txt", size=3 << 20)
    with zipfile.ZipFile(p) as z:
        _refused_fast(lambda: read_member(z, "sources/a.txt", max_bytes=1 << 20), "IO-010")


def test_real_office_files_pass_the_default_caps(tmp_path):
    from dhkit.instrument.xlsform import _open
    from dhkit.instrument import shipped_form_path

    _open(shipped_form_path()).close()
