"""What redaction masked: the receipt that travels with every draft."""

from pydantic import BaseModel, ConfigDict, Field


class RedactionItem(BaseModel):
    """One masked span. The original value is never stored; `preview` shows just enough to check it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(description="EMAIL, PHONE, CREDIT_CARD, IP_ADDRESS, AWS_KEY, JWT, PASSWORD_IN_URL, ...")
    placeholder: str = Field(description="Stable placeholder put in the text, e.g. '<EMAIL_1>'.")
    source: str = Field(description="Where it was found: 'ticket' or an attachment name.")
    start: int = Field(ge=0, description="Offset in that source's original text.")
    end: int = Field(ge=0)
    rule: str = Field(description="Recognizer or detector that fired, e.g. 'presidio:EmailRecognizer'.")
    category: str = Field(
        default="pii", description="'secret' (a credential: also security evidence for the verdict) or 'pii'."
    )
    preview: str = Field(description="Masked preview such as 'j***@e***.com'.")
    digest: str = Field(description="sha256 of the original value, so a reviewer can match repeats.")


class SensitiveSpan(BaseModel):
    """A hit of the sensitive-data scanner on arbitrary text (used on model output too)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str
    start: int
    end: int
    rule: str
