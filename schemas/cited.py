"""What the model answers under prompt brief@v2: only what needs language, each part citing lines.

The model reads the ticket as numbered lines. It writes the prose of the brief and the impact
facts the assessment consumes, and cites the numbers of the lines each comes from; code copies
identifiers, times, codes, amounts and counts from the source itself (app.core.diagnostics) and
turns citations into verbatim evidence (app.core.citing). Every key is required and every text
and list is bounded, because llama.cpp compiles this schema into the grammar the model decodes
under: the limits leave no room for filler, and no field for the model to invent an ID in.
"""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.assessment import FactKind

Lines = Annotated[list[Annotated[int, Field(ge=1, le=9999)]], Field(max_length=2)]


class CitedAttempt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=70)
    result: str = Field(max_length=70)
    lines: Lines


FACT_VALUE_MAX = 1e7


def _runaway(fact: Any) -> bool:
    value = fact.get("value") if isinstance(fact, dict) else None
    return isinstance(value, int | float) and not isinstance(value, bool) and not 0 <= value <= FACT_VALUE_MAX


class CitedFact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: FactKind
    # A number for customers_affected and duration_hours; 1 for the others.
    value: float = Field(ge=0, le=FACT_VALUE_MAX)
    lines: Lines


class CitedDraft(BaseModel):
    """The model's part of a brief (prompt brief@v2)."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=120)
    summary_lines: Lines
    description: str = Field(max_length=240)
    description_lines: Lines
    workflow_impact: str = Field(max_length=120)
    impact_lines: Lines
    steps: Annotated[list[Annotated[str, Field(max_length=80)]], Field(max_length=3)]
    expected: str = Field(max_length=80)
    actual: str = Field(max_length=80)
    reproduction_lines: Lines
    tried: Annotated[list[CitedAttempt], Field(max_length=2)]
    workaround: str = Field(max_length=100)
    workaround_lines: Lines
    last_update: str = Field(max_length=80)
    expectation: str = Field(max_length=80)
    escalation_risk: str = Field(max_length=80)
    communication_lines: Lines
    asks: Annotated[list[Annotated[str, Field(max_length=80)]], Field(max_length=2)]
    customer_names: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=2)]
    facts: Annotated[list[CitedFact], Field(max_length=4)]

    @model_validator(mode="before")
    @classmethod
    def _drop_runaway_fact_values(cls, data: Any) -> Any:
        """A fact whose number is out of range is dropped, not re-asked. llama.cpp's grammar does not
        bound a JSON number, and the 1.5B sometimes loops on zeros (1000000000000000): on 40 dev
        tickets that failed 8 drafts, and the re-ask, costing a second full answer each, repeated
        it every time (19 of 19 re-ask errors were such values). A count or a duration that large
        is no fact; the rest of the answer stands."""
        if isinstance(data, dict) and isinstance(data.get("facts"), list):
            data = {**data, "facts": [f for f in data["facts"] if not _runaway(f)]}
        return data

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema = super().model_json_schema(*args, **kwargs)
        # Every key required: llama.cpp's grammar lets a model stop after the required keys.
        for node in [schema, *schema.get("$defs", {}).values()]:
            if properties := node.get("properties"):
                node["required"] = list(properties)
        return schema


# The prose fields and the citation list each is checked against, as brief paths.
CITED_FIELDS: dict[str, str] = {
    "summary": "summary_lines",
    "description": "description_lines",
    "impact.workflow_impact": "impact_lines",
    "reproduction.steps": "reproduction_lines",
    "reproduction.expected": "reproduction_lines",
    "reproduction.actual": "reproduction_lines",
    "workaround": "workaround_lines",
    "communication.last_update": "communication_lines",
    "communication.expectation": "communication_lines",
    "communication.escalation_risk": "communication_lines",
}

__all__ = ["CITED_FIELDS", "CitedAttempt", "CitedDraft", "CitedFact", "FactKind"]
