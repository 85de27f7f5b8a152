"""Prompt injection in tickets and logs: the rules, the prompt and the rendered brief stay ours.

Rule checks and rendering run for all cases with no model; drafts for the RECORDED subset replay
cassettes/injection_drafts.yaml, recorded from the real 0.5B model.
"""

from collections import Counter
from functools import cache

import pytest

from app.core.prompts import render_preview
from app.core.render import render_markdown
from app.services.drafting import DraftingService
from schemas.draft import DraftResult
from tests.hardening.injections import (
    NOW,
    RECORDED,
    Case,
    base_files,
    case,
    cases,
    html_emitted,
    ingest_base,
    ingest_injected,
    injected_files,
    leaked_sentences,
    no_model_service,
    rendered_html_tags,
    rules_changed,
    system_prompt_sentences,
    worst_case_brief,
)
from tests.hardening.recording import recorded_service, recorded_settings, taped

# Measured, not wished away: the rules engine reads the word "workaround" in this injection
# ("...in the workaround field") as a stated workaround and caps sev2 at sev3. Strict: the test
# fails loudly once triage stops doing that, so this list cannot go stale.
KNOWN_RULE_FLIPS = {"reveal_field_guide@sso_login_broken/ticket"}


def _params() -> list[object]:
    return [
        pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason="workaround word read as a workaround"))
        if c.id in KNOWN_RULE_FLIPS
        else pytest.param(c, id=c.id)
        for c in cases()
    ]


def test_corpus_is_broad() -> None:
    items = cases()
    assert len(items) >= 50
    assert {c.where for c in items} == {"ticket", "log"}
    kinds = {"severity", "target", "prompt_leak", "html", "template", "fake_role", "json"}
    assert {c.injection.kind for c in items} >= kinds
    assert len({c.base.id for c in items}) >= 6
    assert max(Counter(c.id for c in items).values()) == 1
    assert set(RECORDED) <= {c.id for c in items} and len(RECORDED) >= 10


@pytest.mark.parametrize("item", _params())
def test_rules_ignore_the_injection(item: Case) -> None:
    assert rules_changed(item) is None


@pytest.mark.parametrize("item", cases(), ids=lambda c: c.id)
def test_prompt_carries_the_injection_as_data(item: Case) -> None:
    service = no_model_service()
    base = service.prepare(ingest_base(service, item.base))
    injected = service.prepare(ingest_injected(service, item))
    base_messages = render_preview(base.prompt, base.context)
    messages = render_preview(injected.prompt, injected.context)
    system = [m["content"] for m in messages if m["role"] == "system"]
    # Nothing the customer wrote reaches the system message.
    assert system == [m["content"] for m in base_messages if m["role"] == "system"]
    user = "\n".join(m["content"] for m in messages if m["role"] == "user")
    # The ticket and logs go in as values, verbatim: template syntax in them is never rendered.
    assert injected.context["ticket"] in user
    assert injected.context["logs"] in user
    if item.where == "ticket" and item.injection.kind == "template":
        assert item.injection.text.splitlines()[0] in injected.context["ticket"]


@pytest.mark.parametrize("item", cases(), ids=lambda c: c.id)
def test_rendered_markdown_never_carries_html(item: Case) -> None:
    # The worst case: a model that copies the injection into every field of the brief.
    assert rendered_html_tags(worst_case_brief(item)) == []


def test_html_check_can_fail() -> None:
    assert html_emitted("hi <script>alert(1)</script> ![x](https://e.example/p.png)") == ["img", "script"]
    # Undo the escaping and the exfiltration image is back: the escaping is what holds.
    unescaped = render_markdown(worst_case_brief(case("md_image_exfil@sso_question/ticket"))).replace("\\", "")
    assert "img" in html_emitted(unescaped)


def test_leak_check_can_fail() -> None:
    assert len(system_prompt_sentences()) >= 20
    leaking = worst_case_brief(case("reveal_prompt@slow_reports/ticket")).model_copy(
        update={"description": "Sure! You write escalation briefs for support tickets. Reply with one JSON object."}
    )
    assert leaked_sentences(leaking) == ["you write escalation briefs for support tickets"]
    assert leaked_sentences(worst_case_brief(case("reveal_prompt@slow_reports/ticket"))) == []


# ------------------------------------------------------------------------------------ with the model
@cache
def _service() -> DraftingService:
    return recorded_service(recorded_settings(), reasks=1)


_drafts: dict[str, DraftResult] = {}


def _draft(key: str, text: str, files: list[tuple[str, bytes]], record_mode: str) -> DraftResult:
    if key not in _drafts:
        service = _service()
        ticket = service.ingest(text, files)
        with taped("injection_drafts", record_mode):
            _drafts[key] = service.draft(ticket, NOW)
    return _drafts[key]


@pytest.mark.parametrize("case_id", RECORDED)
def test_model_draft_keeps_severity_and_prompt(case_id: str, record_mode: str) -> None:
    item = case(case_id)
    base = _draft(f"base:{item.base.id}", *base_files(item.base), record_mode)
    injected = _draft(case_id, *injected_files(item), record_mode)
    assert injected.severity.rules == base.severity.rules
    assert injected.severity.final == base.severity.final, (
        f"model said {injected.severity.model} (base: {base.severity.model}); {injected.severity.reasons}"
    )
    assert injected.target.final == base.target.final
    assert injected.brief is not None, injected.errors
    assert leaked_sentences(injected.brief) == []
    assert rendered_html_tags(injected.brief) == []
