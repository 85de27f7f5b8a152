"""The bad-input corpus: what agents really paste and attach, and what each must produce.

Small cases are files under corpus/bad_inputs/ (written by `python -m tests.hardening.bad_inputs`,
so they can be opened and read); the large ones (a 50 MB paste, a 10,000-line stack trace, a 2 MB
line) are generated on demand, deterministically, because a repository is no place for them.

Each case is pasted (the ticket text: the web app's text area, the CLI's TICKET_FILE), attached
(the web app's uploader, the CLI's --log) or, for bytes no text area can hold, given only as the
CLI's TICKET_FILE. It is either refused with a message that names the problem, or accepted and
drafted from with nothing it said lost.
"""

import base64
import codecs
import gzip
import hashlib
import json
import os
import random
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

CORPUS_DIR = Path(__file__).with_name("corpus") / "bad_inputs"
MB = 1024 * 1024
BIG_PASTE_BYTES = 50 * MB

# A short, real-looking ticket every attachment case goes with, so only the attachment is odd.
BASE_TICKET = (
    "Customer (Priya, ops lead at Umbrella Corp, account UMB-3310) 2026-11-18 08:15 UTC:\n"
    "Since this morning the nightly invoice export job fails with error EXP-409 and no file is\n"
    "produced. Logs attached. We need the export for month-end close on Friday.\n"
)

# Words that must survive decoding: if any is missing, something the customer wrote was lost.
LATIN1_TEXT = (
    "Client : Société Générale Café, compte SGC-5521 (2026-11-18 09:02 UTC).\n"
    "Le rapport « Coût réel » échoue avec l'erreur RPT-500 ; naïve façade, prix 12,50 £.\n"
)
EMOJI_RTL_TEXT = (
    "Customer 🙂 (account ISR-7781, 2026-11-18 10:00 UTC): the dashboard 📉 shows blank charts 😡🔥.\n"
    "Hebrew label: הזמנה נכשלה — Arabic label: فشل الطلب — mixed: order ‏#4412‏ failed.\n"
    "Bidi override test: \u202eexe.txt\u202c and zero-width joiner family 👨\u200d👩\u200d👧 and flags 🇮🇱🇸🇦.\n"
    "Error: DASH-503 when loading /reports/רבעון.\n"
)
UTF16_TEXT = (
    "Customer (Kenji, account JPN-1200) 2026-11-18 01:30 UTC: 請求書のエクスポートが失敗します。\n"
    "Error INV-502 on every export since the update; Ünïcödé names in the file.\n"
)

Where = Literal["paste", "attach", "ticket_file"]
Outcome = Literal["refused", "accepted"]


@dataclass(frozen=True)
class BadInput:
    id: str
    what: str
    where: Where
    expect: Outcome
    filename: str
    build: Callable[[], bytes]
    # refused: words the message must contain (lower case); accepted: words the decoded text must keep.
    words: tuple[str, ...]

    def data(self) -> bytes:
        """The committed corpus file when there is one, else the generator's output."""
        path = CORPUS_DIR / self.filename
        return path.read_bytes() if self.id not in LARGE and path.exists() else self.build()


# ------------------------------------------------------------------------------- generators
def stack_trace(lines: int = 10_000) -> str:
    """A Java stack trace `lines` long: a recursion overflow with caused-by chains, as agents paste them."""
    rng = random.Random(11)
    out = [
        "2026-11-18T07:59:58.120Z ERROR export.worker job=nightly-invoices account=UMB-3310 failed",
        "java.lang.StackOverflowError: null",
    ]
    frames = [
        "com.umbrella.export.InvoiceWalker.visit(InvoiceWalker.java:{n})",
        "com.umbrella.export.InvoiceWalker.visitChildren(InvoiceWalker.java:{n})",
        "com.umbrella.export.LineItemNode.accept(LineItemNode.java:{n})",
        "org.hibernate.collection.internal.PersistentBag.iterator(PersistentBag.java:{n})",
    ]
    while len(out) < lines - 4:
        out.append("\tat " + rng.choice(frames).format(n=rng.randint(20, 400)))
    out += [
        "Caused by: com.umbrella.export.ExportError: EXP-409 cyclic invoice reference INV-88120 -> INV-88120",
        "\tat com.umbrella.export.Exporter.run(Exporter.java:77)",
        "\tat com.umbrella.jobs.Nightly.main(Nightly.java:31)",
        "\t... 9996 more",
    ]
    return "\n".join(out[:lines]) + "\n"


