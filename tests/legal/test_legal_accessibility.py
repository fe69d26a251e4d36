"""Public HTML pages are self-contained and structurally accessible."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from dhkit.legal.assessment import colombia_assessment_path, load_assessment
from dhkit.legal.checklist import load_checklist
from dhkit.legal.gap import build_gap, render_gap_html
from dhkit.legal.recommendations import (colombia_recommendations_path, load_registry,
                                         render_registry_html)


class Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang = None
        self.tables = self.captions = 0
        self.th_without_scope = 0
        self.headings: list[int] = []
        self.external = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th" and "scope" not in a:
            self.th_without_scope += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self.headings.append(int(tag[1]))
        if tag in ("script", "img", "link", "iframe") or a.get("src"):
            self.external.append(tag)
        if "id" in a:
            self.ids.append(a["id"])


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("page", ["gap", "recommendations"])
def test_page_structure(page, lang):
    cl = load_checklist()
    reg = load_registry(colombia_recommendations_path())
    html = (render_gap_html(build_gap(cl, load_assessment(colombia_assessment_path(), cl), lang,
                                      reg), cl)
            if page == "gap" else render_registry_html(reg, lang))
    audit = Audit()
    audit.feed(html)
    assert audit.lang == lang
    assert audit.tables == audit.captions
    assert audit.th_without_scope == 0
    assert audit.headings[0] == 1 and audit.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(audit.headings, audit.headings[1:]))
    assert audit.external == []
    assert len(audit.ids) == len(set(audit.ids))
