"""The analyst's imports page reads like ``dhkit status``: validation problems by code, and
in a section of their own the warnings whose rows were kept (IMP-022, a repeat's entries
against its ``repeat_count``), never among the problems."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "ingest"))
import fieldforms as ff  # noqa: E402

from dhkit.dashboard.server import imports_context  # noqa: E402
from dhkit.dashboard.views import ROLE_PAGES, Chrome, team_page  # noqa: E402
from dhkit.ingest.importer import import_files  # noqa: E402
from dhkit.workspace.config import init_study  # noqa: E402


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """Three households: the first lists 2 members for a count of 3 (IMP-022, kept), the
    third names a region the form does not have (IMP-005, quarantined with its entries)."""
    tmp = tmp_path_factory.mktemp("warned")
    study = init_study(tmp / "study", instrument=ff.household_form(tmp / "hh_visit.xlsx",
                                                                   size=True), demo=True)
    subs = ff.sample(3)
    for s, n in zip(subs, (3, 2, 2)):
        s.hh_size = n
    subs[2].region = "nowhere"
    import_files(study, ff.kobo_csvs(tmp, subs, size=True))
    return study


def _table(page: str, caption: str) -> dict[str, str]:
    start = page.index(f"<caption>{caption}</caption>")
    body = page[start:page.index("</table>", start)]
    return dict(re.findall(r'<th scope="row">([^<]*)</th><td class="num">([^<]*)</td>', body))


def _page(site_data, study, lang: str) -> str:
    chrome = Chrome("ana", "analyst", "token", ROLE_PAGES["analyst"])
    return team_page(site_data, lang, "team/imports.html", chrome, imports_context(study))


def test_warnings_whose_rows_were_kept_have_their_own_table(site_data, warned):
    page = _page(site_data, warned, "en")
    assert _table(page, "Warnings (data kept)") == {"IMP-022": "1"}
    problems = _table(page, "Validation problems by code")
    assert "IMP-022" not in problems and problems["IMP-005"] == "1"
    assert page.index("Validation problems by code") < page.index("Warnings (data kept)")
    assert "the rows they concern stay in the tables" in page
    # the kept household is counted in the table, the refused one in quarantine
    status = imports_context(warned)["status"]
    assert {t.table: (t.rows, t.quarantined) for t in status.tables}["main"] == (2, 1)


def test_the_warnings_section_is_in_spanish_too(site_data, warned):
    page = _page(site_data, warned, "es")
    assert _table(page, "Advertencias (datos conservados)") == {"IMP-022": "1"}
    assert "IMP-022" not in _table(page, "Problemas de validación por código")


def test_a_study_without_warnings_shows_no_warnings_section(site_data, planted):
    page = _page(site_data, planted.study, "en")
    assert "Warnings (data kept)" not in page
