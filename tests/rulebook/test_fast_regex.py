"""FastPattern finds exactly what re.finditer(pattern, text, re.IGNORECASE) finds."""

import random
import re
from pathlib import Path

import pytest
import yaml

from app.core.fast_regex import compile_fast
from app.core.policy import load_policy

CORPUS = "\n".join(
    case["text"] for case in yaml.safe_load(Path(__file__).with_name("triage_cases.yaml").read_text("utf-8"))["cases"]
)
POLICY_PATTERNS = [pattern for spec in load_policy().signals.values() for pattern in spec.patterns]
UNUSUAL_PATTERNS = [
    r"\bfoo|bar\b",  # the \b belongs to the first alternative only
    r"\b(foo|bar)\b",
    r"(?-i:XSS) attack",  # case-sensitive group
    r"\x41PI is down",  # escaped capital letter
    r"(?P<n>\d+) hours? (ago|now)",
    r"\berror\b.*\bretry\b",  # unbounded width
    r"\bdown(?= for)",  # lookahead
]


def _texts() -> list[str]:
    rng = random.Random(7)
    # Slices cut at arbitrary points put pattern words at window edges and at text edges.
    slices = [CORPUS[a : a + rng.randrange(20, 900)] for a in (rng.randrange(len(CORPUS)) for _ in range(200))]
    tricky = [
        # Pattern words inside longer words ("overall users", "nonurgent") must not start a match.
        "Overall users cannot log in to the nonurgent portal; it is unslow, 5 overall customers.",
        "İİ Overall users cannot log in; the app is down.",  # lower() changes the length
        "xbar foo BAR; an XSS attack, an xss attack; the API is down, the api is down for 3 hours now",
        "error: timeout, retry later. Site down for everyone.",
    ]
    return [CORPUS, *tricky, *slices]


@pytest.mark.parametrize("pattern", POLICY_PATTERNS + UNUSUAL_PATTERNS)
def test_same_matches_as_re(pattern: str) -> None:
    fast = compile_fast(pattern)
    plain = re.compile(pattern, re.IGNORECASE)
    for text in _texts():
        expected = [(m.span(), m.span("n") if "n" in m.re.groupindex else None) for m in plain.finditer(text)]
        found = [(m.span(), m.span("n") if "n" in m.re.groupindex else None) for m in fast.finditer(text)]
        assert found == expected, text


def test_the_tricks_apply_to_the_policy_patterns() -> None:
    compiled = [compile_fast(p) for p in POLICY_PATTERNS]
    assert all(p.folded for p in compiled)
    assert sum(p.word_start for p in compiled) >= len(compiled) - 2
    assert sum(p.width is not None and bool(p.anchor) for p in compiled) >= len(compiled) // 2
