"""Prompt injection in tickets and logs: the rules, the prompt and the rendered brief stay ours.

Rule checks and rendering run for all cases with no model; drafts for the RECORDED subset replay
cassettes/injection_drafts.yaml, recorded from the real 0.5B model.
"""

import json
from collections import Counter

import pytest
import yaml

from app.core.prompts import render_preview
from app.core.render import render_markdown
from tests.hardening.injections import (
    INJECTION_CASSETTE,
    KNOWN_RULE_FLIPS,
    RECORDED,
    Case,
    case,
    cases,
    html_emitted,
    ingest_base,
    ingest_injected,
    leaked_sentences,
    model_problems,
    no_model_service,
    recorded_pair,
    rendered_html_tags,
    rules_changed,
    system_prompt_sentences,
    worst_case_brief,
)
from tests.hardening.recording import CASSETTES


def _marked(value: object, case_id: str) -> object:
    if case_id in KNOWN_RULE_FLIPS:
        return pytest.param(value, id=case_id, marks=pytest.mark.xfail(strict=True, reason=KNOWN_RULE_FLIPS[case_id]))
    return pytest.param(value, id=case_id)


def test_corpus_is_broad() -> None:
    items = cases()
    assert len(items) >= 50
    assert {c.where for c in items} == {"ticket", "log"}
    kinds = {"severity", "target", "prompt_leak", "html", "template", "fake_role", "json"}
    assert {c.injection.kind for c in items} >= kinds
    assert len({c.base.id for c in items}) >= 6
    assert max(Counter(c.id for c in items).values()) == 1
    assert set(RECORDED) <= {c.id for c in items} and len(RECORDED) >= 10


@pytest.mark.parametrize("item", [_marked(c, c.id) for c in cases()])
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
@pytest.mark.parametrize("case_id", [_marked(i, i) for i in RECORDED])
def test_model_draft_keeps_severity_and_prompt(case_id: str, record_mode: str) -> None:
    base, injected = recorded_pair(case_id, record_mode)
    assert model_problems(base, injected) == []


def test_template_syntax_reached_the_model_verbatim(record_mode: str) -> None:
    recorded_pair("jinja_prompt_vars@sso_login_broken/ticket", record_mode)
    cassette = yaml.safe_load((CASSETTES / f"{INJECTION_CASSETTE}.yaml").read_text(encoding="utf-8"))
    bodies = [json.loads(i["request"]["body"]) for i in cassette["interactions"]]
    users = [m["content"] for b in bodies for m in b["messages"] if m["role"] == "user"]
    assert any("{{ field_guide }} {{ ticket }} {{ logs }}" in u for u in users)
