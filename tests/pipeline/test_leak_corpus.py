"""The seeded leak corpus: shape, freshness, and the redaction goals measured on it."""

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO / "tests" / "corpus" / "leaks"

SECRET_KINDS = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GCP_API_KEY", "AZURE_STORAGE_KEY", "AZURE_SERVICE_BUS_KEY",
    "AZURE_SAS", "GITHUB_TOKEN", "GITHUB_PAT", "GITLAB_TOKEN", "SLACK_TOKEN", "SLACK_WEBHOOK", "STRIPE_KEY",
    "TWILIO_KEY", "SENDGRID_KEY", "OPENAI_KEY", "JWT", "PRIVATE_KEY", "PASSWORD_IN_URL", "PASSWORD", "BEARER_TOKEN",
}  # fmt: skip
PII_KINDS = {"CREDIT_CARD", "PHONE", "EMAIL", "IP_ADDRESS"}
KEEP_KINDS = {"REQUEST_ID", "ORDER_NUMBER", "TIMESTAMP", "VERSION", "UUID", "COMMIT_SHA", "ERROR_CODE"}


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


generate = _load(CORPUS_DIR / "generate.py", "leak_corpus_generate")
leak_report = _load(REPO / "bench" / "leak_report.py", "leak_report")
ROWS = leak_report.load(CORPUS_DIR / "leaks.jsonl")


def test_corpus_has_enough_rows_and_every_required_kind() -> None:
    assert len(ROWS) >= 200
    kinds = {(span["category"], span["kind"]) for row in ROWS for span in row["sensitive"] + row["keep"]}
    assert {kind for category, kind in kinds if category == "secret"} >= SECRET_KINDS
    assert {kind for category, kind in kinds if category == "pii"} >= PII_KINDS
    assert {kind for category, kind in kinds if category == "keep"} >= KEEP_KINDS


def test_spans_point_at_non_empty_text() -> None:
    for row in ROWS:
        for span in row["sensitive"] + row["keep"]:
            value = row["text"][span["start"] : span["end"]]
            assert value.strip() == value and value, (row["id"], span)


def test_committed_corpus_matches_its_generator() -> None:
    regenerated = [json.loads(json.dumps(row)) for row in generate.generate()]
    assert regenerated == ROWS, "run: python tests/corpus/leaks/generate.py"


def test_redaction_meets_the_goals_on_the_corpus() -> None:
    report = leak_report.score(ROWS)
    secrets, pii, keep = (report.by_category[c] for c in ("secret", "pii", "keep"))
    assert secrets.rate == 1.0, secrets.misses
    assert pii.rate >= 0.98, pii.misses
    assert keep.rate >= 0.95, keep.misses


# Written by others and frozen: the unseen corpora a-d (each blind until tuned on, tuning data
# since), and gitleaks' own examples.
UNSEEN = REPO / "tests" / "corpus" / "unseen_leaks" / "unseen_leaks.jsonl"
UNSEEN_B = leak_report.UNSEEN_B
UNSEEN_C = leak_report.UNSEEN_C
UNSEEN_D = leak_report.UNSEEN_D
GITLEAKS = REPO / "tests" / "corpus" / "gitleaks" / "examples.jsonl"


# Measured 2026-12-03 before tuning on it: secrets 483/490 = 98.6%, PII 541/571 = 94.7%, look-alikes
# 1086/1098 = 98.9%; after: 490/490, 571/571, 1098/1098. Goals: 99.5%, 97%, 98%.
@pytest.mark.skipif(not UNSEEN.exists(), reason="tests/corpus/unseen_leaks/unseen_leaks.jsonl is not there")
def test_redaction_meets_the_goals_on_the_unseen_corpus() -> None:
    report = leak_report.score(leak_report.load(UNSEEN))
    rates = {c: round(report.by_category[c].rate, 4) for c in ("secret", "pii", "keep")}
    misses = {c: report.by_category[c].misses[:10] for c in ("secret", "pii", "keep")}
    assert report.meets(leak_report.UNSEEN_GOALS), (rates, leak_report.UNSEEN_GOALS, misses)


