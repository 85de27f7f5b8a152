"""Ingest: decoding fallbacks, refusals with clear messages, HAR/JSON handling, log splitting."""

import codecs
import gzip
import json

import pytest

from app.core.errors import InputError
from app.core.ingest import decode_bytes, ingest, sanitize_url, split_conversation
from app.core.reading import MAX_TICKET_LINE_CHARS

MB = 1_048_576


# ------------------------------------------------------------------------------------------ decoding
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain ascii log", "plain ascii log"),
        ("café – UTF-8".encode(), "café – UTF-8"),
        (codecs.BOM_UTF8 + b"bom first", "bom first"),
        ("Grüße aus Köln".encode("utf-16"), "Grüße aus Köln"),
        (codecs.BOM_UTF16_BE + "big endian".encode("utf-16-be"), "big endian"),
        ("ERROR no bom here".encode("utf-16-le"), "ERROR no bom here"),
        ("wide".encode("utf-32"), "wide"),
    ],
)
def test_decodes_unicode_encodings(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "x.log") == expected


def test_windows_1252_text_is_not_mangled_into_a_central_european_code_page() -> None:
    text = "Café résumé naïve – “quotes” déjà vu"
    assert decode_bytes(text.encode("cp1252"), "notes.txt") == text


def test_latin_1_bytes_fall_back_cleanly() -> None:
    assert decode_bytes(b"caf\xe9 cr\xe8me br\xfbl\xe9e", "menu.txt") == "café crème brûlée"


