"""The shipped form carries every variable of docs/variables.md, with its type, list and codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dhkit.instrument import shipped_codebook

DOC = Path(__file__).resolve().parents[2] / "docs" / "variables.md"
YES_NO = "select_one yes_no"

# name -> (type, level); level None = main sheet, else the repeat name.
CONTRACT: dict[str, tuple[str, str | None]] = {
    "hh_id": ("text", None), "region": ("select_one region", None), "psu_id": ("text", None),
    "area": ("select_one area", None), "wealth_quintile": ("integer", None),
    "hh_size": ("integer", None), "n_eligible": ("integer", None),
    "selected_line": ("integer", None), "p_psu": ("decimal", None),
    "p_hh": ("decimal", None), "p_child": ("decimal", None),
    "interview_result": ("select_one result", None),
    "consent_caregiver": (YES_NO, None), "assent_child": (YES_NO, None),
    "member_line": ("integer", "roster"), "member_age": ("integer", "roster"),
    "member_sex": ("select_one sex", "roster"), "member_internet": (YES_NO, "roster"),
    "cg_sex": ("select_one cg_sex", None), "cg_age_group": ("select_one cg_age", None),
    "cg_internet_weekly": (YES_NO, None), "cg_knows_platforms": (YES_NO, None),
    "cg_talked_online_safety": (YES_NO, None),
    "cg_would_report": ("select_multiple report_channel", None),
    "cg_worry_online_sex": (YES_NO, None),
    "child_sex": ("select_one child_sex", None), "child_age": ("integer", None),
    "school": (YES_NO, None), "main_device": ("select_one device", None),
    "devices": ("select_multiple device_any", None), "internet_freq": ("select_one freq", None),
    **{f"act_{a}_weekly": (YES_NO, None)
       for a in ("social", "games", "video", "schoolwork", "messaging")},
    **{f"risk_{r}": (YES_NO, None)
       for r in ("met_online_contact", "shared_personal_info", "saw_sexual_content")},
    **{f"ab_{i}": (YES_NO, None)
       for i in ("unwanted_images", "offered_money_images", "requested_sexual_content",
                 "offered_money_acts", "accepted_money_images", "ai_images",
                 "threatened_share", "shared_without_consent")},
    "any_tfcsea": ("calculate", None), "n_instances": ("calculate", None),
    "barriers_help": ("select_multiple barrier", None),
    "inst_no": ("integer", "instance"), "inst_type": ("select_one ab_item", "instance"),
    "inst_online": (YES_NO, "instance"), "inst_platform": ("select_multiple platform", "instance"),
    "inst_met": ("select_one met", "instance"),
    "inst_where_met": ("select_one where_met", "instance"),
    "inst_relation": ("select_one relation", "instance"),
    "inst_perp_under18": (YES_NO, "instance"), "inst_told": (YES_NO, "instance"),
    "inst_told_whom": ("select_multiple confidant", "instance"),
    "inst_why_not_told": ("select_multiple why_not", "instance"),
    "inst_reported_formal": (YES_NO, "instance"),
    # internet-use chapter, overlap with in-person violence, consequences (issue 11)
    "places_online": ("select_multiple place", None),
    "access_barriers": ("select_multiple access_barrier", None),
    **{f"skill_{k}": ("select_one truth", None)
       for k in ("privacy", "check_info", "block", "choose_share")},
    "inperson_sv": (YES_NO, None),
    **{f"mh_{k}": (YES_NO, None) for k in ("anxious", "suicidal", "self_harm")},
}

CODES = {
    "yes_no": ["1", "2", "98", "99"],
    "region": ["caribe", "centro_sur", "centro_oriente", "eje_cafetero", "llano", "pacifico"],
    "area": ["1", "2"], "result": ["1", "2", "3", "4"], "sex": ["1", "2"],
    "cg_sex": ["1", "2", "3"], "cg_age": ["1", "2"], "child_sex": ["1", "2"],
    "report_channel": ["police", "helpline", "school", "social_worker", "platform", "family",
                       "nobody"],
    "device": ["1", "2", "3", "4", "5"],
    "device_any": ["smartphone", "computer", "tablet", "console", "tv"],
    "freq": ["1", "2", "3"],
    "ab_item": ["unwanted_images", "offered_money_images", "requested_sexual_content",
                "offered_money_acts", "accepted_money_images", "ai_images",
                "threatened_share", "shared_without_consent"],
    "platform": ["facebook", "whatsapp", "instagram", "snapchat", "tiktok", "youtube",
                 "telegram", "x", "gaming", "other"],
    "met": ["1", "2"], "where_met": ["school", "home", "public_place", "other"],
    "relation": ["stranger", "family", "partner", "friend", "acquaintance", "refused"],
    "confidant": ["friend", "mother", "father", "sibling", "other_family", "teacher", "police",
                  "helpline", "social_worker", "other"],
    "why_not": ["dont_know_where", "embarrassed", "didnt_care", "not_serious", "afraid",
                "other"],
    "barrier": ["dont_know_where", "embarrassed", "afraid_not_believed", "afraid_trouble",
                "no_service_near", "cost", "other"],
    "place": ["home", "school", "friends_home", "internet_cafe", "public_wifi", "on_the_move"],
    "access_barrier": ["none", "no_signal", "cost", "no_device", "parents_limit", "no_time",
                       "other"],
    "truth": ["1", "2", "3", "4", "99"],
}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_variable_has_its_type_and_level(name):
    cb = shipped_codebook()
    q = cb.question(name)
    assert (q.type, q.repeat) == CONTRACT[name]


@pytest.mark.parametrize("list_name", sorted(CODES))
def test_choice_list_has_the_contract_codes_in_order(list_name):
    assert shipped_codebook().choice_values(list_name) == CODES[list_name]


def test_every_name_in_the_variables_doc_is_in_the_form():
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", text, re.MULTILINE))
    documented |= {n for n in re.findall(r"`([a-z][a-z0-9_]+)`", text)
                   if n.startswith(("cg_", "act_", "risk_", "ab_", "inst_", "member_"))}
    documented -= {"ab_item"}                   # a list name
    cb = shipped_codebook()
    assert documented and documented <= set(cb.questions), documented - set(cb.questions)


def test_data_variables_are_exactly_the_contract():
    cb = shipped_codebook()
    data = {q.name for level in cb.levels() for q in cb.data_questions(level)}
    assert data == set(CONTRACT)


def test_labels_and_choices_in_english_and_spanish():
    cb = shipped_codebook()
    assert cb.languages == ["en", "es"] and cb.default_language == "en"
    for q in cb.questions.values():
        if q.type not in ("calculate", "end group", "end repeat"):
            assert set(q.labels) == {"en", "es"}, q.name
    assert cb.choice_labels("yes_no", "es")["1"] == "Sí"
    assert cb.choice_labels("yes_no")["99"] == "Prefer not to say"


def test_relevance_rules_of_the_instance_repeat():
    cb = shipped_codebook()
    assert cb.repeats["instance"].relevant == "${any_tfcsea} = 1"
    assert cb.repeats["instance"].group == "child"
    assert cb.question("inst_where_met").relevant == "${inst_met} = 2"
    assert cb.question("inst_told_whom").relevant == "${inst_told} = 1"
    assert cb.question("inst_why_not_told").relevant == "${inst_told} = 2"
    assert cb.question("n_instances").calculation == "count(${instance})"


def test_child_age_constraint_and_kobo_paths():
    cb = shipped_codebook()
    assert cb.question("child_age").constraint == ". >= 12 and . <= 17"
    assert cb.question("child_age").required
    assert cb.question("ab_unwanted_images").path == "child/ab_unwanted_images"
    assert cb.question("inst_platform").path == "child/instance/inst_platform"
    assert cb.question("member_age").path == "roster/member_age"


def test_sensitive_modules_are_marked_for_self_completion():
    cb = shipped_codebook()
    sensitive = {q.name for q in cb.questions.values() if q.sensitive}
    assert {"ab_threatened_share", "inst_relation", "barriers_help"} <= sensitive
    assert not {"hh_id", "cg_sex", "child_age"} & sensitive
    assert cb.question("self_completion_start").type == "note"
