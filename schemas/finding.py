"""A finding: one rule held against one brief."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Level(StrEnum):
    error = "error"  # blocks submission
    warning = "warning"  # informs


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(description="Rule id from the policy file, e.g. 'security.immediate'.")
    level: Level
    field: str = Field(description="Dotted path of the brief field the finding is about ('' for the whole brief).")
    message: str
    fix: str = Field(description="What the agent should do to clear the finding.")
    policy_quote: str = Field(description="The policy text the rule encodes, quoted from its seed.")
    citation: str = Field(description="Seed file and line the rule comes from, e.g. '002_c7b4f1e68f98dd33.txt:6'.")

    @property
    def blocks(self) -> bool:
        return self.level is Level.error