def test_non_latin_legacy_encoding_is_detected() -> None:
    text = "Ошибка сервера при входе в систему, клиент не может войти уже два часа"
    assert decode_bytes(text.encode("cp1251"), "ru.log") == text


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"log line\x00\x01\x02binary tail", "NUL"),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 20 + b"some text", "control characters"),
    ],
)
def test_binary_is_refused_naming_the_file(data: bytes, why: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_bytes(data, "screenshot.bin")
    assert "screenshot.bin" in str(caught.value)
    assert why in str(caught.value)


# ------------------------------------------------------------------------------------------ size limits
def test_oversize_file_is_refused_with_size_and_limit() -> None:
    with pytest.raises(InputError) as caught:
        ingest("ticket", [("huge.log", b"x" * (2 * MB))], max_bytes=MB)
    message = str(caught.value)
    assert "huge.log" in message
    assert "2.0 MB" in message and "1.0 MB" in message


def test_oversize_total_is_refused_even_when_each_file_fits() -> None:
    files = [(f"part{i}.log", b"y" * (MB // 2)) for i in range(3)]
    with pytest.raises(InputError, match=r"together, over the input limit of 1\.0 MB"):
        ingest("ticket", files, max_bytes=MB)


def test_gzip_logs_are_decompressed_and_bombs_refused() -> None:
    ticket = ingest("see log", [("app.log.gz", gzip.compress(b"2024-05-01T10:00:00Z ERROR boom\n"))], max_bytes=MB)
    assert ticket.attachments[0].text.startswith("2024-05-01T10:00:00Z ERROR boom")
    assert ticket.attachments[0].kind == "log"
    bomb = gzip.compress(b"a" * (4 * MB))
    with pytest.raises(InputError, match=r"app\.log\.gz expands to more than"):
        ingest("see log", [("app.log.gz", bomb)], max_bytes=MB)


def test_nothing_to_draft_from_is_refused() -> None:
    with pytest.raises(InputError, match="nothing to draft from"):
        ingest("   ", [], max_bytes=MB)


def test_a_pasted_line_no_conversation_has_is_refused_but_the_same_line_attached_is_kept() -> None:
    # The web page and the CLI share this limit (app.core.reading.check_ticket_text).
    blob = "x" * (MAX_TICKET_LINE_CHARS + 1)
    with pytest.raises(InputError, match=r"the ticket: line 2 is 100,001 characters long.*attach"):
        ingest("Customer: export fails\n" + blob, [], max_bytes=MB)
    ticket = ingest("Customer: export fails", [("minified.log", blob.encode())], max_bytes=MB)
    assert ticket.attachments[0].text == blob


# ------------------------------------------------------------------------------------------ HAR / JSON
def _har_entry(method: str, url: str, status: int, time_ms: float, body: str = "", **response: object) -> dict:
    return {
        "startedDateTime": "2024-05-01T10:00:05.321Z",
        "time": time_ms,
        "request": {"method": method, "url": url, "headers": [{"name": "Authorization", "value": "Bearer s3cr3t"}]},
        "response": {
            "status": status,
            "statusText": {200: "OK", 502: "Bad Gateway", 0: ""}.get(status, ""),
            "headers": [{"name": "X-Request-Id", "value": "req_8f3a2b"}, {"name": "Set-Cookie", "value": "sid=abc"}],
            "content": {"mimeType": "application/json", "text": body},
            **response,
        },
    }


def test_har_is_summarised_to_its_failing_requests() -> None:
    har = {
        "log": {
            "entries": [
                _har_entry("GET", "https://app.acme.io/static/app.js", 200, 12, "x" * 5000),
                _har_entry(
                    "POST",
                    "https://api.acme.io/v1/checkout?session=abc123&page=2&api_key=XYZ",
                    502,
                    30012.4,
                    '{"error": "upstream timeout", "request_id": "req_8f3a2b"}',
                ),
                _har_entry("GET", "https://api.acme.io/v1/ping", 0, 0, _error="net::ERR_CONNECTION_REFUSED"),
            ]
        }
    }
    ticket = ingest("checkout fails", [("session.har", json.dumps(har).encode())], max_bytes=MB)
    attachment = ticket.attachments[0]
    assert attachment.kind == "har"
    text = attachment.text
    assert "3 requests" in text and "2 failed" in text
    assert "POST https://api.acme.io/v1/checkout?session=[removed]&page=2&api_key=[removed] -> 502 Bad Gateway" in text
    assert "30012 ms" in text
    assert "x-request-id: req_8f3a2b" in text
    assert '{"error": "upstream timeout"' in text
    assert "no response (net::ERR_CONNECTION_REFUSED)" in text
    # Successful requests, request headers and cookies stay out of the summary.
    assert "app.js" not in text and "s3cr3t" not in text and "sid=abc" not in text and "abc123" not in text


def test_repeated_har_failures_are_grouped_with_a_count() -> None:
    entries = [_har_entry("GET", f"https://api.acme.io/v1/orders?id={i}", 503, 100 + i) for i in range(5)]
    text = ingest("", [("x.har", json.dumps({"log": {"entries": entries}}).encode())], max_bytes=MB).attachments[0].text
    assert text.count("-> 503") == 1
    assert "x5 (first" in text


def test_malformed_har_is_kept_as_text_with_a_note() -> None:
    broken = b'{"log": {"entries": [ {"request": '
    attachment = ingest("", [("broken.har", broken)], max_bytes=MB).attachments[0]
    assert attachment.kind == "text"
    assert attachment.text.startswith("[ingest note: broken.har is not valid JSON")
    assert attachment.text.endswith(broken.decode())


def test_json_is_pretty_printed_and_malformed_json_kept() -> None:
    good = ingest("", [("resp.json", b'{"error":{"code":"E1234","ids":[1,2]}}')], max_bytes=MB).attachments[0]
    assert good.kind == "json"
    assert good.text == json.dumps({"error": {"code": "E1234", "ids": [1, 2]}}, indent=2)
    bad = ingest("", [("resp.json", b'{"error": "E1234",}')], max_bytes=MB).attachments[0]
    assert bad.kind == "text"
    assert "resp.json is not valid JSON" in bad.text and bad.text.endswith('{"error": "E1234",}')


def test_json_lines_are_a_log_not_malformed_json() -> None:
    lines = b'{"level":"error","msg":"a"}\n{"level":"info","msg":"b"}\n'
    attachment = ingest("", [("events.json", lines)], max_bytes=MB).attachments[0]
    assert attachment.kind == "log"
    assert attachment.text == lines.decode()


def test_ansi_colours_are_stripped_from_logs() -> None:
    attachment = ingest("", [("c.log", b"\x1b[31mERROR\x1b[0m failed")], max_bytes=MB).attachments[0]
    assert attachment.text == "ERROR failed"


def test_sanitize_url_drops_passwords_and_secret_parameters_only() -> None:
    url = "https://bob:hunter2@api.acme.io/v1/x?token=abc&limit=10&X-Amz-Signature=ff&id=42"
    assert (
        sanitize_url(url)
        == "https://bob:[removed]@api.acme.io/v1/x?token=[removed]&limit=10&X-Amz-Signature=[removed]&id=42"
    )


# ------------------------------------------------------------------------------------------ split
PASTED = """Hi team, ACME (acct_4471) says exports fail since 10:00.
2024-05-01T10:00:01.123Z ERROR export-svc export failed for acct_4471 request_id=req_8f3a
Traceback (most recent call last):
  File "/app/export.py", line 12, in run
    do()
ValueError: bad thing

Can you look?
[10:32 AM] Jane: they also see this:
Exception in thread "main" java.lang.IllegalStateException: boom
\tat com.acme.Export.run(Export.java:42)
Caused by: java.io.IOException: disk full
\t... 3 more
Thanks!
{"level":"error","msg":"db timeout","ts":"2024-05-01T10:00:00Z"}
May  1 10:00:02 web-1 nginx[311]: upstream timed out
Error: I cannot log in"""


def test_split_conversation_moves_log_lines_and_traces_out_of_the_conversation() -> None:
    conversation, logs = split_conversation(PASTED)
    assert conversation.splitlines() == [
        "Hi team, ACME (acct_4471) says exports fail since 10:00.",
        "",
        "Can you look?",
        "[10:32 AM] Jane: they also see this:",
        "Thanks!",
        "Error: I cannot log in",
    ]
    assert logs.splitlines() == [
        "2024-05-01T10:00:01.123Z ERROR export-svc export failed for acct_4471 request_id=req_8f3a",
        "Traceback (most recent call last):",
        '  File "/app/export.py", line 12, in run',
        "    do()",
        "ValueError: bad thing",
        'Exception in thread "main" java.lang.IllegalStateException: boom',
        "\tat com.acme.Export.run(Export.java:42)",
        "Caused by: java.io.IOException: disk full",
        "\t... 3 more",
        '{"level":"error","msg":"db timeout","ts":"2024-05-01T10:00:00Z"}',
        "May  1 10:00:02 web-1 nginx[311]: upstream timed out",
    ]


def test_split_conversation_loses_no_line() -> None:
    conversation, logs = split_conversation(PASTED)
    assert sorted(line for line in PASTED.splitlines() if line.strip()) == sorted(
        line for line in (conversation + "\n" + logs).splitlines() if line.strip()
    )


def test_plain_conversation_has_no_logs() -> None:
    text = "The customer cannot export since the 3.2 release.\nAt 10:05 they retried.\nERROR is shown in red."
    assert split_conversation(text) == (text, "")


def test_a_screenshot_is_kept_by_name_and_a_renamed_image_is_still_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    ticket = ingest("Checkout fails", [("checkout-error.PNG", png)], max_bytes=1_000_000)
    assert [(a.name, a.kind, a.text) for a in ticket.attachments] == [("checkout-error.PNG", "screenshot", "")]
    with pytest.raises(InputError, match=r"screenshot\.log is a PNG image, not text"):
        ingest("Checkout fails", [("screenshot.log", png)], max_bytes=1_000_000)
