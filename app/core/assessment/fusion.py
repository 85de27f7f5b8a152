"""Evidence from several sources -> one verdict, by the rules of the policy's [fusion] table.

Asymmetric trust:
- raising evidence from any source can raise: a policy signal, a credential the redactor found,
  the classifier above its calibrated threshold, a fact the model cited lines for, a pattern
  across tickets, a floor (3+ customers, an emergency past 3 hours, a blocked renewal);
- lowering evidence (a workaround, "resolved", a question, a feature request) counts only from
  the customer's or the agent's own turns, and never lowers a decisive kind (security, a
  credential, an outage, data loss);
- business context only adds: it raises to its floor and names leadership only when nothing
  technical or security-related is wrong.
Where the sources disagree or none is confident, the verdict says so (`needs_human`, with the
competing readings) rather than taking one silently.
"""

from dataclasses import dataclass, field

from schemas.assessment import ClassifierScores, ModelFact, PatternMatch, Reading
from schemas.common import Severity, Target
from schemas.policy import Policy
from schemas.triage import Signal

TECHNICAL = frozenset(
    {"security", "credential", "outage", "data_loss", "data_wrong", "major_impairment", "degradation", "bug_report"}
)
REQUESTS = frozenset({"feature_request", "question", "request_form", "question_form"})
# Kinds whose minimum the policy states outright: the classifier may raise past them, never lower them.
FLOORS = frozenset({"credential", "pattern", "customer_count", "duration", "business_blocked", "scope_all"})
CAP_BY_LOWERING = {"workaround": Severity.sev3, "resolved": Severity.sev4}
# How sure a verdict is, by the kind of evidence that set it.
_CONFIDENCE = {
    "security": 0.9, "credential": 0.85, "outage": 0.85, "data_loss": 0.85, "data_wrong": 0.7,
    "major_impairment": 0.65, "degradation": 0.55, "bug_report": 0.5, "feature_request": 0.75,
    "question": 0.75, "minor": 0.7, "customer_count": 0.8, "duration": 0.8, "business_blocked": 0.75,
    "pattern": 0.85, "classifier": 0.55, "model_fact": 0.7, "workaround": 0.7, "resolved": 0.7, "": 0.4,
}  # fmt: skip


@dataclass
class Evidence:
    """The signals that count, after negation, cues and speakers were applied."""

    signals: list[Signal]
    ignored: list[str] = field(default_factory=list)
    classifier: ClassifierScores | None = None
    facts: list[ModelFact] = field(default_factory=list)
    pattern: PatternMatch | None = None
    off_hours: bool = False
    incident_record: bool = False

    def kinds(self) -> set[str]:
        return {s.kind for s in self.signals}

    def max_value(self, kind: str) -> float:
        return max((s.value for s in self.signals if s.kind == kind and s.value is not None), default=0.0)

    def first(self, kind: str) -> Signal | None:
        return next((s for s in self.signals if s.kind == kind), None)


@dataclass
class Verdict:
    severity: Severity
    target: Target
    severity_basis: str
    target_basis: str
    immediate: bool
    confidence: float
    readings: list[Reading]
    reasons: list[str]
    ignored: list[str]


def _quote(signal: Signal | None) -> str:
    return f" {signal.text!r}" if signal and signal.text else ""


def _only_model_says(ev: Evidence, kind: str) -> bool:
    """Only the model's cited facts found `kind`: no pattern, no credential, no confident classifier."""
    if any(s.kind == kind and s.source != "model_fact" for s in ev.signals):
        return False
    if "credential" in ev.kinds():
        return False
    scores = ev.classifier
    if scores is None:
        return True
    sure_sev1 = scores.severity.get(Severity.sev1, 0.0) >= scores.sev1_threshold
    return not (sure_sev1 or scores.security >= scores.security_threshold)


