"""Small things a reader (and a screen reader) meets on the site: the report's "†" is
seen but spoken as words, and "100 %" never breaks before its "%"."""

import re

from dhkit.dashboard.views import keep_units, marked, spoken


def test_a_significance_mark_is_seen_but_spoken_as_words():
    html = str(marked("Sex †", "en"))
    assert html == ('Sex <span aria-hidden="true">†</span><span class="vh"> (significant '
                    'difference, see the notes)</span>')
    assert "diferencia significativa, véanse las notas" in str(marked("Sexo †", "es"))
    assert spoken("Sex †", "en") == "Sex (significant difference, see the notes)"
    assert str(marked("Area <b>", "en")) == "Area &lt;b&gt;"      # still escaped


def test_numbers_keep_their_units_on_one_line():
    assert str(keep_units("valid for estimates of 0 % and 100 %.")) == \
        "valid for estimates of 0\u00a0% and 100\u00a0%."
    assert str(keep_units("base under 25 (n = 24)")) == "base under 25 (n =\u00a024)"


def test_the_indicator_pages_hide_the_dagger_from_screen_readers(site):
    html = (site.out_dir / "en/indicators/any_tfcsea.html").read_text(encoding="utf-8")
    heads = re.findall(r'<th scope="rowgroup"[^>]*>(.*?)</th>', html)
    marked_heads = [h for h in heads if "†" in h]
    assert marked_heads, "the demo's any-TF-CSEA page has significant planned differences"
    assert all('<span aria-hidden="true">†</span>' in h for h in marked_heads)
    # the chart's text alternative says it in words
    desc = re.findall(r"<desc [^>]*>(.*?)</desc>", html)
    assert desc and all("†" not in d for d in desc)
    assert any("(significant difference, see the notes)" in d for d in desc)


def test_the_about_page_never_breaks_a_percentage_from_its_sign(site):
    for lang in ("en", "es"):
        about = (site.out_dir / lang / "about.html").read_text(encoding="utf-8")
        body = about.split("<main", 1)[1]
        assert not re.search(r"\d %", body), lang
        assert "100\u00a0%" in body, lang
