"""A function standing in for the model endpoint, behind the real drafting pipeline.

`build_function_drafter` (an ESCALATE_DRAFTER_FACTORY) is the real DraftingService: ingest,
redaction, condensing, rules, store. Only the model is replaced: `answer` reads the redacted ticket
the pipeline would send and returns the brief a model would write, streamed key by key. A test
holds the stream mid-draft with GATE (cleared: the "model" waits before each key) to watch the
page while drafting runs, reload it, or cancel it.
"""

import json
import re
import threading
from collections.abc import Iterator
from typing import Any

from app.core.extract import Extraction
from app.core.llm.settings import get_settings
from app.core.prompts import PromptFile
from app.services.drafting import DraftingService
from schemas.brief import EscalationBrief

GATE = threading.Event()
GATE.set()
STARTED = threading.Event()  # set when the "model" receives a request
_ACCOUNT = re.compile(r"\bacct-\d+\b")


def answer(ticket: str) -> dict[str, Any]:
    """What the stand-in model writes for a ticket: its first line as the summary, the account IDs
    it names, a medium engineering escalation; evidence quotes copied from the ticket."""
    first = next((line.strip() for line in ticket.splitlines() if line.strip()), "")
    accounts = _ACCOUNT.findall(ticket)
    return {
        "summary": first[:150],
        "severity": "sev3",
        "target": "engineering",
        "impact": {"workflow_impact": first[:150]},
        "description": first,
        "diagnostics": {"account_ids": accounts},
        "evidence": [{"field": "summary", "quote": first[:150]}]
        + [{"field": "diagnostics.account_ids", "quote": a} for a in accounts],
    }


class FunctionEndpoint:
    model_name = "function-endpoint"

    def extract(self, prompt: PromptFile, context: dict[str, Any]) -> Extraction:
        data = answer(context["ticket"])
        return Extraction(EscalationBrief.model_validate(data), True, raw=json.dumps(data), attempts=1)

    def stream(self, prompt: PromptFile, context: dict[str, Any]) -> Iterator[dict[str, Any] | Extraction]:
        STARTED.set()
        data = answer(context["ticket"])
        partial: dict[str, Any] = {}
        for number, (key, value) in enumerate(data.items()):
            if number:  # the summary comes at once; the rest waits while a test holds the gate
                GATE.wait(30)
            partial[key] = value
            yield dict(partial)
        yield self.extract(prompt, context)


def build_function_drafter() -> DraftingService:
    return DraftingService(FunctionEndpoint(), settings=get_settings(), backend_name="function")  # type: ignore[arg-type]
