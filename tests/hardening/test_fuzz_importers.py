"""Property-based: random and mutated files fed to every importer end in a clean import or a
coded DhkitError — never another exception (a traceback at the CLI) and never a
half-written store (on error every table keeps its row count).

Seeds are small valid files (the demo generator's exports, a .docx, an .odt, a .qdpx and an
assessment workbook); hypothesis flips bytes, truncates, inserts junk, swaps in random
bytes. Bounded: few examples per importer, no deadline, derandomized (same cases each run).
"""

import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dhkit.errors import DhkitError

SETTINGS = settings(max_examples=8, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
KEY = "fuzz-key-0123456789abcdef"


@st.composite
def mutation(draw, data: bytes) -> bytes:
    """A damaged copy of ``data``."""
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "random", "zip-member"]))
    n = len(data)
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, n - 1))
            out[i] ^= draw(st.integers(1, 255))
        return bytes(out)
    if kind == "truncate":
        return data[:draw(st.integers(0, max(0, n - 1)))]
    if kind == "insert":
        i = draw(st.integers(0, n))
        return data[:i] + draw(st.binary(min_size=1, max_size=64)) + data[i:]
    if kind == "zip-member" and data[:2] == b"PK":
        return _rewrite_member(data, draw)
    return draw(st.binary(min_size=0, max_size=512))


def _rewrite_member(data: bytes, draw) -> bytes:
    """Replace one member of a zip with junk or non-UTF-8 text, keeping a valid archive."""
    import io

    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    victim = draw(st.sampled_from(names))
    junk = draw(st.sampled_from([b"\xff\xfe\x00bad", b"<?xml version='1.0'?><a><b>",
                                 "café".encode("latin-1"), b""]))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            out.writestr(name, junk if name == victim else src.read(name))
    return buf.getvalue()


def _write(data: bytes, suffix: str) -> Path:
    d = Path(tempfile.mkdtemp(prefix="dhkit-fuzz-"))
    p = d / f"input{suffix}"
    p.write_bytes(data)
    return p


def _counts(store) -> dict:
    return {t: store.con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in store.tables()}


def _expect_clean_or_coded(call, before, after):
    """Run ``call``; only DhkitError may come out, and then nothing in the store changed."""
    try:
        call()
    except DhkitError as exc:
        assert exc.code and exc.message
        assert after() == before, "a failed import changed the store"
    except Exception as exc:  # noqa: BLE001 - the property under test
        pytest.fail(f"{type(exc).__name__} escaped (would be a traceback): {exc}"[:300])


# ------------------------------------------------------------------ survey imports
@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    from dhkit.demo.study import generate_study
    from dhkit.workspace.config import init_study, load_study

    root = tmp_path_factory.mktemp("fuzz-survey")
    demo = generate_study(root / "demo", children=12,
                          formats=("kobo_csv", "kobo_xlsx", "sav", "dta", "parquet"))
    init_study(root / "study", demo=True)
    seeds = {fmt: paths[0].read_bytes() for fmt, paths in demo.paths.items()}
    suffix = {fmt: paths[0].suffix for fmt, paths in demo.paths.items()}
    return load_study(root / "study"), seeds, suffix


@pytest.mark.parametrize("fmt", ["kobo_csv", "kobo_xlsx", "sav", "dta", "parquet"])
def test_mutated_survey_exports_import_cleanly_or_fail_coded(survey, fmt):
    from dhkit.ingest.importer import import_files

    study, seeds, suffix = survey

    def state():
        if not study.store_path.exists():
            return None
        with study.open_store() as s:
            return _counts(s)

    @SETTINGS
    @given(data=mutation(seeds[fmt]))
    def check(data):
        path = _write(data, suffix[fmt])
        _expect_clean_or_coded(lambda: import_files(study, [path]), state(), state)

    check()


# ------------------------------------------------------------------ transcripts
def _docx_bytes() -> bytes:
    import io

    import docx

    d = docx.Document()
    for line in ("E: ¿Cómo empezó?", "P: Me escribió por Instagram.", "E: Gracias."):
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _odt_bytes() -> bytes:
    import io

    from odf.opendocument import OpenDocumentText
    from odf.text import P

    doc = OpenDocumentText()
    for line in ("E: ¿Cómo empezó?", "P: Me escribió por Instagram."):
        doc.text.addElement(P(text=line))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("suffix,seed", [(".txt", "E: Hola.\nP: Sí, señora.\n".encode()),
                                         (".docx", None), (".odt", None)])
def test_mutated_transcripts_read_or_fail_coded(suffix, seed):
    from dhkit.qualitative.transcripts import read_transcript

    seed = seed or (_docx_bytes() if suffix == ".docx" else _odt_bytes())

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=mutation(seed))
    def check(data):
        _expect_clean_or_coded(lambda: read_transcript(_write(data, suffix)), None,
                               lambda: None)

    check()


# ------------------------------------------------------------------ REFI-QDA projects
@pytest.fixture(scope="module")
def qual_store(tmp_path_factory):
    from dhkit.qualitative.demo import load_demo
    from dhkit.qualitative.refiqda import export_qdpx
    from dhkit.workspace.store import Store

    root = tmp_path_factory.mktemp("fuzz-qual")
    with Store.open(root / "s.duckdb", KEY) as s:
        load_demo(s, withdraw=False)
        project = export_qdpx(s, root / "p.qdpx").read_bytes()
        yield s, project


def test_mutated_qdpx_projects_import_cleanly_or_fail_coded(qual_store):
    from dhkit.qualitative.refiqda import import_qdpx

    store, project = qual_store

    @SETTINGS
    @given(data=mutation(project))
    def check(data):
        path = _write(data, ".qdpx")
        _expect_clean_or_coded(lambda: import_qdpx(store, path, replace=True),
                               _counts(store), lambda: _counts(store))

    check()


# ------------------------------------------------------------------ legal workbooks
def test_mutated_assessment_workbooks_round_trip_or_fail_coded():
    from dhkit.legal.assessment import colombia_assessment_path, load_assessment
    from dhkit.legal.xlsxio import export_assessment_xlsx, import_assessment_xlsx

    seed = export_assessment_xlsx(load_assessment(colombia_assessment_path()),
                                  Path(tempfile.mkdtemp()) / "a.xlsx").read_bytes()

    @SETTINGS
    @given(data=mutation(seed))
    def check(data):
        _expect_clean_or_coded(lambda: import_assessment_xlsx(_write(data, ".xlsx")), None,
                               lambda: None)

    check()
