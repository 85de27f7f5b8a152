"""Training rows for the triage classifier, read from the two file shapes the project has.

- the shared pool (`../shared/datasets/train.jsonl`): `input_text`, `source`, `gold_severity`
  (Critical/High/Medium/Low), `gold_team`, `licence`;
- eval cases (`evals/datasets/conversations.jsonl`, and what `escalate eval export-reviewed` writes):
  `input.text` (+ attachments), `gold.severity` (sev1..sev4), `gold.target`, `attribution`;
- labelled conversations written for this project (`evals/datasets/triage/train_conversations_*.jsonl`):
  `id`, `input_text`, `expected_severity` (sev1..sev4), `expected_target`; this project's own.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.errors import InputError
from schemas.common import Severity, Target

# Rows of the shared pool an artifact the project ships may learn from (see the pool's README);
# the rest are for experiments and cross-validation only.
SHIPPABLE_LICENCES = frozenset({"CC-BY-4.0", "EPL-1.0"})
# Evaluation-only corpora: training on them would make every figure measured on them meaningless.
# (public_open.jsonl holds the committable rows of public-dev; dev_triage tunes the policy's rules.)
FORBIDDEN_NAMES = ("public-dev", "public_open", "dev_triage", "unseen_")
# Case rows from these sources are this project's own writing or the organisation's reviewed briefs.
OWN_SOURCES = frozenset({"authored", "reviewed"})
_POOL_SEVERITY = {"Critical": "sev1", "High": "sev2", "Medium": "sev3", "Low": "sev4"}


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    source: str
    licence: str
    severity: str | None
    target: str | None
    # This project's own conversations or the organisation's reviewed briefs: no third-party
    # licence restricts them.
    own: bool = False

    @property
    def security(self) -> bool | None:
        """A security matter, wherever the row names its target team."""
        return None if self.target is None else self.target == Target.security.value

    @property
    def shippable(self) -> bool:
        return self.own or self.licence in SHIPPABLE_LICENCES


def _from_pool_row(raw: dict[str, Any]) -> Example:
    label = raw.get("gold_severity")
    if label is not None and label not in _POOL_SEVERITY:
        raise ValueError(f"gold_severity {label!r} is not one of {sorted(_POOL_SEVERITY)}")
    team = raw.get("gold_team")
    return Example(
        id=str(raw["case_id"]),
        text=str(raw["input_text"]),
        source=str(raw["source"]),
        licence=str(raw.get("licence") or "none-stated"),
        severity=_POOL_SEVERITY[label] if label else None,
        target=Target(team).value if team else None,
    )


def _from_case(raw: dict[str, Any]) -> Example:
    ticket = raw["input"]
    text = "\n".join([ticket.get("text", ""), *(a.get("text", "") for a in ticket.get("attachments", []))])
    gold = raw.get("gold", {})
    attribution = raw.get("attribution", {})
    severity, target = gold.get("severity"), gold.get("target")
    return Example(
        id=str(raw["id"]),
        text=text,
        source=str(attribution.get("source", "own")),
        licence=str(attribution.get("licence", "own")),
        severity=Severity(severity).value if severity else None,
        target=Target(target).value if target else None,
        own=attribution.get("source") in OWN_SOURCES,
    )


def _from_conversation(raw: dict[str, Any]) -> Example:
    return Example(
        id=str(raw["id"]),
        text=str(raw["input_text"]),
        source="conversations",
        licence="MIT (this project)",
        severity=Severity(raw["expected_severity"]).value,
        target=Target(raw["expected_target"]).value,
        own=True,
    )


def _example(raw: dict[str, Any]) -> Example:
    if "expected_severity" in raw:
        return _from_conversation(raw)
    return _from_pool_row(raw) if "input_text" in raw else _from_case(raw)


def read_examples(path: Path, *, for_training: bool = True) -> list[Example]:
    """Rows with at least one label; a bad line is an InputError naming its file and line.

    `for_training=False` is for the evaluation script, the one reader of the evaluation corpora.
    """
    if for_training and any(marker in path.name for marker in FORBIDDEN_NAMES):
        raise InputError(f"{path.name} is an evaluation corpus; training on it would void every figure measured on it")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"training data {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"training data {path} cannot be read: {exc}") from exc
    examples = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            example = _example(raw)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"{path}:{number}: not a training row: {exc}") from exc
        if example.severity or example.target:
            examples.append(example)
    return examples


def data_sha256(examples: Iterable[Example]) -> str:
    """Hash of what the model learns from (text and labels, in id order), whatever file it came in."""
    digest = hashlib.sha256()
    for ex in sorted(examples, key=lambda e: e.id):
        digest.update(json.dumps([ex.id, ex.text, ex.severity, ex.target], ensure_ascii=False).encode())
    return digest.hexdigest()


_REPO = Path(__file__).resolve().parents[3]
# The shipped artifact's training data: the shared pool next to the repository (its shippable rows)
# and the conversations written in this repository.
SHARED_POOL = _REPO.parent / "shared" / "datasets" / "train.jsonl"
OWN_CONVERSATIONS = _REPO / "evals" / "datasets" / "conversations.jsonl"
# Labelled conversations written for training by helpers blind to the code (never evaluation data).
TRAIN_CONVERSATIONS = tuple(sorted((_REPO / "evals" / "datasets" / "triage").glob("train_conversations_*.jsonl")))
