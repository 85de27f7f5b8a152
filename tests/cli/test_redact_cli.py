"""`escalate redact FILE|- [--json]`: the masked text, or JSON whose offsets point into the input."""

import codecs
import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import app

runner = CliRunner()
EMAIL = "jane.doe@example.com"
LOG = f"2026-11-18T08:00:01Z ERROR export failed for {EMAIL} job=nightly code=EXP-409\nretrying in 5 s\n"


def test_prints_the_text_with_the_values_masked_and_the_rest_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "app.log"
    path.write_text(LOG, encoding="utf-8")
    result = runner.invoke(app, ["redact", str(path)])
    assert result.exit_code == 0, result.stderr
    assert EMAIL not in result.stdout
    assert result.stdout == LOG.replace(EMAIL, "<EMAIL_1>")
    assert path.read_text(encoding="utf-8") == LOG  # the file itself is never rewritten


def test_json_items_are_offsets_into_the_input_read_from_stdin() -> None:
    result = runner.invoke(app, ["redact", "-", "--json"], input=LOG)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"text", "items"}
    assert payload["text"] == LOG.replace(EMAIL, "<EMAIL_1>")
    [item] = [i for i in payload["items"] if i["kind"] == "EMAIL"]
    assert set(item) == {"kind", "start", "end"}
    assert LOG[item["start"] : item["end"]] == EMAIL


def test_logs_in_other_encodings_are_decoded_like_uploads(tmp_path: Path) -> None:
    # PowerShell writes UTF-16; offsets count characters of the decoded text, not bytes.
    path = tmp_path / "ps.log"
    path.write_bytes(codecs.BOM_UTF16_LE + ("Ünïcödé " + LOG).encode("utf-16-le"))
    result = runner.invoke(app, ["redact", str(path), "--json"])
    assert result.exit_code == 0, result.stderr
    [item] = [i for i in json.loads(result.stdout)["items"] if i["kind"] == "EMAIL"]
    assert ("Ünïcödé " + LOG)[item["start"] : item["end"]] == EMAIL


def test_a_binary_file_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "core.log"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    result = runner.invoke(app, ["redact", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ") and "not text" in result.stderr
