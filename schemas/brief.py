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

    field: NonEmpty = Field(
        title="Field", description="Which brief field this supports, e.g. 'impact.customers_affected'."
    )
    quote: NonEmpty = Field(
        title="Quote", description="The exact span copied from the ticket, character for character. Never paraphrase."
    )


# Seed 003 'IMPACT' (lines 21-25).
class Impact(BaseModel):
    """Business impact on the customer."""

    model_config = ConfigDict(extra="forbid")

    customers_affected: int | None = Field(
        title="Customers affected",
        default=None,
        ge=0,
        description="How many customers are affected, only if the ticket states it; else null.",
    )
    customer_names: list[str] = Field(
        title="Customer names", default_factory=list, description="Names of affected customers/companies, if given."
    )
    workflow_impact: str = Field(
        title="Workflow impact", default="", description="What is broken for them, in one sentence."
    )
    revenue_at_risk: str | None = Field(
        title="Revenue at risk", default=None, description="Revenue, renewal or contract at risk, as stated; else null."
    )
    # Computed by the rules engine from ticket timestamps and business hours; the model leaves it.
    sla_status: SlaStatus = Field(
        title="SLA status", default=SlaStatus.unknown, description="Leave as 'unknown'; it is computed."
    )

    _clean = field_validator("customer_names")(_clean_list)


# Seed 003 'REPRODUCTION STEPS' (lines 28-34).
class Reproduction(BaseModel):
    """How to reproduce the problem."""

    model_config = ConfigDict(extra="forbid")

    steps: list[str] = Field(
        title="Reproduction steps", default_factory=list, description="Steps to reproduce, as stated in the ticket."
    )
    expected: str = Field(title="Expected", default="", description="What should happen.")
    actual: str = Field(title="Actual", default="", description="What happens instead.")
    environment: str = Field(
        title="Environment", default="", description="Product version, browser, OS, region, plan, as stated."
    )

    _clean = field_validator("steps")(_clean_list)


class Attempt(BaseModel):
    """One troubleshooting step already taken and its outcome."""

    model_config = ConfigDict(extra="forbid")

    action: NonEmpty = Field(title="Action", description="What was tried.")
    result: str = Field(title="Result", default="", description="What happened.")


# Seed 003 'CUSTOMER COMMUNICATION' (lines 39-42).
class CustomerCommunication(BaseModel):
    """Where the conversation with the customer stands."""

    model_config = ConfigDict(extra="forbid")

    last_update: str = Field(
        title="Last update to the customer",
        default="",
        description="Date and gist of the last message to the customer.",
    )
    expectation: str = Field(
        title="Customer expectation", default="", description="What the customer expects and by when."
    )
    escalation_risk: str = Field(
        title="Escalation risk",
        default="",
        description="Whether the customer may escalate further (executives, churn).",
    )


# Seed 003 'WHAT'S NEEDED' (lines 43-45).
class WhatsNeeded(BaseModel):
    """What the receiving team is asked to do."""

    model_config = ConfigDict(extra="forbid")

    asks: list[str] = Field(
        title="Asks of the receiving team",
        default_factory=list,
        description="Specific asks of the receiving team: investigate, fix, decide, approve.",
    )
    deadline: str | None = Field(
        title="Deadline", default=None, description="By when, if the ticket gives a date or time; else null."
    )

    _clean = field_validator("asks")(_clean_list)


# Seed 002 line 12 ('Gather required information') and the handoff checklist, lines 25-29.
class Diagnostics(BaseModel):
    """Diagnostics engineering needs. Copy identifiers exactly; list only what the ticket contains."""

    model_config = ConfigDict(extra="forbid")

    account_ids: list[str] = Field(
        title="Account / org IDs",
        default_factory=list,
        description="Account, org, tenant or workspace IDs, copied exactly.",
    )
    timestamps: list[str] = Field(
        title="Timestamps of failures", default_factory=list, description="Timestamps of the failures, copied exactly."
    )
    environment: str = Field(
        title="Customer environment", default="", description="Customer environment and configuration."
    )
    error_messages: list[str] = Field(
        title="Error messages, codes, request IDs",
        default_factory=list,
        description="Error messages, codes and request/trace IDs, copied exactly.",
    )
    logs_attached: bool = Field(
        title="Logs attached", default=False, description="True if logs are attached or pasted."
    )
    har_attached: bool = Field(title="HAR attached", default=False, description="True if a HAR file is attached.")
    screenshots: list[str] = Field(
        title="Screenshots / recordings", default_factory=list, description="Screenshots or recordings referenced."
    )
    traceroute_attached: bool = Field(
        title="Traceroute attached", default=False, description="True if a traceroute is included."
    )
    customer_contact: str = Field(
        title="Customer contact and preferred channel",
        default="",
        description="Customer contact role and preferred channel (no emails or phones).",
    )

    _clean = field_validator("account_ids", "timestamps", "error_messages", "screenshots")(_clean_list)


