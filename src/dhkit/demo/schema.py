"""The demo study's columns: names, Kobo group paths, types and choice lists.

This mirrors the variable contract in ``docs/variables.md`` (the XLSForm the instrument
stage ships uses the same names and codes). The writers turn it into Kobo/ODK headers,
value labels for SPSS/Stata and split 0/1 columns for ``select_multiple``.

>>> COLUMNS["ab_unwanted_images"].path
'child/ab_unwanted_images'
>>> CHOICES["yes_no"][0]
(1, 'Yes')
"""

from __future__ import annotations

from dataclasses import dataclass

#: Choice lists: list name -> [(code, English label)], codes as stored in the data.
CHOICES: dict[str, list[tuple[int | str, str]]] = {
    "yes_no": [(1, "Yes"), (2, "No"), (98, "Don't know"), (99, "Prefers not to say")],
    "region": [("caribe", "Caribe"), ("centro_sur", "Centro Sur"),
               ("centro_oriente", "Centro-Oriente"), ("eje_cafetero", "Eje Cafetero"),
               ("llano", "Llano"), ("pacifico", "Pacífico")],
    "area": [(1, "Urban"), (2, "Rural")],
    "result": [(1, "Complete"), (2, "Refused"), (3, "No one at home"), (4, "Not eligible")],
    "sex": [(1, "Female"), (2, "Male")],
    "cg_sex": [(1, "Woman"), (2, "Man"), (3, "Other")],
    "cg_age": [(1, "Under 40"), (2, "40 or older")],
    "child_sex": [(1, "Girl"), (2, "Boy")],
    "device": [(1, "Own smartphone"), (2, "Shared smartphone"), (3, "Computer"),
               (4, "Tablet"), (5, "Other")],
    "device_any": [("smartphone", "Smartphone"), ("computer", "Computer"),
                   ("tablet", "Tablet"), ("console", "Games console"), ("tv", "Smart TV")],
    "freq": [(1, "Daily"), (2, "Weekly"), (3, "Less than weekly")],
    "report_channel": [("police", "Police"), ("helpline", "Helpline"), ("school", "School"),
                       ("social_worker", "Social worker"), ("platform", "The platform"),
                       ("family", "Family"), ("nobody", "Nobody")],
    "barrier": [("dont_know_where", "Would not know where to go"),
                ("embarrassed", "Embarrassed"),
                ("afraid_not_believed", "Afraid of not being believed"),
                ("afraid_trouble", "Afraid of getting into trouble"),
                ("no_service_near", "No service nearby"), ("cost", "Cost"),
                ("other", "Other")],
    "place": [("home", "At home"), ("school", "At school"),
              ("friends_home", "At a friend's or relative's home"),
              ("internet_cafe", "Internet café"), ("public_wifi", "Public Wi-Fi"),
              ("on_the_move", "On the move (mobile data)")],
    "access_barrier": [("none", "Nothing"), ("no_signal", "Weak or no signal"),
                       ("cost", "Costs too much"), ("no_device", "No device of my own"),
                       ("parents_limit", "Parents limit it"), ("no_time", "No time"),
                       ("other", "Other")],
    "truth": [(1, "Not true"), (2, "A bit true"), (3, "Mostly true"), (4, "Very true"),
              (99, "Prefers not to say")],
    "ab_item": [("unwanted_images", "Sent unwanted sexual images"),
                ("offered_money_images", "Offered money/gifts for sexual images"),
                ("requested_sexual_content", "Asked for sexual images/talk"),
                ("offered_money_acts", "Offered money/gifts for sexual acts"),
                ("accepted_money_images", "Accepted money/gifts for sexual images"),
                ("ai_images", "Sexual images made with AI/digital tools"),
                ("threatened_share", "Threatened to share sexual images"),
                ("shared_without_consent", "Sexual images shared without permission")],
    "platform": [("facebook", "Facebook"), ("whatsapp", "WhatsApp"),
                 ("instagram", "Instagram"), ("snapchat", "Snapchat"), ("tiktok", "TikTok"),
                 ("youtube", "YouTube"), ("telegram", "Telegram"), ("x", "X (Twitter)"),
                 ("gaming", "Online gaming platform"), ("other", "Other")],
    "met": [(1, "Online"), (2, "In person")],
    "where_met": [("school", "School"), ("home", "Home"), ("public_place", "Public place"),
                  ("other", "Other")],
    "relation": [("stranger", "Stranger"), ("family", "Family member"),
                 ("partner", "Romantic partner"), ("friend", "Friend"),
                 ("acquaintance", "Acquaintance"), ("refused", "Prefers not to say")],
    "confidant": [("friend", "Friend"), ("mother", "Mother/female caregiver"),
                  ("father", "Father/male caregiver"), ("sibling", "Sibling"),
                  ("other_family", "Other family"), ("teacher", "Teacher"),
                  ("police", "Police"), ("helpline", "Helpline"),
                  ("social_worker", "Social worker"), ("other", "Other")],
    "why_not": [("dont_know_where", "Did not know where/whom to tell"),
                ("embarrassed", "Embarrassed"), ("didnt_care", "Did not care"),
                ("not_serious", "Did not think it serious"), ("afraid", "Afraid"),
                ("other", "Other")],
}


