"""The shared vocabulary of the product: pydantic models every layer speaks.

Nothing here imports from `app` or `evals` (import-linter holds that contract).
"""

from schemas.brief import (
    Attempt,
    CustomerCommunication,
    Diagnostics,
    EscalationBrief,
    Evidence,
    Impact,
    Reproduction,
    WhatsNeeded,
)
from schemas.common import SEVERITY_LABELS, TARGET_LABELS, Severity, SlaStatus, Target
from schemas.finding import Finding, Level
from schemas.triage import Signal, TriageResult

__all__ = [
    "SEVERITY_LABELS",
    "TARGET_LABELS",
    "Attempt",
    "CustomerCommunication",
    "Diagnostics",
    "EscalationBrief",
    "Evidence",
    "Finding",
    "Impact",
    "Level",
    "Reproduction",
    "Severity",
    "Signal",
    "SlaStatus",
    "Target",
    "TriageResult",
    "WhatsNeeded",
]