class EscalationBrief(BaseModel):
    """An escalation brief a receiving team can act on at once. Use only facts from the ticket."""

    model_config = ConfigDict(extra="forbid")

    summary: OneLine = Field(title="One-line summary", description="One-line summary leading with the business impact.")
    severity: Severity = Field(
        title="Severity",
        description=(
            "sev1 Critical: complete outage for many users or a security issue; "
            "sev2 High: major function broken for some users; "
            "sev3 Medium: partial impairment, workaround exists; "
            "sev4 Low: minor issue, feature request or question."
        ),
    )
    target: Target = Field(
        title="Target team",
        description=(
            "engineering: bugs, infrastructure; product: feature gaps, design decisions; "
            "security: data exposure, vulnerabilities, compliance; leadership: churn risk, SLA breach; "
            "support_l2: needs deeper troubleshooting."
        ),
    )
    impact: Impact = Field(title="Impact", default_factory=Impact)
    description: str = Field(
        title="Issue description",
        default="",
        description="3-5 sentences: what happens, since when, how it shows, scope.",
    )
    workaround: str | None = Field(
        title="Workaround",
        default=None,
        description="The workaround the customer can use, if one is stated; else null.",
    )
    reproduction: Reproduction = Field(title="Reproduction", default_factory=Reproduction)
    tried: list[Attempt] = Field(
        title="What's been tried", default_factory=list, description="What has been tried, each with its result."
    )
    communication: CustomerCommunication = Field(title="Customer communication", default_factory=CustomerCommunication)
    needed: WhatsNeeded = Field(title="What's needed", default_factory=WhatsNeeded)
    diagnostics: Diagnostics = Field(title="Diagnostics", default_factory=Diagnostics)
    evidence: list[Evidence] = Field(
        title="Evidence",
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
        title="Evidence",
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
            for name, prop in properties.items():
                # Field titles are the labels people read (pages, exports, findings); the model is
                # sent pydantic's default titles, so the request (and its recordings) stay as they were.
                if "$ref" in prop:
                    prop.pop("title", None)
                else:
                    prop["title"] = name.replace("_", " ").title()
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


_PATH_PART = re.compile(r"([A-Za-z_]\w*)(?:\[(\d+)\])?")


def field_title(path: str) -> str:
    """The label a person reads for a dotted brief path, from the field titles above:
    'diagnostics.logs_attached' -> 'Logs attached', 'evidence[1].quote' -> 'Evidence 2: quote'.
    A path that names no field comes back as written."""
    model: Any = EscalationBrief
    words: list[str] = []
    for part in path.split("."):
        match = _PATH_PART.fullmatch(part)
        fields = getattr(model, "model_fields", {})
        if match is None or match.group(1) not in fields:
            return path
        info = fields[match.group(1)]
        title = info.title or match.group(1).replace("_", " ").capitalize()
        index = match.group(2)
        words.append(f"{title} {int(index) + 1}" if index is not None else title)
        annotation = info.annotation
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if len(words) > 1 and words[0][-1].isdigit():  # an item of a list: "Evidence 2: quote"
        return f"{words[0]}: {' '.join(words[1:]).lower()}"
    return words[-1] if words else path


def leaf_paths(model: type[BaseModel] = EscalationBrief, prefix: str = "") -> list[str]:
    """Every leaf field of the brief as a dotted path (lists of models end at the list)."""
    paths: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths += leaf_paths(annotation, f"{prefix}{name}.")
        else:
            paths.append(f"{prefix}{name}")
    return paths


_PATH_IN_TEXT = re.compile(r"\b[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+|\b[a-z_]+\[\d+\]")


def with_field_titles(text: str) -> str:
    """Rule messages name fields by path ('diagnostics.account_ids is empty'); people read titles
    ('Account / org IDs is empty'). Paths that name no field are left as written."""
    return _PATH_IN_TEXT.sub(lambda m: field_title(m.group()), text)