@dataclass(frozen=True)
class Column:
    """One data column: bare ``name``, Kobo ``group`` path, XLSForm base type, choice list."""

    name: str
    type: str                     # select_one | select_multiple | integer | decimal | text | calculate
    group: str = ""               # "child", "caregiver", "child/instance", "roster", ""
    list_name: str | None = None
    label: str = ""

    @property
    def path(self) -> str:
        return f"{self.group}/{self.name}" if self.group else self.name

    @property
    def numeric(self) -> bool:
        """True when the stored values are numbers (integer codes or decimals)."""
        if self.type in ("integer", "decimal", "calculate"):
            return True
        if self.type == "select_one":
            return isinstance(CHOICES[self.list_name][0][0], int)
        return False


def _c(name, type_, group="", list_name=None, label=""):
    return Column(name, type_, group, list_name, label)


MAIN: list[Column] = [
    _c("hh_id", "text", label="Household id"),
    _c("region", "select_one", list_name="region", label="Region (stratum)"),
    _c("psu_id", "text", label="Primary sampling unit"),
    _c("area", "select_one", list_name="area", label="Urban/rural"),
    _c("wealth_quintile", "integer", label="Household wealth quintile"),
    _c("hh_size", "integer", label="Household members"),
    _c("n_eligible", "integer", label="Internet-using 12-17-year-olds"),
    _c("selected_line", "integer", label="Roster line of the selected child"),
    _c("p_psu", "decimal", label="Selection probability, PSU"),
    _c("p_hh", "decimal", label="Selection probability, household"),
    _c("p_child", "decimal", label="Selection probability, child"),
    _c("interview_result", "select_one", list_name="result", label="Interview result"),
    _c("consent_caregiver", "select_one", "", "yes_no", "Caregiver consent"),
    _c("assent_child", "select_one", "", "yes_no", "Child assent"),
    # caregiver
    _c("cg_sex", "select_one", "caregiver", "cg_sex", "Caregiver sex"),
    _c("cg_age_group", "select_one", "caregiver", "cg_age", "Caregiver age group"),
    _c("cg_internet_weekly", "select_one", "caregiver", "yes_no", "Caregiver uses internet weekly"),
    _c("cg_knows_platforms", "select_one", "caregiver", "yes_no", "Knows child's platforms"),
    _c("cg_talked_online_safety", "select_one", "caregiver", "yes_no",
       "Talked with child about online safety"),
    _c("cg_would_report", "select_multiple", "caregiver", "report_channel",
       "Where caregiver would report"),
    _c("cg_worry_online_sex", "select_one", "caregiver", "yes_no",
       "Worried about online sexual abuse"),
    # child background
    _c("child_sex", "select_one", "child", "child_sex", "Child sex"),
    _c("child_age", "integer", "child", label="Child age"),
    _c("school", "select_one", "child", "yes_no", "Attends school"),
    _c("main_device", "select_one", "child", "device", "Main device"),
    _c("devices", "select_multiple", "child", "device_any", "Devices used"),
    _c("internet_freq", "select_one", "child", "freq", "Internet use frequency"),
    _c("act_social_weekly", "select_one", "child", "yes_no", "Social media weekly"),
    _c("act_games_weekly", "select_one", "child", "yes_no", "Online games weekly"),
    _c("act_video_weekly", "select_one", "child", "yes_no", "Videos weekly"),
    _c("act_schoolwork_weekly", "select_one", "child", "yes_no", "Schoolwork online weekly"),
    _c("act_messaging_weekly", "select_one", "child", "yes_no", "Messaging weekly"),
    _c("places_online", "select_multiple", "child", "place", "Places where the child goes online"),
    _c("access_barriers", "select_multiple", "child", "access_barrier",
       "Barriers to going online"),
    _c("skill_privacy", "select_one", "child", "truth", "Can change privacy settings"),
    _c("skill_check_info", "select_one", "child", "truth", "Can check if information is true"),
    _c("skill_block", "select_one", "child", "truth", "Can block or report someone"),
    _c("skill_choose_share", "select_one", "child", "truth",
       "Knows what information not to share"),
    _c("risk_met_online_contact", "select_one", "child", "yes_no",
       "Met in person someone first known online"),
    _c("risk_shared_personal_info", "select_one", "child", "yes_no",
       "Shared personal information"),
    _c("risk_saw_sexual_content", "select_one", "child", "yes_no", "Saw sexual content"),
]
#: The TF-CSEA items, in the order of ``CHOICES['ab_item']``.
AB_ITEMS = [f"ab_{code}" for code, _ in CHOICES["ab_item"]]
MAIN += [_c(n, "select_one", "child", "yes_no", lab)
         for n, (_, lab) in zip(AB_ITEMS, CHOICES["ab_item"])]
