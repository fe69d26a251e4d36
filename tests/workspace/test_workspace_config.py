"""study.toml: typed settings, every problem listed with its line, init, key resolution."""

import pytest

from dhkit.errors import DhkitError, SafetyError
from dhkit.workspace.config import ConfigError, init_study, load_study
from dhkit.workspace.store import DEMO_KEY

GOOD = """[study]
name = "Test study"
country = "CO"
languages = ["en", "es"]

[design]
strata = "region"
lonely_psu = "adjust"
population_children = 4100000

[disclosure]
suppress_below = 20
caution_below = 40
"""


def write(tmp_path, text):
    (tmp_path / "study.toml").write_text(text, encoding="utf-8")
    return tmp_path


def problems(tmp_path, text):
    with pytest.raises(ConfigError) as exc:
        load_study(write(tmp_path, text))
    return [(p.code, p.line, p.field) for p in exc.value.report]


def test_valid_settings_load_into_typed_sections_with_defaults(tmp_path):
    s = load_study(write(tmp_path, GOOD))
    assert (s.name, s.country, s.languages) == ("Test study", "CO", ("en", "es"))
    assert s.design.lonely_psu == "adjust" and s.design.population_children == 4_100_000
    assert (s.disclosure.suppress_below, s.disclosure.caution_below) == (20, 40)
    assert s.design.psu == "psu_id" and s.paths.store == "store/study.duckdb"
    assert s.imports.key == "hh_id" and s.imports.age_range == (12, 17)
    assert s.store_path == tmp_path.resolve() / "store" / "study.duckdb"


def test_every_problem_is_listed_with_its_line(tmp_path):
    text = GOOD.replace('country = "CO"', 'contry = "CO"') \
               .replace('lonely_psu = "adjust"', 'lonely_psu = "drop"') \
               .replace("caution_below = 40", "caution_below = 10") \
        + '\n[paths]\nkey_file = "inside.key"\nstore = 7\n[extra]\n'
    found = problems(tmp_path, text)
    assert ("CFG-002", 3, "study.contry") in found          # unknown key
    assert ("CFG-004", 1, "study.country") in found         # missing required
    assert ("CFG-005", 8, "design.lonely_psu") in found     # unknown lonely_psu
    assert ("CFG-006", 13, "disclosure.caution_below") in found   # out of order
    assert ("CFG-007", 16, "paths.key_file") in found       # key file inside the folder
    assert ("CFG-003", 17, "paths.store") in found          # wrong type
    assert ("CFG-002", 18, None) in found                   # unknown section
    assert len(found) == 7


def test_invalid_toml_names_the_line(tmp_path):
    assert problems(tmp_path, '[study]\nname = "x\ncountry = "CO"\n')[0][:2] == ("CFG-001", 2)


def test_config_error_is_one_line_with_exit_code_2(tmp_path):
    with pytest.raises(ConfigError) as exc:
        load_study(write(tmp_path, GOOD.replace("CO", "Colombia")))
    assert exc.value.exit_code == 2
    assert "\n" not in exc.value.message and "line 3" in exc.value.message


def test_missing_folder_is_not_a_study(tmp_path):
    with pytest.raises(DhkitError) as exc:
        load_study(tmp_path / "nothing")
    assert exc.value.code == "WS-002"


def test_init_writes_a_valid_study_and_copies_the_instrument(tmp_path):
    form = tmp_path / "my_form.xlsx"
    form.write_bytes(b"PK-not-really-a-form")
    s = init_study(tmp_path / "s", instrument=form, country="PE", name="Peru", languages=["es"])
    assert (s.name, s.country, s.languages, s.demo) == ("Peru", "PE", ("es",), False)
    assert s.instrument_path.read_bytes() == b"PK-not-really-a-form"
    assert s.paths.instrument == "instrument/my_form.xlsx"
    assert load_study(tmp_path / "s") == s


def test_init_refuses_an_existing_study(tmp_path):
    init_study(tmp_path, instrument=False)
    with pytest.raises(DhkitError) as exc:
        init_study(tmp_path, instrument=False)
    assert exc.value.code == "WS-001"


def test_demo_study_opens_its_store_with_the_demo_key(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    s = init_study(tmp_path, instrument=False, demo=True)
    with s.open_store() as store:
        assert store.has_table("audit_log")
    monkeypatch.setenv("DHKIT_KEY", DEMO_KEY)   # the same key given explicitly opens it too
    s.open_store().close()


def test_real_study_without_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    s = init_study(tmp_path, instrument=False)
    with pytest.raises(SafetyError) as exc:
        s.open_store()
    assert exc.value.code == "WS-KEY-001" and exc.value.exit_code == 3


def test_key_file_outside_the_folder_opens_the_store(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    key = tmp_path / "keys" / "study.key"
    key.parent.mkdir()
    key.write_text("a-long-random-key-0123456789\n")
    s = init_study(tmp_path / "s", instrument=False)
    toml = s.toml_path.read_text().replace('key_file = ""', f'key_file = "{key}"')
    s.toml_path.write_text(toml)
    with load_study(s.dir).open_store() as store:
        store.audit("test")
    monkeypatch.setenv("DHKIT_KEY", "a-different-key-000000")
    with pytest.raises(SafetyError) as exc:
        load_study(s.dir).open_store()
    assert exc.value.code == "WS-KEY-002"
