"""User text in the Markdown export (brief fields, the lists, the handoff checklist) cannot change
its structure: every text field holds Markdown that would add headings, lists, checkboxes, a table,
links, an image, code, emphasis or HTML, and the parsed export has exactly the structure of a plain
brief's export."""

import re
from collections import Counter
from itertools import pairwise
from typing import Any

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.core.render import handoff_checklist, markdown_block, markdown_inline, render_markdown
from schemas.brief import EscalationBrief
from tests.core.test_render import BRIEF

HOSTILE = (
    "*bold* _it_ __strong__ ~~gone~~ `code` # not a heading | a | b |\n"
    "|---|---|\n"
    "- [ ] a fake checklist item\n"
    "- [x] a ticked one\n"
    "# Heading\n"
    "Setext\n===\n"
    "    indented code\n"
    "> quoted\n"
    "1. ordered\n"
    "[x](http://evil.example/a) ![i](http://evil.example/p.png) <b>html</b>\n"
    "see http://evil.example, www.evil.example and mail a@evil.example"
)
MARKUP = {
    *("link_open", "image", "html_inline", "html_block", "code_inline", "code_block", "fence", "table_open", "s_open"),
}


def _hostile(brief: EscalationBrief) -> EscalationBrief:
    """Every text of `brief` set to HOSTILE (copied unvalidated: the renderer must hold whatever a
    brief holds, and HOSTILE is longer than some fields allow)."""
    h = HOSTILE

    def copy(model: Any, **update: Any) -> Any:
        return model.model_copy(update=update)

    return copy(
        brief,
        summary=h,
        description=h,
        workaround=h,
        impact=copy(brief.impact, workflow_impact=h, revenue_at_risk=h, customer_names=[h]),
        reproduction=copy(brief.reproduction, steps=[h, h], expected=h, actual=h, environment=h),
        tried=[copy(brief.tried[0], action=h, result=h)],
        communication=copy(brief.communication, last_update=h, expectation=h, escalation_risk=h),
        needed=copy(brief.needed, asks=[h], deadline=h),
        diagnostics=copy(
            brief.diagnostics,
            account_ids=[h],
            timestamps=[h],
            error_messages=[h],
            screenshots=[h],
            customer_contact=h,
        ),
        evidence=[copy(brief.evidence[0], field="summary", quote=h)],
    )


def _tokens(markdown: str) -> list[Token]:
    flat: list[Token] = []
    for token in MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(markdown):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def _shape(markdown: str) -> Counter[str]:
    return Counter(t.type for t in _tokens(markdown) if t.type.endswith("_open") or t.type in MARKUP)


def test_hostile_text_leaves_the_structure_of_the_export_unchanged() -> None:
    plain = render_markdown(BRIEF.model_copy(update={"workaround": "Take cash"}))
    hostile = render_markdown(_hostile(BRIEF))
    # Same headings, lists, items and emphasis as the plain brief's export (the hostile brief has
    # the same number of list entries), and no link, image, HTML, code, table or strikethrough.
    assert _shape(hostile) == _shape(plain)
    assert _shape(plain)["ordered_list_open"] == 2  # steps and what was tried are numbered lists
    assert not {t.type for t in _tokens(hostile)} & MARKUP
    tokens = _tokens(hostile)
    headings = [after.content for token, after in pairwise(tokens) if token.type == "heading_open"]
    assert headings[1:] == [
        "Impact", "Issue description", "Reproduction steps", "What's been tried", "Customer communication",
        "What's needed", "Diagnostics", "Handoff checklist", "Evidence",
    ]  # fmt: skip


def test_the_handoff_checklist_holds_only_its_own_items() -> None:
    brief = _hostile(BRIEF)
    markdown = render_markdown(brief)
    boxes = re.findall(r"^- \[[ x]\] .*$", markdown, re.MULTILINE)
    assert boxes == [f"- [{'x' if done else ' '}] {item}" for done, item in handoff_checklist(brief)]
    section = markdown.split("## Handoff checklist\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == boxes


def test_no_bare_url_or_address_is_left_for_autolinking() -> None:
    markdown = render_markdown(_hostile(BRIEF))
    assert re.search(r"(?<!\\)(:(?=//)|(?<=www)\.|@)", markdown) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a *b* _c_", r"a \*b\* \_c\_"),
        ("# x", r"\# x"),
        ("- [ ] x", r"\- \[ \] x"),
        ("a | b", r"a \| b"),
        ("[x](y)", r"\[x\](y)"),
        ("`c`", r"\`c\`"),
        ("one\n- [ ] two", r"one - \[ \] two"),  # a line break cannot start a new item
        ("http://x.example", r"http\://x.example"),
    ],
)
def test_inline_text_is_escaped(text: str, expected: str) -> None:
    assert markdown_inline(text) == expected


def test_a_block_keeps_its_lines_but_not_their_markers_or_indent() -> None:
    assert markdown_block("first\n    - [ ] second\n# third") == "first\n\\- \\[ \\] second\n\\# third"