MAIN += [
    _c("any_tfcsea", "calculate", "child", label="Any TF-CSEA in the past year"),
    _c("n_instances", "calculate", "child", label="Number of instance records"),
    _c("inperson_sv", "select_one", "child", "yes_no",
       "In-person sexual violence in the past year"),
    _c("mh_anxious", "select_one", "child", "yes_no", "Very worried or anxious most days"),
    _c("mh_suicidal", "select_one", "child", "yes_no", "Suicidal thoughts or attempt"),
    _c("mh_self_harm", "select_one", "child", "yes_no", "Self-harm"),
    _c("barriers_help", "select_multiple", "child", "barrier", "Barriers to seeking help"),
]

INSTANCE: list[Column] = [
    _c("inst_no", "integer", "child/instance", label="Instance number"),
    _c("inst_type", "select_one", "child/instance", "ab_item", "Form of abuse"),
    _c("inst_online", "select_one", "child/instance", "yes_no", "Happened online"),
    _c("inst_platform", "select_multiple", "child/instance", "platform", "Platforms"),
    _c("inst_met", "select_one", "child/instance", "met", "First met perpetrator"),
    _c("inst_where_met", "select_one", "child/instance", "where_met", "Where met in person"),
    _c("inst_relation", "select_one", "child/instance", "relation", "Perpetrator relationship"),
    _c("inst_perp_under18", "select_one", "child/instance", "yes_no", "Perpetrator under 18"),
    _c("inst_told", "select_one", "child/instance", "yes_no", "Told anyone"),
    _c("inst_told_whom", "select_multiple", "child/instance", "confidant", "Told whom"),
    _c("inst_why_not_told", "select_multiple", "child/instance", "why_not",
       "Why did not tell"),
    _c("inst_reported_formal", "select_one", "child/instance", "yes_no",
       "Reported to police, helpline or social worker"),
]

ROSTER: list[Column] = [
    _c("member_line", "integer", "roster", label="Roster line"),
    _c("member_age", "integer", "roster", label="Age"),
    _c("member_sex", "select_one", "roster", "sex", "Sex"),
    _c("member_internet", "select_one", "roster", "yes_no", "Used the internet (3 months)"),
]

#: Columns added by the generator that are not questions of the form.
EXTRA_MAIN: list[Column] = [
    _c("base_weight", "decimal", label="Base weight 1/(p_psu*p_hh*p_child)"),
    _c("weight", "decimal", label="Final child weight (demo: nonresponse + post-stratified)"),
]

COLUMNS: dict[str, Column] = {c.name: c for c in MAIN + INSTANCE + ROSTER + EXTRA_MAIN}


def choice_codes(list_name: str) -> list:
    """The codes of a choice list, in order."""
    return [code for code, _ in CHOICES[list_name]]
