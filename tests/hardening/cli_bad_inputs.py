"""Bad files and streams given to every CLI command that reads a ticket, a brief or a log.

What `bad_inputs.py` does for content (encodings, binaries, huge pastes), this does for the ways a
file itself can be wrong: a FIFO, a device, a directory, a symlink loop, an empty file, a 5 MB
single line, 100,000 nested brackets, a brief with wrong types or duplicate keys, /dev/zero or an
endless pipe on standard input. Each goes to each command in its role; every one must end with
exit 2, nothing on stdout and one `error:` line on stderr naming the problem, no traceback, the
input file unchanged. Used by tests/hardening/test_cli_bad_inputs.py (in process where it can) and
bench/bad_input_report.py (a subprocess per case, with its peak memory).

Wrong types and duplicate keys are brief cases only: as a ticket, JSON is just text to triage.
"""

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from tests.cli.test_rulebook_cli import GOOD_BRIEF
from tests.hardening.bad_inputs import BASE_TICKET, environment, free_port
from tests.hardening.recording import cli_environment

REPO = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
IN = "{IN}"  # where the bad input goes in a command line

Role = Literal["ticket", "brief", "log"]
# How standard input is fed: bytes (the input's content), /dev/zero itself, or a pipe from `cat /dev/zero`.
Stdin = Literal["none", "bytes", "dev_zero", "endless_pipe"]

COMMANDS: dict[Role, tuple[tuple[str, ...], ...]] = {
    "ticket": (("triage", IN), ("draft", IN), ("check", "{BRIEF}", "--source", IN)),
    "brief": (("check", IN), ("render", IN)),
    "log": (("draft", "{TICKET}", "--log", IN), ("redact", IN)),
}


# ------------------------------------------------------------------------------- inputs
def _fifo(workdir: Path) -> Path:
    path = workdir / "ticket.fifo"
    os.mkfifo(path)
    return path


def _directory(workdir: Path) -> Path:
    path = workdir / "a-directory"
    path.mkdir()
    return path


def _symlink_loop(workdir: Path) -> Path:
    first, second = workdir / "loop-a", workdir / "loop-b"
    first.symlink_to(second)
    second.symlink_to(first)
    return first


