"""Render a brief as seed 003's structured escalation text, as Markdown, or as JSON.

The text format follows `003_656cb13fbb021e47.txt` lines 18-45 section for section, then adds
seed 002's required diagnostics (`002_c7b4f1e68f98dd33.txt` lines 12 and 14) and its handoff
checklist (lines 25-29), so engineering gets what it needs to act from the text alone. Markdown
puts the business impact in its first two lines (seed 002 line 19). Nothing here emits HTML:
Markdown special characters in model text are escaped so a brief cannot inject markup.
"""

import json
import re

from schemas.brief import EscalationBrief, field_title
from schemas.common import SEVERITY_LABELS, TARGET_LABELS, SlaStatus

_SLA_LABELS = {
    SlaStatus.within: "Within SLA",
    SlaStatus.at_risk: "At risk",
    SlaStatus.breached: "Breached",
    SlaStatus.unknown: "Unknown",
}
_NOT_STATED = "Not stated"
# Inline markup and raw HTML; block markers only matter at the start of a line (see below).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_BLOCK_MARK = re.compile(r"^(\s*)([#+\-=])", re.MULTILINE)
_MD_ORDERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
# GFM links bare "http://…", "www.…" and "name@host" even with every Markdown character escaped;
# these escapes (valid CommonMark, rendered as typed) stop it.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(:)(?=//)|(?<=www)(\.)|(@)")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")


def _or_not_stated(value: str | None) -> str:
    return value.strip() if value and value.strip() else _NOT_STATED


def _customers(brief: EscalationBrief) -> str:
    count = brief.impact.customers_affected
    names = ", ".join(brief.impact.customer_names)
    if count is None and not names:
        return _NOT_STATED
    if count is None:
        return names
    return f"{count} ({names})" if names else str(count)


def _numbered(items: list[str], empty: str) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, 1)] or [f"1. {empty}"]


def _tried(brief: EscalationBrief) -> list[str]:
    return [f"{a.action} -> {a.result or 'no result recorded'}" for a in brief.tried]


def impact_line(brief: EscalationBrief) -> str:
    """One line of business impact: who and what is broken (what seed 002 line 19 wants first)."""
    who = _customers(brief)
    what = brief.impact.workflow_impact.strip() or brief.summary
    parts = [f"Customers affected: {who}" if who != _NOT_STATED else "", what]
    if brief.impact.revenue_at_risk:
        parts.append(f"revenue at risk: {brief.impact.revenue_at_risk}")
    return " — ".join(p for p in parts if p)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def diagnostics_lines(brief: EscalationBrief) -> list[tuple[str, str]]:
    """Seed 002 line 12's required information and line 14's customer contact, as (label, value)."""
    d = brief.diagnostics
    t = field_title
    return [
        (t("diagnostics.account_ids"), ", ".join(d.account_ids) or _NOT_STATED),
        (t("diagnostics.timestamps"), ", ".join(d.timestamps) or _NOT_STATED),
        (t("diagnostics.environment"), _or_not_stated(d.environment or brief.reproduction.environment)),
        (t("diagnostics.error_messages"), "; ".join(d.error_messages) or _NOT_STATED),
        (t("diagnostics.logs_attached"), _yes_no(d.logs_attached)),
        (t("diagnostics.har_attached"), _yes_no(d.har_attached)),
        (t("diagnostics.traceroute_attached"), _yes_no(d.traceroute_attached)),
        (t("diagnostics.screenshots"), "; ".join(d.screenshots) or "none referenced"),
        (t("diagnostics.customer_contact"), _or_not_stated(d.customer_contact)),
    ]


def handoff_checklist(brief: EscalationBrief) -> list[tuple[bool, str]]:
    """Seed 002's 'Handoff Checklist for Agents' (lines 26-29), each item ticked when the brief holds it."""
    d = brief.diagnostics
    return [
        (bool(brief.summary.strip() and brief.reproduction.steps), "Ticket summary and steps to reproduce"),
        (bool(d.logs_attached and d.timestamps), "All collected logs and timestamps"),
        (
            bool(d.environment.strip() or brief.reproduction.environment.strip()),
            "Customer environment and configuration",
        ),
        (
            bool(brief.impact.workflow_impact.strip()) and brief.impact.sla_status is not SlaStatus.unknown,
            "Impact assessment and related customer SLAs",
        ),
    ]


