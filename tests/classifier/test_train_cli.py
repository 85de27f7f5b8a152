"""`escalate train`: reproduces the shipped artifact from the shared pool; bad input exits 2."""

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from app.core.classifier import ARTIFACT_FILE
from app.core.classifier.artifact import read_artifact
from app.core.classifier.data import SHARED_POOL

REPO = Path(__file__).resolve().parents[2]


def test_evaluation_data_is_refused_with_exit_2(tmp_path: Path) -> None:
    dev = tmp_path / "public-dev.jsonl"
    dev.write_text("{}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["train", "--data", str(dev), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "evaluation corpus" in result.output


def test_without_the_shared_pool_the_default_run_says_where_it_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import training

    monkeypatch.setattr(training, "SHARED_POOL", tmp_path / "absent" / "train.jsonl")
    result = CliRunner().invoke(app, ["train", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "training pool is not at" in result.output and "--data" in result.output


def test_the_cli_starts_without_scikit_learn() -> None:
    # Every command pays for what the CLI imports; only `train` itself needs scikit-learn.
    code = "import sys; from app.cli.main import app; print('sklearn' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.stdout.strip() == "False", run.stderr[-2000:]


@pytest.mark.skipif(not SHARED_POOL.exists(), reason="the shared training pool (../shared/datasets) is not here")
def test_training_on_the_default_data_reproduces_the_shipped_artifact(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "none-stated" in result.output  # the rows the licence keeps out are named, not silently used
    shipped, fresh = read_artifact(ARTIFACT_FILE), read_artifact(tmp_path / ARTIFACT_FILE.name)
    assert fresh.model_id == shipped.model_id  # same data hash
    assert fresh.thresholds == shipped.thresholds
    assert fresh.features.vocabulary == shipped.features.vocabulary
    for head in ("severity", "security", "target"):
        a, b = getattr(fresh, head), getattr(shipped, head)
        assert a.classes == b.classes
        assert (
            max(abs(x - y) for ra, rb in zip(a.coef, b.coef, strict=True) for x, y in zip(ra, rb, strict=True)) < 1e-6
        )
