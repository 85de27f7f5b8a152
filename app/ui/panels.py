"""Read-only panels shared by the draft and review pages: findings, severities, receipts, history.

Everything the model or a ticket wrote is shown through `safe` (Markdown-escaped) or in
elements that never interpret markup (code, dataframe, json).
"""

import re
from collections.abc import Callable, Iterable

import streamlit as st

from app.core.store import DraftRecord, VersionRecord
from app.ui.text import safe
from app.ui.verdict import verdict_panel
from schemas.brief import field_title, with_field_titles
from schemas.common import Severity
from schemas.finding import Finding, Level
from schemas.policy import Policy


def _field_label(path: str) -> str:
    return field_title(path) if path else "Whole brief"


# pydantic wraps its messages: "1 validation error for DraftedBrief\n  Value error, <message>
# [type=value_error, input_value={...}, input_type=dict]\n For further information visit <url>".
_PYDANTIC_NOISE = (
    re.compile(r"\s*For further information visit \S+"),
    re.compile(r"\s*\[type=.*?input_type=\w+\]", re.DOTALL),
    re.compile(r"^\d+ validation errors? for \w+\s*"),
    re.compile(r"^Value error,\s*"),
)


def plain_errors(errors: Iterable[str]) -> list[str]:
    """Validation errors as a person reads them: field titles, no library wrapping or links."""
    plain = []
    for error in errors:
        for noise in _PYDANTIC_NOISE:
            error = noise.sub("", error.strip())
        plain.append(with_field_titles(error).strip())
    return plain


def findings_panel(findings: Iterable[Finding], policy: Policy, *, goto: Callable[[str], None] | None = None) -> None:
    """Each finding in plain words: the field's title, the message, the fix, and the policy line it
    applies (guide › section, quoted). With `goto`, a button per finding opens and focuses its field."""
    findings = list(findings)
    errors = [f for f in findings if f.level == Level.error]
    warnings = [f for f in findings if f.level == Level.warning]
    st.subheader(f"Findings: {len(errors)} blocking, {len(warnings)} to consider")
    if not findings:
        st.success("No findings: the brief meets every rule of the policy.")
    for number, finding in enumerate(errors + warnings):
        show = st.error if finding.level == Level.error else st.warning
        with st.container(border=True):
            label = _field_label(finding.field)
            show(f"**{safe(label)}**: {safe(with_field_titles(finding.message))}")
            st.markdown(f"**Fix:** {safe(with_field_titles(finding.fix))}")
            st.caption(f"{safe(policy.cite_label(finding.citation))}: “{safe(finding.policy_quote)}”")
            if goto is not None and finding.field:
                st.button(
                    f"Go to {label}",
                    key=f"finding.goto.{number}",
                    on_click=goto,
                    args=(finding.field,),
                    icon=":material/arrow_downward:",
                )


def severity_text(severity: Severity | None) -> str:
    return f"{severity.label} ({severity.value})" if severity else "none"


def severities_panel(record: DraftRecord) -> None:
    """The model's suggestion, the assessment's verdict and the agent's choice, side by side; then
    where the verdict came from and how sure it is (app.ui.verdict)."""
    decision = record.model_result.severity
    model_col, rules_col, agent_col = st.columns(3)
    with model_col:
        st.metric("Model suggested", severity_text(decision.model))
    with rules_col:
        st.metric("Assessment", severity_text(decision.rules))
        if record.model_result.assessment is None:  # saved before verdicts were stored: its reasons
            for reason in decision.reasons:
                st.caption(safe(reason))
    with agent_col:
        st.metric(
            "Agent's choice",
            severity_text(record.brief.severity),
            delta="overrides the assessment" if record.overrides_rules else "agrees with the assessment",
            delta_color="inverse" if record.overrides_rules else "off",
        )
        if record.override_justification:
            st.caption(f"Justification: {safe(record.override_justification)}")
    if record.model_result.assessment is not None:
        verdict_panel(record.model_result.assessment)


EVIDENCE_KEY = "panel.evidence"


def evidence_panel(record: DraftRecord, *, expanded: bool = False) -> None:
    evidence = record.brief.evidence
    with st.expander(
        f"Evidence: {len(evidence)} quotes from the ticket", expanded=expanded, key=EVIDENCE_KEY, on_change="rerun"
    ):
        if evidence:
            st.dataframe(
                [{"#": i, "field": _field_label(e.field), "quote": e.quote} for i, e in enumerate(evidence, 1)],
                hide_index=True,
            )
        else:
            st.caption("The model quoted nothing; check every field against the ticket.")


def receipt_panel(record: DraftRecord) -> None:
    result = record.model_result
    with st.expander(
        f"Redaction receipt: {len(result.redactions)} values masked before the model saw the ticket",
        key="panel.receipt",
    ):
        if result.redactions:
            st.dataframe(
                [
                    {
                        "kind": r.kind,
                        "placeholder": r.placeholder,
                        "found in": r.source,
                        "preview": r.preview,
                        "detector": r.rule,
                        "sha256": r.digest[:12],
                    }
                    for r in result.redactions
                ],
                hide_index=True,
            )
        else:
            st.caption("Nothing needed masking.")
        receipt = result.receipt
        st.caption(
            f"Prompt {safe(receipt.prompt_id)} v{receipt.prompt_version} · {safe(receipt.backend)} / "
            f"{safe(receipt.model)} · {receipt.prompt_tokens} + {receipt.completion_tokens} tokens · "
            f"{receipt.attempts} attempt(s), {len(receipt.reasks)} re-ask(s) · {receipt.latency_s:.1f} s"
        )
    with st.expander("The ticket as the model saw it (redacted)", key="panel.source"):
        st.code(record.source_text, language=None, wrap_lines=True)


def history_panel(versions: list[VersionRecord]) -> None:
    with st.expander(f"History: {len(versions)} versions", key="panel.history"):
        st.dataframe(
            [
                {
                    "version": v.version,
                    "change": v.kind,
                    "by": v.actor,
                    "at (UTC)": v.at.strftime("%Y-%m-%d %H:%M:%S"),
                    "status": v.status,
                    "severity": v.severity.value,
                }
                for v in reversed(versions)
            ],
            hide_index=True,
        )


def model_errors_panel(record: DraftRecord) -> None:
    """When the model's answer failed validation, say so where the findings are, in plain words."""
    result = record.model_result
    if result.valid:
        return
    problems = plain_errors(result.errors)
    st.warning(
        "The model's answer did not pass validation, so parts of this brief may be missing or wrong; "
        "check every field against the ticket.\n" + "\n".join(f"- {safe(p)}" for p in problems)
    )
