"""The assessment: one verdict per ticket, computed once, read by rules, pages, CLI and evals.

    assess(text, policy, now, redactions=..., classifier=..., facts=..., pattern=...) -> Assessment

Sources of evidence, each a `Signal` with its `source` and `speaker`:
- `pattern`: the policy's regular expressions (app.core.triage.scan_signals), kept only where the
  sentence states the problem as happening now (app.core.assessment.cues) and, for lowering
  kinds, only where the customer or agent says it (app.core.assessment.speakers);
- `redactor`: a secret the redactor masked (seed 000: "Access control or credential leaks");
- `classifier`: the learned triage classifier's calibrated probabilities;
- `model_fact`: facts the model extracted with cited line numbers;
- `store`: drafts from 3+ accounts sharing an error signature (a pattern across tickets).
The fusion rules that turn them into a verdict are the policy's [fusion] table (fusion.py).
"""

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from app.core.assessment.cues import (
    between_hours,
    compile_cues,
    is_incident_record,
    is_pending,
    modality,
    since_clock_hours,
)
from app.core.assessment.fusion import Evidence, decide
from app.core.assessment.speakers import find_speakers
from app.core.sla import compute_sla, find_timestamps, is_business_hours
from app.core.triage import OFF_HOURS, scan_signals
from schemas.assessment import Assessment, ClassifierScores, ModelFact, PatternMatch
from schemas.policy import Policy
from schemas.redaction import RedactionItem
from schemas.triage import Signal, TriageResult

# Kinds that lower or cap: they count only from the customer's or agent's own words.
LOWERING = frozenset({"workaround", "resolved"})
# Kinds that describe a request rather than a fault: never from text that cannot lower.
REQUESTING = frozenset({"question", "feature_request", "minor", "no_workaround", "request_form", "question_form"})
RAISING_EXEMPT = LOWERING | REQUESTING
# What a "benign" sentence ("our own red team", "no one was affected") takes back: a fault, not
# the business context or the counts around it.
FAULTS = frozenset({"security", "outage", "data_loss", "data_wrong", "major_impairment", "degradation", "bug_report"})
_UNIT_HOURS = (("week", 168.0), ("day", 24.0), ("min", 1 / 60))
_SINCE_WORDS = {"yesterday": 24.0, "last night": 10.0, "this morning": 2.0, "the weekend": 48.0, "all day": 8.0,
                "all night": 8.0, "all morning": 3.0, "all weekend": 48.0}  # fmt: skip
_FACT_KINDS = {
    "data_exposed": "security", "credential_exposed": "security", "data_lost": "data_loss",
    "service_unavailable": "major_impairment", "business_event_blocked": "business_blocked",
    "workaround_confirmed": "workaround", "question_only": "question", "feature_request": "feature_request",
}  # fmt: skip


