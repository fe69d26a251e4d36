"""Every data file a team edits (catalogue, plan, legal checklist) rejects keys its schema
does not know, with file and line: a misspelt key or a comma-split label never passes."""

import pytest

from dhkit.errors import ValidationError
from dhkit.legal.checklist import default_checklist_path, load_checklist


def test_checklist_text_with_an_unquoted_comma_is_an_unknown_field(tmp_path):
    text = default_checklist_path().read_text(encoding="utf-8").replace(
        "justice: {en: Child-centred justice, es: Justicia centrada en la niñez}",
        "justice: {en: Child-centred justice, victims first, es: Justicia centrada en la niñez}")
    path = tmp_path / "checklist.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        load_checklist(path)
    problems = list(exc.value.report)
    assert any("victims first" in p.message for p in problems)
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "victims first" in x)
    assert any(p.line == line and p.file == str(path) for p in problems)