def _leading(scores: ClassifierScores, at: float) -> tuple[Severity | None, Target | None, float, float] | None:
    """The classifier's own severity and target where it is at least `at` sure of them."""
    if at >= 1.0:
        return None
    sev, p_sev = max(scores.severity.items(), key=lambda kv: kv[1], default=(None, 0.0))
    tgt, p_tgt = max(scores.target.items(), key=lambda kv: kv[1], default=(None, 0.0))
    lead_sev = sev if sev is not None and p_sev >= at else None
    lead_tgt = tgt if tgt is not None and p_tgt >= at else None
    if lead_sev is None and lead_tgt is None:
        return None
    return lead_sev, lead_tgt, p_sev, p_tgt


def decide(ev: Evidence, policy: Policy) -> Verdict:
    fusion, rules = policy.fusion, policy.rules
    kinds = ev.kinds()
    reasons: list[str] = []
    readings: list[Reading] = []
    ignored = list(ev.ignored)
    sev_cite = {sev: level.cite for sev, level in policy.severities.items()}

    def tier(target: Target) -> str:
        cited = policy.tiers.get(target)
        return cited.cite if cited else ""

    # Urgency words alone are not a broken function (seed 002:7 needs impaired functionality).
    if "urgency" in kinds:
        if kinds & TECHNICAL - {"degradation"}:
            kinds.add("major_impairment")
        else:
            ignored.append(f"urgency{_quote(ev.first('urgency'))}: a word, not a broken function")
        kinds.discard("urgency")

    # 1. base: the first kind of the policy's [[fusion.base]] present
    severity, target, basis, immediate = Severity.sev4, Target.support_l2, "", False
    for entry in fusion.base:
        if entry.kind in kinds:
            severity, target, basis = entry.severity, entry.target, entry.kind
            if _only_model_says(ev, entry.kind):
                # A small model obeys pasted text and over-reads: its cited fact alone raises only so
                # far, and sends the ticket only to the teams the policy lets it; its full reading
                # stays on record for a person to take.
                if (
                    fusion.model_fact_alone_raises_to.rank > severity.rank
                    or target not in fusion.model_fact_alone_teams
                ):
                    readings.append(
                        Reading(
                            severity=severity,
                            target=target,
                            source="model",
                            reason=f"the model's cited fact{_quote(ev.first(entry.kind))}: {entry.kind}",
                        )
                    )
                if fusion.model_fact_alone_raises_to.rank > severity.rank:
                    severity = fusion.model_fact_alone_raises_to
                if target not in fusion.model_fact_alone_teams and fusion.model_fact_alone_teams:
                    target = fusion.model_fact_alone_teams[0]
            reasons.append(
                f"{entry.kind}{_quote(ev.first(entry.kind))}: {severity.value}, {target.value} "
                f"({policy.signals[entry.kind].cite if entry.kind in policy.signals else tier(target)})"
            )
            break
    else:
        reasons.append(f"no policy signal: sev4, support L2 ({tier(Target.support_l2)})")
    target_basis = basis

    def raise_to(floor: Severity, kind: str, why: str, cite: str) -> None:
        nonlocal severity, basis
        if severity.rank > floor.rank:
            severity, basis = floor, kind
            reasons.append(f"{kind}: {why}: at least {floor.value} ({cite})")

    def route(to: Target, kind: str, why: str) -> None:
        nonlocal target, target_basis
        if target is not to:
            target, target_basis = to, kind
            reasons.append(f"{kind}: {why}: {to.value} ({tier(to)})")

    # 2. a credential the redactor found is a security matter (seed 000:54 "credential leaks")
    if "credential" in kinds:
        exposed = "security" in kinds
        level = fusion.credential_exposed_severity if exposed else fusion.credential_severity
        why = "a live credential in the ticket" + (" that the text says was exposed or used" if exposed else "")
        raise_to(level, "credential", why, policy.signals["security"].cite)
        route(Target.security, "credential", why)

    # 3. lowering: only from trusted speakers (applied when the signals were read), never decisive
    decisive = kinds & set(fusion.decisive)
    for kind, cap in CAP_BY_LOWERING.items():
        if kind not in kinds:
            continue
        signal = ev.first(kind)
        if decisive:
            ignored.append(
                f"{kind}{_quote(signal)}: does not lower a {'/'.join(sorted(decisive))} signal ({fusion.cite})"
            )
        elif severity.rank < cap.rank:
            severity, basis = cap, kind
            cite = rules.critical_needs_no_workaround.cite if kind == "workaround" else policy.signals[kind].cite
            reasons.append(f"{kind}{_quote(signal)}: caps severity at {cap.value} ({cite})")

    # 4. floors: explicit minimums, after the cap; never for a ticket that only asks
    request_only = bool(kinds & REQUESTS) and not kinds & TECHNICAL
    emergency = bool(kinds & (TECHNICAL - {"degradation", "bug_report"}))
    customers = ev.max_value("customer_count")
    if customers >= rules.pattern_customers.threshold and not request_only:
        raise_to(
            rules.pattern_customers.min_severity,
            "customer_count",
            f"{customers:g} customers",
            rules.pattern_customers.cite,
        )
    if "scope_all" in kinds and not request_only:
        scope = ev.first("scope_all")
        if kinds & {"major_impairment", "data_wrong", "data_loss", "outage"}:
            raise_to(Severity.sev1, "scope_all", f"everyone affected{_quote(scope)}", sev_cite[Severity.sev1])
        elif kinds & {"degradation", "bug_report"}:
            raise_to(Severity.sev2, "scope_all", f"everyone affected{_quote(scope)}", sev_cite[Severity.sev2])
    hours = ev.max_value("duration")
    if hours >= rules.emergency_duration.threshold and emergency:
        raise_to(
            rules.emergency_duration.min_severity, "duration", f"running {hours:g} hours", rules.emergency_duration.cite
        )
        if severity is Severity.sev2 and kinds & {"major_impairment", "data_wrong"} and customers >= 1:
            raise_to(
                Severity.sev1,
                "duration",
                "a major impairment for several customers past 3 hours",
                rules.emergency_duration.cite,
            )
    if ev.incident_record and hours >= rules.emergency_duration.threshold and kinds & TECHNICAL:
        # A status page or post-mortem says how long the impact ran (001:27): a broken function
        # that long is a Sev1; errors or slowness that long, a Sev2.
        level = Severity.sev1 if emergency else Severity.sev2
        raise_to(level, "duration", f"an incident that ran {hours:g} hours", rules.emergency_duration.cite)
    if "business_blocked" in kinds:
        raise_to(Severity.sev2, "business_blocked", "an outside initiative is blocked", rules.business_blocked.cite)
        if not kinds & TECHNICAL:
            route(Target.leadership, "business_blocked", "nothing technical is wrong")
    if ev.pattern is not None and not request_only:
        raise_to(
            rules.pattern_customers.min_severity,
            "pattern",
            f"{len(ev.pattern.accounts)} accounts share {ev.pattern.signature!r}",
            rules.pattern_customers.cite,
        )

    # 5. the learned classifier: raising evidence above its calibrated thresholds only
    confidence = _CONFIDENCE.get(basis, 0.5)
    if (scores := ev.classifier) is not None:
        # The policy's signals' own reading, kept before the classifier moves anything: a person
        # who takes "the signals' reading" must get that, not one a classifier raise already shaped.
        lexical = Reading(
            severity=severity, target=target, source="signals", reason=f"the policy's signals ({basis or 'none'})"
        )
        p1 = scores.severity.get(Severity.sev1, 0.0)
        if p1 >= scores.sev1_threshold and severity is not Severity.sev1:
            with_signal = emergency
            level = fusion.classifier_with_signal_raises_to if with_signal else fusion.classifier_alone_raises_to
            if not request_only:
                raise_to(
                    level,
                    "classifier",
                    f"P(sev1) {p1:.2f} >= {scores.sev1_threshold:.2f}"
                    + (" with a technical signal" if with_signal else ""),
                    fusion.cite,
                )
            if severity is not Severity.sev1:
                readings.append(
                    Reading(
                        severity=Severity.sev1,
                        target=target,
                        source="classifier",
                        reason=f"{scores.model_id}: P(sev1) {p1:.2f}",
                    )
                )
        if scores.security >= scores.security_threshold and target is not Target.security and not request_only:
            # Raising evidence: security is escalated immediately (003:14); the lexical reading stays
            # on record so a person can take it instead.
            if lexical not in readings:
                readings.append(lexical)
            raise_to(
                fusion.classifier_alone_raises_to,
                "classifier",
                f"P(security) {scores.security:.2f} >= {scores.security_threshold:.2f}",
                fusion.cite,
            )
            route(Target.security, "classifier", f"{scores.model_id}: P(security) {scores.security:.2f}")
        lead = _leading(scores, fusion.classifier_leads_at)
        decisive_now = bool(kinds & set(fusion.decisive)) and not fusion.classifier_over_decisive
        leads_here = fusion.classifier_leads_incident_records or not ev.incident_record
        # A ticket that only asks, by what the people in it said (request kinds come only from them):
        # a fault word in a pasted log or a note to an assistant must not unlock the classifier's lead.
        # This covers `request_only` too, whose technical kinds may come from untrusted text.
        said = {s.kind for s in ev.signals if s.speaker != "untrusted"}
        asks_only = bool(said & REQUESTS) and not said & TECHNICAL
        if lead is not None and not asks_only and leads_here:
            lead_sev, lead_target, p_sev, p_target = lead
            # Raise freely; lower only a verdict no decisive signal and no floor of the policy set.
            lowers = lead_sev is not None and lead_sev.rank > severity.rank
            if lowers and (decisive_now or basis in FLOORS):
                lead_sev = None
            if lead_sev is not None and lead_sev is not severity:
                if lexical not in readings:
                    readings.append(lexical)
                severity, basis = lead_sev, "classifier"
                reasons.append(
                    f"classifier: {scores.model_id} P({lead_sev.value}) {p_sev:.2f}: {lead_sev.value} ({fusion.cite})"
                )
            if (
                lead_target is not None
                and lead_target is not target
                and not decisive_now
                and target_basis not in FLOORS
            ):
                target, target_basis = lead_target, "classifier"
                reasons.append(
                    f"classifier: {scores.model_id} P({lead_target.value}) {p_target:.2f}: "
                    f"{lead_target.value} ({tier(lead_target)})"
                )
        if scores.sev1_threshold < 1.0:  # a cut of 1.0 means the head never found a precise one
            agrees = (p1 >= scores.sev1_threshold) == (severity is Severity.sev1)
            confidence += 0.1 if agrees else -0.15

    # 6. a sev1 is no matter for support L2 (002:6): the default team yields
    if severity is Severity.sev1 and target is Target.support_l2 and fusion.sev1_teams:
        scores = ev.classifier
        # Stable sort: on a tie, or with no classifier, the policy's first team.
        team = sorted(fusion.sev1_teams, key=lambda t: -scores.target.get(t, 0.0) if scores else 0.0)[0]
        route(team, "sev1", f"a sev1 goes to SRE and engineering at once ({fusion.sev1_teams_cite})")

    # 7. escalate now?
    if target is Target.security:
        immediate = True
        reasons.append(f"security: escalate immediately ({tier(Target.security)})")
    elif severity is Severity.sev1:
        immediate = True
        reasons.append(f"sev1: immediate escalation to SRE and engineering ({sev_cite[Severity.sev1]})")
    if ev.off_hours and severity.rank <= 2 and not immediate:
        immediate = True
        reasons.append(f"{severity.value} outside business hours: page on-call now ({rules.off_hours.cite})")

    return Verdict(
        severity, target, basis, target_basis, immediate, max(0.05, min(0.99, confidence)), readings, reasons, ignored
    )