def line_5mb() -> bytes:
    """One 5 MB line of ticket-like words and no newline (a minified log pasted as the ticket)."""
    words = b"export fails EXP-409 since morning customer UMB-3310 queue_depth=0 shard=7 retry "
    return (words * (5 * MB // len(words) + 1))[: 5 * MB]


def deep_json() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def wrong_types() -> bytes:
    """The issue's coercions: a count as a string, a yes for true."""
    brief = json.loads(json.dumps(GOOD_BRIEF))
    brief["impact"]["customers_affected"] = "12"
    brief["diagnostics"]["logs_attached"] = "yes"
    return json.dumps(brief).encode()


def duplicate_keys() -> bytes:
    """A brief whose severity is given twice: a parser that keeps the last one reads sev4."""
    text = json.dumps(GOOD_BRIEF)
    return text.replace('"severity": "sev1"', '"severity": "sev1", "severity": "sev4"', 1).encode()


PATH_INPUTS: dict[str, Callable[[Path], Path]] = {
    "fifo": _fifo,
    "dev_zero": lambda _: Path("/dev/zero"),
    "directory": _directory,
    "symlink_loop": _symlink_loop,
}
CONTENT_INPUTS: dict[str, Callable[[], bytes]] = {
    "empty": lambda: b"",
    "whitespace": lambda: b"  \n\t\r\n   \n",
    "line_5mb": line_5mb,
    "deep_json": deep_json,
    "wrong_types": wrong_types,
    "duplicate_keys": duplicate_keys,
}
BRIEF_ONLY = frozenset({"wrong_types", "duplicate_keys"})

# Words the one error line must contain (lower case), by input and role.
WORDS: dict[tuple[str, Role], tuple[str, ...]] = {
    **{(i, r): w for i, w in (
        ("fifo", ("fifo",)), ("dev_zero", ("character device",)), ("directory", ("directory",)),
        ("symlink_loop", ("symbolic links",)),
    ) for r in ("ticket", "brief", "log")},
    ("empty", "ticket"): ("is empty", "nothing to draft"),
    ("empty", "brief"): ("is empty", "brief"),
    ("whitespace", "ticket"): ("only whitespace", "nothing to draft"),
    ("whitespace", "brief"): ("only whitespace", "brief"),
    ("line_5mb", "ticket"): ("line 1 is 5,242,880 characters", "--log"),
    ("line_5mb", "brief"): ("over the 1.0 mb", "a brief may be"),
    ("deep_json", "ticket"): ("line 1 is 200,000 characters",),
    ("deep_json", "brief"): ("nested more than 32 levels",),
    ("wrong_types", "brief"): ("impact.customers_affected", "valid integer", "(and 1 more)"),
    ("duplicate_keys", "brief"): ("duplicate key 'severity'",),
    ("endless_pipe", "ticket"): ("standard input is over the input limit", "20.0 mb"),
    ("endless_pipe", "brief"): ("standard input is over", "a brief may be"),
    ("endless_pipe", "log"): ("standard input is over the input limit", "20.0 mb"),
    ("dev_zero_stdin", "ticket"): ("standard input is a character device",),
    ("dev_zero_stdin", "brief"): ("standard input is a character device",),
    ("dev_zero_stdin", "log"): ("standard input is a character device",),
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    input: str
    role: Role
    argv: tuple[str, ...]
    stdin: Stdin

    @property
    def id(self) -> str:
        via = "" if self.stdin == "none" else "-stdin"
        return f"{self.input}{via}:{self.role}:{self.argv[0]}{'+source' if '--source' in self.argv else ''}"

    @property
    def words(self) -> tuple[str, ...]:
        return WORDS[(self.input, self.role)]

    @property
    def needs_process(self) -> bool:
        """Only a real process has a real file descriptor 0 to be /dev/zero or a pipe."""
        return self.stdin in ("dev_zero", "endless_pipe")


def _cases() -> list[Case]:
    cases = []
    for name in PATH_INPUTS:
        for role, commands in COMMANDS.items():
            cases += [Case(name, role, argv, "none") for argv in commands]
    for name in CONTENT_INPUTS:
        for role in ("ticket", "brief") if name not in BRIEF_ONLY else ("brief",):
            for argv in COMMANDS[role]:
                cases += [Case(name, role, argv, "none"), Case(name, role, argv, "bytes")]
    for name, stdin in (("dev_zero_stdin", "dev_zero"), ("endless_pipe", "endless_pipe")):
        for role, commands in COMMANDS.items():
            # `--log -` is no attachment: standard input is the ticket's, so logs go through redact.
            cases += [Case(name, role, argv, stdin) for argv in commands if "--log" not in argv]
    return cases


CASES: tuple[Case, ...] = tuple(_cases())


# ------------------------------------------------------------------------------- running
@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    input_unchanged: bool
    max_rss_kb: int | None = None  # only from a subprocess
    wall_s: float | None = None


def _prepare(case: Case, workdir: Path) -> tuple[list[str], bytes | None, Path | None]:
    """The argv, the bytes for standard input (if any) and the input file (if one was written)."""
    brief = workdir / "good-brief.json"
    brief.write_text(json.dumps(GOOD_BRIEF), encoding="utf-8")
    ticket = workdir / "ticket.txt"
    ticket.write_text(BASE_TICKET, encoding="utf-8")
    data: bytes | None = None
    written: Path | None = None
    if case.input in PATH_INPUTS:
        where = str(PATH_INPUTS[case.input](workdir))
    elif case.stdin == "bytes":
        where, data = "-", CONTENT_INPUTS[case.input]()
    elif case.input in CONTENT_INPUTS:
        written = workdir / f"{case.input}.{'json' if case.role == 'brief' else 'txt'}"
        written.write_bytes(CONTENT_INPUTS[case.input]())
        where = str(written)
    else:
        where = "-"
    argv = [
        part.replace(IN, where).replace("{BRIEF}", str(brief)).replace("{TICKET}", str(ticket)) for part in case.argv
    ]
    return argv, data, written


def _digest(path: Path | None) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest() if path else b""


def run_in_process(case: Case, workdir: Path) -> Run:
    from typer.testing import CliRunner

    from app.cli.main import app

    assert not case.needs_process, case.id
    argv, data, written = _prepare(case, workdir)
    before = _digest(written)
    with environment(cli_environment(f"http://127.0.0.1:{free_port()}/v1")):
        result = CliRunner().invoke(app, argv, input=data)
    return Run(result.exit_code, result.stdout, result.stderr, _digest(written) == before)


# Runs the CLI as its own child and reports that child's rusage. Measuring from this (test or
# bench) process would be wrong: Linux carries a parent's peak RSS into a child that execs (the
# vfork/exec high-water mark), so every case would read as large as pytest itself. This wrapper is
# ~10 MB, below any CLI run. A run past the timeout is killed (a FIFO read waits for a writer forever).
_MEASURE = """
import os, sys, time
report, timeout, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
pid = os.posix_spawn(cmd[0], cmd, os.environ)
deadline = time.monotonic() + timeout
while True:
    done, status, usage = os.wait4(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        _, status, usage = os.wait4(pid, 0)
        status = None
        break
    time.sleep(0.02)
with open(report, "w") as out:
    out.write(f"{usage.ru_maxrss} {'timeout' if status is None else os.waitstatus_to_exitcode(status)}")
"""


def run_in_subprocess(case: Case, workdir: Path, timeout_s: float = 120) -> Run:
    """`python -m app.cli.main` on the case in its own process, with its peak RSS (see _MEASURE)."""
    argv, data, written = _prepare(case, workdir)
    before = _digest(written)
    env = {**os.environ, **cli_environment(f"http://127.0.0.1:{free_port()}/v1")}
    env.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    feeder = None
    out, err, report = workdir / "stdout", workdir / "stderr", workdir / "rusage"
    if case.stdin == "bytes":
        (workdir / "stdin").write_bytes(data or b"")
    source = {"bytes": workdir / "stdin", "dev_zero": Path("/dev/zero")}.get(case.stdin)
    stdin: IO[bytes] | int | None = source.open("rb") if source else subprocess.DEVNULL
    if case.stdin == "endless_pipe":
        feeder = subprocess.Popen(["cat", "/dev/zero"], stdout=subprocess.PIPE)
        stdin = feeder.stdout
    command = [sys.executable, "-c", _MEASURE, str(report), str(timeout_s), sys.executable, "-m", "app.cli.main"]
    started = time.perf_counter()
    with out.open("wb") as stdout_file, err.open("wb") as stderr_file:
        proc = subprocess.Popen(
            [*command, *argv], cwd=REPO, env=env, stdin=stdin, stdout=stdout_file, stderr=stderr_file
        )
        if not isinstance(stdin, int) and stdin is not None:
            stdin.close()  # only the CLI holds it now: `cat` gets SIGPIPE once the CLI stops reading
        proc.wait(timeout=timeout_s + 30)
    wall = time.perf_counter() - started
    if feeder is not None:
        feeder.kill()
        feeder.wait()
    rss_kb, code = report.read_text().split()
    return Run(
        124 if code == "timeout" else int(code),
        out.read_text(errors="replace"),
        err.read_text(errors="replace"),
        _digest(written) == before,
        max_rss_kb=int(rss_kb),
        wall_s=wall,
    )


def problems(case: Case, run: Run) -> list[str]:
    """What breaks the contract: exit 2, nothing on stdout, one `error:` line naming the problem."""
    found = [] if run.input_unchanged else ["the input file was changed"]
    if "Traceback" in run.stdout + run.stderr:
        found.append("printed a traceback")
    if run.exit_code != 2:
        found.append(f"exit {run.exit_code}")
    if run.stdout:
        found.append(f"stdout not empty: {run.stdout[:120]!r}")
    lines = run.stderr.splitlines()
    if len(lines) != 1 or not lines[0].startswith("error: "):
        found.append(f"not one 'error:' line: {run.stderr[:300]!r}")
    found += [f"message lacks {word!r}" for word in case.words if word not in run.stderr.lower()]
    return found
