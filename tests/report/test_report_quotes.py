"""Chapter quotes: in the report's language (original or the team's translation, marked),
never repeated across chapters, one per participant group first."""

import pytest

from dhkit.errors import ValidationError
from dhkit.qualitative.model import Quote
from dhkit.qualitative.quotes import import_quote_translations, in_language, quote_translations
from dhkit.report.evidence import section_quotes
from dhkit.report.i18n import Translator
from dhkit.report.render import _quote_view
from dhkit.workspace.store import Store

KEY = "report-quotes-test-key-0123"

ES = Quote("Q-1", "disclosure.shame", "Shame", "Me daba mucha vergüenza.", "(YP)", "YP", "es")
EN = Quote("Q-2", "disclosure.told", "Told", "She told her aunt first.", "(FW)", "FW", "en")
JP = Quote("Q-3", "response.justice", "Justice", "Les piden contar lo mismo tres veces.",
           "(JP)", "JP", "es")
PART = Quote("Q-4", "coercion", "Threats", "mucha vergüenza.", "(YP)", "YP", "es")
TR = {("Me daba mucha vergüenza.", "en"): "I was very ashamed.",
      ("She told her aunt first.", "es"): "Primero le contó a su tía.",
      ("Les piden contar lo mismo tres veces.", "en"): "They are asked to tell it three times."}


def test_english_report_shows_translations_marked_with_their_source_language():
    shown = section_quotes([ES, EN], ("disclosure",), lang="en", translations=TR)
    assert [(q.text, q.translated_from) for q in shown] == [
        ("She told her aunt first.", None), ("I was very ashamed.", "es")]
    assert _quote_view(shown[1], Translator("en")).attribution == "(YP) — translated from Spanish"


def test_spanish_report_shows_spanish_only():
    shown = section_quotes([ES, EN], ("disclosure",), lang="es", translations=TR)
    assert [q.text for q in shown] == ["Me daba mucha vergüenza.", "Primero le contó a su tía."]
    assert _quote_view(shown[1], Translator("es")).attribution == "(FW) — traducido del inglés"


def test_a_quote_without_a_translation_is_left_out_not_shown_in_another_language():
    assert in_language([EN], "es", {}) == []
    assert section_quotes([ES], ("disclosure",), lang="en", translations={}) == []


def test_no_quote_is_repeated_across_chapters_nor_one_inside_another():
    used: set = set()
    first = section_quotes([ES, EN, PART], ("disclosure",), lang="es", translations=TR, used=used)
    again = section_quotes([ES, EN, PART], ("disclosure", "coercion"), lang="es",
                           translations=TR, used=used)
    assert len(first) == 2 and again == []          # PART is a piece of ES: not shown either


def test_justice_chapter_gets_the_justice_professional():
    shown = section_quotes([ES, EN, JP], ("response.justice",), lang="en", translations=TR)
    assert [(q.text, q.group) for q in shown] == [("They are asked to tell it three times.", "JP")]


def test_translations_are_stored_and_placeholders_must_match(tmp_path):
    good = tmp_path / "t.csv"
    good.write_text("quote,language,translation\n\"Hablé con [NAME].\",en,\"I spoke to [NAME].\"\n",
                    encoding="utf-8")
    bad = tmp_path / "b.csv"
    bad.write_text("quote,language,translation\n\"Hablé con [NAME].\",en,\"I spoke to Ana.\"\n",
                   encoding="utf-8")
    with Store.open(tmp_path / "s.duckdb", KEY) as s:
        assert import_quote_translations(s, good) == 1
        assert quote_translations(s) == {("Hablé con [NAME].", "en"): "I spoke to [NAME]."}
        with pytest.raises(ValidationError) as exc:
            import_quote_translations(s, bad)
        assert exc.value.report.codes() == ["QUAL-091"] and list(exc.value.report)[0].line == 2
        assert quote_translations(s) == {("Hablé con [NAME].", "en"): "I spoke to [NAME]."}


def test_demo_quotes_of_every_chapter_exist_in_both_languages_with_a_jp_quote(tmp_path):
    from dhkit.indicators.catalogue import load_catalogue, load_plan
    from dhkit.qualitative.demo import load_demo
    from dhkit.qualitative.quotes import quote_bank

    with Store.open(tmp_path / "s.duckdb", KEY) as s:
        load_demo(s, second_wave=True)
        quotes, _ = quote_bank(s)
        tr = quote_translations(s)
    plan = load_plan(catalogue=load_catalogue())
    for lang in ("en", "es"):
        used: set = set()
        groups = set()
        for section in plan.sections:
            if not section.quotes:
                continue
            shown = section_quotes(quotes, section.quotes, lang=lang, translations=tr, used=used)
            assert shown, (lang, section.id)
            groups |= {q.group for q in shown}
            if section.id == "reporting":
                assert {q.code_id for q in shown} == {"response.justice"}
        assert "JP" in groups
