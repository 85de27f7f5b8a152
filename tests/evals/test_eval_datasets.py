"""The datasets themselves: complete, honest to the policy, grounded, and licence-clean."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from app.core.errors import InputError
from app.core.policy import cached_policy
from app.core.rules import apply_computed_fields, check_brief
from app.core.sla import is_business_hours
from evals.cases import (
    DATASETS_DIR,
    OPEN_LICENCES,
    SHARED_PUBLIC_DEV,
    Case,
    load_dataset,
    load_shared_public,
    read_jsonl,
)
from evals.datasets.build_public import build
from schemas.brief import EscalationBrief
from schemas.common import Severity

SCENARIOS = {
    "security",
    "outage",
    "pattern",
    "long_emergency",
    "workaround",
    "off_hours",
    "business_blocked",
    "pii",
    "injection",
}


def source_of(case: Case) -> str:
    """The text the drafting service builds from a ticket and its logs."""
    parts = [case.input.text, *(f"--- {a.name} ---\n{a.text}" for a in case.input.attachments)]
    return "\n".join(parts)


def test_at_least_40_conversations_each_small_enough_for_the_cpu_model(conversations: list[Case]) -> None:
    assert len(conversations) >= 40
    too_long = [c.id for c in conversations if len(c.input_text()) > 2500]
    assert not too_long
    assert sum(bool(c.input.attachments) for c in conversations) >= 15  # "with logs"


def test_every_policy_rule_and_scenario_is_covered(conversations: list[Case]) -> None:
    rule_ids = set(type(cached_policy().rules).model_fields)
    exercised = {rule for c in conversations for rule in c.gold.rules}
    assert exercised <= rule_ids, exercised - rule_ids
    assert rule_ids <= exercised, f"rules no case exercises: {sorted(rule_ids - exercised)}"
    assert {tag for c in conversations for tag in c.tags} >= SCENARIOS
    assert {c.gold.severity for c in conversations} == set(Severity)


def test_gold_labels_are_complete(conversations: list[Case]) -> None:
    for case in conversations:
        assert case.gold.severity and case.gold.target and case.gold.facts and case.gold.brief, case.id
        assert case.gold.brief.severity == case.gold.severity and case.gold.brief.target == case.gold.target
        assert case.notes, f"{case.id}: say why the labels are what they are"
        assert case.input.received_at is not None and case.input.received_at.tzinfo is not None


def test_gold_facts_are_copied_from_the_ticket(conversations: list[Case]) -> None:
    for case in conversations:
        text = case.input_text()
        facts = case.gold.facts
        assert facts is not None
        missing = [v for v in [*(facts.account_ids or []), *(facts.error_codes or [])] if v not in text]
        assert not missing, f"{case.id}: {missing}"


def test_gold_briefs_are_grounded_free_of_pii_and_raise_exactly_their_expected_findings(
    conversations: list[Case],
) -> None:
    policy = cached_policy()
    for case in conversations:
        source = source_of(case)
        assert case.gold.brief is not None
        # The schema's own verbatim-evidence check, as the model's drafts get it.
        brief = EscalationBrief.model_validate(case.gold.brief.model_dump(), context={"source": source})
        assert case.input.received_at is not None
        now = case.input.received_at
        findings = check_brief(apply_computed_fields(brief, source, policy, now), source, policy, now)
        rules = {f.rule for f in findings}
        assert not rules & {"grounding", "evidence_verbatim", "no_pii", "impact_first"}, (case.id, rules)
        expected = set(case.gold.findings or [])
        assert expected <= rules, (case.id, expected - rules)


def test_off_hours_cases_arrive_outside_business_hours(conversations: list[Case]) -> None:
    policy = cached_policy()
    for case in conversations:
        assert case.input.received_at is not None
        inside = is_business_hours(case.input.received_at, policy)
        if "off_hours" in case.tags:
            assert not inside, case.id
        if "off_hours" in case.gold.rules:
            assert case.gold.severity in (Severity.sev1, Severity.sev2), case.id


def test_injection_cases_keep_their_honest_labels(conversations: list[Case]) -> None:
    injected = [c for c in conversations if "injection" in c.tags]
    assert len(injected) >= 3
    for case in injected:
        assert "ignore previous instructions" in case.input_text().lower() or "{{" in case.input_text()


def test_committed_public_rows_carry_an_open_licence_and_attribution() -> None:
    rows = read_jsonl(DATASETS_DIR / "public_open.jsonl")
    assert len(rows) == 60
    for case in rows:
        a = case.attribution
        assert a.source in OPEN_LICENCES and a.licence == OPEN_LICENCES[a.source]
        assert a.repo and a.path and a.commit and a.source_id
    readme = (DATASETS_DIR / "README.md").read_text(encoding="utf-8")
    assert "ATTRIBUTION" in readme and "CC BY 4.0" in readme and "EPL-1.0" in readme


def test_no_restricted_row_is_committed() -> None:
    committed = [c for p in DATASETS_DIR.glob("*.jsonl") for c in read_jsonl(p)]
    assert {c.attribution.source for c in committed} <= {*OPEN_LICENCES, "authored", "reviewed"}


@pytest.mark.skipif(not SHARED_PUBLIC_DEV.exists(), reason="../shared/datasets is not next to this checkout")
def test_build_public_reproduces_the_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "public_open.jsonl"
    assert build(SHARED_PUBLIC_DEV, out) == 60
    assert out.read_text(encoding="utf-8") == (DATASETS_DIR / "public_open.jsonl").read_text(encoding="utf-8")


@pytest.mark.skipif(not SHARED_PUBLIC_DEV.exists(), reason="../shared/datasets is not next to this checkout")
def test_restricted_rows_are_read_in_place_with_mapped_labels() -> None:
    restricted = load_dataset("public-restricted")
    assert len(restricted.cases) == 100 and restricted.origin == str(SHARED_PUBLIC_DEV)
    assert not {c.attribution.source for c in restricted.cases} & set(OPEN_LICENCES)
    raw = {json.loads(line)["case_id"]: json.loads(line) for line in SHARED_PUBLIC_DEV.read_text().splitlines()}
    mapping = {"Critical": "sev1", "High": "sev2", "Medium": "sev3", "Low": "sev4", None: None}
    for case in load_shared_public():
        assert (case.gold.severity.value if case.gold.severity else None) == mapping[raw[case.id]["gold_severity"]]
        assert case.gold.target == raw[case.id]["gold_team"]


def test_smoke_set_is_a_tagged_subset_covering_every_severity() -> None:
    smoke = load_dataset("smoke")
    assert 3 <= len(smoke.cases) <= 8
    assert {c.gold.severity for c in smoke.cases} == set(Severity)


def test_a_bad_line_is_reported_with_file_and_line(write_jsonl, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = json.loads((DATASETS_DIR / "conversations.jsonl").read_text(encoding="utf-8").splitlines()[0])
    path = write_jsonl("bad.jsonl", [good, {"id": "x", "input": {"text": "t"}}])
    with pytest.raises(InputError, match=r"bad.jsonl:2: not a case: 'gold'"):
        read_jsonl(path)
    dup = write_jsonl("dup.jsonl", [good, good])
    with pytest.raises(InputError, match=r"dup.jsonl:2: duplicate case id"):
        read_jsonl(dup)
    (tmp_path / "broken.jsonl").write_text('{"id": ', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.jsonl:1: invalid JSON"):
        read_jsonl(tmp_path / "broken.jsonl")
    with pytest.raises(InputError, match="neither a known name"):
        load_dataset("no-such-dataset")


def test_dataset_hash_follows_content_not_path(tmp_path: Path) -> None:
    original = DATASETS_DIR / "conversations.jsonl"
    copy = tmp_path / "copy.jsonl"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_dataset(str(copy)).sha256 == load_dataset("conversations").sha256
    edited = original.read_text(encoding="utf-8").replace("sev1", "sev2", 1)
    copy.write_text(edited, encoding="utf-8")
    assert load_dataset(str(copy)).sha256 != load_dataset("conversations").sha256


def test_received_at_is_parsed_as_an_aware_datetime(conversations: list[Case]) -> None:
    assert all(isinstance(c.input.received_at, datetime) for c in conversations)
