"""When retries run out, the last answer is kept for the agent: as much of it as can be trusted."""

import json

from app.core.extract import salvage


def _answer(**fields: object) -> str:
    return json.dumps({"summary": "Checkout fails", "severity": "sev2", "target": "engineering", **fields})


def test_a_schema_valid_answer_is_kept_as_is() -> None:
    brief = salvage(_answer(evidence=[{"field": "summary", "quote": "checkout fails"}]))
    assert brief is not None and brief.summary == "Checkout fails" and len(brief.evidence) == 1


def test_text_over_its_limit_is_cut_not_lost() -> None:
    # Recorded from the 0.5B model: a 230-character summary (the limit is 200).
    brief = salvage(_answer(summary="Duplicate charge " * 14))
    assert brief is not None and len(brief.summary) <= 200 and brief.summary.startswith("Duplicate charge")


def test_an_answer_cut_off_inside_its_evidence_keeps_the_whole_items() -> None:
    cut = _answer(evidence=[{"field": "summary", "quote": "checkout fails"}])[:-2] + ', {"field": "severity", "quo'
    brief = salvage(cut)
    assert brief is not None and [e.field for e in brief.evidence] == ["summary"]


def test_nothing_usable_gives_none() -> None:
    assert salvage(None) is None and salvage("") is None
    assert salvage('{"summary": "only a summary"') is None  # no severity or target: not a brief
    assert salvage("not json at all") is None
