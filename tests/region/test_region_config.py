"""region.toml and the harmonisation file are validated on load: every problem at once,
each with its file and line; unknown keys are rejected."""

import shutil
from pathlib import Path

import pytest

from dhkit.errors import DhkitError, ValidationError
from dhkit.region.config import NOT_COLLECTED, init_region, load_region


def _copy(region_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "r"
    dst.mkdir()
    for name in ("region.toml", "harmonisation.yaml"):
        shutil.copy(region_dir / name, dst / name)
    text = (dst / "region.toml").read_text(encoding="utf-8")
    (dst / "region.toml").write_text(text.replace('study = "', f'study = "{region_dir}/'),
                                     encoding="utf-8")
    return dst


def test_the_demo_region_loads_with_its_four_countries(region):
    assert [c.id for c in region.countries] == ["CO", "KE", "PH", "TH"]
    assert region.combine == "population" and region.languages == ("en", "es")


def test_unknown_keys_in_region_toml_are_rejected_with_their_line(region_dir, tmp_path):
    d = _copy(region_dir, tmp_path)
    text = (d / "region.toml").read_text(encoding="utf-8")
    text = text.replace('combine = "population"', 'combine = "population"\ncombyne = "equal"')
    text = text.replace('id = "KE"', 'id = "KE"\npopulatoin = 5', 1)
    (d / "region.toml").write_text(text, encoding="utf-8")
    lines = text.splitlines()
    with pytest.raises(ValidationError) as exc:
        load_region(d)
    problems = list(exc.value.report)
    assert [p.code for p in problems] == ["REG-002", "REG-002"]
    assert lines[problems[0].line - 1].startswith("combyne")
    assert lines[problems[1].line - 1].startswith("populatoin")
    assert "Did you mean 'combine'" in str(problems[0])


def test_every_harmonisation_problem_is_listed_with_its_line(region_dir, tmp_path):
    d = _copy(region_dir, tmp_path)
    harm = d / "harmonisation.yaml"
    text = harm.read_text(encoding="utf-8")
    text = text.replace("  any_tfcsea:\n", "  any_tfcsea:\n    lable: x\n", 1)
    text = text.replace("      TH:\n        indicator: victim_platform\n",
                        "      XX: not collected\n      TH:\n        indicator: victim_platform\n", 1)
    text = text.replace("          snapchat: not collected", "          snapchot: not collected", 1)
    harm.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    with pytest.raises(ValidationError) as exc:
        load_region(d)
    problems = {p.code: p for p in exc.value.report}
    assert set(problems) == {"REG-002", "REG-012", "REG-014"}
    assert lines[problems["REG-002"].line - 1].strip().startswith("lable")
    assert lines[problems["REG-012"].line - 1].strip().startswith("XX")
    assert lines[problems["REG-014"].line - 1].strip().startswith("snapchot")
    assert all(p.file.endswith("harmonisation.yaml") for p in exc.value.report)


def test_a_country_folder_that_is_not_a_study_is_named(region_dir, tmp_path):
    d = _copy(region_dir, tmp_path)
    text = (d / "region.toml").read_text(encoding="utf-8")
    (d / "region.toml").write_text(text.replace("countries/KE/study", "countries/KE/nowhere"),
                                   encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_region(d)
    (p,) = exc.value.report
    assert p.code == "REG-006" and "KE" in p.message and p.line is not None


def test_the_demo_harmonisation_marks_what_thailand_did_not_ask(region):
    platforms = region.harmonisation.indicators["victim_platform"]
    th = platforms.mapping("TH")
    assert th.categories["snapchat"] is None and th.categories["telegram"] is None
    assert th.categories["facebook"] == "facebook"
    assert NOT_COLLECTED == "not collected"


def test_init_writes_a_region_that_needs_only_its_countries(tmp_path):
    path = init_region(tmp_path / "new", name="Test region")
    assert (tmp_path / "new" / "harmonisation.yaml").exists()
    with pytest.raises(ValidationError) as exc:
        load_region(path.parent)
    assert exc.value.report.codes() == ["REG-005"]          # no [[countries]] yet
    with pytest.raises(DhkitError) as again:
        init_region(tmp_path / "new")
    assert again.value.code == "REG-007"
