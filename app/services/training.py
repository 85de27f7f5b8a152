"""Use case: train the triage classifier from the shared pool, own conversations and reviewed briefs.

The same call reproduces the shipped artifact (default data) and retrains it on an organisation's
reviewed briefs (`escalate eval export-reviewed` output), so the verdict learns from its reviewers.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.classifier.artifact import Artifact, write_artifact
from app.core.classifier.data import OWN_CONVERSATIONS, SHARED_POOL, TRAIN_CONVERSATIONS, Example, read_examples
from app.core.classifier.model import ARTIFACT_FILE
from app.core.errors import InputError

if TYPE_CHECKING:
    from app.core.classifier.train import TrainConfig

DEFAULT_DATA = (SHARED_POOL, OWN_CONVERSATIONS, *TRAIN_CONVERSATIONS)


@dataclass
class TrainingRun:
    artifact: Artifact
    path: Path
    used: Counter[str] = field(default_factory=Counter)
    left_out: Counter[str] = field(default_factory=Counter)
    """Rows not used, by licence: third-party rows whose licence forbids a shipped artifact."""


def collect(data: list[Path], reviewed: list[Path]) -> tuple[list[Example], Counter[str]]:
    """The rows a shippable artifact may learn from, and a count of those left out by licence."""
    rows: list[Example] = []
    left_out: Counter[str] = Counter()
    for path in [*data, *reviewed]:
        for ex in read_examples(path):
            if ex.shippable:
                rows.append(ex)
            else:
                left_out[ex.licence] += 1
    seen: set[str] = set()
    for ex in rows:
        if ex.id in seen:
            raise InputError(f"row id {ex.id!r} appears twice in the training files")
        seen.add(ex.id)
    return rows, left_out


def train_classifier(
    out_dir: Path,
    data: list[Path] | None = None,
    reviewed: list[Path] | None = None,
    config: "TrainConfig | None" = None,
) -> TrainingRun:
    # scikit-learn (about a second to import) loads here, not when the CLI starts.
    from app.core.classifier.train import fit

    if not data and not SHARED_POOL.exists():
        raise InputError(
            f"the shipped artifact's training pool is not at {SHARED_POOL} (../shared/datasets/train.jsonl next "
            "to the repository); pass it with --data, or train on your own rows with --data FILE"
        )
    rows, left_out = collect(list(data) if data else list(DEFAULT_DATA), list(reviewed or []))
    model = fit(rows, config)
    artifact = model.to_artifact()
    path = out_dir / ARTIFACT_FILE.name
    write_artifact(artifact, path)
    return TrainingRun(artifact, path, Counter(ex.source for ex in rows), left_out)
