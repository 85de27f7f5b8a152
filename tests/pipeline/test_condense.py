"""Condensing: every error signature survives, the budget holds, repeats fold with counts."""

import random

import pytest

from app.core.condense import condense_log
from app.core.tokens import count_tokens

ERRORS = [
    "ERROR payments PaymentDeclinedError card_declined order=ORD-{n}",
    "ERROR api-gateway upstream timeout after 30000ms request_id=req_{h}",
    "WARN export-worker DiskPressure: /var/lib/exports at 93% used",
    "ERROR auth-service TokenSignatureInvalid kid=k{n}",
    "ERROR search IndexShardFailed shard={n}",
]
MARKERS = ["PaymentDeclinedError", "upstream timeout", "DiskPressure", "TokenSignatureInvalid", "IndexShardFailed"]
JAVA_TRACE = [
    "ERROR notifier Delivery failed for job {n}",
    "javax.net.ssl.SSLHandshakeException: PKIX path building failed",
    "\tat sun.security.ssl.Alert.createSSLException(Alert.java:131)",
    "\tat com.acme.notify.HttpSender.send(HttpSender.java:57)",
    "Caused by: sun.security.validator.ValidatorException: unable to find valid certification path",
    "\t... 17 more",
]
PY_TRACE = [
    "ERROR search reindex task failed",
    "Traceback (most recent call last):",
    '  File "/srv/search/tasks.py", line 211, in reindex',
    "    doc = build_document(order)",
    "KeyError: 'currency'",
]


def make_log(lines: int = 6000, seed: int = 3) -> str:
    rnd = random.Random(seed)
    out: list[str] = []
    error_at = {rnd.randrange(100, lines - 100): i for i in range(len(ERRORS) * 3)}
    for i in range(lines):
        stamp = f"2024-05-01T10:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z"
        fill = {"n": rnd.randint(1000, 99999), "h": f"{rnd.getrandbits(40):010x}"}
        if i in error_at:
            out.append(f"{stamp} {ERRORS[error_at[i] % len(ERRORS)].format(**fill)}")
        if i in (1500, 3500, 5200):
            out.extend([f"{stamp} {JAVA_TRACE[0].format(**fill)}", *JAVA_TRACE[1:]])
        if i in (2500, 4500):
            out.extend([f"{stamp} {PY_TRACE[0]}", *PY_TRACE[1:]])
        template = rnd.choice(
            [
                "INFO api-gateway GET /v1/orders/{n} 200 in {n}ms request_id=req_{h}",
                "DEBUG auth-service cache hit key=session:{h}",
                "INFO payments charge authorized order=ORD-{n}",
            ]
        )
        out.append(f"{stamp} {template.format(**fill)}")
    return "\n".join(out)


LOG = make_log()
SIGNATURES = [*MARKERS, "SSLHandshakeException", "KeyError: 'currency'"]


@pytest.mark.parametrize("budget", [300, 600, 1500, 4000])
def test_budget_is_respected(budget: int) -> None:
    result = condense_log(LOG, budget, count_tokens)
    assert count_tokens(result.text) <= budget


@pytest.mark.parametrize("budget", [600, 1500, 4000])
def test_every_error_signature_survives(budget: int) -> None:
    result = condense_log(LOG, budget, count_tokens)
    missing = [marker for marker in SIGNATURES if marker not in result.text]
    assert missing == []
    assert len(result.error_signatures) == len(SIGNATURES)
    assert result.dropped_error_signatures == []


def test_a_naive_cut_would_have_lost_them() -> None:
    # Guards the test above against a log whose errors all sit at the ends.
    head = LOG[: len(LOG) // 20]
    tail = LOG[-len(LOG) // 20 :]
    assert sum(marker in head + tail for marker in SIGNATURES) < len(SIGNATURES) // 2


def test_header_says_what_was_folded_and_counts_add_up() -> None:
    result = condense_log(LOG, 1500, count_tokens)
    header = result.text.splitlines()[0]
    assert header.startswith(f"Condensed {result.lines_in:,} log lines into {result.lines_out:,}: ")
    assert "repeated lines folded into" in header and "distinct error/warning signatures" in header
    assert result.lines_in == len(LOG.splitlines())
    assert result.lines_out == len(result.text.splitlines())
    assert result.folded_lines > 0.5 * result.lines_in


def test_repeated_lines_fold_into_templates_with_count_and_time_range() -> None:
    result = condense_log(LOG, 4000, count_tokens)
    charges = [t for t in result.templates if "charge authorized" in t.template]
    assert len(charges) == 1
    charge = charges[0]
    assert charge.count == sum("charge authorized" in line for line in LOG.splitlines())
    assert charge.first_seen and charge.last_seen and charge.first_seen < charge.last_seen
    assert f"[x{charge.count} {charge.first_seen} .. {charge.last_seen}]" in result.text


def test_identical_stack_traces_are_kept_once_with_a_count() -> None:
    result = condense_log(LOG, 4000, count_tokens)
    assert result.text.count("SSLHandshakeException") == 1
    assert "[same stack trace: 3 times, last at" in result.text
    # Kept whole: every frame and the cause.
    for line in JAVA_TRACE[1:]:
        assert line in result.text
    assert result.text.count("Traceback (most recent call last):") == 1


def test_tight_budgets_shorten_traces_before_dropping_signatures() -> None:
    result = condense_log(LOG, 300, count_tokens)
    assert "shortened to fit" in result.text.splitlines()[0] or result.dropped_error_signatures
    assert count_tokens(result.text) <= 300


def test_small_logs_pass_through_untouched() -> None:
    text = "2024-05-01T10:00:00Z ERROR one\n2024-05-01T10:00:01Z INFO two"
    result = condense_log(text, 500, count_tokens)
    assert result.text == text
    assert (result.lines_in, result.lines_out, result.folded_lines) == (2, 2, 0)


def test_any_token_counter_can_be_plugged_in() -> None:
    def words(text: str) -> int:
        return len(text.split())

    result = condense_log(LOG, 800, words)
    assert words(result.text) <= 800
    assert all(marker in result.text for marker in SIGNATURES)


def test_logs_without_timestamps_still_group_traces() -> None:
    text = "\n".join(["[ERROR] worker crashed", *JAVA_TRACE[1:]] * 40 + ["[INFO] heartbeat ok"] * 500)
    result = condense_log(text, 400, count_tokens)
    assert result.text.count("SSLHandshakeException") == 1
    assert "[same stack trace: 40 times" in result.text
    assert "[x500] [INFO] heartbeat ok" in result.text


def test_budget_below_the_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        condense_log(LOG, 10, count_tokens)
