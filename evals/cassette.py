"""Replaying recorded model traffic (vcrpy), so an eval can run in CI with no model server.

Requests are matched on method, path and body: a changed prompt, schema or ticket finds no
recording and fails loudly instead of replaying a stale answer. Recording is only ever asked for
explicitly (`record=True`): it replays what the cassette holds and records only what is missing
(vcrpy's "new_episodes"), so an interrupted recording on a slow CPU model resumes where it stopped.
"""

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import vcr
from vcr.cassette import Cassette

from evals import replay_mark

_KEEP_RESPONSE_HEADERS = {"content-type"}
FILTER_HEADERS = [
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "cookie",
    "user-agent",
    "x-stainless-os",
    "x-stainless-arch",
    "x-stainless-runtime-version",
    "x-stainless-package-version",
    "x-stainless-runtime",
    "x-stainless-lang",
    "x-stainless-retry-count",
    "x-stainless-read-timeout",
]


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    response["headers"] = {k: v for k, v in response["headers"].items() if k.lower() in _KEEP_RESPONSE_HEADERS}
    return response


def _only_model_calls(request: Any) -> Any:
    # The embedded backend probes /health and /props to reuse a running server. Recorded, those probes
    # would later "find" a server that is not there (connection refused on the first real call), so
    # only the OpenAI-compatible /v1/ traffic is recorded or replayed; the probes always go live.
    return request if "/v1/" in request.path else None


VCR_CONFIG: dict[str, Any] = {
    "match_on": ["method", "path", "body"],
    "before_record_request": _only_model_calls,
    "filter_headers": FILTER_HEADERS,
    "before_record_response": _scrub_response,
    "decode_compressed_response": True,
}


class _MarkingCassette(Cassette):
    def play_response(self, request: Any) -> Any:
        replay_mark.mark()
        return super().play_response(request)


def use_cassette(path: Path, *, record: bool = False) -> AbstractContextManager[Any]:
    """Replay `path` (refusing any request it does not hold), or record it when `record` is set."""
    config = vcr.VCR(**VCR_CONFIG).get_merged_config(path=str(path), record_mode="new_episodes" if record else "none")
    return _MarkingCassette.use(**config)
