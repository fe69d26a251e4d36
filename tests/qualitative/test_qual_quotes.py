"""Quote bank: consent, withdrawal and redaction rules; attribution; exports free of
identifiers."""

import datetime as dt

import openpyxl
import pytest

from dhkit.errors import DhkitError, SafetyError
from dhkit.qualitative.demo import load_demo, planted
from dhkit.qualitative.participants import withdraw
from dhkit.qualitative.quotes import export_quotes, get_quote, quote_bank, quotes_for
from dhkit.workspace.store import Store

KEY = "qual-test-key-0123456789"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("quotes") / "s.duckdb"
    with Store.open(path, KEY) as s:
        load_demo(s, withdraw=False)
        yield s


def test_quotes_by_code_include_sub_codes_and_carry_group_attribution(store):
    quotes = quotes_for(store, "disclosure", lang="es")
    assert {q.code_id for q in quotes} == {"disclosure.shame", "disclosure.told"}
    assert {q.attribution for q in quotes} == {"(YP)"}
    assert quotes_for(store, "disclosure", include_children=False) == []


def test_attribution_never_shows_the_participant_id(store):
    quotes, _ = quote_bank(store, sex=True, age=True)
    assert "(YP, female, 16-17)" in {q.attribution for q in quotes}
    for q in quotes:
        assert not any(pid in q.attribution or pid in q.quote_id
                       for pid in ("YP-01", "YP-02", "YP-03", "FW-01", "FW-02", "JP-01"))


def test_participant_without_consent_to_quote_is_never_quoted(store):
    # JP-01 (consent to interview, not to quote) is the only one coded response.justice
    assert quotes_for(store, "response.justice", coder="coder-a") == []
    _, withheld = quote_bank(store)
    assert withheld.no_quote_consent > 0


def test_withdrawal_removes_quotes_from_every_later_output(tmp_path):
    with Store.open(tmp_path / "s.duckdb", KEY) as s:
        load_demo(s, withdraw=False)
        before = quotes_for(s, "coercion", lang="es")
        from_yp03 = [q for q in before if "[SCHOOL]" in q.text]
        assert len(from_yp03) == 1
        withdraw(s, "YP-03", dt.date(2025, 4, 2))
        after = quotes_for(s, "coercion", lang="es")
        assert len(after) == len(before) - 1 and from_yp03[0] not in after
        with pytest.raises(SafetyError) as exc:
            get_quote(s, from_yp03[0].quote_id)
        assert exc.value.code == "QUAL-061" and from_yp03[0].quote_id in exc.value.message
        export_quotes(quote_bank(s)[0], tmp_path / "bank.html")
        assert "nadie pregunta" not in (tmp_path / "bank.html").read_text(encoding="utf-8")


def test_unknown_code_is_a_clear_error(store):
    with pytest.raises(DhkitError) as exc:
        quotes_for(store, "no.such.code")
    assert exc.value.code == "QUAL-060"


def test_no_planted_identifier_appears_in_any_export(store, tmp_path):
    quotes, _ = quote_bank(store, sex=True, age=True)
    assert len(quotes) > 20
    export_quotes(quotes, tmp_path / "bank.html")
    export_quotes(quotes, tmp_path / "bank.xlsx")
    html = (tmp_path / "bank.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(tmp_path / "bank.xlsx")
    cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    texts = [q.text for q in quotes]
    for p in planted():
        for where in (html, cells, *texts):
            if p.kind == "AGE" and p.text == "16":  # bare number: check as a word
                assert " 16 " not in where
            else:
                assert p.text not in where, (p.transcript_id, p.kind)


def test_html_export_escapes_and_names_its_provenance(store, tmp_path):
    path = export_quotes(quotes_for(store, "norms"), tmp_path / "norms.html")
    html = path.read_text(encoding="utf-8")
    assert "sha256" in html and "dhkit" in html and "[PLACE]" in html


def test_export_to_an_unknown_format_is_refused(store, tmp_path):
    with pytest.raises(DhkitError) as exc:
        export_quotes([], tmp_path / "bank.docx")
    assert exc.value.code == "QUAL-064"
