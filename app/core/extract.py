"""One instructor call: prompt + context -> EscalationBrief, with re-asks, usage and a fallback.

Schema-level problems (a quote not in the ticket, an unknown severity, malformed JSON) make
instructor re-ask with the validator's message, which is written for the model. When retries
run out the last attempt is still returned, marked invalid with its errors, so the agent has
something to fix instead of nothing. An answer cut off at max_tokens is returned the same way
(what parsed of it, marked invalid); a stream whose connection breaks is asked again unstreamed.
"""

import asyncio
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2
import instructor
import openai
import pydantic_core
from instructor.core.exceptions import IncompleteOutputException, InstructorRetryException
from instructor.v2.core.hooks import Hooks
from pydantic import BaseModel, ValidationError

from app.core.errors import BackendError
from app.core.llm.client import map_openai_error
from app.core.prompts import PromptFile
from schemas.brief import DraftedBrief, EscalationBrief
from schemas.cited import CitedDraft
from schemas.draft import Reask

log = logging.getLogger(__name__)


@dataclass
class Extraction:
    brief: EscalationBrief | None
    valid: bool
    errors: list[str] = field(default_factory=list)
    raw: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    reasks: list[Reask] = field(default_factory=list)
    latency_s: float = 0.0
    # A streamed answer whose server reported no usage: the caller counts its tokens locally.
    unmetered_output: str | None = None
    # The model's answer under a prompt whose output is not a whole brief (brief@v2's CitedDraft);
    # the drafting service composes the brief from it and the source.
    answer: CitedDraft | None = None
    # Seconds from sending the request to the first partial answer (streamed drafts only).
    first_partial_s: float | None = None


@dataclass
class ProseCompletion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float


class Extractor(Protocol):
    """What the drafting service needs from a model; tests pass a recorded or fake one."""

    model_name: str

    def extract(self, prompt: PromptFile, context: dict[str, Any]) -> Extraction: ...

    def stream(self, prompt: PromptFile, context: dict[str, Any]) -> Iterator[dict[str, Any] | Extraction]: ...

    def complete_text(self, prompt: PromptFile, context: dict[str, Any]) -> ProseCompletion: ...


def classify_error(exc: BaseException) -> str:
    """Name the validator behind a failed attempt, for the receipt."""
    text = str(exc)
    if "evidence" in text:
        return "evidence"
    if isinstance(exc, ValidationError):
        fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
        if "severity" in fields or "target" in fields:
            return "enum"
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            return "json"
        return "schema"
    if isinstance(exc, json.JSONDecodeError):
        return "json"
    return type(exc).__name__


def _completion_text(completion: Any) -> str | None:
    try:
        return completion.choices[0].message.content
    except (AttributeError, IndexError, TypeError):
        return None


def salvage(raw: str | None) -> EscalationBrief | None:
    """Best effort at the last attempt: schema-valid but ungrounded beats nothing.

    JSON cut off mid-way is parsed as far as it goes, so a brief truncated after its required
    fields is still kept for the agent to finish.
    """
    if not raw:
        return None
    try:
        data = pydantic_core.from_json(raw, allow_partial=True)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for _ in range(3):
        try:
            return EscalationBrief.model_validate(data)
        except ValidationError as exc:
            if not _repair(data, exc):
                return None
    return None


def _repair(data: dict[str, Any], exc: ValidationError) -> bool:
    """Fix what a reviewer would fix without asking: a text over its length limit is cut, an
    evidence item left half-written is dropped. Whether anything was changed."""
    changed = False
    for error in exc.errors():
        loc, kind = error["loc"], error["type"]
        if kind == "string_too_long" and loc:
            parent = _at(data, loc[:-1])
            limit = (error.get("ctx") or {}).get("max_length")
            if parent is not None and limit and isinstance(parent[loc[-1]], str):
                parent[loc[-1]] = parent[loc[-1]][: int(limit)].rstrip()
                changed = True
    evidence = data.get("evidence")
    if isinstance(evidence, list):
        whole = [e for e in evidence if isinstance(e, dict) and e.get("field") and e.get("quote")]
        if len(whole) != len(evidence):
            data["evidence"], changed = whole, True
    return changed


def _at(data: Any, loc: tuple[int | str, ...]) -> Any:
    for key in loc:
        try:
            data = data[key]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def salvage_cited(raw: str | None) -> CitedDraft | None:
    """The last cited answer, parsed as far as it goes; missing keys default to empty."""
    if not raw:
        return None
    try:
        data = pydantic_core.from_json(raw, allow_partial=True)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    defaults: dict[str, Any] = {
        name: ([] if "list" in str(info.annotation) else "") for name, info in CitedDraft.model_fields.items()
    }
    try:
        return CitedDraft.model_validate({**defaults, **data})
    except ValidationError:
        return None


