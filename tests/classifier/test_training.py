"""Training data rules, the threshold rule, and retraining on reviewed briefs."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.core.classifier import TriageClassifier
from app.core.classifier.data import read_examples
from app.core.classifier.train import TrainConfig, choose_threshold, fit
from app.core.errors import InputError
from app.services.training import collect
from evals.cases import Attribution, Case, Gold
from schemas.common import Severity, Target
from schemas.draft import TicketInput

REPO = Path(__file__).resolve().parents[2]
CONVERSATIONS = REPO / "evals" / "datasets" / "conversations.jsonl"
SMALL = TrainConfig(folds=3, min_class_rows=6, min_flagged=2)
RULE = TrainConfig(min_precision=0.6, min_flagged=2)


def test_the_threshold_is_the_lowest_cut_whose_precision_holds_all_the_way_up() -> None:
    proba = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3])
    truth = np.array([1, 1, 0, 1, 0, 0, 1], dtype=bool)
    # precision from the top: 1, 1, .67, .75, .6, .5 -> the cut at 0.5 is the lowest that holds.
    assert choose_threshold(proba, truth, RULE) == 0.5


def test_no_qualifying_cut_means_the_classifier_never_raises() -> None:
    proba = np.array([0.9, 0.8, 0.7, 0.6])
    truth = np.array([0, 1, 0, 0], dtype=bool)
    assert choose_threshold(proba, truth, RULE) == 1.0


def test_a_noisy_dip_at_the_top_stops_the_walk_down() -> None:
    # Precision recovers to 0.6 lower down, but the top two rows (flagging >= 2) are at 0.5: not used.
    proba = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    truth = np.array([0, 1, 1, 1, 0], dtype=bool)
    assert choose_threshold(proba, truth, RULE) == 1.0


def test_tied_probabilities_are_cut_together() -> None:
    proba = np.array([0.9, 0.9, 0.9, 0.5])
    truth = np.array([1, 1, 0, 1], dtype=bool)
    assert choose_threshold(proba, truth, RULE) == 0.5


@pytest.mark.parametrize("name", ["public-dev.jsonl", "public_open.jsonl", "dev_triage.jsonl", "unseen_triage.jsonl"])
def test_evaluation_corpora_are_refused_as_training_data(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="evaluation corpus"):
        read_examples(path)


def test_rows_whose_licence_forbids_shipping_are_left_out(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl"
    rows = [
        {"case_id": "a:1", "source": "a", "input_text": "x", "gold_severity": "High", "licence": "CC-BY-4.0"},
        {"case_id": "b:1", "source": "b", "input_text": "y", "gold_team": "product", "licence": "none-stated"},
        {"case_id": "b:2", "source": "b", "input_text": "z", "licence": "none-stated"},  # unlabelled: skipped
    ]
    pool.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    used, left_out = collect([pool], [])
    assert [ex.id for ex in used] == ["a:1"] and used[0].severity == "sev2"
    assert left_out == {"none-stated": 1}


def test_case_rows_from_a_public_source_keep_their_licence(tmp_path: Path) -> None:
    # Eval cases taken from public repositories carry the source's licence; only the project's own
    # conversations and reviewed briefs are free of one.
    cases = tmp_path / "cases.jsonl"
    rows = [
        {
            "id": "own-1",
            "input": {"text": "a"},
            "gold": {"severity": "sev2"},
            "attribution": {"source": "authored", "licence": "MIT (this project)"},
        },
        {
            "id": "pub-1",
            "input": {"text": "b"},
            "gold": {"severity": "sev2"},
            "attribution": {"source": "llmsvc", "licence": "not stated (read in place, never committed)"},
        },
    ]
    cases.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    used, left_out = collect([cases], [])
    assert [ex.id for ex in used] == ["own-1"]
    assert left_out == {"not stated (read in place, never committed)": 1}


def _reviewed(i: int, text: str, severity: Severity, target: Target) -> str:
    case = Case(
        id=f"reviewed-{i}-v1",
        input=TicketInput(text=text),
        gold=Gold(severity=severity, target=target),
        tags=["reviewed"],
        attribution=Attribution(source="reviewed", licence="internal: your organisation's own tickets"),
    )
    return json.dumps(case.model_dump(mode="json", exclude_defaults=True)) + "\n"


def test_retraining_on_reviewed_briefs_moves_the_verdict_their_way(tmp_path: Path) -> None:
    # Reviewers rated every ticket about the (made-up) "ledgerwise sync" critical; after retraining on
    # those briefs, in the format `escalate eval export-reviewed` writes, a new such ticket scores higher.
    reviewed = tmp_path / "reviewed.jsonl"
    reviewed.write_text(
        "".join(
            _reviewed(
                i,
                f"Ledgerwise sync stalled again for tenant {i}; invoices not posting.",
                Severity.sev1,
                Target.engineering,
            )
            for i in range(8)
        ),
        encoding="utf-8",
    )
    probe = "The ledgerwise sync is stalled and invoices are not posting."
    base_rows, _ = collect([CONVERSATIONS], [])
    with_rows, _ = collect([CONVERSATIONS], [reviewed])
    assert len(with_rows) == len(base_rows) + 8
    before = TriageClassifier(fit(base_rows, SMALL).to_artifact()).predict(probe)
    after = TriageClassifier(fit(with_rows, SMALL).to_artifact()).predict(probe)
    assert after.severity[Severity.sev1] > before.severity[Severity.sev1] + 0.2
    assert after.model_id != before.model_id  # the id names the data it learned from


def test_the_model_id_changes_with_the_settings() -> None:
    rows, _ = collect([CONVERSATIONS], [])
    sigmoid = fit(rows, SMALL).to_artifact()
    isotonic = fit(rows, TrainConfig(**{**SMALL.__dict__, "calibration": "isotonic"})).to_artifact()
    assert sigmoid.training["data_sha256"] == isotonic.training["data_sha256"]
    assert sigmoid.model_id != isotonic.model_id
