"""Seed 003 'Pattern: Same issue reported by 3+ customers': fires on three related tickets from
different accounts, not on three from one account, not on three unrelated ones, not outside the
policy's window. Drafts are written to the real store (SQLite and PostgreSQL)."""

from datetime import datetime, timedelta

from app.core.patterns import account_of
from app.core.store import Store
from app.core.store.repo import create_draft
from app.services.patterns import find_pattern
from schemas.brief import Diagnostics, EscalationBrief, Impact
from schemas.common import Severity, Target
from schemas.policy import Policy
from tests.follow.conftest import BUSINESS
from tests.store.builders import make_result


def stored(
    store: Store,
    summary: str,
    text: str,
    accounts: list[str],
    at: datetime = BUSINESS,
    names: list[str] | None = None,
) -> int:
    brief = EscalationBrief(
        summary=summary,
        severity=Severity.sev3,
        target=Target.engineering,
        impact=Impact(workflow_impact=summary, customer_names=names or []),
        diagnostics=Diagnostics(account_ids=accounts),
    )
    result = make_result(brief, rules=Severity.sev3).model_copy(update={"redacted_text": text})
    with store.write() as session:
        return create_draft(session, author="ana", at=at, received_at=at, result=result, brief=brief, findings=[]).id


RELATED = [
    ("Card payments fail at checkout", "Checkout shows PAYMENT_GATEWAY_TIMEOUT for every card since 09:00", "acct-101"),
    ("Customers cannot pay", "Our shop logs PAYMENT_GATEWAY_TIMEOUT when a buyer pays", "acct-202"),
    ("Payments broken since this morning", "PAYMENT_GATEWAY_TIMEOUT after 30 seconds on the pay button", "acct-303"),
]
UNRELATED = [
    ("Exports are slow", "CSV export takes ten minutes (EXPORT_QUEUE_FULL)", "acct-101"),
    ("Login loop on SSO", "SAML_RESPONSE_INVALID after the IdP redirect", "acct-202"),
    ("Chart colours wrong", "The legend shows the wrong palette on dark mode", "acct-303"),
]


def test_three_related_tickets_from_different_accounts_form_a_pattern(store: Store, policy: Policy) -> None:
    ids = [stored(store, s, t, [a], BUSINESS + timedelta(hours=i)) for i, (s, t, a) in enumerate(RELATED)]
    match = find_pattern(store, policy, draft_id=ids[0])
    assert match is not None
    assert match.signature == "code:PAYMENT_GATEWAY_TIMEOUT"
    assert match.draft_ids == ids
    assert match.accounts == ["acct-101", "acct-202", "acct-303"]
    # Every related draft sees the same pattern.
    assert find_pattern(store, policy, draft_id=ids[2]) == match


def test_three_tickets_from_one_account_are_not_a_pattern(store: Store, policy: Policy) -> None:
    ids = [stored(store, s, t, ["acct-101"]) for s, t, _ in RELATED]
    assert find_pattern(store, policy, draft_id=ids[0]) is None


def test_three_unrelated_tickets_are_not_a_pattern(store: Store, policy: Policy) -> None:
    ids = [stored(store, s, t, [a]) for s, t, a in UNRELATED]
    assert all(find_pattern(store, policy, draft_id=i) is None for i in ids)


def test_tickets_outside_the_window_do_not_count(store: Store, policy: Policy) -> None:
    window = timedelta(hours=policy.patterns.window_hours)
    (s1, t1, a1), (s2, t2, a2), (s3, t3, a3) = RELATED
    first = stored(store, s1, t1, [a1], BUSINESS)
    stored(store, s2, t2, [a2], BUSINESS + timedelta(hours=1))
    stored(store, s3, t3, [a3], BUSINESS + window + timedelta(hours=1))
    assert find_pattern(store, policy, draft_id=first) is None


def test_unidentified_accounts_never_make_up_the_numbers(store: Store, policy: Policy) -> None:
    ids = [stored(store, s, t, []) for s, t, _ in RELATED]
    assert find_pattern(store, policy, draft_id=ids[0]) is None


def test_log_templates_and_near_identical_text_are_signatures_too(store: Store, policy: Policy) -> None:
    logs = [
        "2026-11-23T09:00:01Z ERROR worker-3 job 8812 failed: disk quota exceeded on volume vol-7",
        "2026-11-23T10:14:55Z ERROR worker-9 job 1203 failed: disk quota exceeded on volume vol-2",
        "2026-11-23T11:02:10Z ERROR worker-1 job 77 failed: disk quota exceeded on volume vol-11",
    ]
    by_log = [stored(store, f"Jobs stuck ({n})", log, [f"org-{n}"]) for n, log in enumerate(logs)]
    match = find_pattern(store, policy, draft_id=by_log[0])
    assert match is not None and match.signature.startswith("log:")
    assert "disk quota exceeded" in match.signature and match.draft_ids == by_log

    by_text = [
        stored(store, "Dashboard tiles never finish loading", "no code here", [], names=[name])
        for name in ("Acme Corp", "Globex", "Initech")
    ]
    match = find_pattern(store, policy, draft_id=by_text[0])
    assert match is not None and match.signature == "text:Dashboard tiles never finish loading"
    assert match.accounts == ["acme corp", "globex", "initech"]


def test_a_draft_not_stored_yet_can_be_matched(store: Store, policy: Policy) -> None:
    for s, t, a in RELATED[:2]:
        stored(store, s, t, [a])
    brief = EscalationBrief(
        summary="Pay button errors",
        severity=Severity.sev3,
        target=Target.engineering,
        diagnostics=Diagnostics(account_ids=["acct-404"], error_messages=["PAYMENT_GATEWAY_TIMEOUT"]),
    )
    match = find_pattern(store, policy, brief=brief, received_at=BUSINESS)
    assert match is not None and 0 in match.draft_ids and "acct-404" in match.accounts


def test_account_identity_falls_back_from_ids_to_domain_to_org_name() -> None:
    def brief(**diagnostics: object) -> EscalationBrief:
        return EscalationBrief(
            summary="x",
            severity=Severity.sev3,
            target=Target.engineering,
            impact=Impact(customer_names=["Acme  Corp"]),
            diagnostics=Diagnostics(**diagnostics),  # type: ignore[arg-type]
        )

    assert account_of(brief(account_ids=["ACCT-9", "acct-1"])) == "account:acct-1"
    assert account_of(brief(), "from ops@acme.example.com") == "domain:acme.example.com"
    assert account_of(brief(), "from <EMAIL_1>") == "org:acme corp"
