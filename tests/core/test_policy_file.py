"""An organisation's own policy file: loaded when valid, refused with a precise message when not."""

import re
from pathlib import Path

import pytest

from app.core.errors import PolicyError
from app.core.policy import DEFAULT_POLICY_FILE, load_policy


def test_default_policy_loads_with_every_rule_cited() -> None:
    policy = load_policy()
    assert policy.version
    assert policy.business_hours.start.hour == 2 and policy.business_hours.end.hour == 18
    assert policy.severities["sev2"].escalate_within_minutes == 60
    for name in type(policy.rules).model_fields:
        assert getattr(policy.rules, name).cite.endswith(tuple("0123456789"))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "org-policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_own_policy_file_is_used(tmp_path: Path) -> None:
    text = re.sub(r'(?m)^version = ".*', 'version = "acme-7"', DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    assert load_policy(_write(tmp_path, text)).version == "acme-7"


@pytest.mark.parametrize(
    ("old", "new", "key", "expected"),
    [
        (
            "threshold = 3\nmin_severity",
            'threshold = "three"\nmin_severity',
            "rules.pattern_customers.threshold",
            "number",
        ),
        ('level = "error"', 'level = "fatal"', "rules.severity_matches_signals.level", "'error' or 'warning'"),
        ('cite = "000_ecb2be35f55dd45f.txt:5"', 'cite = "seed zero"', "business_hours.cite", "<seed file>:<line>"),
        ("[severities.sev4]", "[severities.sev9]", "severities.sev9", ""),
    ],
)
def test_malformed_policy_names_file_key_and_expectation(
    tmp_path: Path, old: str, new: str, key: str, expected: str
) -> None:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8")
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(PolicyError) as err:
        load_policy(path)
    message = str(err.value)
    assert str(path) in message and key in message and expected in message


def test_policy_that_is_not_toml(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(_write(tmp_path, "id = [unclosed"))


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load_policy(tmp_path / "nope.toml")


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    text = DEFAULT_POLICY_FILE.read_text(encoding="utf-8") + '\n[rules.sla_status_typo]\nlevel = "error"\n'
    with pytest.raises(PolicyError, match=r"rules\.sla_status_typo"):
        load_policy(_write(tmp_path, text))