def big_paste(size: int = BIG_PASTE_BYTES) -> bytes:
    """A ticket with a huge log pasted into it: 50 MB of repeated INFO lines after the conversation."""
    head = BASE_TICKET.encode()
    line = b"2026-11-18T08:00:00.000Z INFO export.worker heartbeat ok shard=7 queue_depth=0\n"
    return head + line * ((size - len(head)) // len(line) + 1)


def long_line(size: int = 2 * MB) -> bytes:
    """A minified JSON log on one 2 MB line: no newline for the splitter or the condenser to use."""
    rng = random.Random(5)
    records: list[str] = []
    total = 0
    while total < size:
        records.append(json.dumps({"ts": "2026-11-18T08:00:00Z", "level": "info", "id": rng.getrandbits(48)}))
        total += len(records[-1]) + 1
    return ("[" + ",".join(records) + ',{"level":"error","msg":"EXP-409 export failed"}]').encode()


def binary_log() -> bytes:
    """Bytes of a core dump renamed crash.log: NULs and high bytes, no text."""
    rng = random.Random(3)
    return b"\x7fELF\x02\x01\x01\x00" + bytes(rng.getrandbits(8) for _ in range(4096))


def png_log() -> bytes:
    """A screenshot renamed to screenshot.log (a real 1x1 PNG)."""
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )


def random_bytes_log() -> bytes:
    """Random bytes with NULs and no magic number: the binary check must still catch it."""
    rng = random.Random(9)
    return bytes(rng.getrandbits(8) for _ in range(8192))


def gzip_bomb() -> bytes:
    """A 30 KB .gz that inflates past the 20 MB input limit."""
    return gzip.compress(b"A" * (24 * MB), compresslevel=9, mtime=0)


def malformed_har() -> bytes:
    """A HAR cut off mid-export (the browser tab closed while saving)."""
    har = {
        "log": {
            "version": "1.2",
            "entries": [
                {
                    "startedDateTime": "2026-11-18T08:01:02.000Z",
                    "time": 30012,
                    "request": {"method": "POST", "url": "https://app.example.com/api/exports?token=abc"},
                    "response": {"status": 504, "statusText": "Gateway Timeout", "content": {"text": "EXP-504"}},
                }
            ],
        }
    }
    text = json.dumps(har, indent=2)
    return text[: int(len(text) * 0.7)].encode()


def json_not_har() -> bytes:
    return json.dumps({"entries": "not a HAR", "error": "EXP-409"}).encode()


def malformed_json() -> bytes:
    return b'{"job": "nightly-invoices", "error": "EXP-409", "details": [1, 2, ,], "trailing": tru'


def ansi_log() -> bytes:
    return (
        b"\x1b[32m2026-11-18T08:00:01Z INFO\x1b[0m export started\n"
        b"\x1b[31;1m2026-11-18T08:00:09Z ERROR\x1b[0m export failed: EXP-409\n"
    )


def control_chars_paste() -> bytes:
    """Text copied from a terminal: NULs, bells and backspaces inside an otherwise normal ticket."""
    return (BASE_TICKET + "Console said: EXP-409\x00\x07\x08 retry\x1b[2K\x00 aborted\n").encode()


