"""The checklist and the Colombia assessment: schema, size, validation of bad input."""

from __future__ import annotations

import pytest

from dhkit.legal import yamlio
from dhkit.legal.assessment import (
    check_assessment_file,
    colombia_assessment_path,
    diff_assessments,
    load_assessment,
    validate_assessment,
)
from dhkit.legal.checklist import (
    AREA_PREFIX,
    default_checklist_path,
    load_checklist,
    validate_checklist,
)


def test_checklist_has_140_items_in_all_six_areas():
    cl = load_checklist()
    assert len(cl.items) >= 140
    assert {i.area for i in cl.items} == set(AREA_PREFIX)
    assert all(i.question["es"] and i.question["en"] for i in cl.items)
    assert cl.version == "1.0.0"


def test_checklist_covers_the_topics_the_methodology_names():
    topics = {i.topic for i in load_checklist().items}
    assert {"csam", "grooming", "livestreaming", "extortion", "consent", "exposure",
            "extraterritorial", "double_criminality", "notice_takedown", "safety_by_design",
            "non_punishment", "remedies"} <= topics


def test_checklist_validation_lists_every_problem_with_its_line(tmp_path):
    text = default_checklist_path().read_text(encoding="utf-8")
    text = text.replace("- id: DEF-02\n  area: definitions", "- id: DEF-01\n  area: definitions", 1)
    text = text.replace("standards: [CRC art. 1, LAN art. 3(a), OPSC-G]",
                        "standards: [XYZ art. 1]", 1)
    text = text.replace("- id: POL-01\n  area: policy", "- id: POL-01\n  area: politics", 1)
    bad = tmp_path / "checklist.yaml"
    bad.write_text(text, encoding="utf-8")
    report = validate_checklist(yamlio.load(bad), str(bad))
    codes = report.codes()
    assert "LEG-003" in codes and "LEG-004" in codes and "LEG-002" in codes
    dup = next(p for p in report if p.code == "LEG-003")
    assert dup.line == text.splitlines().index("- id: DEF-01", text.splitlines().index(
        "- id: DEF-01") + 1) + 1


def test_colombia_assessment_is_complete_and_every_settled_answer_is_cited():
    cl = load_checklist()
    a, report = check_assessment_file(colombia_assessment_path(), cl)
    assert report.ok, [str(p) for p in report]
    assert {x.item for x in a.answers} == {i.id for i in cl.items}
    settled = [x for x in a.answers if x.answer != "unknown"]
    assert settled and all(x.cite and x.cite.section and x.cite.pages for x in settled)
    assert all(x.note and x.note_es for x in a.answers)


@pytest.mark.parametrize("item, answer", [
    ("DEF-09", "not_met"),   # AI-generated material outside the CSAM definition
    ("CRM-19", "not_met"),   # online-only grooming not criminalised
    ("CRM-06", "not_met"),   # mere access not criminalised
    ("CRM-23", "not_met"),   # no specific sexual-extortion offence
    ("DEF-11", "not_met"),   # livestreaming not explicit
    ("CRM-17", "not_met"),   # exposing children to sexual content
    ("CRM-34", "met"),       # age of consent set (14)
    ("CRM-36", "not_met"),   # no close-in-age exemption
    ("JUR-05", "unknown"),   # the report does not settle double criminality
])
def test_colombia_answers_match_the_report(item, answer):
    assert load_assessment(colombia_assessment_path()).answer_for(item).answer == answer


def test_bad_assessment_reports_every_problem_with_line(tmp_path):
    text = colombia_assessment_path().read_text(encoding="utf-8")
    lines = text.splitlines()
    text = text.replace("- item: DEF-02\n  answer: unknown", "- item: DEF-02\n  answer: maybe", 1)
    text = text.replace("- item: DEF-04\n", "- item: DEF-99\n", 1)
    # drop the citation of DEF-03 (not_met)
    start = text.index("- item: DEF-03")
    cite = text.index("  cite:", start)
    end = text.index("  note:", cite)
    text = text[:cite] + text[end:]
    bad = tmp_path / "assessment-CO.yaml"
    bad.write_text(text, encoding="utf-8")
    a, report = check_assessment_file(bad)
    assert a is None
    codes = report.codes()
    assert {"LEG-011", "LEG-010", "LEG-012", "LEG-013"} <= set(codes)
    p = next(p for p in report if p.code == "LEG-011")
    assert p.line == text.splitlines().index("- item: DEF-02") + 1 and p.value == "maybe"
    assert len(lines) > 100


def test_final_status_needs_a_reviewer(tmp_path):
    doc = yamlio.load(colombia_assessment_path())
    doc["status"], doc["reviewer"] = "final", None
    report = validate_assessment(doc, "x.yaml", load_checklist())
    assert report.codes() == ["LEG-015"]


def test_diff_between_versions_names_the_changed_items(tmp_path):
    old = load_assessment(colombia_assessment_path())
    newer = tmp_path / "assessment-CO.yaml"
    text = colombia_assessment_path().read_text(encoding="utf-8").replace(
        "version: 1\n", "version: 2\n", 1)
    text = text.replace("- item: JUR-02\n  answer: unknown",
                        "- item: JUR-02\n  answer: met\n  provision: Criminal Code, art. 16\n"
                        "  cite: {source: DH-CO, section: new evidence, pages: 1}", 1)
    newer.write_text(text, encoding="utf-8")
    changes = diff_assessments(old, load_assessment(newer))
    assert [(c.item, c.field) for c in changes] == [("*", "version"), ("JUR-02", "answer"),
                                                    ("JUR-02", "provision"), ("JUR-02", "cite")]
