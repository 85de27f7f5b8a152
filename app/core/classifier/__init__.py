"""The learned triage classifier: calibrated P(severity), P(security) and P(target) for a ticket.

`load_default()` gives the artifact shipped in this package (trained by `escalate train`, see
MODEL_CARD.md); the assessment uses its scores only as raising evidence above the thresholds.
"""

from app.core.classifier.model import ARTIFACT_FILE, TriageClassifier, load, load_default

__all__ = ["ARTIFACT_FILE", "TriageClassifier", "load", "load_default"]
