"""Evals page: saved eval reports as charts. A confusion-matrix heatmap, per-metric bars for the
model's, the rules' and the final severity, and A-vs-B deltas with bootstrap intervals.

Reads only what `escalate eval` saved under evals/reports/ (ESCALATE_EVAL_REPORTS points elsewhere);
it never runs a model.
"""

import os
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from app.core.errors import EscalateError
from app.services.auth import Permission
from app.ui import state
from app.ui.text import safe
from evals.compare import HEADLINE, Comparison, compare_reports
from evals.metrics import SEVERITIES, SOURCES
from evals.report import REPORTS_DIR, Report, list_reports, load_report

SEVERITY_METRICS = {
    "accuracy": "accuracy",
    "off_by_one": "off-by-one",
    "macro_f1": "macro-F1",
    "qwk": "QW kappa",
    "critical_recall": "Critical recall",
}
FACT_METRICS = (
    "facts.account_ids",
    "facts.error_codes",
    "facts.customer_count",
    "facts.reproduction_steps",
    "facts.workaround",
    "rules.pass_rate",
    "rules.expected_findings_recall",
    "run.valid_rate",
)
PICK_A, PICK_B, PICK_SOURCE = "evals.report_a", "evals.report_b", "evals.source"


def reports_dir() -> Path:
    return Path(os.environ.get("ESCALATE_EVAL_REPORTS") or REPORTS_DIR)


@st.cache_data(show_spinner=False)
def _load(path: str, mtime: float) -> Report:
    # mtime is part of the cache key: a re-written report is read again.
    return load_report(Path(path))


@st.cache_data(show_spinner="Bootstrapping…")
def _compare(path_a: str, mtime_a: float, path_b: str, mtime_b: float) -> Comparison:
    return compare_reports(_load(path_a, mtime_a), _load(path_b, mtime_b), n_boot=500, seed=0)


def _label(path: Path) -> str:
    return path.stem


def severity_bars(report: Report) -> alt.Chart | None:
    rows = [
        {"metric": label, "source": source, "value": report.metrics.get(f"severity.{source}.{key}")}
        for key, label in SEVERITY_METRICS.items()
        for source in SOURCES
    ]
    data = pd.DataFrame([r for r in rows if r["value"] is not None])
    if data.empty:
        return None
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("metric:N", sort=list(SEVERITY_METRICS.values()), title=None),
            xOffset=alt.XOffset("source:N", sort=list(SOURCES)),
            y=alt.Y("value:Q", scale=alt.Scale(domain=[min(0.0, float(data["value"].min() if len(data) else 0)), 1])),
            color=alt.Color("source:N", sort=list(SOURCES)),
            tooltip=["metric", "source", alt.Tooltip("value:Q", format=".3f")],
        )
    )


def fact_bars(report: Report) -> alt.Chart | None:
    data = pd.DataFrame(
        [
            {"metric": name, "value": report.metrics[name]}
            for name in FACT_METRICS
            if report.metrics.get(name) is not None
        ]
    )
    if data.empty:
        return None
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("metric:N", sort=list(FACT_METRICS), title=None),
            x=alt.X("value:Q", scale=alt.Scale(domain=[0, 1])),
            tooltip=["metric", alt.Tooltip("value:Q", format=".3f")],
        )
    )


def confusion_heatmap(report: Report, source: str) -> alt.LayerChart | None:
    columns = [*(s.value for s in SEVERITIES), "none"]
    matrix = report.confusion.get(source) or []
    data = pd.DataFrame(
        [
            {"gold": gold.value, "predicted": column, "cases": count}
            for gold, row in zip(SEVERITIES, matrix, strict=False)
            for column, count in zip(columns, row, strict=False)
        ]
    )
    if data.empty:
        return None
    base = alt.Chart(data).encode(
        x=alt.X("predicted:N", sort=columns), y=alt.Y("gold:N", sort=[s.value for s in SEVERITIES])
    )
    cells = base.mark_rect().encode(
        color=alt.Color("cases:Q", scale=alt.Scale(scheme="blues")), tooltip=["gold", "predicted", "cases"]
    )
    labels = base.mark_text().encode(text="cases:Q")
    return cells + labels


def delta_chart(comparison: Comparison) -> alt.LayerChart | None:
    rows = [
        {"metric": d.metric, "delta": d.delta, "low": d.low, "high": d.high, "verdict": d.verdict or "n/a"}
        for d in comparison.deltas
        if d.metric in HEADLINE and d.delta is not None
    ]
    if not rows:  # e.g. two reports that share no case: nothing to subtract
        return None
    data = pd.DataFrame(rows)
    base = alt.Chart(data).encode(y=alt.Y("metric:N", sort=list(HEADLINE), title=None))
    bars = base.mark_bar().encode(
        x=alt.X("delta:Q", title="B - A"),
        color=alt.Color(
            "verdict:N",
            scale=alt.Scale(
                domain=["better", "worse", "no clear change", "n/a"], range=["#2e7d32", "#c62828", "#9e9e9e", "#bdbdbd"]
            ),
        ),
        tooltip=[
            "metric",
            alt.Tooltip("delta:Q", format=".3f"),
            alt.Tooltip("low:Q", format=".3f"),
            alt.Tooltip("high:Q", format=".3f"),
            "verdict",
        ],
    )
    whiskers = base.mark_rule().encode(x="low:Q", x2="high:Q")
    return bars + whiskers


