"""Read-only panels shared by the draft and review pages: findings, severities, receipts, history.

Everything the model or a ticket wrote is shown through `safe` (Markdown-escaped) or in
elements that never interpret markup (code, dataframe, json).
"""

from collections.abc import Iterable

import streamlit as st

from app.core.store import DraftRecord, VersionRecord
from app.ui.brief_form import FIELD_LABELS
from app.ui.text import safe
from schemas.common import Severity
from schemas.finding import Finding, Level


def _field_label(path: str) -> str:
    return FIELD_LABELS.get(path, path) if path else "Whole brief"


def severity_text(severity: Severity | None) -> str:
    return f"{severity.label} ({severity.value})" if severity else "none"


def findings_panel(findings: Iterable[Finding]) -> None:
    findings = list(findings)
    errors = [f for f in findings if f.level == Level.error]
    warnings = [f for f in findings if f.level == Level.warning]
    st.subheader(f"Findings: {len(errors)} blocking, {len(warnings)} to consider")
    if not findings:
        st.success("No findings: the brief meets every rule of the policy.")
    for finding in errors + warnings:
        show = st.error if finding.level == Level.error else st.warning
        with st.container(border=True):
            show(f"**{safe(_field_label(finding.field))}**: {safe(finding.message)}")
            st.markdown(f"**Fix:** {safe(finding.fix)}")
            st.caption(f"Rule {safe(finding.rule)}: “{safe(finding.policy_quote)}” ({safe(finding.citation)})")


def severities_panel(record: DraftRecord) -> None:
    """The model's suggestion, the rules' verdict and the agent's choice, side by side."""
    decision = record.model_result.severity
    model_col, rules_col, agent_col = st.columns(3)
    with model_col:
        st.metric("Model suggested", severity_text(decision.model))
    with rules_col:
        st.metric("Rules derived", severity_text(decision.rules))
        for reason in decision.reasons:
            st.caption(safe(reason))
    with agent_col:
        st.metric(
            "Agent's choice",
            severity_text(record.brief.severity),
            delta="overrides the rules" if record.overrides_rules else "agrees with the rules",
            delta_color="inverse" if record.overrides_rules else "off",
        )
        if record.override_justification:
            st.caption(f"Justification: {safe(record.override_justification)}")
    signals = record.model_result.triage.signals
    if signals:
        with st.expander(f"Signals the rules read in the ticket ({len(signals)})", key="panel.signals"):
            st.dataframe(
                [{"signal": s.kind, "text": s.text, "source": s.citation} for s in signals],
                hide_index=True,
            )


def evidence_panel(record: DraftRecord) -> None:
    evidence = record.brief.evidence
    with st.expander(f"Evidence: {len(evidence)} quotes from the ticket", key="panel.evidence"):
        if evidence:
            st.dataframe(
                [{"field": _field_label(e.field), "quote": e.quote} for e in evidence],
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
        if not result.valid:
            st.warning("The model's answer failed validation after retries: " + safe("; ".join(result.errors)))
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
