"""Every CLI command that reads a ticket, a brief or a log, given a bad file or stream: exit 2,
nothing on stdout, one `error:` line naming the problem, no traceback, the input unchanged.

Cases that need a real standard input (/dev/zero, an endless pipe) run the CLI in a subprocess;
the rest run in process. Peak memory per case is measured by bench/bad_input_report.py, not here.
"""

from pathlib import Path

import pytest

from app.core import reading
from app.core.errors import InputError
from tests.hardening.cli_bad_inputs import CASES, Case, problems, run_in_process, run_in_subprocess


@pytest.mark.parametrize("case", [c for c in CASES if not c.needs_process], ids=lambda c: c.id)
def test_cli_refuses_bad_input_with_one_line(case: Case, tmp_path: Path) -> None:
    assert problems(case, run_in_process(case, tmp_path)) == []


@pytest.mark.parametrize("case", [c for c in CASES if c.needs_process], ids=lambda c: c.id)
def test_cli_refuses_bad_standard_input_with_one_line(case: Case, tmp_path: Path) -> None:
    run = run_in_subprocess(case, tmp_path, timeout_s=120)
    assert problems(case, run) == []


def test_every_role_and_way_in_is_covered() -> None:
    # The issue's list: each bad file as ticket, as brief, as log, and the streams on stdin.
    covered = {(c.input, c.role, c.stdin != "none") for c in CASES}
    for name in ("fifo", "dev_zero", "directory", "symlink_loop"):
        assert {(name, role, False) for role in ("ticket", "brief", "log")} <= covered
    for name in ("empty", "whitespace", "line_5mb", "deep_json"):
        assert {(name, role, stdin) for role in ("ticket", "brief") for stdin in (False, True)} <= covered
    for name in ("wrong_types", "duplicate_keys"):
        assert {(name, "brief", False), (name, "brief", True)} <= covered
    for name in ("dev_zero_stdin", "endless_pipe"):
        assert {(name, role, True) for role in ("ticket", "brief", "log")} <= covered
    commands = {c.argv[0] for c in CASES} | {"source" for c in CASES if "--source" in c.argv}
    assert commands == {"triage", "draft", "check", "render", "redact", "source"}


class _Endless:
    """A stream that never ends, counting what was asked of it."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int) -> bytes:
        self.read_bytes += size
        return b"\0" * size


def test_a_stream_is_read_to_the_limit_plus_one_byte_and_no_further() -> None:
    stream = _Endless()
    with pytest.raises(InputError, match="over the input limit"):
        reading._read_bounded(stream.read, "standard input", 10_000, reading.describe_limit(10_000))
    assert stream.read_bytes == 10_001


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(InputError, match=r"is 0\.0 MB \(2,048 bytes\), over the input limit"):
        reading.read_input(str(path), 1024)
    assert reading.read_input(str(path), 2048) == b"x" * 2048


def test_a_brief_within_the_limits_still_reads(tmp_path: Path) -> None:
    # The refusals above must not catch good input: the draft output shape and nested lists pass.
    from tests.cli.test_rulebook_cli import GOOD_BRIEF

    brief = reading.parse_brief(
        reading.json.dumps({"brief": {**GOOD_BRIEF, "tried": [{"action": "restart", "result": "no change"}]}}).encode(),
        "brief.json",
    )
    assert brief.severity.value == "sev1" and brief.impact.customers_affected == 1


def test_a_ticket_line_at_the_limit_is_kept_and_one_over_is_refused() -> None:
    reading.check_ticket_text("a" * reading.MAX_TICKET_LINE_CHARS + "\nshort", "t")
    with pytest.raises(InputError, match="line 2 is 100,001 characters"):
        reading.check_ticket_text("ok\n" + "a" * (reading.MAX_TICKET_LINE_CHARS + 1), "t")
