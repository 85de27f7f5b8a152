"""Bad input through the service the web app calls (DraftingService.ingest/prepare) and the CLI.

Refused input gets one line that names the problem; accepted input keeps every word that matters
through decoding, redaction and condensing, and fits the prompt budget. The CLI never changes the
input file, never prints a traceback, and exits 2 for bad input and 3 when no model answers.
"""

from pathlib import Path

import pytest

from tests.hardening.bad_inputs import (
    BAD_INPUTS,
    CLI_DRAFTED,
    CORPUS_DIR,
    KNOWN_DEFECTS,
    LARGE,
    BadInput,
    case,
    check_cli,
    check_service,
    free_port,
    run_cli,
)
from tests.hardening.recording import RECORDED_BASE_URL, taped

WEB_CASES = [
    pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DEFECTS[c.id]))
    if c.id in KNOWN_DEFECTS
    else pytest.param(c, id=c.id)
    for c in BAD_INPUTS
    if c.where != "ticket_file"
]


def test_committed_corpus_matches_its_generator() -> None:
    for item in BAD_INPUTS:
        if item.id not in LARGE:
            assert (CORPUS_DIR / item.filename).read_bytes() == item.build(), item.id


@pytest.mark.parametrize("item", WEB_CASES)
def test_service_refuses_clearly_or_keeps_everything(item: BadInput) -> None:
    assert check_service(item) == []


@pytest.mark.parametrize("item", BAD_INPUTS, ids=lambda c: c.id)
def test_cli_message_exit_code_and_input_untouched(item: BadInput, tmp_path: Path) -> None:
    run = run_cli(item, tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    assert check_cli(item, run, drafted=False) == []


@pytest.mark.parametrize("case_id", CLI_DRAFTED)
def test_cli_drafts_from_odd_input(case_id: str, tmp_path: Path, record_mode: str) -> None:
    item = case(case_id)
    with taped("bad_input_drafts", record_mode):
        run = run_cli(item, tmp_path, RECORDED_BASE_URL)
    assert check_cli(item, run, drafted=True) == []
    assert "\nseverity: model=" in run.stdout
