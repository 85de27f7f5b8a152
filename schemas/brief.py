"""The escalation brief: seed 003's structured escalation format plus seed 002's diagnostics.

Every class docstring and `Field(description=...)` is read by the model: they are written as
instructions to it. Notes for developers live in comments.
"""

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from schemas.common import NonEmpty, OneLine, Severity, SlaStatus, Target

# Models pad lists with "" or "N/A"; dropping those keeps "empty" meaning empty.
_PLACEHOLDERS = {"", "n/a", "na", "none", "null", "unknown", "-", "tbd"}


_NO_QUOTE = _PLACEHOLDERS | {"[]", "{}", '""', "''"}


def _clean_list(values: list[str]) -> list[str]:
    return [v.strip() for v in values if v and v.strip().lower() not in _PLACEHOLDERS]


class Evidence(BaseModel):
    """One fact of the brief and the exact words of the ticket it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: NonEmpty = Field(description="Which brief field this supports, e.g. 'impact.customers_affected'.")
    quote: NonEmpty = Field(
        description="The exact span copied from the ticket, character for character. Never paraphrase."
    )


# Seed 003 'IMPACT' (lines 21-25).
class Impact(BaseModel):
    """Business impact on the customer."""

    model_config = ConfigDict(extra="forbid")

    customers_affected: int | None = Field(
        default=None, ge=0, description="How many customers are affected, only if the ticket states it; else null."
    )
    customer_names: list[str] = Field(
        default_factory=list, description="Names of affected customers/companies, if given."
    )
    workflow_impact: str = Field(default="", description="What is broken for them, in one sentence.")
    revenue_at_risk: str | None = Field(
        default=None, description="Revenue, renewal or contract at risk, as stated; else null."
    )
    # Computed by the rules engine from ticket timestamps and business hours; the model leaves it.
    sla_status: SlaStatus = Field(default=SlaStatus.unknown, description="Leave as 'unknown'; it is computed.")

    _clean = field_validator("customer_names")(_clean_list)


# Seed 003 'REPRODUCTION STEPS' (lines 28-34).
class Reproduction(BaseModel):
    """How to reproduce the problem."""

    model_config = ConfigDict(extra="forbid")

    steps: list[str] = Field(default_factory=list, description="Steps to reproduce, as stated in the ticket.")
    expected: str = Field(default="", description="What should happen.")
    actual: str = Field(default="", description="What happens instead.")
    environment: str = Field(default="", description="Product version, browser, OS, region, plan, as stated.")

    _clean = field_validator("steps")(_clean_list)


class Attempt(BaseModel):
    """One troubleshooting step already taken and its outcome."""

    model_config = ConfigDict(extra="forbid")

    action: NonEmpty = Field(description="What was tried.")
    result: str = Field(default="", description="What happened.")


# Seed 003 'CUSTOMER COMMUNICATION' (lines 39-42).
class CustomerCommunication(BaseModel):
    """Where the conversation with the customer stands."""

    model_config = ConfigDict(extra="forbid")

    last_update: str = Field(default="", description="Date and gist of the last message to the customer.")
    expectation: str = Field(default="", description="What the customer expects and by when.")
    escalation_risk: str = Field(
        default="", description="Whether the customer may escalate further (executives, churn)."
    )


# Seed 003 'WHAT'S NEEDED' (lines 43-45).
class WhatsNeeded(BaseModel):
    """What the receiving team is asked to do."""

    model_config = ConfigDict(extra="forbid")

    asks: list[str] = Field(
        default_factory=list, description="Specific asks of the receiving team: investigate, fix, decide, approve."
    )
    deadline: str | None = Field(default=None, description="By when, if the ticket gives a date or time; else null.")

    _clean = field_validator("asks")(_clean_list)


# Seed 002 line 12 ('Gather required information') and the handoff checklist, lines 25-29.
class Diagnostics(BaseModel):
    """Diagnostics engineering needs. Copy identifiers exactly; list only what the ticket contains."""

    model_config = ConfigDict(extra="forbid")

    account_ids: list[str] = Field(
        default_factory=list, description="Account, org, tenant or workspace IDs, copied exactly."
    )
    timestamps: list[str] = Field(default_factory=list, description="Timestamps of the failures, copied exactly.")
    environment: str = Field(default="", description="Customer environment and configuration.")
    error_messages: list[str] = Field(
        default_factory=list, description="Error messages, codes and request/trace IDs, copied exactly."
    )
    logs_attached: bool = Field(default=False, description="True if logs are attached or pasted.")
    har_attached: bool = Field(default=False, description="True if a HAR file is attached.")
    screenshots: list[str] = Field(default_factory=list, description="Screenshots or recordings referenced.")
    traceroute_attached: bool = Field(default=False, description="True if a traceroute is included.")
    customer_contact: str = Field(
        default="", description="Customer contact role and preferred channel (no emails or phones)."
    )

    _clean = field_validator("account_ids", "timestamps", "error_messages", "screenshots")(_clean_list)


class EscalationBrief(BaseModel):
    """An escalation brief a receiving team can act on at once. Use only facts from the ticket."""

    model_config = ConfigDict(extra="forbid")

    summary: OneLine = Field(description="One-line summary leading with the business impact.")
    severity: Severity = Field(
        description=(
            "sev1 Critical: complete outage for many users or a security issue; "
            "sev2 High: major function broken for some users; "
            "sev3 Medium: partial impairment, workaround exists; "
            "sev4 Low: minor issue, feature request or question."
        )
    )
    target: Target = Field(
        description=(
            "engineering: bugs, infrastructure; product: feature gaps, design decisions; "
            "security: data exposure, vulnerabilities, compliance; leadership: churn risk, SLA breach; "
            "support_l2: needs deeper troubleshooting."
        )
    )
    impact: Impact = Field(default_factory=Impact)
    description: str = Field(default="", description="3-5 sentences: what happens, since when, how it shows, scope.")
    workaround: str | None = Field(
        default=None, description="The workaround the customer can use, if one is stated; else null."
    )
    reproduction: Reproduction = Field(default_factory=Reproduction)
    tried: list[Attempt] = Field(default_factory=list, description="What has been tried, each with its result.")
    communication: CustomerCommunication = Field(default_factory=CustomerCommunication)
    needed: WhatsNeeded = Field(default_factory=WhatsNeeded)
    diagnostics: Diagnostics = Field(default_factory=Diagnostics)
    evidence: list[Evidence] = Field(
        default_factory=list,
        description="For summary, severity, impact and each identifier: the exact ticket words that support it.",
    )

    @field_validator("severity", mode="before")
    @classmethod
    def _accept_labels(cls, value: Any) -> Any:
        # Models write "Critical" or "Sev 1"; the message below is what instructor re-asks with.
        if isinstance(value, str) and value not in Severity.__members__:
            squashed = re.sub(r"[\s_-]", "", value).lower()
            if squashed in Severity.__members__:
                return squashed
            try:
                return Severity.from_label(value)
            except ValueError:
                raise ValueError(f"severity {value!r} is not allowed: answer one of sev1, sev2, sev3, sev4") from None
        return value

    @model_validator(mode="after")
    def _quotes_are_verbatim(self, info: ValidationInfo) -> "EscalationBrief":
        # Tier-1 grounding: runs only when the caller passes the source in the validation context
        # (instructor does, on each attempt), and its message is written for the model to act on.
        # A quote of "null" or "[]" is a model's way of saying it has none: drop it rather than
        # spend a re-ask (~40 s on the embedded model) on it. Real quotes are still checked below.
        kept = [e for e in self.evidence if e.quote.strip().lower() not in _NO_QUOTE]
        if len(kept) != len(self.evidence):
            self.evidence = kept
        source = (info.context or {}).get("source") if info else None
        if not source:
            return self
        if not self.evidence:
            raise ValueError("evidence is empty: add at least one item whose quote is copied exactly from the ticket")
        normal_source = normalize_space(source)
        missing = [e.quote for e in self.evidence if normalize_space(e.quote) not in normal_source]
        if missing:
            shown = "; ".join(repr(q[:80]) for q in missing[:5])
            raise ValueError(
                f"these evidence quotes are not in the ticket: {shown}. "
                "Copy quotes character for character from the ticket, or remove them."
            )
        return self


def normalize_space(text: str) -> str:
    """Collapse whitespace so a quote that wraps differently still counts as verbatim."""
    return " ".join(text.split())


class DraftedBrief(EscalationBrief):
    """An escalation brief a receiving team can act on at once. Use only facts from the ticket."""

    # What the model is asked for: the same brief with evidence required and bounded. Its JSON
    # Schema (below) also lists every key as required, because llama.cpp turns the schema into a
    # grammar that emits required keys first and lets the model stop after them: with optional
    # keys a small model writes summary, severity, target, evidence and nothing else.
    evidence: list[Evidence] = Field(
        min_length=1,
        max_length=6,
        description="For summary, severity, impact and each identifier: the exact ticket words that support it.",
    )

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema = super().model_json_schema(*args, **kwargs)
        for node in [schema, *schema.get("$defs", {}).values()]:
            properties = node.get("properties", {})
            properties.pop("sla_status", None)  # computed by the rules engine, never asked of the model
            if properties:
                node["required"] = list(properties)
        for name, node in schema.get("$defs", {}).items():
            # "Evidence", or "PartialEvidence" in the model instructor derives for streaming.
            if name.endswith("Evidence") and "quote" in node.get("properties", {}):
                node["properties"]["quote"]["maxLength"] = QUOTE_MAX_CHARS
        return schema

    def to_brief(self) -> EscalationBrief:
        return EscalationBrief.model_validate(self.model_dump())


# Long quotes cost output tokens and add nothing a reviewer needs beyond the first sentence.
QUOTE_MAX_CHARS = 200
