"""The release of a small demo study: planted identifiers and unique records never reach a
public release, headline estimates stay within their original CI, the licensed design
scripts reproduce the estimate in R, and every release is in the audit log."""

import hashlib
import shutil
import subprocess

import pandas as pd
import pytest

from dhkit.release.config import DEMO_SPEC
from dhkit.release.risk import sample_frequencies
from dhkit.release.run import release_study

KEYS = ["region", "area", "child_sex", "child_age", "hh_size"]


def _all_text(files) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in files.values())


def test_public_release_holds_no_planted_identifier_text_or_gps(public):
    text = _all_text(public.files)
    assert "ZZNAME" not in text and "ZZTEXT" not in text and "4.123456789" not in text
    assert {"child_name", "gps_latitude", "notes_other"} <= set(public.prepared.dropped)


def test_the_risk_report_is_written_as_html_and_pdf(public):
    html = public.files["disclosure_risk.html"].read_text(encoding="utf-8")
    assert "Risk before and after treatment" in html and "Sign-off" in html
    assert public.files["disclosure_risk.pdf"].read_bytes()[:4] == b"%PDF"


def test_public_release_has_no_household_psu_or_stratum_ids(study, public):
    data = pd.read_csv(public.files["release.csv"])
    assert not {"hh_id", "psu_id", "psu_code", "stratum_code", "_key"} & set(data.columns)
    with study.study.open_store() as store:
        ids = set(store.read("main")["hh_id"])
    assert not ids & set(_all_text(public.files).split(","))


def test_no_record_of_the_public_release_is_unique_on_the_key_variables(public):
    data = pd.read_parquet(public.files["release.parquet"])
    assert public.prepared.before.uniques > 0
    assert (sample_frequencies(data, KEYS) >= 3).all()
    assert "14" not in set(data["hh_size"].dropna().astype(str))   # recoded to a group


def test_every_headline_estimate_stays_within_its_original_ci(licensed, public):
    for r in (licensed, public):
        assert len(r.estimates) >= 5
        assert r.estimates["within_original_ci"].all()


def test_licensed_release_ships_masked_design_and_scripts(study, licensed):
    from dhkit.survey import Design

    data = pd.read_csv(licensed.files["release.csv"])
    assert {"psu_code", "stratum_code", "weight", "repw_1", "repw_50"} <= set(data.columns)
    assert {"design.R", "design.do", "design.sps", "pram_main_device.csv"} <= set(licensed.files)
    # masked codes give the same linearised SE as the original ids
    with study.study.open_store() as store:
        w = store.read("weights")[["hh_id", "weight"]]
        orig = store.read("main").drop(columns=["weight"], errors="ignore").merge(w, on="hh_id")
    se = [Design(d, weights="weight", strata=s, psu=c, lonely_psu="adjust")
          .mean("any_tfcsea").table["se"].iloc[0]
          for d, s, c in ((orig, "region", "psu_id"), (data, "stratum_code", "psu_code"))]
    assert se[1] == pytest.approx(se[0], rel=1e-9)


def _r(folder, expr: str) -> list[float]:
    subprocess.run(["Rscript", "-e", "if (!requireNamespace('survey', quietly=TRUE)) q(status=9)"],
                   check=True)
    out = subprocess.run(["Rscript", "-e", f"source('design.R'); {expr}"], cwd=folder,
                         capture_output=True, text=True, check=True).stdout
    return [float(x) for x in out.split()[-2:]]


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R not installed")
def test_r_svrepdesign_on_the_released_file_gives_the_release_estimate_and_se(licensed):
    est, se = _r(licensed.files["design.R"].parent, "m <- svymean(~any_tfcsea, rdes, "
                 "na.rm=TRUE); cat(sprintf('%.15g %.15g', coef(m), SE(m)))")
    row = licensed.estimates.set_index("indicator").loc["any_tfcsea"]
    assert row["release_variance"] == "replicate weights (bootstrap, 50)"
    assert est == pytest.approx(row["estimate_release"], rel=1e-8)
    assert se == pytest.approx(row["se_release"], rel=1e-8)


def test_the_release_is_in_the_audit_log_with_file_hashes(study, public):
    digest = hashlib.sha256(public.files["release.csv"].read_bytes()).hexdigest()
    with study.study.open_store() as store:
        notes = store.con.execute("SELECT note FROM audit_log WHERE command = 'release'"
                                  ).fetchall()
    assert any(digest in n[0] and '"tier": "public"' in n[0] for n in notes)


def test_the_same_seed_gives_the_same_release(study, public, tmp_path):
    again = release_study(study.study_dir, tmp_path, "public", pdf=False)
    assert again.files["release.csv"].read_bytes() == public.files["release.csv"].read_bytes()


def _cli(args, capsys):
    from dhkit.cli import main

    with pytest.raises(SystemExit) as exc:
        main(args)
    return exc.value.code, capsys.readouterr()


