"""Report languages: every UI text translated; locale number formats."""

from dhkit.indicators.catalogue import load_catalogue
from dhkit.report.i18n import Translator
from dhkit.report.render import UI_STRINGS


def test_every_report_text_has_a_spanish_translation():
    assert Translator("es").missing(UI_STRINGS) == []


def test_spanish_percent_uses_a_decimal_comma_and_a_space():
    assert Translator("es").percent(0.213) == "21,3\xa0%"
    assert Translator("en").percent(0.213) == "21.3%"


def test_large_numbers_are_grouped_by_locale():
    assert Translator("en").number(860000) == "860,000"
    assert Translator("es").number(860000) == "860.000"


def test_catalogue_labels_exist_in_both_languages():
    cat = load_catalogue()
    assert all(ind.label.get("es") and ind.label.get("en") for ind in cat.indicators.values())
