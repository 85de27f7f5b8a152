"""Replaying recorded model traffic (vcrpy), so an eval can run in CI with no model server.

Requests are matched on method, path and body: a changed prompt, schema or ticket finds no
recording and fails loudly instead of replaying a stale answer. Recording is only ever asked for
explicitly (`record=True`): it replays what the cassette holds and records only what is missing
(vcrpy's "new_episodes"), so an interrupted recording on a slow CPU model resumes where it stopped.
"""

import functools
import json
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import vcr
from vcr.cassette import Cassette

from app.core.redaction.recording import vcr_options
from evals import replay_mark


def _only_model_calls(request: Any) -> Any:
    # The embedded backend probes /health and /props to reuse a running server. Recorded, those probes
    # would later "find" a server that is not there (connection refused on the first real call), so
    # only the OpenAI-compatible /v1/ traffic is recorded or replayed; the probes always go live.
    return request if "/v1/" in request.path else None


@functools.lru_cache(maxsize=4096)
def _canonical(body: bytes | str | None) -> bytes | str | None:
    """A JSON body in one spelling (key order, spacing), computed once per distinct body."""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return body


def _same_body(new: Any, recorded: Any) -> bool:
    """vcrpy's own `body` matcher writes a unified diff of every recorded body that does not match,
    to explain the mismatch: finding one request among 300 recorded 10 KB prompts then cost seconds,
    and replaying the 160-row dev set took minutes. Equal bytes, or equal JSON, is all we need."""
    return bool(new.body == recorded.body or _canonical(new.body) == _canonical(recorded.body))


# Scrubbing (headers, bodies) has one home, shared with every test that records traffic.
VCR_CONFIG: dict[str, Any] = {"match_on": ["method", "path", "same_body"], **vcr_options(only=_only_model_calls)}


class _MarkingCassette(Cassette):
    def play_response(self, request: Any) -> Any:
        replay_mark.mark()
        return super().play_response(request)


def use_cassette(path: Path, *, record: bool = False) -> AbstractContextManager[Any]:
    """Replay `path` (refusing any request it does not hold), or record it when `record` is set."""
    recorder = vcr.VCR(**VCR_CONFIG)
    recorder.register_matcher("same_body", _same_body)
    config = recorder.get_merged_config(path=str(path), record_mode="new_episodes" if record else "none")
    return _MarkingCassette.use(**config)
