"""Report languages: Babel message catalogs for every heading, footnote and label, and
locale-aware numbers (21.3% in English, 21,3 % in Spanish).

The catalogs are gettext ``.po`` files under ``report/locale/<lang>/LC_MESSAGES/``, read
with Babel at run time (no compile step, so a translator edits one text file). English is
the source language. Labels of indicators, bases and domains live in the catalogue
itself, in every language.

>>> t = Translator("es")
>>> t("Contents")
'Contenido'
>>> t.percent(0.2134)
'21,3\\xa0%'
>>> Translator("en").percent(0.2134)
'21.3%'
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from dhkit.errors import DhkitError

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "es")
_LOCALES = {"en": "en_US", "es": "es"}


@lru_cache(maxsize=None)
def _messages(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / "dhkit.po"
    if lang == "en" or not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return {m.id: m.string for m in catalog if m.id and m.string}


class Translator:
    """``t("text")`` translates; ``t.percent``/``t.number`` format for the locale."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGUAGES:
            raise DhkitError("RPT-001", f"unknown report language '{lang}'; use one of "
                             f"{', '.join(LANGUAGES)}.")
        self.lang = lang
        self.locale = Locale.parse(_LOCALES[lang])
        self._msgs = _messages(lang)
        pattern = self.locale.percent_formats[None].pattern
        self._pct_pattern = pattern.replace("#,##0", "#,##0.0", 1)

    def __call__(self, text: str, **kwargs) -> str:
        out = self._msgs.get(text, text)
        return out.format(**kwargs) if kwargs else out

    def missing(self, texts: list[str]) -> list[str]:
        """Source texts with no translation in this language (empty for English)."""
        return [] if self.lang == "en" else [t for t in texts if t not in self._msgs]

    def label(self, label: dict) -> str:
        return label.get(self.lang) or label.get("en") or ""

    def percent(self, x: float | None, digits: int = 1) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return ""
        from babel.numbers import format_percent

        pattern = self._pct_pattern if digits == 1 else self.locale.percent_formats[None].pattern
        return format_percent(x, format=pattern, locale=self.locale)

    def number(self, x: float | None, digits: int = 0) -> str:
        if x is None or (isinstance(x, float) and math.isnan(x)):
            return ""
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(x, format=fmt, locale=self.locale)
