"""Every `escalate` command pays for what the CLI imports before it runs. The model client
(openai + instructor, about a second) and the store (SQLAlchemy) are imported by the commands that
use them only, so the offline rulebook commands (`triage`, `check`, `render`) start without them."""

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("openai", "instructor", "sqlalchemy", "vcr", "streamlit", "xllamacpp")
TICKET = REPO / "tests" / "fixtures" / "tickets" / "checkout_outage.txt"

# Runs a command in a fresh interpreter, then reports which heavy packages it loaded on the way.
SCRIPT = f"""
import json, sys
sys.argv = ["escalate", *json.loads(sys.argv[1])]
from app.cli.main import main
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code
print("\\nLOADED=" + json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
sys.exit(code or 0)
"""


def loaded_by(*args: str) -> tuple[int, list[str], str]:
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(args)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    marker = run.stdout.rsplit("LOADED=", 1)
    assert len(marker) == 2, run.stderr[-2000:]
    return run.returncode, json.loads(marker[1]), marker[0]


def test_the_rulebook_commands_start_without_the_model_client_or_the_store() -> None:
    code, loaded, out = loaded_by("triage", str(TICKET), "--json")
    assert code == 0 and json.loads(out)["severity"]
    assert loaded == []
    code, loaded, out = loaded_by("--help")
    assert code == 0 and "draft" in out and loaded == []


def test_the_check_notices_when_a_command_does_load_them(tmp_path: Path) -> None:
    # `draft --help` must not import the client; `eval export-reviewed` opens the store, so
    # SQLAlchemy shows up there (without this, a check that never sees anything would pass).
    code, loaded, _ = loaded_by("draft", "--help")
    assert code == 0 and loaded == []
    out = tmp_path / "reviewed.jsonl"
    code, loaded, printed = loaded_by("eval", "export-reviewed", "--db-url", "sqlite://", "--out", str(out))
    assert code == 0 and "0 new case(s)" in printed and "sqlalchemy" in loaded
