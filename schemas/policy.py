"""The escalation policy as data: every rule of the four seed guides with its citation.

The default policy file is `app/core/policy/default.toml`; an organisation points the
`ESCALATE_POLICY_FILE` setting at its own. Every model forbids unknown keys so a typo in a
policy file fails loudly instead of silently disabling a rule.
"""

import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.common import Severity, Target
from schemas.finding import Level

_CITE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt:\d+(-\d+)?$")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Cited(BaseModel):
    """Anything taken from a seed: the words and where they stand."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quote: str = Field(min_length=1, description="The seed's words, verbatim.")
    cite: str = Field(description="'<seed file>:<line>' or '<seed file>:<first>-<last>'.")

    @field_validator("cite")
    @classmethod
    def _cite_format(cls, value: str) -> str:
        if not _CITE.match(value):
            raise ValueError("expected '<seed file>:<line>', e.g. '002_c7b4f1e68f98dd33.txt:6'")
        return value


class BusinessHours(Cited):
    timezone: str = "America/Los_Angeles"
    days: list[Weekday] = Field(min_length=1)
    start: time
    end: time


class SeverityLevel(Cited):
    label: str
    definition: str
    # None: no escalation clock, handled in the backlog (seed 002 line 9).
    escalate_within_minutes: int | None = Field(default=None, ge=0)
    response_minutes: int | None = Field(default=None, ge=0)
    business_hours_only: bool = False


class Rule(Cited):
    """A check of the rules engine. `level` decides whether its findings block submission."""

    level: Level
    enabled: bool = True


class ThresholdRule(Rule):
    threshold: float = Field(gt=0)
    min_severity: Severity


class DiagnosticsRule(Rule):
    # Brief field paths that must be filled, per target; `recommended` ones only warn.
    required: dict[Target, list[str]]
    recommended: dict[Target, list[str]] = Field(default_factory=dict)


def _valid_patterns(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
    return patterns


class SignalSpec(Cited):
    """Regular expressions (case-insensitive) whose matches in the ticket raise a triage signal."""

    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return _valid_patterns(patterns)


class Cues(BaseModel):
    """Reading aids, not rules: regexes (case-insensitive) that say HOW a sentence speaks (it asks,
    supposes, schedules, looks back, addresses an assistant) or whose words it carries. The fusion
    rules decide what a signal inside such a sentence counts for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    why: str = Field(min_length=1, description="What the cue is for, in one line.")
    patterns: list[str] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        return _valid_patterns(patterns)


class BaseVerdict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    severity: Severity
    target: Target


class Fusion(Cited):
    """How evidence from several sources becomes one verdict (app.core.assessment.fusion)."""

    decisive: list[str] = Field(description="Signal kinds that nothing lowers: security, outage, data loss.")
    lowering: list[str] = Field(description="Signal kinds that can lower or cap a severity.")
    lowering_speakers: list[str] = Field(description="Whose words may lower: the customer's and agent's own turns.")
    credential_severity: Severity = Field(description="A live credential found in the ticket or its logs.")
    credential_exposed_severity: Severity = Field(description="...and the text says it was exposed or used.")
    classifier_alone_raises_to: Severity = Field(description="The classifier above its threshold, no other signal.")
    classifier_with_signal_raises_to: Severity = Field(description="The classifier agreeing with a technical signal.")
    model_fact_alone_raises_to: Severity = Field(
        default=Severity.sev2,
        description="A fact the model cited lines for, with no signal, credential or classifier score agreeing.",
    )
    model_fact_alone_teams: list[Target] = Field(
        default_factory=lambda: list(Target),
        description="Teams a fact only the model states may send a ticket to (security pages at once, 003:14: "
        "kept for evidence code or the classifier confirms).",
    )
    classifier_leads_at: float = Field(
        default=1.0,
        ge=0.0,
        le=1.0,
        description="At or above this probability the classifier's severity and target replace a verdict that no "
        "decisive signal set (1.0: never).",
    )
    classifier_leads_incident_records: bool = Field(
        default=False,
        description="Whether the classifier also leads on status-page updates and post-mortems (judged by how long "
        "the impact ran).",
    )
    classifier_over_decisive: bool = Field(
        default=False, description="Experiment switch: the leading classifier may also lower a decisive signal."
    )
    needs_human_below: float = Field(ge=0.0, le=1.0, description="A verdict less sure than this asks a person.")
    sev1_teams: list[Target] = Field(
        default_factory=list,
        description="Where a sev1 goes when nothing routed it elsewhere (support L2 is no sev1 team); the "
        "classifier's likelier of them, else the first. Empty: no such rule.",
    )
    sev1_teams_cite: str = ""
    base: list[BaseVerdict] = Field(min_length=1, description="Strongest first: the first kind present decides.")


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity_matches_signals: Rule
    critical_needs_no_workaround: Rule
    security_immediate: Rule
    pattern_customers: ThresholdRule
    emergency_duration: ThresholdRule
    business_blocked: Rule
    required_diagnostics: DiagnosticsRule
    impact_first: Rule
    no_pii: Rule
    grounding: Rule
    evidence_verbatim: Rule
    sla_status: Rule
    off_hours: Rule
    escalation_criteria: Rule
    target_matches_signals: Rule