def _hours(signal: Signal) -> float | None:
    text = signal.text.lower()
    for words, hours in _SINCE_WORDS.items():
        if words in text:
            return hours
    if signal.value is None:
        return None
    return signal.value * next((h for unit, h in _UNIT_HOURS if unit in text.split()[-1]), 1.0)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts += [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts


def _fact_signals(facts: Sequence[ModelFact], text: str, speakers_at: "object") -> tuple[list[Signal], list[str]]:
    """Facts the model cited lines for, as signals. Uncited facts are ignored; lowering facts count
    only when every cited line is the customer's or agent's own (the model obeys pasted text)."""
    starts = _line_starts(text)
    signals, ignored = [], []
    for fact in facts:
        lines = [n for n in fact.lines if 1 <= n <= len(starts)]
        if not lines or fact.value is False:
            ignored.append(f"model fact {fact.kind}: no cited line supports it")
            continue
        first = starts[lines[0] - 1]
        end = text.find("\n", first)
        end = len(text) if end < 0 else end
        kind = _FACT_KINDS.get(fact.kind)
        value: float | None = None
        if fact.kind == "customers_affected":
            kind, value = "customer_count", float(fact.value)
        elif fact.kind == "duration_hours":
            kind, value = "duration", float(fact.value)
        if kind is None:
            continue
        if kind in RAISING_EXEMPT:
            who = {speakers_at(starts[n - 1]) for n in lines}  # type: ignore[operator]
            if "untrusted" in who:
                ignored.append(f"model fact {fact.kind}: cites text that cannot lower a verdict (line {lines[0]})")
                continue
        signals.append(
            Signal(
                kind=kind,
                text=text[first:end],
                start=first,
                end=end,
                value=value,
                source="model_fact",
                citation=f"line {','.join(map(str, lines))}",
            )
        )
    return signals, ignored


def assess(
    text: str,
    policy: Policy,
    now: datetime | None = None,
    *,
    redactions: Sequence[RedactionItem] = (),
    classifier: ClassifierScores | None = None,
    classify: Callable[[str], ClassifierScores] | None = None,
    facts: Sequence[ModelFact] = (),
    pattern: PatternMatch | None = None,
    untrusted_from: int | None = None,
) -> Assessment:
    """The verdict on `text` (the ticket, then any attached logs from `untrusted_from` on).

    `now` is when the escalation happens (off-hours paging, the SLA clock); without it the latest
    timestamp in the ticket stands in. `redactions` are what the redactor masked in this text.
    `classify` scores the ticket with the learned classifier when no `classifier` scores are given:
    it reads only the trusted text (the customer's and agent's turns), so a pasted comment, log or
    note to an assistant cannot move a classifier that may lead the verdict.
    """
    cues = compile_cues(policy)
    speakers = find_speakers(text, cues.untrusted, untrusted_from)
    if classifier is None and classify is not None:
        classifier = classify(speakers.trusted_text(text))
    record = is_incident_record(text, cues)
    kept: list[Signal] = []
    ignored: list[str] = []
    for signal in scan_signals(text, policy):
        speaker = speakers.at(signal.start)
        if signal.kind in RAISING_EXEMPT:
            if speaker == "untrusted" or (signal.kind in LOWERING and speaker not in policy.fusion.lowering_speakers):
                ignored.append(f"{signal.kind} {signal.text!r}: in text that cannot lower a verdict")
                continue
            if signal.kind in ("question", "feature_request") and speaker == "agent":
                ignored.append(f"{signal.kind} {signal.text!r}: the agent asking, not the customer")
                continue
            if record and signal.kind == "resolved":
                ignored.append(f"resolved {signal.text!r}: an incident record; its severity is the impact it had")
                continue
            if signal.kind == "resolved" and is_pending(text, signal.start, signal.end, cues):
                ignored.append(f"resolved {signal.text!r}: asked about or still to come")
                continue
        elif (how := modality(text, signal.start, signal.end, cues, record)) is not None and (
            how != "benign" or signal.kind in FAULTS
        ):
            ignored.append(f"{signal.kind} {signal.text!r}: {how}, not happening now")
            continue
        if signal.kind == "duration":
            signal = signal.model_copy(update={"value": _hours(signal)})
        kept.append(signal.model_copy(update={"speaker": speaker}))
    if record and (stamps := find_timestamps(text)):
        first, last = min(stamps, key=lambda s: s.moment), max(stamps, key=lambda s: s.moment)
        span = (last.moment - first.moment).total_seconds() / 3600
        if span > 0:
            kept.append(
                Signal(
                    kind="duration",
                    text=f"{first.text} .. {last.text}",
                    start=first.start,
                    end=first.end,
                    value=round(span, 2),
                    citation=policy.signals["duration"].cite,
                )
            )
    for start, end, hours in [*since_clock_hours(text), *between_hours(text)]:
        if modality(text, start, end, cues, record) is None:
            kept.append(
                Signal(
                    kind="duration",
                    text=text[start:end],
                    start=start,
                    end=end,
                    value=round(hours, 2),
                    citation=policy.signals["duration"].cite,
                    speaker=speakers.at(start),
                )
            )
    for item in redactions:
        if item.category == "secret" and item.end <= len(text):
            kept.append(
                Signal(
                    kind="credential",
                    text=item.placeholder,
                    start=item.start,
                    end=item.end,
                    source="redactor",
                    citation=policy.signals["security"].cite,
                    speaker=speakers.at(item.start),
                )
            )
    fact_signals, fact_ignored = _fact_signals(facts, text, speakers.at)
    kept += fact_signals
    ignored += fact_ignored

    moment = now
    if moment is None and (stamps := find_timestamps(text)):
        moment = max(stamps, key=lambda s: s.moment).moment  # the SLA clock's "as of", when no clock is given
    # Off hours is judged on the escalation's own clock (`now`: when it is drafted, checked or
    # submitted), in the policy's [business_hours] time zone: a time written in the ticket says when
    # someone wrote a note, not whether support is staffed now. No clock, no off-hours judgement.
    off_hours = now is not None and not is_business_hours(now, policy)
    if off_hours:
        kept.append(
            Signal(kind=OFF_HOURS, text="", start=0, end=0, source="clock", citation=policy.business_hours.cite)
        )
    kept.sort(key=lambda s: (s.start, s.end))
    verdict = decide(Evidence(kept, ignored, classifier, list(facts), pattern, off_hours, record), policy)

    sla = compute_sla(text, verdict.severity, policy, moment)
    limit = sla.limit_minutes
    escalate_by = sla.opened_at + timedelta(minutes=limit) if sla.opened_at and limit is not None else None
    decided = [k for k in dict.fromkeys((verdict.severity_basis, verdict.target_basis)) if k]
    return Assessment(
        severity=verdict.severity,
        target=verdict.target,
        immediate=verdict.immediate,
        confidence=round(verdict.confidence, 2),
        needs_human=verdict.confidence < policy.fusion.needs_human_below or bool(verdict.readings),
        readings=verdict.readings,
        signals=kept,
        decided_by=decided,
        severity_basis=verdict.severity_basis,
        target_basis=verdict.target_basis,
        reasons=verdict.reasons,
        ignored=verdict.ignored,
        classifier=classifier,
        facts=list(facts),
        pattern=pattern,
        policy_version=policy.version,
        assessed_at=now,
        escalate_by=escalate_by,
    )


def as_triage(assessment: Assessment) -> TriageResult:
    """The older, narrower view (severity, target, signals, reasons, immediate) of the same verdict."""
    return TriageResult(
        severity=assessment.severity,
        target=assessment.target,
        signals=assessment.signals,
        reasons=assessment.reasons,
        immediate=assessment.immediate,
    )


__all__ = ["as_triage", "assess"]
