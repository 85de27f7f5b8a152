"""The brief <-> form fields conversion behind the draft page's editor (no Streamlit needed)."""

import pytest

from app.core.errors import InputError
from app.ui.brief_form import FIELDS, brief_from_values, evidence_for, form_values
from schemas.brief import Attempt, EscalationBrief, Evidence, Impact
from schemas.common import Severity, Target


def _brief() -> EscalationBrief:
    return EscalationBrief(
        summary="Checkout down for acct-1",
        severity=Severity.sev2,
        target=Target.engineering,
        impact=Impact(customers_affected=3, customer_names=["Initech", "Globex"]),
        tried=[Attempt(action="Cleared cache", result="no change"), Attempt(action="Restarted")],
        evidence=[Evidence(field="impact.customers_affected", quote="3 stores")],
    )


def test_every_field_round_trips() -> None:
    brief = _brief()
    assert brief_from_values(form_values(brief), brief) == brief
    assert {f.path for f in FIELDS} == set(form_values(brief))


def test_lists_are_lines_and_attempts_are_arrows() -> None:
    values = form_values(_brief())
    assert values["impact.customer_names"] == "Initech\nGlobex"
    assert values["tried"] == "Cleared cache -> no change\nRestarted"
    edited = brief_from_values({**values, "tried": "Rolled back -> fixed\n\n  \nPinged on-call"}, _brief())
    assert [(a.action, a.result) for a in edited.tried] == [("Rolled back", "fixed"), ("Pinged on-call", "")]


def test_empty_optional_fields_become_null() -> None:
    edited = brief_from_values({"workaround": "  ", "impact.customers_affected": ""}, _brief())
    assert edited.workaround is None and edited.impact.customers_affected is None


def test_bad_values_name_the_field_in_words() -> None:
    with pytest.raises(InputError, match=r"Customers affected: 'lots' is not a whole number"):
        brief_from_values({"impact.customers_affected": "lots"}, _brief())
    with pytest.raises(InputError, match=r"One-line summary: String should have"):
        brief_from_values({"summary": ""}, _brief())


def test_evidence_is_found_for_a_field_and_its_parent() -> None:
    brief = _brief()
    assert evidence_for(brief, "impact.customers_affected") == ["3 stores"]
    assert evidence_for(brief, "impact") == ["3 stores"]
    assert evidence_for(brief, "summary") == []


def test_a_rewritten_field_drops_the_models_evidence_for_it() -> None:
    brief = _brief().model_copy(
        update={"evidence": [*_brief().evidence, Evidence(field="summary", quote="Checkout down")]}
    )
    values = form_values(brief)
    untouched = brief_from_values(values, brief)
    assert [e.field for e in untouched.evidence] == ["impact.customers_affected", "summary"]
    edited = brief_from_values({**values, "impact.customers_affected": "4"}, brief)
    assert [e.field for e in edited.evidence] == ["summary"]
