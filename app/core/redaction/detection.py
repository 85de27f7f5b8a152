"""One hit of a detector, before it is turned into a placeholder."""

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """Secrets are masked whatever they look like; PII yields to the look-alikes a brief needs."""

    secret = "secret"
    pii = "pii"


@dataclass(frozen=True, slots=True)
class Detection:
    kind: str
    start: int
    end: int
    rule: str
    category: Category
    score: float = 1.0
    # A context word proved the kind ('DOB 1985-03-14', 'ssn=529438170'): look-alike rules,
    # which judge by shape alone, do not drop it.
    anchored: bool = False

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Detection") -> bool:
        return self.start < other.end and other.start < self.end