def render_text(brief: EscalationBrief) -> str:
    """The exact structure of seed 003's 'Structured Escalation Format'."""
    lines = [
        f"ESCALATION: {brief.summary}",
        f"Severity: {SEVERITY_LABELS[brief.severity]}",
        f"Target: {TARGET_LABELS[brief.target]}",
        "IMPACT",
        f"- Customers affected: {_customers(brief)}",
        f"- Workflow impact: {_or_not_stated(brief.impact.workflow_impact)}",
        f"- Revenue at risk: {_or_not_stated(brief.impact.revenue_at_risk)}",
        f"- SLA status: {_SLA_LABELS[brief.impact.sla_status]}",
        "ISSUE DESCRIPTION",
        _or_not_stated(brief.description),
        *([f"{field_title('workaround')}: {brief.workaround}"] if brief.workaround else []),
        "REPRODUCTION STEPS (for bugs)",
        *_numbered(brief.reproduction.steps, _NOT_STATED),
        f"Expected: {_or_not_stated(brief.reproduction.expected)}",
        f"Actual: {_or_not_stated(brief.reproduction.actual)}",
        f"Environment: {_or_not_stated(brief.reproduction.environment or brief.diagnostics.environment)}",
        "WHAT'S BEEN TRIED",
        *_numbered(_tried(brief), "Nothing recorded"),
        "CUSTOMER COMMUNICATION",
        f"- Last update: {_or_not_stated(brief.communication.last_update)}",
        f"- Customer expectation: {_or_not_stated(brief.communication.expectation)}",
        f"- Escalation risk: {_or_not_stated(brief.communication.escalation_risk)}",
        "WHAT'S NEEDED",
        *[f"- {ask}" for ask in brief.needed.asks],
        f"- Deadline: {_or_not_stated(brief.needed.deadline)}",
        "DIAGNOSTICS",
        *[f"- {label}: {value}" for label, value in diagnostics_lines(brief)],
        "HANDOFF CHECKLIST",
        *[f"- [{'x' if done else ' '}] {item}" for done, item in handoff_checklist(brief)],
    ]
    return "\n".join(lines) + "\n"


def escape_markdown(text: str) -> str:
    """Model text is shown as text: no links, images, HTML, emphasis or headings of its own."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_ORDERED.sub(r"\1\\\2", _MD_BLOCK_MARK.sub(r"\1\\\2", text))


def _no_autolinks(text: str) -> str:
    return _AUTOLINK.sub(lambda m: "\\" + m.group(), text)


def markdown_inline(text: str) -> str:
    """Text inside one Markdown line (a heading, a list item, a table cell): its line breaks
    become spaces, so it cannot end its item and start a heading, list, checkbox or table of its own."""
    return _no_autolinks(escape_markdown(_LINE_BREAKS.sub(" ", text).strip()))


def markdown_block(text: str) -> str:
    """A paragraph of several lines: each line's indent is dropped (four spaces would start a code
    block) and every line is escaped as at the start of a line."""
    lines = [line.strip() for line in text.splitlines()]
    return _no_autolinks(escape_markdown("\n".join(lines)))


def render_markdown(brief: EscalationBrief) -> str:
    """Markdown with the business impact in the first two lines (seed 002 line 19). Every text
    from the ticket, the model or the agent goes through `markdown_inline` or `markdown_block`:
    the structure (headings, lists, the checklist) is this function's alone."""
    e = markdown_inline
    d = brief.diagnostics
    out = [
        f"# {e(brief.summary)}",
        f"**Impact:** {e(impact_line(brief))} · **{SEVERITY_LABELS[brief.severity]}** "
        f"({brief.severity.value}) → **{TARGET_LABELS[brief.target]}**",
        "",
        "## Impact",
        f"- **Customers affected:** {e(_customers(brief))}",
        f"- **Workflow impact:** {e(_or_not_stated(brief.impact.workflow_impact))}",
        f"- **Revenue at risk:** {e(_or_not_stated(brief.impact.revenue_at_risk))}",
        f"- **SLA status:** {_SLA_LABELS[brief.impact.sla_status]}",
        "",
        "## Issue description",
        markdown_block(_or_not_stated(brief.description)),
    ]
    if brief.workaround:
        out += ["", f"**Workaround:** {e(brief.workaround)}"]
    out += ["", "## Reproduction steps"]
    out += _numbered([e(step) for step in brief.reproduction.steps], _NOT_STATED)
    out += [
        "",
        f"- **Expected:** {e(_or_not_stated(brief.reproduction.expected))}",
        f"- **Actual:** {e(_or_not_stated(brief.reproduction.actual))}",
        f"- **Environment:** {e(_or_not_stated(brief.reproduction.environment or d.environment))}",
        "",
        "## What's been tried",
        *_numbered([e(line) for line in _tried(brief)], "Nothing recorded"),
        "",
        "## Customer communication",
        f"- **Last update:** {e(_or_not_stated(brief.communication.last_update))}",
        f"- **Customer expectation:** {e(_or_not_stated(brief.communication.expectation))}",
        f"- **Escalation risk:** {e(_or_not_stated(brief.communication.escalation_risk))}",
        "",
        "## What's needed",
        *[f"- {e(ask)}" for ask in brief.needed.asks],
        f"- **Deadline:** {e(_or_not_stated(brief.needed.deadline))}",
        "",
        "## Diagnostics",
        *[f"- **{label}:** {e(value)}" for label, value in diagnostics_lines(brief)],
        "",
        "## Handoff checklist",
        *[f"- [{'x' if done else ' '}] {item}" for done, item in handoff_checklist(brief)],
    ]
    if brief.evidence:
        out += ["", "## Evidence"]
        out += [f"- {e(field_title(ev.field))}: “{e(ev.quote)}”" for ev in brief.evidence]
    return "\n".join(out) + "\n"


def render_json(brief: EscalationBrief) -> str:
    return json.dumps(brief.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
