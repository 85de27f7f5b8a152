"""The learned triage classifier at run time: JSON artifact in, calibrated scores out, no scikit-learn.

Prediction is a dictionary lookup per term and a few sparse dot products, so it costs well under a
millisecond per ticket and importing it does not pull in scikit-learn or numpy.
"""

import logging
from functools import lru_cache
from pathlib import Path

from app.core.classifier import features
from app.core.classifier.artifact import Artifact, Head, read_artifact
from app.core.errors import InputError
from app.core.llm.settings import get_settings
from schemas.assessment import ClassifierScores
from schemas.common import Severity, Target

log = logging.getLogger(__name__)

ARTIFACT_FILE = Path(__file__).resolve().parent / "triage-clf.json"


def head_proba(head: Head, row: dict[int, float]) -> dict[str, float]:
    """Calibrated class probabilities, normalised as scikit-learn's CalibratedClassifierCV does."""
    scores = [
        bias + sum(coef[i] * w for i, w in row.items()) for coef, bias in zip(head.coef, head.intercept, strict=True)
    ]
    calibrated = [cal(score) for cal, score in zip(head.calibration, scores, strict=True)]
    if len(head.classes) == 2:
        return {head.classes[0]: 1.0 - calibrated[0], head.classes[1]: calibrated[0]}
    total = sum(calibrated)
    if total == 0.0:  # every one-vs-rest map said zero: no information, so uniform
        return dict.fromkeys(head.classes, 1.0 / len(head.classes))
    return {label: p / total for label, p in zip(head.classes, calibrated, strict=True)}


class TriageClassifier:
    def __init__(self, artifact: Artifact) -> None:
        if (artifact.features.max_chars, artifact.features.ngram_max) != (features.MAX_CHARS, features.NGRAM_MAX):
            raise InputError(
                f"classifier {artifact.model_id} was trained with other text features "
                f"(max_chars={artifact.features.max_chars}, ngram_max={artifact.features.ngram_max}); retrain it"
            )
        self.artifact = artifact
        self._vocabulary = {term: i for i, term in enumerate(artifact.features.vocabulary)}

    @property
    def model_id(self) -> str:
        return self.artifact.model_id

    def predict(self, text: str) -> ClassifierScores:
        art = self.artifact
        row = features.tfidf(text, self._vocabulary, art.features.idf)
        severity = head_proba(art.severity, row)
        security = head_proba(art.security, row)
        target = head_proba(art.target, row) if art.target is not None else {}
        return ClassifierScores(
            model_id=art.model_id,
            # Levels the training data never showed get 0; the rest already sum to 1.
            severity={level: severity.get(level.value, 0.0) for level in Severity},
            security=min(1.0, max(0.0, security["true"])),
            target={Target(name): p for name, p in target.items()},
            sev1_threshold=art.thresholds.sev1,
            security_threshold=art.thresholds.security,
        )


def load(path: Path) -> TriageClassifier:
    """Load an artifact written by `escalate train`; a bad file is an InputError with its reason."""
    try:
        return TriageClassifier(read_artifact(path))
    except OSError as exc:
        raise InputError(f"cannot read classifier {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise InputError(f"{path} is not a triage classifier artifact: {str(exc).splitlines()[0]}") from exc


def load_default() -> TriageClassifier | None:
    """The artifact shipped in the package, or None (logged) when it is missing or unreadable.

    Triage must still work on a machine whose install lost the file: the assessment then runs on
    the other evidence alone. Loaded once per process (parsing the 2 MB file costs ~30 ms of CPU).
    `ESCALATE_CLASSIFIER_FILE` names an artifact retrained on the organisation's reviewed briefs.
    """
    try:
        configured = get_settings().classifier_file
    except InputError as exc:
        log.warning("triage classifier not loaded: %s", exc)
        return None
    return _load_once(configured or ARTIFACT_FILE)


@lru_cache(maxsize=4)
def _load_once(path: Path) -> TriageClassifier | None:
    if not path.exists():
        log.warning("no triage classifier at %s; assessing without it", path)
        return None
    try:
        return load(path)
    except InputError as exc:
        log.warning("triage classifier not loaded: %s", exc)
        return None
