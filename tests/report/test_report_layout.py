"""Print layout of the report's PDF (WeasyPrint with the report's own stylesheet)."""

import subprocess

import pytest

from dhkit.report.render import TEMPLATES

pytest.importorskip("weasyprint")


def _printed(body: str, tmp_path) -> list[str]:
    """The text of each page of ``body`` printed with the report's stylesheet."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return _pdf_pages(f"<html><head><style>{css}</style></head><body class='print'>{body}"
                      "</body></html>", tmp_path)


def _pdf_pages(html: str, tmp_path) -> list[str]:
    from weasyprint import HTML

    path = tmp_path / "layout.pdf"
    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def test_a_table_title_at_the_foot_of_a_page_goes_over_with_its_table(tmp_path):
    """A caption left alone at the bottom of a page reads as a missing table: the title
    moves to the next page with the header and the first rows."""
    rows = "".join(f"<tr><th>Row {i}</th><td class='num'>{i}.0</td></tr>" for i in range(6))
    pages = _printed("<div style='height: 248mm'>Filler</div>"
                     "<table class='est'><caption>Table 3. Devices</caption>"
                     "<thead><tr><th>Indicator</th><th>Total</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>", tmp_path)
    assert "Table 3. Devices" not in pages[0]
    assert "Table 3. Devices" in pages[1] and "Row 0" in pages[1]


def test_a_heading_and_its_sentence_go_over_with_the_table_they_introduce(tmp_path):
    """A heading and one sentence left at the foot of a page, their table over the leaf
    (the law-enforcement capacity block on page 29 of the demo report), read as an empty
    section: they move to the next page with the table."""
    rows = "".join(f"<tr><th>Question {i}</th><td>Yes</td></tr>" for i in range(6))
    pages = _printed("<div style='height: 227mm'>Filler</div>"
                     "<div class='block'><h3>Law-enforcement capacity</h3>"
                     "<p>Answers of the national assessment that are public.</p>"
                     "<table class='est simple'><caption>Capacity</caption><thead><tr>"
                     "<th>Question</th><th>Answer</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table></div>", tmp_path)
    assert "Law-enforcement capacity" not in pages[0]
    assert "Answers of the national" in pages[1] and "Question 0" in pages[1]


@pytest.mark.parametrize("tag", ["ul", "ol"])
def test_the_last_item_of_a_list_does_not_stand_alone_on_a_page(tmp_path, tag):
    """The demo's methods chapter ended with its last limitation alone on page 9: wherever
    the page breaks in a list, its last item goes over with the one before it."""
    items = "".join(f"<li>Limitation number {i}: a line of text.</li>" for i in range(1, 7))
    spilled = 0
    for filler in range(206, 236, 2):
        pages = _printed(f"<div style='height: {filler}mm'>Filler</div><div class='block'>"
                         f"<h3>Limitations</h3><{tag}>{items}</{tag}></div>", tmp_path)
        if len(pages) > 1 and "Limitation number 6" in pages[1]:
            spilled += 1
            assert "Limitation number 5" in pages[1], filler
    assert spilled >= 3            # the break fell inside the list at several heights