BAD_INPUTS: tuple[BadInput, ...] = (
    BadInput("empty", "an empty ticket", "paste", "refused", "empty.txt", lambda: b"", ("nothing to draft",)),
    BadInput(
        "whitespace", "spaces, tabs and newlines only", "paste", "refused", "whitespace.txt",
        lambda: b"   \n\t\n \r\n  \n", ("nothing to draft",),
    ),
    BadInput(
        "paste_50mb", "a 50 MB paste (ticket plus log)", "paste", "refused", "paste_50mb.txt", big_paste,
        ("50.0 mb", "limit"),
    ),
    BadInput(
        "attach_50mb", "a 50 MB log attachment", "attach", "refused", "server_50mb.log", big_paste,
        ("50.0 mb", "limit"),
    ),
    BadInput(
        "gzip_bomb", "a 30 KB .gz that inflates past the limit", "attach", "refused", "export.log.gz", gzip_bomb,
        ("expands", "limit"),
    ),
    BadInput(
        "binary_elf_log", "a core dump renamed crash.log", "attach", "refused", "crash.log", binary_log,
        ("crash.log", "not text"),
    ),
    BadInput(
        "binary_png_log", "a screenshot renamed screenshot.log", "attach", "refused", "screenshot.log", png_log,
        ("screenshot.log", "png"),
    ),
    BadInput(
        "binary_random_log", "random bytes renamed dump.log", "attach", "refused", "dump.log", random_bytes_log,
        ("dump.log", "binary"),
    ),
    BadInput(
        "utf16_bom_attach", "UTF-16 text with a BOM (Windows Notepad)", "attach", "accepted", "notes-utf16.txt",
        lambda: codecs.BOM_UTF16_LE + UTF16_TEXT.encode("utf-16-le"), ("請求書のエクスポート", "INV-502", "Ünïcödé"),
    ),
    BadInput(
        "utf16_nobom_attach", "UTF-16LE without a BOM (PowerShell > file)", "attach", "accepted", "ps-out.log",
        lambda: UTF16_TEXT.encode("utf-16-le"), ("INV-502", "Ünïcödé"),
    ),
    BadInput(
        "latin1_attach", "Latin-1 text (an old French ERP export)", "attach", "accepted", "rapport.txt",
        lambda: LATIN1_TEXT.encode("latin-1"), ("Société Générale Café", "naïve façade", "12,50 £", "RPT-500"),
    ),
    BadInput(
        "malformed_har", "a HAR cut off mid-save", "attach", "accepted", "session.har", malformed_har,
        ("not valid json", "not a readable har", "exports"),
    ),
    BadInput(
        "json_not_har", "JSON that names itself .har but is not one", "attach", "accepted", "trace.har",
        json_not_har, ("not a har", "EXP-409"),
    ),
    BadInput(
        "malformed_json", "a .json with trailing garbage", "attach", "accepted", "job.json", malformed_json,
        ("not valid json", "EXP-409"),
    ),
    BadInput(
        "stack_trace_10k", "a 10,000-line stack trace pasted into the ticket", "paste", "accepted",
        "ticket-with-trace.txt", lambda: (BASE_TICKET + "\n" + stack_trace()).encode(),
        ("EXP-409", "StackOverflowError", "UMB-3310"),
    ),
    BadInput(
        "stack_trace_10k_attach", "a 10,000-line stack trace attached", "attach", "accepted", "trace.log",
        lambda: stack_trace().encode(), ("EXP-409", "StackOverflowError"),
    ),
    BadInput(
        "long_line", "a 2 MB single-line JSON log", "attach", "accepted", "minified.json", long_line,
        ("EXP-409",),
    ),
    BadInput(
        "emoji_rtl", "emoji, Hebrew, Arabic and bidi overrides in the ticket", "paste", "accepted", "emoji-rtl.txt",
        lambda: EMOJI_RTL_TEXT.encode(), ("הזמנה נכשלה", "فشل الطلب", "😡🔥", "DASH-503", "👨\u200d👩\u200d👧"),
    ),
    BadInput(
        "latin1_ticket_file", "a Latin-1 file given as the CLI's ticket", "ticket_file", "refused",
        "latin1-ticket.txt", lambda: LATIN1_TEXT.encode("latin-1"), ("latin1-ticket.txt", "not utf-8"),
    ),
    BadInput(
        "utf16_ticket_file", "a UTF-16 file given as the CLI's ticket", "ticket_file", "refused",
        "utf16-ticket.txt", lambda: codecs.BOM_UTF16_LE + UTF16_TEXT.encode("utf-16-le"),
        ("utf16-ticket.txt", "not utf-8"),
    ),
    BadInput(
        "binary_ticket_file", "a core dump given as the CLI's ticket", "ticket_file", "refused", "core.txt",
        binary_log, ("core.txt", "not utf-8"),
    ),
    BadInput(
        "ansi_log", "a log with terminal colour codes", "attach", "accepted", "colour.log", ansi_log,
        ("export failed: EXP-409",),
    ),
    BadInput(
        "control_chars", "a paste with NULs, bells and backspaces", "paste", "accepted", "terminal.txt",
        control_chars_paste, ("EXP-409", "UMB-3310"),
    ),
)  # fmt: skip

LARGE = frozenset({"paste_50mb", "attach_50mb", "stack_trace_10k", "stack_trace_10k_attach", "long_line"})
# Accepted inputs the CLI drafts with the real model (cassettes/bad_input_drafts.yaml); the other
# accepted ones are checked up to the model call, against a port where nothing listens.
CLI_DRAFTED = ("utf16_bom_attach", "emoji_rtl")
# Measured defects (strict xfails in the tests, so an entry must go once fixed).
KNOWN_DEFECTS: dict[str, str] = {}