def _show(chart: alt.Chart | alt.LayerChart | None, empty: str) -> None:
    if chart is None:
        st.info(empty)
    else:
        st.altair_chart(chart, width="stretch")


def _provenance(report: Report) -> None:
    st.dataframe(
        [
            {"": "command", "value": report.command},
            {"": "prompt", "value": f"{report.prompt.ref} ({report.prompt.output}, {report.prompt.sha256[:12]})"},
            {"": "model", "value": report.model},
            {
                "": "dataset",
                "value": f"{report.dataset.origin}: {report.dataset.cases} cases, {report.dataset.sha256[:12]}",
            },
            {"": "failed cases", "value": f"{report.metrics.get('run.failed', 0):.0f} (scored 0)"},
            {"": "created", "value": f"{report.created_at:%Y-%m-%d %H:%M} UTC"},
        ],
        hide_index=True,
        width="stretch",
    )


def _versus(paths: list[Path], a_path: Path, report_a: Report) -> None:
    st.subheader("A vs B")
    others = [p for p in paths if p != a_path]
    if not others:
        st.info("Save a second report (e.g. `--prompt baseline@v1`) to compare.")
        return
    b_path = st.selectbox("Compare with (B)", others, format_func=_label, key=PICK_B)
    if b_path is None:
        return
    try:
        comparison = _compare(str(a_path), a_path.stat().st_mtime, str(b_path), b_path.stat().st_mtime)
    except EscalateError as exc:
        st.error(safe(exc))
        return
    for warning in comparison.warnings:
        st.warning(safe(warning))
    st.caption(
        f"B - A on {comparison.shared_cases} shared cases; bars show the delta, lines its 95% bootstrap interval."
    )
    _show(delta_chart(comparison), "No metric can be compared: the two reports share no scored case.")
    if comparison.flips:
        st.dataframe(
            [
                {"case": f.case_id, "field": f.what, "gold": f.gold, "A": f.a, "B": f.b, "B became": f.became}
                for f in comparison.flips
            ],
            hide_index=True,
            width="stretch",
        )


VERDICT_PICK = "evals.verdict_report"


def verdict_reports() -> None:
    """The verdict without a model (`python -m evals.triage_eval`): where it comes from and how it
    scores on the blind corpus, the tuning corpus and the public dev set, before and after."""
    folder = reports_dir() / "triage"
    files = sorted(folder.glob("triage__*.md")) if folder.is_dir() else []
    if not files:
        return
    with st.expander("The verdict without a model: blind, tuning and dev-set reports", expanded=False):
        st.caption(
            "Severity, target and urgency are decided by the assessment (policy signals, the redactor's "
            "credentials, the learned classifier, the model's cited facts, fused by the policy's rules); "
            "the model never sets them. 'unseen' was written blind to the code and never tuned on."
        )
        chosen = st.selectbox("Report", files, format_func=lambda p: p.stem.removeprefix("triage__"), key=VERDICT_PICK)
        if chosen is not None:
            st.markdown(chosen.read_text(encoding="utf-8"))


def render() -> None:
    me = state.principal()
    if me is None:
        st.stop()
    if not me.can(Permission.view_evals):
        st.warning("Eval reports are for reviewers and admins.")
        st.stop()
    st.title("Evals")
    verdict_reports()
    paths = list_reports(reports_dir())
    if not paths:
        st.info("No saved eval reports yet. Run `escalate eval --dataset conversations --prompt brief@v1`.")
        return
    a_path = st.selectbox("Report (A)", paths, format_func=_label, key=PICK_A)
    if a_path is None:
        return
    try:
        report = _load(str(a_path), a_path.stat().st_mtime)
    except EscalateError as exc:
        st.error(safe(exc))
        return
    _provenance(report)
    st.subheader("Severity: model, assessment, rules, final")
    _show(severity_bars(report), "This report has no severity metrics.")
    left, right = st.columns(2)
    with left:
        source = st.radio(
            "Confusion matrix of", SOURCES, index=SOURCES.index("final"), horizontal=True, key=PICK_SOURCE
        )
        _show(confusion_heatmap(report, source), f"This report has no confusion matrix for {source}.")
    with right:
        st.caption("Facts, rules and validity")
        _show(fact_bars(report), "This report has no fact, rule or validity metrics.")
    _versus(paths, a_path, report)


if __name__ == "__main__":
    render()
