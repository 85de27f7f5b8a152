"""Grounding: identifiers and evidence quotes in a brief must come from the ticket."""

from typing import Any

import pytest

from app.core.grounding import (
    brief_texts,
    echoed_instructions,
    evidence_quotes_missing,
    extract_identifiers,
    ungrounded_identifiers,
)
from schemas.brief import EscalationBrief

SOURCE = """Customer (account ACC-1234) 2026-11-20T14:05:00Z: exports fail with HTTP 503 and ORA-00942.
Request req_8f3a9b, trace 3f2a1b4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c, app version 3.3.0, see
https://status.example.com/incidents/881 . About 1,200 users and 40 orders are affected; error E503.
Contact: <EMAIL_1>. Forty customers wrote in."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("account ACC-1234 and acct_61207", [("ACC-1234", "id"), ("acct_61207", "id")]),
        ("trace 3f2a1b4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c", [("3f2a1b4c-1d2e-4f3a-9b8c-7d6e5f4a3b2c", "uuid")]),
        ("at 2026-11-20T14:05:00Z and 14:07", [("2026-11-20T14:05:00Z", "timestamp"), ("14:07", "timestamp")]),
        ("got HTTP 503 then ORA-00942 and E1234", [("HTTP 503", "http_status"), ("ORA-00942", "id"), ("E1234", "id")]),
        ("on v2.3.1, see https://x.example.com/a.", [("v2.3.1", "version"), ("https://x.example.com/a", "url")]),
        ("mail bob@example.com", [("bob@example.com", "email")]),
        ("1,200 users, 40 orders, 500ms, hash deadbeef12", [("1,200", "number"), ("40", "number"),
                                                            ("500ms", "number"), ("deadbeef12", "id")]),
        ("sev1, P2, L2, 3rd time, 7 users, <EMAIL_1>, <IP_ADDRESS_2>", []),
        ("No identifiers here at all.", []),
    ],
)  # fmt: skip
def test_identifier_like_tokens(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(i.text, i.kind) for i in extract_identifiers(text)] == expected


def brief(**fields: Any) -> EscalationBrief:
    return EscalationBrief.model_validate({"summary": "Exports fail for ACC-1234", "severity": "sev2",
                                           "target": "engineering", **fields})  # fmt: skip


@pytest.mark.parametrize(
    "claim",
    [
        "acc-1234 sees ora-00942",  # case differs
        "HTTP 503 since 2026-11-20T14:05:00Z",
        "503 errors and E503",  # a number is present as a digit run
        "about 1200 users",  # 1,200 in the ticket
        "trace 3F2A1B4C-1D2E-4F3A-9B8C-7D6E5F4A3B2C",
        "version 3.3.0 or v3.3.0",
        "https://status.example.com/incidents/881/",
        "mail <EMAIL_1> and <PHONE_3>",  # placeholders are always allowed
        "started at 14:05",
    ],
)
def test_grounded_claims_pass(claim: str) -> None:
    assert ungrounded_identifiers(brief(description=claim), SOURCE) == []


@pytest.mark.parametrize(
    ("fields", "path", "token"),
    [
        ({"description": "request req_77aa01 failed"}, "description", "req_77aa01"),
        ({"diagnostics": {"error_messages": ["ORA-00942", "ORA-01017"]}}, "diagnostics.error_messages[1]", "ORA-01017"),
        ({"diagnostics": {"timestamps": ["2026-11-21 09:00"]}}, "diagnostics.timestamps[0]", "2026-11-21 09:00"),
        ({"tried": [{"action": "retried", "result": "HTTP 502"}]}, "tried[0].result", "HTTP 502"),
        ({"reproduction": {"environment": "app 3.4.1"}}, "reproduction.environment", "3.4.1"),
        ({"description": "1,500 users"}, "description", "1,500"),
        ({"needed": {"deadline": "2026-11-25"}}, "needed.deadline", "2026-11-25"),
        ({"impact": {"customers_affected": 41}}, "impact.customers_affected", "41"),
    ],
)  # fmt: skip
def test_invented_identifiers_are_reported(fields: dict[str, Any], path: str, token: str) -> None:
    missing = ungrounded_identifiers(brief(**fields), SOURCE)
    assert [(m.field, m.text) for m in missing] == [(path, token)]


def test_customer_count_may_be_written_as_a_word() -> None:
    assert ungrounded_identifiers(brief(impact={"customers_affected": 40}), SOURCE) == []


def test_evidence_is_left_to_its_own_rule() -> None:
    quoted = brief(evidence=[{"field": "summary", "quote": "req_00000 invented"}])
    assert ungrounded_identifiers(quoted, SOURCE) == []


def test_brief_texts_walk_every_free_text_field() -> None:
    paths = dict(brief_texts(brief(tried=[{"action": "a", "result": "b"}], evidence=[{"field": "x", "quote": "q"}])))
    assert paths == {"summary": "Exports fail for ACC-1234", "tried[0].action": "a", "tried[0].result": "b",
                     "evidence[0].quote": "q"}  # fmt: skip
    assert "evidence[0].quote" not in dict(brief_texts(brief(evidence=[{"field": "x", "quote": "q"}]),
                                                       include_evidence=False))  # fmt: skip


def test_evidence_quotes_must_be_verbatim() -> None:
    quoted = brief(
        evidence=[
            {"field": "summary", "quote": "exports fail with HTTP 503"},
            {"field": "summary", "quote": "app version 3.3.0,   see\nhttps://status.example.com"},  # re-wrapped
            {"field": "summary", "quote": "Exports fail with HTTP 503"},  # case differs: not verbatim
            {"field": "summary", "quote": "exports are failing"},  # paraphrase
        ]
    )
    assert [(m.index, m.quote) for m in evidence_quotes_missing(quoted, SOURCE)] == [
        (2, "Exports fail with HTTP 503"),
        (3, "exports are failing"),
    ]


def test_fields_that_repeat_their_own_instructions_are_caught() -> None:
    # Copied from the recorded 0.5B drafts: the field description pasted as the field's value.
    echoed = brief(
        impact={"revenue_at_risk": "Revenue, renewal or contract at risk, as stated; else null"},
        reproduction={"environment": "Product version, browser, OS, region, plan, as stated"},
    )
    found = {(e.field, e.text) for e in echoed_instructions(echoed, SOURCE)}
    assert found == {
        ("impact.revenue_at_risk", "Revenue, renewal or contract at risk, as stated; else null"),
        ("reproduction.environment", "Product version, browser, OS, region, plan, as stated"),
    }


def test_real_values_and_short_words_are_not_taken_for_instructions() -> None:
    real = brief(
        impact={"revenue_at_risk": "renewal worth $40k due in December"},
        reproduction={"environment": "app version 3.3.0"},
        needed={"asks": ["fix", "investigate"]},  # single words appear in descriptions but say something
    )
    assert echoed_instructions(real, SOURCE) == []
    # A phrase that is both in an instruction and in the ticket is the customer's own words.
    quoted = brief(impact={"revenue_at_risk": "Revenue, renewal or contract at risk"})
    assert echoed_instructions(quoted, SOURCE + " Revenue, renewal or contract at risk.") == []


def test_invented_diagnostic_values_are_removed_and_free_text_is_left_alone() -> None:
    from app.core.grounding import without_invented_list_items
    from schemas.brief import Diagnostics

    brief = EscalationBrief.model_validate(
        {
            "summary": "Exports fail for ACC-9999",  # invented too, but free text: the agent's call
            "severity": "sev2",
            "target": "engineering",
            "diagnostics": Diagnostics(
                account_ids=["ACC-1234", "ACC-9999"],
                timestamps=["2023-04-15T12:34:56Z", "2026-11-20T14:05:00Z"],
                error_messages=["ORA-00942", "ORA-01017"],
            ).model_dump(),
        }
    )
    cleaned, removed = without_invented_list_items(brief, SOURCE)
    assert sorted(removed) == ["2023-04-15T12:34:56Z", "ACC-9999", "ORA-01017"]
    assert cleaned.diagnostics.account_ids == ["ACC-1234"]
    assert cleaned.diagnostics.timestamps == ["2026-11-20T14:05:00Z"]
    assert cleaned.diagnostics.error_messages == ["ORA-00942"]
    assert cleaned.summary == brief.summary
    assert [u.field for u in ungrounded_identifiers(cleaned, SOURCE)] == ["summary"]
    # Nothing invented: the same brief back.
    assert without_invented_list_items(cleaned, SOURCE) == (cleaned, [])