class Touchpoint(Cited):
    """Seed 001: the customer always knows when they hear next. The seed gives no interval: these
    defaults (minutes after an update, per severity) are this policy's choice, and the agent sets
    the actual time with every customer update."""

    default_minutes: dict[Severity, int] = Field(description="Next touch-point after an update, per severity.")

    @field_validator("default_minutes")
    @classmethod
    def _every_severity(cls, value: dict[Severity, int]) -> dict[Severity, int]:
        missing = [s.value for s in Severity if s not in value]
        if missing:
            raise ValueError(f"every severity needs a default touch-point; missing {missing}")
        if any(minutes <= 0 for minutes in value.values()):
            raise ValueError("touch-point intervals must be positive minutes")
        return value


class CustomerUpdateRule(Cited):
    """What a customer-facing update must not carry: personal data (checked by the redactor) and
    internal-only content, matched by these case-insensitive patterns."""

    internal_patterns: list[str] = Field(min_length=1)

    @field_validator("internal_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from None
        return patterns


class FollowUp(Cited):
    """After approval (seed 002 'Acknowledge and track'). The acknowledgement clock of each severity
    is that severity's own clock in [severities] (response_minutes for Sev1, else
    escalate_within_minutes), so the numbers have one home."""

    touchpoint: Touchpoint
    customer_update: CustomerUpdateRule
    handoff: Cited
    resolution: Cited


class Paging(Cited):
    """Seed 002: Sev1/Sev2 outside business hours page on-call."""

    severities: list[Severity] = Field(min_length=1)


class Patterns(Cited):
    """Seed 003: the same issue from 3+ customers. Drafts from `min_accounts` different accounts
    within `window_hours` that share an error signature form a pattern; the verdict is raised to at
    least `severity_floor`."""

    window_hours: float = Field(gt=0)
    min_accounts: int = Field(ge=2)
    severity_floor: Severity
    similarity: float = Field(default=0.9, gt=0, le=1, description="Summary similarity that counts as the same text.")


class GuideSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    line: int = Field(ge=1, description="The line of the seed where the section's heading stands.")
    name: str = Field(min_length=1, description="The heading, as the guide writes it.")


class Guide(BaseModel):
    """One of the guides the policy quotes: its title and headings, so a citation reads as
    'guide › section' instead of a file name and a line number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    sections: list[GuideSection] = Field(default_factory=list)


_CITE_PARTS = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)")


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: str
    title: str
    business_hours: BusinessHours
    severities: dict[Severity, SeverityLevel]
    escalation_criteria: dict[str, Cited] = Field(description="Seed 003 'When to Escalate'.")
    escalation_categories: dict[str, Cited] = Field(description="Seed 000 'Escalation categories'.")
    tiers: dict[Target, Cited] = Field(description="Seed 003 'Escalation Tiers'.")
    rules: Rules
    signals: dict[str, SignalSpec]
    cues: dict[str, Cues] = Field(default_factory=dict)
    fusion: Fusion
    followup: FollowUp
    paging: Paging
    patterns: Patterns
    guides: dict[str, Guide] = Field(default_factory=dict, description="Seed file -> its title and headings.")

    def cite_label(self, cite: str) -> str:
        """'002_c7b4f1e68f98dd33.txt:6' -> 'How to escalate … engineering teams › Severity Levels and SLAs'.
        A citation of a guide the policy does not describe comes back as written."""
        match = _CITE_PARTS.match(cite)
        guide = self.guides.get(match.group("file")) if match else None
        if match is None or guide is None:
            return cite
        line = int(match.group("line"))
        section = next((s.name for s in reversed(guide.sections) if s.line <= line), None)
        return f"{guide.title} › {section}" if section else guide.title

    @field_validator("severities")
    @classmethod
    def _all_severities(cls, value: dict[Severity, SeverityLevel]) -> dict[Severity, SeverityLevel]:
        missing = [s.value for s in Severity if s not in value]
        if missing:
            raise ValueError(f"every severity needs a definition; missing {missing}")
        return value
