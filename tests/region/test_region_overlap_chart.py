"""The overlap chart (online only / in person only / both, one stacked bar per country)
shows each part's per cent inside it where the figure fits, readable (white on the dark
parts, near-black on the light one), and is one image for a screen reader with a title
and a description giving every figure in words. Checked on the SVG's text and on the
picture itself (rendered to PNG)."""

import io
import re

import numpy as np
import vl_convert as vlc
from PIL import Image

from dhkit.region.render import (INK, OVERLAP_COLOURS, fits_inside, overlap_chart)
from dhkit.report.i18n import Translator

PARTS = ["1", "2", "3"]          # online only, in person only, both


def _cells(analysis):
    c = analysis.cells
    return c[(c["indicator"] == "abuse_space") & (c["domain"] == "")
             & (c["status"] == "published")]


def _expected_labels(analysis, lang="en"):
    """(country, part) -> the label the chart should draw ('' where it cannot fit)."""
    tr = Translator(lang)
    out = {}
    for r in _cells(analysis).to_dict("records"):
        text = tr.percent(r["estimate"])
        text = f"({text})" if r["flag"] == "caution" else text
        out[(r["country"], r["category"])] = text if fits_inside(text, 100 * r["estimate"]) \
            else ""
    return out


def test_each_part_that_can_hold_its_figure_is_labelled_with_it(analysis):
    svg = overlap_chart(analysis, "abuse_space", "en")
    drawn = re.findall(r'<text[^>]*>([^<]*%\)?)</text>', svg)
    expected = [x for x in _expected_labels(analysis).values() if x]
    assert sorted(drawn) == sorted(expected)
    # the test region (a fifth of the demo) publishes two countries' overlap: six parts,
    # the two "in person only" parts (3–5 %, in parentheses) too narrow for their figure
    assert len(expected) == 4 and all(x.startswith("(") for x in expected)
    narrow = any(x == "" for x in _expected_labels(analysis).values())
    assert ("A part too narrow for its figure has no label in the chart" in svg) == narrow


def _hex(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def test_the_labels_are_seen_in_the_picture(analysis):
    svg = overlap_chart(analysis, "abuse_space", "en").split('<p class="note">')[0]
    img = np.asarray(Image.open(io.BytesIO(vlc.svg_to_png(svg, scale=2))).convert("RGB"),
                     dtype=float)
    blue = np.linalg.norm(img - _hex(OVERLAP_COLOURS[0]), axis=2) < 30
    rows = np.where(blue.sum(axis=1) > 200)[0]          # the bars' rows (not the legend)
    bands = np.split(rows, np.where(np.diff(rows) > 1)[0] + 1)
    shown = set(_cells(analysis)["country"])
    countries = [c.ref.id for c in analysis.countries if c.ref.id in shown]
    assert len(bands) == len(countries) == 2
    expected = _expected_labels(analysis)
    for country, band in zip(countries, bands):
        box = img[band[0] + 2:band[-1] - 1]
        for k, part in enumerate(PARTS):
            if (country, part) not in expected:
                continue
            fill = np.linalg.norm(box - _hex(OVERLAP_COLOURS[k]), axis=2) < 30
            cols = np.where(fill.any(axis=0))[0]
            inside = box[:, cols[0] + 2:cols[-1] - 1]
            ink = np.linalg.norm(inside - _hex(INK[k]), axis=2) < 60
            if expected[(country, part)]:
                assert ink.sum() > 40, (country, part)     # the figure's strokes
            else:
                assert ink.sum() == 0, (country, part)


def test_the_chart_is_one_image_described_in_words(analysis):
    tr = Translator("es")
    svg = overlap_chart(analysis, "abuse_space", "es")
    assert svg.startswith("<svg") and ' role="img" aria-labelledby="overlap-t overlap-d">' \
        in svg.split(">", 1)[0] + ">"
    assert '<title id="overlap-t">Dónde ocurrió el abuso de niñas, niños y adolescentes' in svg
    desc = re.search(r'<desc id="overlap-d">(.*?)</desc>', svg).group(1)
    cells = _cells(analysis).set_index(["country", "category"])
    co = cells["estimate"]
    said = lambda part: tr.percent(co[("CO", part)]) + (          # noqa: E731
        " (interpretar con cautela)" if cells["flag"][("CO", part)] == "caution" else "")
    assert desc.startswith(f"Colombia: Solo en línea {said('1')}, "
                           f"Solo en persona {said('2')}, En línea y en persona {said('3')}; ")
    assert desc.count(";") == cells.index.get_level_values(0).nunique() - 1
