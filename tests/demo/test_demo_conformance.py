"""docs/conformance.md is true: regenerated from the default demo, it equals the file."""

from __future__ import annotations

import pytest

from dhkit.demo.conformance import DOC, FIGURES, build_document, render


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    return build_document(tmp_path_factory.mktemp("conformance"))


def test_committed_conformance_table_equals_the_regenerated_one(document):
    assert DOC.read_text(encoding="utf-8") == document, \
        "docs/conformance.md is out of date: run `python -m dhkit.demo.conformance`"


def test_every_colombia_figure_has_a_row(document):
    rows = [line for line in document.splitlines() if line.startswith("| ") and
            not line.startswith("| section")]
    assert len(rows) == len(FIGURES)
    assert all(line.rstrip().endswith(("| yes |", "| no |", "| base differs |",
                                       "| not estimated |", "| suppressed |")) for line in rows)


def test_headline_and_design_figures_are_within_tolerance(document):
    by_what = {line.split(" | ")[1]: line.rstrip(" |").rsplit("| ", 1)[-1]
               for line in document.splitlines() if line.startswith("| ")}
    for what in ("Any TF-CSEA, past year", "Response rate", "Children interviewed",
                 "Rural vs urban difference significant", "Children, base of barriers to access",
                 "In-person sexual violence: prevalence ratio (“three times”)"):
        assert by_what[what] == "yes", what


def test_render_counts_the_rows_within_tolerance():
    assert "0 of 0 figures" in render([])
