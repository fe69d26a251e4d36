"""release.toml is validated on load: every problem listed with its line."""

import pytest

from dhkit.errors import ValidationError
from dhkit.release.config import DEMO_SPEC, load_release_spec


def _load(tmp_path, text):
    p = tmp_path / "release.toml"
    p.write_text(text, encoding="utf-8")
    return load_release_spec(p)


def test_the_demo_spec_loads(tmp_path):
    spec = _load(tmp_path, DEMO_SPEC)
    assert spec.k == 3 and spec.keys[0] == "region" and spec.pram == {"main_device": 0.9}
    age = next(r for r in spec.recodes if r.variable == "child_age")
    assert age.breaks == (12, 14, 16, 18) and age.labels[0] == "12-13"


def test_unknown_keys_are_rejected_with_file_and_line(tmp_path):
    text = '[release]\nkeys = ["a"]\nkk = 3\n\n[recode.a]\ntopp = 5\n[pram.b]\nkeep = 2\n[extra]\n'
    with pytest.raises(ValidationError) as err:
        _load(tmp_path, text)
    problems = {(p.code, p.line, p.field) for p in err.value.report}
    assert ("REL-002", 3, "kk") in problems
    assert ("REL-002", 6, "topp") in problems
    assert ("REL-003", 8, "keep") in problems
    assert ("REL-002", 9, "extra") in problems
    assert "release.toml" in str(err.value)


def test_breaks_need_one_label_per_group(tmp_path):
    with pytest.raises(ValidationError) as err:
        _load(tmp_path, '[release]\nkeys = ["age"]\n[recode.age]\n'
                        'breaks = [1, 2, 3]\nlabels = ["x"]\n')
    assert [p.code for p in err.value.report] == ["REL-006"]


def test_importance_must_name_key_variables(tmp_path):
    with pytest.raises(ValidationError) as err:
        _load(tmp_path, '[release]\nkeys = ["a"]\nimportance = ["a", "b"]\n')
    assert [(p.code, p.line) for p in err.value.report] == [("REL-005", 3)]
