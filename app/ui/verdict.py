"""Where the verdict came from and how sure it is: the stored assessment of a draft, read-only.

Shown on the draft and review pages. Every text the ticket wrote goes through `safe` or a
dataframe, which never interprets markup.
"""

import streamlit as st

from app.ui.text import safe
from schemas.assessment import Assessment

SIGNALS_KEY = "verdict.signals"


def verdict_headline(assessment: Assessment, title: str = "Verdict") -> None:
    """The verdict in one line and what decided it."""
    sure = "a person should decide" if assessment.needs_human else "decided by the evidence"
    st.markdown(
        f"**{title}: {assessment.severity.label} ({assessment.severity.value}), "
        f"{assessment.target.value.replace('_', ' ')}** — confidence {assessment.confidence:.2f}, {sure}"
        + (", escalate now" if assessment.immediate else "")
    )
    decided = ", ".join(assessment.decided_by) or "no signal (the policy's fallback)"
    st.caption(f"Decided by: {safe(decided)}")


def verdict_panel(assessment: Assessment | None) -> None:
    if assessment is None:
        st.caption("This draft was saved before verdicts were stored with drafts: no evidence record.")
        return
    verdict_headline(assessment)
    for reason in assessment.reasons:
        st.caption(safe(reason))
    if assessment.readings:
        st.warning(
            "Sources disagree: "
            + "; ".join(
                f"{r.source} reads {r.severity.value} / {r.target.value.replace('_', ' ')} ({r.reason})"
                for r in assessment.readings
            )
        )
    if assessment.ignored:
        st.caption("Not counted: " + safe("; ".join(assessment.ignored)))
    if assessment.signals:
        with st.expander(f"Evidence ({len(assessment.signals)} signals)", key=SIGNALS_KEY):
            st.dataframe(
                [
                    {
                        "signal": s.kind,
                        "text": s.text,
                        "from": s.source,
                        "whose words": s.speaker,
                        "value": s.value,
                        "policy line": s.citation,
                    }
                    for s in assessment.signals
                ],
                hide_index=True,
            )
