"""A function standing in for the OpenAI-compatible model endpoint, under the real pipeline.

`build_function_drafter` (an ESCALATE_DRAFTER_FACTORY) is the production drafting service from
`app.services.factory.build_drafting_service`: ingest, redaction, condensing, the assessment,
the openai client, instructor (JSON-schema mode, streaming, validation and re-asks), citing,
rules, store. Only the HTTP endpoint behind the openai client is replaced: `ENDPOINT` answers
`POST /v1/chat/completions`, streamed (server-sent events) or not, with what `answer` writes for
the request it was sent, like pydantic-ai's FunctionModel.

What the stand-in model writes is a fixed function of the request, so each test knows its brief:
- brief@v2 (the web app's prompt, a CitedDraft): the first line of the ticket as summary,
  description and impact, the text after a line's "Steps:" as the reproduction step, each citing
  its line; no facts (code reads IDs, times, errors and versions from the ticket itself);
- brief@v1 (a whole DraftedBrief): the same first line and step, severity sev3, the `acct-NNNN`
  and `YYYY-MM-DD HH:MM UTC` in the ticket as account IDs and timestamps, its first line saying
  "error" as the error message, an "Environment:" line's text, evidence quoted from the ticket;
- a ticket containing INVENTED_QUOTE (brief@v1) gets an evidence quote the ticket lacks, on every
  attempt, so the real re-asks run out and the real evidence check reports it;
- a ticket containing INVENTED_ID (brief@v1) gets an account ID (acct-9999) and a timestamp the
  ticket lacks, which the real grounding check reports;
- a ticket containing MODEL_DOWN is answered by a refused connection, as from a stopped server.

A test holds a streamed answer mid-way with GATE (cleared: the endpoint waits before each key
after the first) to watch the page while drafting runs, reload it, or cancel it. `REQUESTS`
keeps the body of every request the endpoint was sent.
"""

import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2

from app.core.llm.client import BackendInfo
from app.core.llm.settings import Settings, get_settings
from app.services.drafting import DraftingService
from app.services.factory import build_drafting_service

MODEL_DOWN = "MODEL_DOWN"
INVENTED_QUOTE = "INVENTED_QUOTE"
INVENTED_ID = "INVENTED_ID"
INVENTED = "Payment approval is broken for all customers"  # what a small model wrote, not the ticket

GATE = threading.Event()
GATE.set()
STARTED = threading.Event()  # set when the endpoint receives a request
REQUESTS: list[dict[str, Any]] = []

BACKEND = BackendInfo(name="function", base_url="http://model.test/v1", model="function-model")
_ACCOUNT = re.compile(r"\bacct-\d+\b")
_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\b")
_NUMBERED = re.compile(r"^(\d+)\| ?(.*)$")


def _ticket_lines(request: dict[str, Any]) -> list[tuple[int, str]]:
    """The (line number, text) pairs of the ticket the pipeline sent: numbered under brief@v2,
    under the TICKET: header under brief@v1 (then numbered here from 1)."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    numbered = [(int(m.group(1)), m.group(2)) for m in map(_NUMBERED.match, user.splitlines()) if m]
    if numbered:
        return numbered
    ticket = user.split("TICKET:", 1)[-1].split("\nLOGS (", 1)[0]
    return list(enumerate(ticket.strip().splitlines(), 1))


def _labelled(lines: list[tuple[int, str]], label: str) -> tuple[str, list[int]]:
    """The text after `label` on the first line that starts with it, and that line's number."""
    for number, text in lines:
        if text.strip().lower().startswith(label.lower()):
            return text.strip()[len(label) :].strip(), [number]
    return "", []


def _first(lines: list[tuple[int, str]]) -> tuple[int, str]:
    return next(((n, t.strip()) for n, t in lines if t.strip()), (1, ""))


def cited_answer(request: dict[str, Any]) -> dict[str, Any]:
    lines = _ticket_lines(request)
    number, first = _first(lines)
    steps, steps_lines = _labelled(lines, "Steps:")
    return {
        "summary": first[:120],
        "summary_lines": [number],
        "description": first[:240],
        "description_lines": [number],
        "workflow_impact": first[:120],
        "impact_lines": [number],
        "steps": [steps[:80]] if steps else [],
        "expected": "",
        "actual": "",
        "reproduction_lines": steps_lines,
        "tried": [],
        "workaround": "",
        "workaround_lines": [],
        "last_update": "",
        "expectation": "",
        "escalation_risk": "",
        "communication_lines": [],
        "asks": [],
        "customer_names": [],
        "facts": [],
    }