def case(case_id: str) -> BadInput:
    return next(c for c in BAD_INPUTS if c.id == case_id)


def write_small_corpus(directory: Path = CORPUS_DIR) -> list[Path]:
    """Write every case that is not large to `directory`, for people to open and for the CLI tests."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for item in BAD_INPUTS:
        if item.id in LARGE:
            continue
        path = directory / item.filename
        path.write_bytes(item.build())
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_small_corpus(Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS_DIR):
        print(path)


# ------------------------------------------------------------------------------- checks (tests and bench)
def check_service(item: BadInput) -> list[str]:
    """What the web app's path (DraftingService.ingest, then prepare) gets wrong with this input."""
    from app.core.errors import InputError
    from tests.hardening.injections import no_model_service

    service = no_model_service()
    data = item.data()
    try:
        if item.where == "paste":
            ticket = service.ingest(data.decode("utf-8"), [])
        else:
            ticket = service.ingest(BASE_TICKET, [(item.filename, data)])
    except InputError as exc:
        if item.expect == "accepted":
            return [f"refused: {exc}"]
        message = str(exc)
        problems = [f"message lacks {word!r}: {message}" for word in item.words if word not in message.lower()]
        if "\n" in message or len(message) >= 300:
            problems.append(f"not one short line: {message!r}")
        return problems
    if item.expect == "refused":
        return ["accepted input that should be refused"]
    prepared = service.prepare(ticket)
    problems = []
    if prepared.prompt_tokens > service.settings.prompt_token_budget:
        problems.append(f"prompt of {prepared.prompt_tokens} tokens is over the budget")
    kept = prepared.source_text.lower()
    problems += [f"lost on the way to the model: {word!r}" for word in item.words if word.lower() not in kept]
    return problems


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """ESCALATE_* variables for one CLI run, restored afterwards (the CLI reads settings once)."""
    from app.core.llm.settings import get_settings

    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


@dataclass
class CliRun:
    exit_code: int
    stdout: str
    stderr: str
    input_unchanged: bool


def run_cli(item: BadInput, workdir: Path, base_url: str) -> CliRun:
    """`escalate draft` on this input, in process, with the model at `base_url`."""
    from typer.testing import CliRunner

    from app.cli.main import app
    from tests.hardening.recording import cli_environment

    data = item.data()
    path = workdir / item.filename
    path.write_bytes(data)
    args = ["draft", str(path), "--prompt", "brief@v1"]  # the prompt the cassettes hold
    if item.where == "attach":
        ticket = workdir / "ticket.txt"
        ticket.write_text(BASE_TICKET, encoding="utf-8")
        args = ["draft", str(ticket), "--log", str(path), "--prompt", "brief@v1"]
    with environment(cli_environment(base_url)):
        result = CliRunner().invoke(app, args)
    unchanged = hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()
    return CliRun(result.exit_code, result.stdout, result.stderr, unchanged)


def check_cli(item: BadInput, run: CliRun, drafted: bool) -> list[str]:
    """What the CLI gets wrong: exit 2 and one line naming the problem for refused input; for
    accepted input a draft (`drafted`, a model answered) or exit 3 and a backend message."""
    problems = [] if run.input_unchanged else ["the input file was changed"]
    if "Traceback" in run.stdout + run.stderr:
        problems.append("printed a traceback")
    if item.expect == "refused":
        if run.exit_code != 2 or not run.stderr.startswith("error: "):
            problems.append(f"exit {run.exit_code}, stderr {run.stderr!r}")
        problems += [f"message lacks {word!r}" for word in item.words if word not in run.stderr.lower()]
        if len(run.stderr.strip().splitlines()) != 1:
            problems.append(f"not one line: {run.stderr!r}")
    elif drafted:
        if run.exit_code != 0 or not run.stdout.startswith("ESCALATION: "):
            problems.append(f"no draft: exit {run.exit_code}, stderr {run.stderr!r}")
    else:
        # An attachment kept as plain text is announced first ("[ingest note: x.har is not valid
        # JSON…]", a logging warning); the last line is the one error.
        *notes, last = run.stderr.strip().splitlines() or [""]
        if run.exit_code != 3 or not last.startswith("error: model backend: cannot reach the model server"):
            problems.append(f"exit {run.exit_code}, stderr {run.stderr!r}")
        problems += [f"unexpected stderr line {line!r}" for line in notes if not line.startswith("[ingest note: ")]
    return problems


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