# Corpus b: blind until 2026-12 (secrets 733/807 = 90.8%, PII 814/956 = 85.1%, look-alikes
# 1778/1903 = 93.4% before tuning on it); tuning data since, held to leak_report.UNSEEN_B_GOALS
# (PII 880/956 = 92.1% until SQL rows, card words in other languages and phones in chat replies).
@pytest.mark.skipif(not UNSEEN_B.exists(), reason="tests/corpus/unseen_leaks_b/unseen_leaks_b.jsonl is not there")
def test_redaction_meets_the_goals_on_corpus_b() -> None:
    report = leak_report.score(leak_report.load(UNSEEN_B))
    rates = {c: round(report.by_category[c].rate, 4) for c in ("secret", "pii", "keep")}
    misses = {c: report.by_category[c].misses[:10] for c in ("secret", "pii", "keep")}
    assert report.meets(leak_report.UNSEEN_B_GOALS), (rates, leak_report.UNSEEN_B_GOALS, misses)


# Corpus c: blind until 2026-12-03 (secrets 819/883 = 92.8%, PII 1503/1739 = 86.4%, look-alikes
# 7076/7137 = 99.1% before tuning on it); tuning data since, held to leak_report.UNSEEN_GOALS.
@pytest.mark.skipif(not UNSEEN_C.exists(), reason="tests/corpus/unseen_leaks_c/unseen_leaks_c.jsonl is not there")
def test_redaction_meets_the_goals_on_corpus_c() -> None:
    report = leak_report.score(leak_report.load(UNSEEN_C))
    rates = {c: round(report.by_category[c].rate, 4) for c in ("secret", "pii", "keep")}
    misses = {c: report.by_category[c].misses[:10] for c in ("secret", "pii", "keep")}
    assert report.meets(leak_report.UNSEEN_GOALS), (rates, leak_report.UNSEEN_GOALS, misses)


# Corpus d: blind until 2026-12-03 (secrets 820/855 = 95.9%, PII 1217/1261 = 96.5%, look-alikes
# 7684/7739 = 99.3% before tuning on it); tuning data since, held to the figures reached then
# (leak_report.D_GOALS: secrets 854/855, PII 1261/1261, look-alikes 7739/7739).
@pytest.mark.skipif(not UNSEEN_D.exists(), reason="tests/corpus/unseen_leaks_d/unseen_leaks_d.jsonl is not there")
def test_redaction_meets_the_goals_on_corpus_d() -> None:
    report = leak_report.score(leak_report.load(UNSEEN_D))
    rates = {c: round(report.by_category[c].rate, 4) for c in ("secret", "pii", "keep")}
    misses = {c: report.by_category[c].misses[:10] for c in ("secret", "pii", "keep")}
    assert report.meets(leak_report.D_GOALS), (rates, leak_report.D_GOALS, misses)
    assert report.meets(leak_report.UNSEEN_GOALS), (rates, leak_report.UNSEEN_GOALS, misses)


def test_the_report_skips_an_absent_blind_corpus_and_hides_its_cases() -> None:
    assert UNSEEN_C not in leak_report.BLIND and UNSEEN_D not in leak_report.BLIND
    assert UNSEEN_D in leak_report.TUNED
    report = leak_report.score([])
    text = leak_report.render(report, 0, title="blind", goals=leak_report.UNSEEN_GOALS, show_misses=False)
    assert "missed" not in text and "cases not shown" in text


@pytest.mark.skipif(not GITLEAKS.exists(), reason="tests/corpus/gitleaks/examples.jsonl is not there")
def test_redaction_meets_the_goals_on_gitleaks_examples() -> None:
    report = leak_report.score_gitleaks(leak_report.load(GITLEAKS))
    rates = {c: round(report.by_category[c].rate, 4) for c in ("tp", "fp")}
    assert report.meets(leak_report.GITLEAKS_GOALS), (rates, leak_report.GITLEAKS_GOALS)