def brief_answer(request: dict[str, Any]) -> dict[str, Any]:
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    lines = _ticket_lines(request)
    _, first = _first(lines)
    steps, _ = _labelled(lines, "Steps:")
    environment, _ = _labelled(lines, "Environment:")
    accounts = list(dict.fromkeys(_ACCOUNT.findall(user)))
    times = list(dict.fromkeys(_TIME.findall(user)))
    errors = [t.strip() for _, t in lines if "error" in t.lower()][:1]
    invented_id = INVENTED_ID in user
    return {
        "summary": first[:150],
        "severity": "sev3",
        "target": "engineering",
        "impact": {"workflow_impact": first[:150]},
        "description": first,
        "reproduction": {"steps": [steps] if steps else [], "environment": environment},
        "diagnostics": {
            "account_ids": accounts + (["acct-9999"] if invented_id else []),
            "timestamps": times + (["2023-04-15T12:34:56Z"] if invented_id else []),
            "error_messages": errors,
        },
        "evidence": [{"field": "summary", "quote": first[:150]}]
        + [{"field": "diagnostics.account_ids", "quote": a} for a in accounts]
        + ([{"field": "impact.workflow_impact", "quote": INVENTED}] if INVENTED_QUOTE in user else []),
    }


def answer(request: dict[str, Any]) -> dict[str, Any]:
    """What the stand-in model writes for a chat-completions request: the schema it was asked for
    (instructor's JSON-schema mode names it in response_format) decides the shape."""
    schema_name = str(request.get("response_format", {}).get("json_schema", {}).get("name", ""))
    return cited_answer(request) if "CitedDraft" in schema_name else brief_answer(request)


def _pieces(data: dict[str, Any]) -> Iterator[str]:
    """The answer's JSON in pieces, one per top-level key, as tokens would arrive."""
    items = list(data.items())
    for index, (key, value) in enumerate(items):
        opening = "{" if index == 0 else ", "
        closing = "}" if index == len(items) - 1 else ""
        yield f"{opening}{json.dumps(key)}: {json.dumps(value)}{closing}"


def _chunk(content: str | None, finish: str | None = None) -> bytes:
    delta = {"content": content} if content is not None else {"role": "assistant", "content": None}
    body = {
        "id": "chatcmpl-function",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": BACKEND.model,
        "choices": [{"index": 0, "delta": delta if finish is None else {}, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


async def _stream(data: dict[str, Any]) -> AsyncIterator[bytes]:
    yield _chunk(None)
    for index, piece in enumerate(_pieces(data)):
        if index:  # the first key comes at once; the rest waits while a test holds the gate
            GATE.wait(30)  # blocks only this stream's own event loop (app.core.extract)
        yield _chunk(piece)
    yield _chunk(None, finish="stop")
    yield b"data: [DONE]\n\n"


def handle(request: httpx2.Request) -> httpx2.Response:
    body = json.loads(request.content)
    REQUESTS.append(body)
    STARTED.set()
    if any(MODEL_DOWN in str(m.get("content")) for m in body["messages"]):
        raise httpx2.ConnectError("connection refused (function endpoint)", request=request)
    data = answer(body)
    if body.get("stream"):
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=_stream(data))
    content = json.dumps(data)
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-function",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": BACKEND.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": len(content) // 4, "total_tokens": 0},
        },
    )


ENDPOINT = httpx2.MockTransport(handle)


def function_settings() -> Settings:
    # No HTTP retries: a refused connection fails at once instead of after the client's backoff.
    return get_settings().model_copy(update={"max_retries": 0})


def build_function_drafter(prompt_ref: str = "brief@v2") -> DraftingService:
    """The web app's drafting service (brief@v2), its model served by `handle`."""
    return build_drafting_service(
        function_settings(), prompt_ref, backend=BACKEND, transport=ENDPOINT, async_transport=ENDPOINT
    )


def build_v1_drafter() -> DraftingService:
    """The same service under the whole-brief prompt (brief@v1), where the model writes evidence
    and identifiers itself, so invented ones reach the rules."""
    return build_function_drafter("brief@v1")
