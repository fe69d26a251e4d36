"""Codebook and coded segments: validation with every problem listed, matrices."""

import pytest

from dhkit.errors import ValidationError
from dhkit.qualitative.codebook import codebook, dump_codebook, load_codebook, parse_codebook
from dhkit.qualitative.codings import code_matrix, codings, cooccurrence, import_codings
from dhkit.qualitative.demo import DEMO_DIR, load_demo
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store.open(tmp_path_factory.mktemp("codings") / "s.duckdb", KEY) as s:
        load_demo(s, withdraw=False)
        yield s


def test_codebook_is_hierarchical_and_round_trips_through_yaml():
    codes = load_codebook(DEMO_DIR / "codebook.yaml")
    assert [c.code_id for c in codes if c.parent_id == "disclosure"] == [
        "disclosure.shame", "disclosure.told"]
    assert parse_codebook(dump_codebook(codes), "again.yaml") == codes


def test_codebook_problems_are_listed_with_lines():
    text = ("codes:\n"
            "  - id: a\n    name: A\n    colour: red\n"
            "  - id: a\n    name: Again\n"
            "  - id: b c\n    name: ''\n")
    with pytest.raises(ValidationError) as exc:
        parse_codebook(text, "bad.yaml")
    found = [(p.code, p.line) for p in exc.value.report]
    assert found == [("QUAL-041", 2), ("QUAL-043", 5), ("QUAL-042", 7), ("QUAL-042", 7)]


def test_demo_codings_are_stored_per_coder(store):
    assert len(codings(store, "coder-a")) == 31 and len(codings(store, "coder-b")) == 34
    assert [c.code_id for c in codebook(store)][:2] == ["contact", "contact.unsolicited"]


def test_code_by_group_matrix_counts_participants(store):
    m = code_matrix(store, coder="coder-a")
    assert m.loc["recommendations"].tolist() == [3, 2, 1, 6]
    assert m.loc["response.justice"].tolist() == [0, 0, 1, 1]
    segments = code_matrix(store, count="segments", coder="coder-a")
    assert segments.loc["response.justice", "JP"] == 2


def test_parent_codes_roll_up_their_sub_codes(store):
    rolled = code_matrix(store, coder="coder-a")
    assert rolled.loc["disclosure"].tolist() == [2, 0, 0, 2]   # YP-01 and YP-03
    flat = code_matrix(store, coder="coder-a", rollup=False)
    assert flat.loc["disclosure"].tolist() == [0, 0, 0, 0]


def test_cooccurrence_counts_overlapping_segments(store):
    m = cooccurrence(store, coder="coder-b")
    assert m.loc["disclosure.told", "response.justice"] == 1
    assert m.loc["response.justice", "recommendations"] == 1
    assert m.loc["norms", "norms"] == 5


def test_bad_codings_file_lists_every_problem_and_imports_nothing(store, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("transcript_id,code,coder,start,end,match\n"
                    "XX-09,norms,coder-c,0,10,\n"               # unknown transcript
                    "YP-01,no.code,coder-c,0,10,\n"             # unknown code
                    "YP-01,norms,coder-c,0,100000,\n"           # outside the text
                    "YP-01,norms,coder-c,,,not in the text\n"   # passage not found
                    "YP-01,norms,coder-c,10,40,\n"
                    "YP-01,norms,coder-c,30,60,\n",             # overlaps row 6, same code
                    encoding="utf-8")
    before = len(codings(store))
    with pytest.raises(ValidationError) as exc:
        import_codings(store, path)
    assert [(p.code, p.row) for p in exc.value.report] == [
        ("QUAL-050", 2), ("QUAL-052", 3), ("QUAL-054", 4), ("QUAL-054", 5), ("QUAL-055", 7)]
    assert "bad.csv" in exc.value.message
    assert len(codings(store)) == before


def test_overlap_with_a_stored_segment_of_the_same_coder_is_refused(store, tmp_path):
    first = codings(store, "coder-a")[0]
    path = tmp_path / "again.csv"
    path.write_text("transcript_id,code,coder,start,end\n"
                    f"{first.transcript_id},{first.code_id},coder-a,{first.start + 1},"
                    f"{first.end + 5}\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        import_codings(store, path)
    assert exc.value.report.codes() == ["QUAL-055"]
