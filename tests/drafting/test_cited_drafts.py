"""brief@v2 end to end on traffic recorded against the real embedded model (Qwen2.5-Coder-0.5B):
numbered source, cited lines, code-read diagnostics, facts into the assessment, and a regenerate
through the workspace that keeps the draft's placeholder map.

Re-record: start `ESCALATE_EMBEDDED_MODEL=qwen2.5-coder-0.5b escalate model serve --port 8765`, then
`pytest tests/drafting/test_cited_drafts.py --record-mode=once` (delete the cassette first).
"""

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from vcr.cassette import Cassette

from app.core.grounding import ungrounded_identifiers
from app.core.store import Store
from app.core.users import Role
from app.services.auth import Principal
from app.services.drafting import DraftingService, PartialBrief
from app.services.workspace import DraftSaved, Workspace
from schemas.brief import normalize_space
from tests.drafting.conftest import recorded_extractor, recorded_settings, ticket

ANA = Principal("ana", Role.agent)
NOW = datetime(2026, 11, 20, 10, 5, tzinfo=UTC)
NEW_MESSAGES = (
    "Customer 10:02 UTC: Dana again (dana.whitfield@acme-retail.example). Please also copy our ops lead "
    "at ops.lead@acme-retail.example on updates. Still failing in all 40 stores."
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'drafts.db'}")
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture
def cited_service() -> DraftingService:
    settings = recorded_settings()
    return DraftingService(
        recorded_extractor(settings), settings=settings, prompt_ref="brief@v2", backend_name="embedded"
    )


def _bodies(cassette: Cassette) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in cassette.requests]


@pytest.mark.vcr
def test_cited_draft_then_regenerate_keeps_the_placeholder_map(
    cited_service: DraftingService, store: Store, vcr: Cassette
) -> None:
    workspace = Workspace(store, cited_service, clock=lambda: NOW)
    events = list(workspace.start(ANA, ticket("checkout_outage.txt")))
    saved = events[-1]
    assert isinstance(saved, DraftSaved)
    result, brief = saved.result, saved.draft.brief
    assert result.brief is not None and result.valid

    # The model read numbered lines and was asked for the compact cited answer, not the whole brief.
    first = _bodies(vcr)[0]
    user = first["messages"][-1]["content"]  # type: ignore[index]
    assert re.search(r"^1\| From: Dana Whitfield", user, re.M) and "dana.whitfield@" not in user
    assert first["response_format"]["json_schema"]["name"].endswith("CitedDraft")  # type: ignore[index]

    # The first partial holds what code read, before the model's first token.
    partials = [e for e in events if isinstance(e, PartialBrief)]
    assert partials[0].data["diagnostics"]["account_ids"] == ["ACME-4821"]

    # Identifiers are code-read from the source, so none is ungrounded; evidence is verbatim.
    source = normalize_space(result.redacted_text)
    assert {"req_8f3a2c91", "req_8f3a2d07", "GW-502"} <= set(brief.diagnostics.error_messages)
    assert "ACME-4821" in brief.diagnostics.account_ids
    assert "7.4.2" in brief.reproduction.environment and "Enterprise plan" in brief.reproduction.environment
    assert brief.impact.customers_affected == 40 and brief.impact.revenue_at_risk == "$12,000 per hour"
    # None ungrounded at all: a prose value stating an ID or time the ticket lacks is cleared as unsupported.
    assert ungrounded_identifiers(brief, result.redacted_text) == []
    assert brief.evidence and all(normalize_space(e.quote) in source for e in brief.evidence)
    assert not any("<" in name for name in brief.impact.customer_names)
    # The verdict with the model's facts is never below the one without them.
    assert result.assessment is not None
    no_model = cited_service.assess(cited_service.prepare(ticket("checkout_outage.txt")), NOW)
    assert result.severity.final.rank <= no_model.severity.rank

    # Regenerate: only the new messages are redacted, with the draft's own map rebuilt from its receipt.
    old_text = saved.draft.source_text
    assert "<EMAIL_1>" in old_text and "<EMAIL_2>" not in old_text
    regenerated = list(workspace.regenerate(ANA, saved.draft.id, saved.draft.version, NEW_MESSAGES))
    again = regenerated[-1]
    assert isinstance(again, DraftSaved)
    text = again.draft.source_text
    assert text.startswith(old_text[: result.logs_from - 1 if result.logs_from else len(old_text)].rstrip())
    tail = text[text.index("Dana again") :]
    # The address masked before keeps <EMAIL_1>; the new one gets <EMAIL_2>, never <EMAIL_1>.
    assert "Dana again (<EMAIL_1>)" in tail and "ops lead at <EMAIL_2>" in tail
    assert "@acme-retail.example" not in text
    sent = json.dumps(_bodies(vcr)[-1])
    assert "<EMAIL_2>" in sent and "ops.lead@" not in sent