def test_cli_refuses_a_release_above_the_risk_cap_and_writes_nothing(study, tmp_path, capsys):
    spec = tmp_path / "strict.toml"
    spec.write_text(DEMO_SPEC.replace("risk_threshold = 0.1",
                                      "risk_threshold = 0.1\nmax_expected_reidentifications = 0.0"))
    code, out = _cli(["release", str(study.study_dir), "--out", str(tmp_path / "r"),
                      "--spec", str(spec), "--no-pdf"], capsys)
    assert code == 3 and "[REL-031]" in out.err and not (tmp_path / "r").exists()


def test_cli_names_the_line_of_an_unknown_key(study, tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text('[release]\nkeys = ["region"]\nkay = 3\n')
    code, out = _cli(["release", str(study.study_dir), "--out", str(tmp_path / "r"),
                      "--spec", str(spec)], capsys)
    assert code == 1 and "line 3: [REL-002] unknown key 'kay'" in out.err


def test_cli_without_release_toml_says_how_to_write_one(study, tmp_path, capsys):
    code, out = _cli(["release", str(study.study_dir), "--out", str(tmp_path / "r"),
                      "--spec", str(tmp_path / "none.toml")], capsys)
    assert code == 2 and "--init" in out.err


def test_cli_refuses_when_ldiversity_breaks_and_treat_is_refuse(study, tmp_path, capsys):
    spec = tmp_path / "refuse.toml"
    spec.write_text(DEMO_SPEC.replace('treat = "suppress"', 'treat = "refuse"'))
    code, out = _cli(["release", str(study.study_dir), "--out", str(tmp_path / "r"),
                      "--spec", str(spec), "--no-pdf"], capsys)
    assert code == 3 and "[REL-032] recursive (3, 2)-diversity fails for" in out.err
    assert not (tmp_path / "r").exists()


def test_no_cell_of_the_release_breaks_the_ldiversity_rule(public):
    a, b = public.prepared.after, public.prepared.before
    assert sum(b.l_violations.values()) > 0
    assert a.l_violations == {s: 0 for s in b.l_violations}


def test_every_household_is_k_anonymous_on_the_child_and_caregiver_keys(public):
    data = pd.read_parquet(public.files["release.parquet"])
    joint = [*KEYS, "cg_sex", "cg_age_group"]
    assert public.prepared.before.household.k_violations > 0
    assert (sample_frequencies(data, joint) >= 3).all()
    h = public.prepared.after.household
    assert h.k_violations == 0 and h.expected_reidentifications < 0.01


def test_instance_table_is_released_linked_only_by_the_random_respondent_number(study, public):
    main = pd.read_csv(public.files["release.csv"])
    inst = pd.read_csv(public.files["release_instance.csv"])
    assert not {"hh_id", "_key", "_parent_key", "inst_no", "perpetrator_name"} & set(inst.columns)
    assert "ZZPERP" not in _all_text(public.files)
    assert set(inst["resp_id"]) <= set(main["resp_id"])
    with study.study.open_store() as store:
        n = len(store.read("instance"))
    assert len(inst) == n
    per = inst.groupby("resp_id").size()
    linked = main.set_index("resp_id").loc[per.index, "n_instances"]
    assert (linked.to_numpy() == per.to_numpy()).all()
    assert {"release_instance.sav", "release_instance.dta"} <= set(public.files)


@pytest.mark.skipif(shutil.which("pspp") is None, reason="GNU PSPP not installed")
def test_pspp_reads_the_sav_with_variable_and_value_labels(licensed, tmp_path):
    sps = tmp_path / "check.sps"
    sps.write_text(f"GET FILE='{licensed.files['release.sav']}'.\nDISPLAY DICTIONARY.\n"
                   "FREQUENCIES VARIABLES=inperson_sv.\n")
    out = subprocess.run(["pspp", "-O", "format=txt", "-o", str(tmp_path / "o.txt"), str(sps)],
                         capture_output=True, text=True)
    text = (tmp_path / "o.txt").read_text()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "repw_50" in text and "psu_code" in text
    assert "Prefer not to say" in text and "Yes" in text


def test_public_weights_are_rounded_and_the_effect_is_shown(public, licensed):
    pub = pd.read_csv(public.files["release.csv"])["weight"]
    lic = pd.read_csv(licensed.files["release.csv"])["weight"]
    assert pub.nunique() < lic.nunique()
    assert set(pub.round(-2)) == set(pub)                 # 2 significant digits (10 000s)
    assert any("rounded to 2 significant digits" in n for n in public.prepared.notes)
    e = public.estimates.set_index("indicator").loc["any_tfcsea"]
    assert e["estimate_release"] != e["estimate_original"]
    assert abs(e["estimate_release"] - e["estimate_original"]) < 0.005
