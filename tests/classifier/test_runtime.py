"""The JSON artifact predicts what the scikit-learn model it was exported from predicts, and the
shipped artifact loads, stays small and was trained only on rows whose licence allows shipping."""

import json
from pathlib import Path

import pytest

from app.core.classifier import ARTIFACT_FILE, TriageClassifier, load, load_default
from app.core.classifier import model as runtime
from app.core.classifier.artifact import read_artifact
from app.core.classifier.data import SHIPPABLE_LICENCES, read_examples
from app.core.classifier.train import TrainConfig, fit
from app.core.errors import InputError
from schemas.common import Severity

REPO = Path(__file__).resolve().parents[2]
CONVERSATIONS = REPO / "evals" / "datasets" / "conversations.jsonl"
# Small enough for the 45 conversations: three folds, classes of six rows, cuts of two rows.
SMALL = TrainConfig(folds=3, min_class_rows=6, min_flagged=2)


@pytest.fixture(scope="module")
def conversations() -> list:
    return read_examples(CONVERSATIONS)


@pytest.mark.parametrize("calibration", ["sigmoid", "isotonic"])
def test_the_exported_artifact_predicts_what_scikit_learn_predicts(conversations: list, calibration: str) -> None:
    fitted = fit(conversations, TrainConfig(**{**SMALL.__dict__, "calibration": calibration}))
    clf = TriageClassifier(fitted.to_artifact())
    probes = [ex.text for ex in conversations[:10]] + ["our api returns 503 for everyone", ""]
    expected = fitted.predict_proba(probes)
    for i, text in enumerate(probes):
        scores = clf.predict(text)
        classes, proba = expected["severity"]
        for j, level in enumerate(classes):
            assert scores.severity[Severity(level)] == pytest.approx(proba[i][j], abs=1e-5)
        classes, proba = expected["security"]
        assert scores.security == pytest.approx(proba[i][classes.index("true")], abs=1e-5)
        classes, proba = expected["target"]
        for j, team in enumerate(classes):
            assert scores.target[team] == pytest.approx(proba[i][j], abs=1e-5)


def test_training_ignores_row_order(conversations: list) -> None:
    first = fit(conversations, SMALL).to_artifact()
    second = fit(list(reversed(conversations)), SMALL).to_artifact()
    assert first.model_dump() == second.model_dump()


def test_the_shipped_artifact_loads_and_scores_a_ticket() -> None:
    clf = load_default()
    assert clf is not None
    scores = clf.predict("Every API call returns 503 since the deploy; all our agents are idle.")
    assert sum(scores.severity.values()) == pytest.approx(1.0)
    assert set(scores.severity) == set(Severity)
    assert 0.0 <= scores.security <= 1.0
    assert scores.model_id == clf.model_id and scores.model_id.startswith("triage-clf@")


def test_the_shipped_artifact_is_small_and_learned_only_from_shippable_rows() -> None:
    assert ARTIFACT_FILE.stat().st_size < 5 * 1024 * 1024
    training = read_artifact(ARTIFACT_FILE).training
    licences = set(training["rows_by_licence"])  # type: ignore[arg-type]
    own = {"MIT (this project)"}
    assert licences <= SHIPPABLE_LICENCES | own, licences


def test_a_missing_or_broken_artifact_gives_none_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runtime, "ARTIFACT_FILE", tmp_path / "absent.json")
    assert load_default() is None
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"format": "triage-clf/1", "model_id": "x"}), encoding="utf-8")
    monkeypatch.setattr(runtime, "ARTIFACT_FILE", broken)
    assert load_default() is None
    with pytest.raises(InputError, match="not a triage classifier artifact"):
        load(broken)


def test_a_pickle_is_refused_not_executed(tmp_path: Path) -> None:
    import pickle

    bad = tmp_path / "model.json"
    bad.write_bytes(pickle.dumps({"format": "triage-clf/1"}))
    with pytest.raises(InputError):
        load(bad)


def test_an_organisation_s_retrained_artifact_is_used_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conversations: list
) -> None:
    from app.core.classifier.artifact import write_artifact
    from app.core.llm.settings import get_settings

    own = tmp_path / "triage-clf.json"
    write_artifact(fit(conversations, SMALL).to_artifact(), own)
    monkeypatch.setenv("ESCALATE_CLASSIFIER_FILE", str(own))
    get_settings.cache_clear()
    clf = load_default()
    assert clf is not None and clf.model_id == read_artifact(own).model_id != read_artifact(ARTIFACT_FILE).model_id
    monkeypatch.setenv("ESCALATE_CLASSIFIER_FILE", str(tmp_path / "missing.json"))
    get_settings.cache_clear()
    assert load_default() is None
    get_settings.cache_clear()