def _parsed(parsed: Any) -> tuple[EscalationBrief | None, CitedDraft | None]:
    """(brief, answer) of a parsed response: a cited answer is composed into a brief later."""
    if isinstance(parsed, CitedDraft):
        return None, parsed
    return as_brief(parsed), None


def _salvaged(raw: str | None, cited: bool) -> tuple[EscalationBrief | None, CitedDraft | None]:
    return (None, salvage_cited(raw)) if cited else (salvage(raw), None)


def as_brief(parsed: Any) -> EscalationBrief:
    """The model answers a DraftedBrief (evidence required); the product stores an EscalationBrief."""
    if isinstance(parsed, DraftedBrief):
        return parsed.to_brief()
    if isinstance(parsed, EscalationBrief):
        return parsed
    return EscalationBrief.model_validate(parsed.model_dump() if isinstance(parsed, BaseModel) else parsed)


def _broke_mid_stream(exc: BaseException) -> bool:
    """Whether a failed stream died of its connection rather than of its content."""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return False
        if isinstance(current, httpx2.TransportError | openai.APIConnectionError):
            return True
        current = current.__cause__ or current.__context__
    return False


def _log_cleanup_error(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    log.debug("stream cleanup: %s", context.get("message"), exc_info=context.get("exception"))


def _drive_async_stream(
    make_client: Callable[[], instructor.AsyncInstructor], request: dict[str, Any]
) -> Iterator[Any]:
    """Iterate instructor's async `create_partial` from sync code, one partial per parsed chunk.

    A private event loop per stream lets any thread (a Streamlit session, the CLI, an eval worker)
    stream without sharing a loop; the client is built and closed on that loop.
    """
    loop = asyncio.new_event_loop()
    client = make_client()
    partials = client.create_partial(**request)
    try:
        while True:
            try:
                item = loop.run_until_complete(partials.__anext__())
            except StopAsyncIteration:
                return
            yield item
    finally:
        try:
            loop.run_until_complete(partials.aclose())
            if client.client is not None:
                loop.run_until_complete(client.client.close())
            # Inner generators (the SSE reader's) are finalised here, on their own loop, rather than
            # by the garbage collector after the loop is gone ("Task was destroyed but it is pending").
            # A stream that ended in a validation error leaves httpx's reader mid-iteration; closing
            # it then complains ("aclose(): asynchronous generator is already running") about a
            # connection already closed above: worth a debug line, not a traceback on stderr.
            loop.set_exception_handler(_log_cleanup_error)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


class _Meter:
    """Sums usage and records re-asks through instructor's per-call hooks."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.attempts = 0
        self.reasks: list[Reask] = []
        self._pending: Reask | None = None
        self.hooks = Hooks()
        self.hooks.on("completion:response", self._on_response)
        self.hooks.on("parse:error", self._on_parse_error)

    def _on_response(self, response: Any) -> None:
        # A parse error counts as a re-ask only once another attempt follows it; the last
        # attempt's error is reported as the draft's error, not as a re-ask.
        if self._pending is not None:
            self.reasks.append(self._pending)
            self._pending = None
        self.attempts += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.prompt_tokens += usage.prompt_tokens or 0
            self.completion_tokens += usage.completion_tokens or 0

    def settle(self) -> None:
        """A request after the last parse error was sent but failed: that parse error was re-asked."""
        if self._pending is not None:
            self.reasks.append(self._pending)
            self._pending = None

    def kept_invalid(
        self, raw: str | None, errors: list[str], *, attempts: int, started: float, cited: bool = False
    ) -> Extraction:
        """The last answer, salvaged and marked invalid, with what this meter counted."""
        brief, answer = _salvaged(raw, cited)
        return Extraction(
            brief=brief,
            answer=answer,
            valid=False,
            errors=errors,
            raw=raw,
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            attempts=max(self.attempts, attempts),
            reasks=self.reasks,
            latency_s=time.perf_counter() - started,
        )

    def _on_parse_error(self, error: Exception) -> None:
        self._pending = Reask(attempt=max(self.attempts, 1), validator=classify_error(error), message=str(error)[:500])


class InstructorExtractor:
    def __init__(
        self,
        client: instructor.Instructor,
        model_name: str,
        *,
        max_retries: int = 2,
        max_tokens: int = 900,
        temperature: float = 0.0,
        response_model: type[BaseModel] = DraftedBrief,
        async_client: Callable[[], instructor.AsyncInstructor] | None = None,
    ) -> None:
        self.client = client
        # Builds a fresh async client per stream: its connections belong to that stream's event loop.
        self.async_client = async_client
        self.model_name = model_name
        self.max_retries = max_retries
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.response_model = response_model

    def response_model_for(self, prompt: Any) -> type[BaseModel]:
        """A prompt whose output is 'cited' (brief@v2) is answered as a CitedDraft."""
        return CitedDraft if getattr(prompt, "output", "brief") == "cited" else self.response_model

    def _call_kwargs(self) -> dict[str, Any]:
        return {"model": self.model_name, "max_tokens": self.max_tokens, "temperature": self.temperature}

    def extract(self, prompt: PromptFile, context: dict[str, Any], *, max_retries: int | None = None) -> Extraction:
        meter = _Meter()
        started = time.perf_counter()
        response_model = self.response_model_for(prompt)
        cited = response_model is CitedDraft
        try:
            brief, completion = self.client.create_with_completion(
                response_model=response_model,
                messages=prompt.messages(),  # type: ignore[arg-type]
                context=context,
                max_retries=self.max_retries if max_retries is None else max_retries,
                hooks=meter.hooks,
                **self._call_kwargs(),
            )
        except InstructorRetryException as exc:
            cause = exc.__cause__
            attempts = getattr(exc, "failed_attempts", []) or []
            if isinstance(cause, openai.APIError | openai.APIConnectionError):
                answered = [a for a in attempts if _completion_text(a.completion)]
                if not answered:
                    raise map_openai_error(cause) from exc
                # The server failed a re-ask (measured: llama.cpp answers some with HTTP 500, "output
                # does not match the expected peg-native format"). Keep the last answer, marked invalid.
                raw = _completion_text(answered[-1].completion)
                errors = [
                    str(answered[-1].exception)[:500],
                    f"asking the model to correct it failed: {map_openai_error(cause)}",
                ]
                meter.settle()
                return meter.kept_invalid(raw, errors, attempts=len(attempts), started=started, cited=cited)
            errors = [str(a.exception)[:500] for a in attempts] or [str(exc)[:500]]
            return meter.kept_invalid(
                _completion_text(exc.last_completion),
                errors,
                attempts=exc.n_attempts or 0,
                started=started,
                cited=cited,
            )
        except IncompleteOutputException as exc:
            # Asking again would only hit the same limit; keep what parsed and say what to change.
            cut_off = (
                f"the model's answer was cut off at max_tokens={self.max_tokens} before its JSON was complete; "
                "raise ESCALATE_MAX_TOKENS or shorten the ticket, or finish the brief by hand"
            )
            return meter.kept_invalid(
                _completion_text(exc.last_completion), [cut_off], attempts=1, started=started, cited=cited
            )
        except (openai.APIError, openai.APIConnectionError) as exc:
            raise map_openai_error(exc) from exc
        final, answer = _parsed(brief)
        return Extraction(
            brief=final,
            answer=answer,
            valid=True,
            raw=_completion_text(completion),
            prompt_tokens=meter.prompt_tokens,
            completion_tokens=meter.completion_tokens,
            attempts=meter.attempts,
            reasks=meter.reasks,
            latency_s=time.perf_counter() - started,
        )

    def stream(self, prompt: PromptFile, context: dict[str, Any]) -> Iterator[dict[str, Any] | Extraction]:
        """Yield partial briefs as dicts while the model writes, then the checked Extraction.

        The stream itself is validated only at the end; a draft that fails there is re-asked
        through `extract` with the model's answer and the validator's message appended.
        """
        started = time.perf_counter()
        last: dict[str, Any] = {}
        meter = _Meter()
        response_model = self.response_model_for(prompt)
        cited = response_model is CitedDraft
        first_partial: float | None = None
        try:
            request: dict[str, Any] = dict(
                response_model=response_model,
                messages=prompt.messages(),
                context=context,
                max_retries=0,
                # Partials are validated as Python dicts, where strict mode refuses enum values given as
                # strings: every stream then failed at its end and cost a second, non-streamed call.
                strict=False,
                hooks=meter.hooks,
                **self._call_kwargs(),
            )
            partials = (
                _drive_async_stream(self.async_client, request)
                if self.async_client is not None
                else self.client.create_partial(**request)  # correct, but yields only once the stream ends
            )
            for partial in partials:
                # Mid-stream, enum fields still hold plain strings; pydantic would warn on each dump.
                last = partial.model_dump(mode="json", exclude_none=True, warnings=False)
                if first_partial is None and last:
                    first_partial = time.perf_counter() - started
                yield last
        except (InstructorRetryException, httpx2.TransportError, openai.APIConnectionError) as exc:
            # A connection that breaks once the answer is flowing: bare from the async stream (httpx2
            # raises while we iterate), wrapped in instructor's retry error on the sync path. One that
            # never opened was already retried by the openai client: that is a BackendError now.
            never_opened = isinstance(exc, openai.APIConnectionError) and not last
            if _broke_mid_stream(exc) and not never_opened:
                # Not the model's fault, so no re-ask: the same request again, unstreamed, with the
                # client's retries and backoff (a BackendError if the server stays unreachable).
                extraction = self.extract(prompt, context)
                extraction.attempts += 1  # the stream that broke was sent too
                extraction.latency_s = time.perf_counter() - started
                yield extraction
                return
            if not isinstance(exc, InstructorRetryException):
                raise map_openai_error(exc) from exc
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        except ValidationError as exc:
            # instructor validates the completed JSON before yielding it, so the last chunk never
            # arrives as a partial. A brief-level error (the evidence check) carries the whole answer.
            whole = [e["input"] for e in exc.errors() if not e["loc"] and isinstance(e.get("input"), dict)]
            if whole:
                last = whole[-1]
        raw = json.dumps(last)
        try:
            brief, answer = _parsed(response_model.model_validate(last, context=context))
        except ValidationError as exc:
            first = Reask(attempt=1, validator=classify_error(exc), message=str(exc)[:500])
            # A cited answer decodes under the schema's grammar: what fails it is an answer cut off
            # (keys missing), which asking again would only cut off again. Keep what parsed.
            cut_off = cited and all(e["type"] == "missing" for e in exc.errors())
            if self.max_retries <= 0 or cut_off:
                kept, kept_answer = _salvaged(raw, cited)
                extraction = Extraction(brief=kept, answer=kept_answer, valid=False, errors=[first.message], raw=raw)
            else:
                # The streamed attempt used one re-ask of the budget: same total as `extract`.
                try:
                    extraction = self._reask(prompt, context, raw, exc, retries=self.max_retries - 1)
                except BackendError as failure:
                    # Measured: llama.cpp can answer a re-ask with HTTP 500 ("output does not match the
                    # expected peg-native format"). The streamed draft is kept, marked invalid, not lost.
                    kept, kept_answer = _salvaged(raw, cited)
                    extraction = Extraction(
                        brief=kept,
                        answer=kept_answer,
                        valid=False,
                        errors=[first.message, f"asking the model to correct it failed: {failure}"],
                        raw=raw,
                        attempts=1,
                    )
                extraction.reasks.insert(0, first)
            extraction.attempts += max(meter.attempts, 1)
            extraction.prompt_tokens += meter.prompt_tokens
            extraction.completion_tokens += meter.completion_tokens
            extraction.unmetered_output = None if meter.completion_tokens else raw
            extraction.latency_s = time.perf_counter() - started
            extraction.first_partial_s = first_partial
            yield extraction
            return
        yield Extraction(
            brief=brief,
            answer=answer,
            first_partial_s=first_partial,
            valid=True,
            raw=raw,
            prompt_tokens=meter.prompt_tokens,
            completion_tokens=meter.completion_tokens,
            attempts=max(meter.attempts, 1),
            latency_s=time.perf_counter() - started,
            unmetered_output=None if meter.completion_tokens else raw,
        )

    def _reask(
        self, prompt: PromptFile, context: dict[str, Any], raw: str, exc: Exception, *, retries: int
    ) -> Extraction:
        # Same shape as instructor's JSON-mode re-ask: our answer, then the errors to correct.
        # The model's JSON goes in through the context too, so braces in it are never rendered.
        context = {**context, "_previous": raw, "_errors": str(exc)}
        messages = [
            *prompt.messages(),
            {"role": "assistant", "content": "{{ _previous }}"},
            {
                "role": "user",
                "content": "Correct your JSON ONLY RESPONSE, based on the following errors:\n{{ _errors }}",
            },
        ]
        wrapped: Any = _Messages(messages, getattr(prompt, "output", "brief"))
        return self.extract(wrapped, context, max_retries=retries)

    def complete_text(self, prompt: PromptFile, context: dict[str, Any]) -> ProseCompletion:
        """A plain completion (the prose baseline): no schema, no re-asks."""
        started = time.perf_counter()
        try:
            completion = self.client.create(
                response_model=None,
                messages=prompt.messages(),  # type: ignore[arg-type]
                context=context,
                max_retries=0,
                **self._call_kwargs(),
            )
        except (openai.APIError, openai.APIConnectionError) as exc:
            raise map_openai_error(exc) from exc
        usage = getattr(completion, "usage", None)
        return ProseCompletion(
            text=_completion_text(completion) or "",
            prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
            latency_s=time.perf_counter() - started,
        )

    def close(self) -> None:
        """Close the HTTP connections now, not whenever the garbage collector gets to them."""
        http_client = getattr(self.client, "client", None)
        if http_client is not None and hasattr(http_client, "close"):
            http_client.close()


class _Messages:
    """A prompt-shaped wrapper around explicit messages (used for the streamed path's re-ask)."""

    def __init__(self, messages: list[dict[str, str]], output: str = "brief") -> None:
        self._messages = messages
        self.output = output

    def messages(self) -> list[dict[str, str]]:
        return self._messages


__all__ = ["BackendError", "Extraction", "Extractor", "InstructorExtractor", "ProseCompletion"]
