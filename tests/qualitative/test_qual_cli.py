"""The qualitative commands end to end on a demo study folder."""

import json

import pytest
from typer.testing import CliRunner

from dhkit.cli import app, main
from dhkit.qualitative.demo import DEMO_DIR, planted, transcript_files

runner = CliRunner()


@pytest.fixture
def study(tmp_path, monkeypatch):
    monkeypatch.delenv("DHKIT_KEY", raising=False)
    d = tmp_path / "study"
    d.mkdir()
    (d / "study.toml").write_text('[study]\nname = "Qual demo"\ncountry = "CO"\ndemo = true\n',
                                  encoding="utf-8")
    return d


def ok(*args, input=None):
    result = runner.invoke(app, [str(a) for a in args], input=input)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_the_whole_chain_from_sheet_to_quote_bank(study, tmp_path):
    ok("participants", "import", study, DEMO_DIR / "participants.csv")
    ok("transcripts", "import", study, *transcript_files())
    ok("redact", "propose", study, "--no-ner")
    # interactive: reject the first proposal of YP-01, then accept the rest of it
    ok("redact", "review", study, "YP-01", "--reviewer", "MG", input="r\nA\n")
    ok("redact", "review", study, "--accept-all")
    listed = json.loads(ok("redact", "list", study, "YP-01", "--json").stdout)
    assert [p["status"] for p in listed][:2] == ["rejected", "accepted"]
    ok("redact", "apply", study)
    shown = ok("transcripts", "show", study, "YP-02").stdout
    assert "[EMAIL]" in shown and "example.com" not in shown
    ok("redact", "log", study, "--out", tmp_path / "log.csv")
    ok("codes", "import", study, DEMO_DIR / "codebook.yaml")
    ok("codes", "import", study, DEMO_DIR / "codings_coder_a.csv")
    ok("codes", "import", study, DEMO_DIR / "codings_coder_b.csv")
    report = json.loads(ok("agreement", "report", study, "--json").stdout)
    assert report["index"][-1] == "(overall)"
    ok("codes", "matrix", study, "--out", tmp_path / "matrix.csv")
    ok("codes", "export", study, tmp_path / "p.qdpx")
    ok("quotes", "export", study, tmp_path / "q.html", "--sex", "--age")
    before = json.loads(ok("quotes", "list", study, "--json").stdout)
    ok("participants", "withdraw", study, "YP-03", "--date", "2025-04-02")
    after = json.loads(ok("quotes", "list", study, "--json").stdout)
    assert len(after) < len(before)
    log = (tmp_path / "log.csv").read_text(encoding="utf-8")
    html = (tmp_path / "q.html").read_text(encoding="utf-8")
    for p in planted():
        if len(p.text) > 4:
            assert p.text not in log and p.text not in html
    # the store is the only place transcripts live: nothing else in the study folder has text
    raw = b"".join(f.read_bytes() for f in study.rglob("*") if f.is_file())
    assert b"Esperanza" not in raw


def test_errors_are_one_line_with_the_code_and_exit_code(study, tmp_path, capsys):
    ok("participants", "import", study, DEMO_DIR / "participants.csv")
    stray = tmp_path / "ZZ-01.txt"
    stray.write_text("texto", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["transcripts", "import", str(study), str(stray)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "dhkit: error [QUAL-023]" in err and "ZZ-01.txt" in err and "texto" not in err
    refused = tmp_path / "YP-04.txt"
    refused.write_text("hola", encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["transcripts", "import", str(study), str(refused)])
    assert exc.value.code == 3


def test_every_command_has_an_example_in_its_help():
    for group, verbs in {"participants": ["import", "list", "withdraw"],
                         "transcripts": ["import", "list", "show"],
                         "redact": ["propose", "list", "review", "add", "apply", "log", "evaluate"],
                         "codes": ["import", "export", "list", "matrix", "cooccurrence",
                                   "delete"],
                         "agreement": ["report"], "quotes": ["list", "show", "export"]
                         }.items():
        for verb in verbs:
            result = runner.invoke(app, [group, verb, "--help"])
            assert result.exit_code == 0 and "Example: dhkit" in result.output, (group, verb)
