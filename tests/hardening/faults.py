"""Model-fault scenarios: one ticket, the fault proxy in front of the model, and what must follow.

A scenario either recovers (a draft comes back: valid, or invalid with its errors and whatever
brief could be kept) or fails with a BackendError whose message says what happened; then the agent
retries with the same input and gets a draft. Anything else - another exception, a hang, an empty
message, an input that changed - is a lost draft. tests/hardening/test_faults.py asserts each
scenario; bench/hardening_report.py counts faults injected against drafts lost.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from app.core.errors import BackendError
from app.services.drafting import DraftDone, DraftingService
from schemas.draft import DraftResult, TicketInput
from tests.hardening.fault_proxy import Fault, FaultKind, FaultProxy
from tests.hardening.recording import RECORDED_HOST, recorded_service, recorded_settings, taped

TICKET_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "tickets" / "checkout_outage.txt"
UPSTREAM_CASSETTE = "fault_upstream"

Mode = Literal["draft", "stream"]
# draft: a brief comes back (valid, or invalid with its errors); invalid_kept: it must be invalid
# and say why; backend_error: a BackendError with a clear message, then a draft on the agent's retry.
Expect = Literal["draft", "invalid_kept", "backend_error"]

DELAY = Fault(FaultKind.DELAY, delay_s=3.0)
RATE_LIMIT = Fault(FaultKind.RATE_LIMIT, retry_after_s=1.0)
SERVER_ERROR = Fault(FaultKind.SERVER_ERROR)
TRUNCATED_BODY = Fault(FaultKind.TRUNCATED_BODY)
TRUNCATED_CONTENT = Fault(FaultKind.TRUNCATED_CONTENT)
DROP = Fault(FaultKind.DROP_STREAM)
UNGROUNDED = Fault(FaultKind.UNGROUNDED)

# Client settings every scenario shares: 2 transport retries (3 tries), 1 re-ask, a 1.5 s timeout
# (replayed answers come at once; `delay` holds 3 s).
RETRIES = 2
REASKS = 1
TIMEOUT_S = 1.5
# One drafting call sends at most: a stream request, then (re-asks + 1) attempts of (retries + 1) tries.
MAX_REQUESTS_PER_CALL = 1 + (REASKS + 1) * (RETRIES + 1)


@dataclass(frozen=True)
class Scenario:
    id: str
    mode: Mode
    plan: tuple[Fault, ...]
    expect: Expect
    message: str = ""  # lower-case words a BackendError's message must contain
    min_seconds: float = 0.0  # backoff the client must have waited at least


SCENARIOS: tuple[Scenario, ...] = (
    # Controls first: when recording, they put the model's answers on tape for the rest.
    Scenario("control", "draft", (), "draft"),
    Scenario("stream_control", "stream", (), "draft"),
    Scenario("timeout_then_ok", "draft", (DELAY,), "draft", min_seconds=TIMEOUT_S),
    Scenario("timeout_always", "draft", (DELAY,) * 3, "backend_error", "did not answer in time", 3 * TIMEOUT_S),
    Scenario("rate_limit_then_ok", "draft", (RATE_LIMIT,), "draft", min_seconds=1.0),
    Scenario("rate_limit_always", "draft", (RATE_LIMIT,) * 3, "backend_error", "rate limiting (http 429)", 2.0),
    Scenario("server_error_then_ok", "draft", (SERVER_ERROR,), "draft"),
    Scenario("server_error_always", "draft", (SERVER_ERROR,) * 3, "backend_error", "http 500"),
    Scenario("truncated_body_then_ok", "draft", (TRUNCATED_BODY,), "draft"),
    Scenario("truncated_body_always", "draft", (TRUNCATED_BODY,) * 3, "backend_error", "unreadable answers"),
    Scenario("truncated_content", "draft", (TRUNCATED_CONTENT,), "invalid_kept"),
    Scenario("dropped_then_ok", "draft", (DROP,), "draft"),
    Scenario("dropped_always", "draft", (DROP,) * 3, "backend_error", "cannot reach the model server"),
    Scenario("ungrounded_then_reask", "draft", (UNGROUNDED,), "draft"),
    Scenario("ungrounded_always", "draft", (UNGROUNDED,) * 2, "invalid_kept"),
    Scenario("stream_timeout_then_ok", "stream", (DELAY,), "draft", min_seconds=TIMEOUT_S),
    Scenario("stream_rate_limit_then_ok", "stream", (RATE_LIMIT,), "draft", min_seconds=1.0),
    Scenario("stream_server_error_then_ok", "stream", (SERVER_ERROR,), "draft"),
    Scenario("stream_dropped_then_ok", "stream", (DROP,), "draft"),
    Scenario("stream_dropped_always", "stream", (DROP,) * 4, "backend_error", "cannot reach the model server"),
    Scenario("stream_truncated_content", "stream", (TRUNCATED_CONTENT,), "draft"),
    Scenario("stream_ungrounded", "stream", (UNGROUNDED,), "draft"),
)


@dataclass
class FaultOutcome:
    scenario: Scenario
    injected: int = 0
    requests: int = 0
    seconds: float = 0.0
    result: DraftResult | None = None
    error: BackendError | None = None
    crash: BaseException | None = None
    retried: DraftResult | None = None  # the agent's retry after a BackendError
    input_kept: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def lost(self) -> bool:
        return bool(self.problems)


def ticket() -> TicketInput:
    return TicketInput(text=TICKET_FILE.read_text(encoding="utf-8"))


def _draft(service: DraftingService, mode: Mode, ticket_input: TicketInput) -> DraftResult:
    if mode == "draft":
        return service.draft(ticket_input)
    done = [event for event in service.stream(ticket_input) if isinstance(event, DraftDone)]
    assert len(done) == 1, f"a stream must end in exactly one DraftDone, got {len(done)}"
    return done[0].result


def run_scenario(scenario: Scenario, record_mode: str = "none") -> FaultOutcome:
    """Play one scenario through the proxy; upstream answers come from (or go to) the shared cassette."""
    outcome = FaultOutcome(scenario)
    original = ticket()
    ticket_input = original.model_copy(deep=True)
    with (
        taped(UPSTREAM_CASSETTE, record_mode, through_proxy=True),
        FaultProxy(RECORDED_HOST, list(scenario.plan)) as proxy,
    ):
        timeout = TIMEOUT_S
        if record_mode != "none" and DELAY not in scenario.plan:
            # Recording waits for the real model (minutes on a CPU); the delay scenarios only ever
            # need answers the controls already put on tape.
            timeout = 1800.0
        settings = recorded_settings(proxy.base_url, max_retries=RETRIES, timeout_s=timeout)
        service = recorded_service(settings, reasks=REASKS)
        started = time.monotonic()
        try:
            outcome.result = _draft(service, scenario.mode, ticket_input)
        except BackendError as exc:
            outcome.error = exc
        except Exception as exc:  # anything else is exactly what this harness counts as a loss
            outcome.crash = exc
        outcome.seconds = time.monotonic() - started
        outcome.injected = proxy.injected
        outcome.requests = len(proxy.served)
        if outcome.error is not None:
            # The agent presses "Draft" again with the same input; the fault has passed.
            try:
                outcome.retried = _draft(service, scenario.mode, ticket_input)
            except Exception as exc:  # a failed retry is a loss, recorded below
                outcome.problems.append(f"the retry failed too: {type(exc).__name__}: {exc}")
        # Close the client's sockets to the proxy now, not at some later garbage collection.
        service.extractor.client.client.close()  # type: ignore[attr-defined]
    outcome.input_kept = ticket_input == original
    _judge(outcome)
    return outcome


def _judge(outcome: FaultOutcome) -> None:
    scenario, problems = outcome.scenario, outcome.problems
    if outcome.crash is not None:
        problems.append(f"crashed: {type(outcome.crash).__name__}: {outcome.crash}")
    if not outcome.input_kept:
        problems.append("the ticket input was changed")
    calls = 2 if outcome.error is not None else 1
    if outcome.requests > calls * MAX_REQUESTS_PER_CALL:
        problems.append(f"unbounded: {outcome.requests} requests for {calls} call(s)")
    if scenario.expect == "backend_error":
        if outcome.error is None:
            problems.append("expected a BackendError")
        elif scenario.message not in str(outcome.error).lower():
            problems.append(f"unclear message: {outcome.error}")
        if outcome.error is not None and outcome.retried is None:
            problems.append("no draft after the retry")
    elif outcome.result is None:
        problems.append(f"expected a draft, got {outcome.error!r}")
    elif outcome.result.brief is None:
        problems.append("the draft has no brief")
    elif not outcome.result.valid and not outcome.result.errors:
        problems.append("an invalid draft that does not say why")
    elif scenario.expect == "invalid_kept" and outcome.result.valid:
        problems.append("expected the draft to be marked invalid")
    if outcome.seconds < scenario.min_seconds:
        problems.append(f"no backoff: finished in {outcome.seconds:.2f} s < {scenario.min_seconds} s")
