"""Model faults through the fault proxy: bounded retries with backoff, nothing lost, a clear message.

The proxy's upstream answers are replayed from cassettes/fault_upstream.yaml (recorded from the
real 0.5B model); the faults themselves are the proxy's. No network, no model.
"""

import gc
import hashlib
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.core.errors import BackendTimeout, BackendUnavailable
from app.core.llm.settings import get_settings
from schemas.common import Severity, Target
from tests.hardening.fault_proxy import FAULT_INJECTION_ID, UNGROUNDED_BRIEF, Fault, FaultKind, FaultProxy
from tests.hardening.faults import (
    RETRIES,
    SCENARIOS,
    TICKET_FILE,
    TIMEOUT_S,
    UPSTREAM_CASSETTE,
    FaultOutcome,
    Scenario,
    run_scenario,
)
from tests.hardening.recording import RECORDED_HOST, cli_environment, taped

BY_ID = {s.id: s for s in SCENARIOS}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, FaultOutcome]:
    return {}


def _outcome(scenario: Scenario, record_mode: str, outcomes: dict[str, FaultOutcome]) -> FaultOutcome:
    if scenario.id not in outcomes:
        outcomes[scenario.id] = run_scenario(scenario, record_mode)
    return outcomes[scenario.id]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_fault_is_survived(scenario: Scenario, record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    outcome = _outcome(scenario, record_mode, outcomes)
    assert outcome.problems == []
    # Every planned fault was actually served: the scenario tested what it claims to.
    assert outcome.injected == len(scenario.plan)
    assert outcome.input_kept


def test_timeouts_are_retried_then_named(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    ok = _outcome(BY_ID["timeout_then_ok"], record_mode, outcomes)
    assert ok.result is not None and ok.result.brief is not None
    failed = _outcome(BY_ID["timeout_always"], record_mode, outcomes)
    assert isinstance(failed.error, BackendTimeout)
    assert "ESCALATE_TIMEOUT_S" in str(failed.error)
    # 1 try + RETRIES retries, each waiting out the timeout, then backoff between them.
    assert failed.seconds >= (RETRIES + 1) * TIMEOUT_S


def test_rate_limit_honours_retry_after(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    ok = _outcome(BY_ID["rate_limit_then_ok"], record_mode, outcomes)
    assert ok.seconds >= 1.0, "Retry-After: 1 was not waited for"
    failed = _outcome(BY_ID["rate_limit_always"], record_mode, outcomes)
    assert failed.error is not None and "fault injection: rate limited" in str(failed.error)
    assert failed.seconds >= RETRIES * 1.0


def test_dropped_connection_is_named(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    failed = _outcome(BY_ID["dropped_always"], record_mode, outcomes)
    assert isinstance(failed.error, BackendUnavailable)
    streamed = _outcome(BY_ID["stream_dropped_always"], record_mode, outcomes)
    assert isinstance(streamed.error, BackendUnavailable)


def test_stream_dropped_mid_way_is_asked_again_not_reasked(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    outcome = _outcome(BY_ID["stream_dropped_then_ok"], record_mode, outcomes)
    control = _outcome(BY_ID["control"], record_mode, outcomes)
    assert outcome.result is not None and control.result is not None
    # A broken connection is not the model's fault: the same request again, unstreamed, with no
    # re-ask message for the drop. So the draft is exactly the undisturbed one (the control's),
    # re-asks included: those are about the model's answer, which is the same answer.
    assert outcome.result.brief == control.result.brief and outcome.result.valid == control.result.valid
    assert [r.validator for r in outcome.result.receipt.reasks] == [r.validator for r in control.result.receipt.reasks]
    assert outcome.result.receipt.attempts == control.result.receipt.attempts + 1  # + the dropped stream


def test_truncated_answer_keeps_what_parsed_and_says_why(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    outcome = _outcome(BY_ID["truncated_content"], record_mode, outcomes)
    assert outcome.result is not None and not outcome.result.valid
    assert "max_tokens=900" in outcome.result.errors[0]
    assert outcome.result.brief is not None, "the half that parsed is kept for the agent to finish"
    # The rules still decide what they can: this ticket is an outage of 40 stores.
    assert outcome.result.severity.final is Severity.sev1


def test_ungrounded_answer_never_sets_severity(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    outcome = _outcome(BY_ID["ungrounded_always"], record_mode, outcomes)
    result = outcome.result
    assert result is not None and not result.valid
    assert any("not in the ticket" in e for e in result.errors)
    assert result.brief is not None and result.brief.summary == UNGROUNDED_BRIEF["summary"]
    # The injected answer said sev4/product; the rules see an outage and overrule it.
    assert result.severity.model is Severity.sev4
    assert result.severity.final is Severity.sev1 and result.target.final is Target.engineering
    assert [f for f in result.findings if f.rule in ("grounding", "evidence_verbatim")]


def test_ungrounded_answer_is_reasked(record_mode: str, outcomes: dict[str, FaultOutcome]) -> None:
    outcome = _outcome(BY_ID["ungrounded_then_reask"], record_mode, outcomes)
    assert outcome.result is not None
    reasks = outcome.result.receipt.reasks
    assert reasks and reasks[0].validator == "evidence"


def test_proxy_labels_its_canned_answer() -> None:
    # The ungrounded answer is a fault injection, and says so wherever a reader would look.
    import json
    import urllib.request

    with FaultProxy(RECORDED_HOST, [Fault(FaultKind.UNGROUNDED)]) as proxy:
        request = urllib.request.Request(
            f"{proxy.base_url}/chat/completions",
            data=json.dumps({"model": "m", "messages": []}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.loads(response.read())
    assert body["id"] == FAULT_INJECTION_ID
    assert "fault-injection" in body["system_fingerprint"]


# ------------------------------------------------------------------------------ the CLI
CLI_CASES = [
    ("timeout_always", 3, "did not answer in time"),
    ("rate_limit_always", 3, "rate limiting (http 429)"),
    ("server_error_always", 3, "http 500"),
    ("truncated_body_always", 3, "unreadable answers"),
    ("dropped_always", 3, "cannot reach the model server"),
    ("truncated_content", 0, "max_tokens=900"),
]


@pytest.mark.parametrize(("scenario_id", "exit_code", "words"), CLI_CASES)
def test_cli_fault_message_and_input_untouched(
    scenario_id: str, exit_code: int, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_mode: str
) -> None:
    ticket = tmp_path / "ticket.txt"
    ticket.write_bytes(TICKET_FILE.read_bytes())
    before = hashlib.sha256(ticket.read_bytes()).hexdigest()
    plan = list(BY_ID[scenario_id].plan)
    planned = len(plan)  # the proxy consumes its plan as it injects
    with taped(UPSTREAM_CASSETTE, record_mode, through_proxy=True), FaultProxy(RECORDED_HOST, plan) as proxy:
        env = cli_environment(proxy.base_url, ESCALATE_MAX_RETRIES=str(RETRIES), ESCALATE_TIMEOUT_S=str(TIMEOUT_S))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        result = CliRunner().invoke(app, ["draft", str(ticket), "--prompt", "brief@v1"])  # as recorded
        # A CLI process exits here and its sockets with it; in process, collect them now so their
        # ResourceWarning cannot surface in whichever test runs next.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
    assert result.exit_code == exit_code, result.output
    assert words in result.stderr.lower()
    assert "Traceback" not in result.output
    if exit_code:
        assert result.stderr.startswith("error: model backend: ")
        assert result.stdout == ""
    else:
        assert "DRAFT INVALID" in result.stderr and "ESCALATION:" in result.stdout
    assert hashlib.sha256(ticket.read_bytes()).hexdigest() == before, "the input file was changed"
    assert proxy.injected == planned
