"""Drafting that outlives the browser tab: each draft request runs on a worker thread of the server
process, and any page, reload or tab of its author reattaches to it by the request's id.

A job keeps what a person watching needs: the phase and when it began, the partial brief so far,
and the outcome (the stored draft's id, or why it failed). Jobs live as long as the process; the
request row in the store outlives it (an interrupted request can be drafted again from its ticket).
"""

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.errors import EscalateError
from app.services.auth import Principal
from app.services.drafting import PartialBrief, Phase, Verdict
from app.services.workspace import DraftSaved, Workspace
from schemas.assessment import Assessment

Clock = Callable[[], float]


@dataclass(frozen=True)
class JobView:
    """A snapshot of one job, safe to read from any thread."""

    request_id: int
    author: str
    started: float  # clock() when the job began
    phase: str
    phase_started: float
    phases: tuple[tuple[str, float], ...]  # finished phases and the seconds each took
    partial: dict[str, Any] = field(default_factory=dict)
    last_output: float | None = None  # clock() of the model's latest partial brief
    verdict: Assessment | None = None  # the no-model assessment, shown before the model drafts
    draft_id: int | None = None
    error: str = ""
    cancelled: bool = False
    finished: float | None = None

    @property
    def running(self) -> bool:
        return self.finished is None


class DraftJobs:
    def __init__(self, workspace: Workspace, clock: Clock = time.monotonic) -> None:
        self.workspace = workspace
        self.clock = clock
        self._lock = threading.Lock()
        self._views: dict[int, JobView] = {}
        self._cancel: dict[int, threading.Event] = {}
        self._threads: dict[int, threading.Thread] = {}

    def start(self, principal: Principal, request_id: int) -> JobView:
        """Begin drafting a stored request on a worker thread; a request already running is left alone."""
        self.workspace.open_request(principal, request_id)  # the author only
        with self._lock:
            current = self._views.get(request_id)
            if current is not None and current.running:
                return current
            now = self.clock()
            view = JobView(request_id, principal.name, now, "queued", now, ())
            self._views[request_id] = view
            self._cancel[request_id] = threading.Event()
            thread = threading.Thread(
                target=self._run, args=(principal, request_id), name=f"draft-request-{request_id}", daemon=True
            )
            self._threads[request_id] = thread
        thread.start()
        return view

    def view(self, request_id: int) -> JobView | None:
        with self._lock:
            return self._views.get(request_id)

    def cancel(self, principal: Principal, request_id: int) -> None:
        """Stop at the next event (the model's stream is closed); the ticket stays stored."""
        self.workspace.open_request(principal, request_id)
        with self._lock:
            event = self._cancel.get(request_id)
        if event is not None:
            event.set()

    def wait(self, request_id: int, timeout: float | None = None) -> JobView | None:
        """Block until the job ends (tests and the CLI); returns its last view."""
        with self._lock:
            thread = self._threads.get(request_id)
        if thread is not None:
            thread.join(timeout)
        return self.view(request_id)

    def _update(self, request_id: int, **changes: Any) -> None:
        with self._lock:
            self._views[request_id] = replace(self._views[request_id], **changes)

    def _enter(self, request_id: int, phase: str) -> None:
        now = self.clock()
        with self._lock:
            view = self._views[request_id]
            done = (*view.phases, (view.phase, now - view.phase_started))
            self._views[request_id] = replace(view, phase=phase, phase_started=now, phases=done)

    def _run(self, principal: Principal, request_id: int) -> None:
        cancel = self._cancel[request_id]
        try:
            for event in self.workspace.run(principal, request_id, cancelled=cancel.is_set):
                if isinstance(event, Phase):
                    self._enter(request_id, event.name)
                elif isinstance(event, Verdict):
                    self._update(request_id, verdict=event.assessment)
                elif isinstance(event, PartialBrief):
                    self._update(request_id, partial=event.data, last_output=self.clock())
                elif isinstance(event, DraftSaved):
                    self._update(request_id, draft_id=event.draft.id)
            if cancel.is_set():
                self._update(request_id, cancelled=True)
        except EscalateError as exc:
            self._update(request_id, error=str(exc))
        except Exception as exc:  # a bug must not leave the request 'drafting' for ever
            message = f"drafting stopped unexpectedly ({type(exc).__name__}: {exc})"
            with contextlib.suppress(EscalateError):
                self.workspace.close_request(principal, request_id, "failed", message)
            self._update(request_id, error=message)
        finally:
            self._enter(request_id, "finished")
            self._update(request_id, finished=self.clock())
