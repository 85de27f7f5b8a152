"""Provider token formats from gitleaks' maintained rule set, vendored as data (rules/gitleaks.toml).

Why gitleaks' rules: they are the most widely kept open rule set for provider tokens (~220 rules
covering 150+ providers, each with literal examples, entropy floors and allowlists), MIT
licensed, and plain data: no binary, no network, nothing to run but regexes. detect-secrets
(kept for its plugins' validation) knows ~25 formats; the hand-grown list this replaces knew 12.
Refresh: copy config/gitleaks.toml from a gitleaks release over rules/gitleaks.toml and run
bench/leak_report.py (rules/SOURCE.md records the version).

How a rule runs, as gitleaks runs it:
- `keywords` prefilter: a rule's regex runs only on lines holding one of its keywords (any case);
- the secret is the rule's `secretGroup`, else its first non-empty capture group, else the match;
- `entropy`: the secret's Shannon entropy must reach it;
- allowlists (the rule's and the global one): `regexes` tested against the secret, the match or
  the line (`regexTarget`), `stopwords` against the secret; `condition = "AND"` needs all of them.
  Path-only allowlists do not apply to pasted text.
Go RE2 syntax is close to the `regex` module's; the few differences are translated in _python().
"""

import math
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regex

from app.core.redaction.detection import Category, Detection
from app.core.redaction.lines import Lines

RULES_FILE = Path(__file__).with_name("rules") / "gitleaks.toml"
# Rules left out, with the reason (ids as in gitleaks.toml):
SKIPPED_RULES: dict[str, str] = {}
# Placeholder kinds the product already uses ('<AWS_KEY_1>'), by gitleaks rule-id prefix, so a
# brief, its receipts and the rules reading them keep one vocabulary; other rules name their kind
# after their id ('huggingface-access-token' -> HUGGINGFACE_ACCESS_TOKEN).
KIND_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("generic-api-key", "SECRET"),
    ("aws-", "AWS_KEY"),
    ("github-", "GITHUB_TOKEN"),
    ("gitlab-", "GITLAB_TOKEN"),
    ("slack-webhook", "SLACK_WEBHOOK"),
    ("slack-", "SLACK_TOKEN"),
    ("stripe-", "STRIPE_KEY"),
    ("jwt", "JWT"),
    ("private-key", "PRIVATE_KEY"),
    ("openai-", "OPENAI_KEY"),
    ("anthropic-", "ANTHROPIC_KEY"),
    ("sendgrid-", "SENDGRID_KEY"),
    ("twilio-", "TWILIO_KEY"),
    ("gcp-api-key", "GCP_API_KEY"),
    ("npm-", "NPM_TOKEN"),
    ("pypi-", "PYPI_TOKEN"),
    ("azure-ad-client-secret", "AZURE_CLIENT_SECRET"),
    ("discord-", "DISCORD_TOKEN"),
    ("telegram-", "TELEGRAM_TOKEN"),
    ("mailchimp-", "MAILCHIMP_KEY"),
)


@dataclass(frozen=True)
class Allowlist:
    regexes: tuple[regex.Pattern[str], ...]
    stopwords: tuple[str, ...]
    target: str  # "secret" | "match" | "line"
    all_of: bool  # condition = "AND"

    def allows(self, secret: str, match: str, line: str) -> bool:
        target = {"secret": secret, "match": match, "line": line}.get(self.target, secret)
        checks: list[bool] = []
        if self.regexes:
            checks.append(any(p.search(target) for p in self.regexes))
        if self.stopwords:
            lowered = secret.lower()
            checks.append(any(word in lowered for word in self.stopwords))
        if not checks:
            return False
        return all(checks) if self.all_of else any(checks)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    pattern: regex.Pattern[str]
    keywords: tuple[str, ...]
    secret_group: int
    entropy: float
    allowlists: tuple[Allowlist, ...]
    # Capture groups under a quantifier ('([a-z0-9]{4}-){3}'): they hold only their last repetition,
    # a piece of a UUID, never the secret; a rule with no other group masks its whole match.
    repeated_groups: frozenset[int] = frozenset()


# gitleaks' keyword-anchored rules start with a lazy '[\w.-]{0,50}?' that only pulls the variable
# name into the match; tried at every position it cost 1.1 s per MB of log for one rule. It is
# dropped (the secret group is unchanged) and the name re-attached for 'match' allowlists.
_NAME_LEAD = regex.compile(r"^(\(\?i\)|\(\?i:)?\[\\w\.-\]\{0,50\}\?")
_NAME_CHARS = regex.compile(r"[\w.-]{0,50}$")
# A rule without keywords would run on every line; these are the literals its regex requires.
_EXTRA_KEYWORDS: dict[str, tuple[str, ...]] = {"database-password": ("passw", "pwd")}


def _python(go_regex: str) -> str:
    """RE2 -> `regex`: '\\z' is end of text in Go and unknown to Python (there it is '\\Z')."""
    pattern = go_regex.replace(r"\z", r"\Z")
    while True:
        stripped = _NAME_LEAD.sub(lambda m: m.group(1) or "", pattern, count=1)
        if stripped == pattern:
            return pattern
        pattern = stripped


def _repeated_groups(pattern: str) -> frozenset[int]:
    """Numbers of the capture groups that a quantifier ('*', '+', '?', '{n}') follows."""
    repeated: set[int] = set()
    opened: list[int | None] = []  # group number, or None for a non-capturing group
    number, index, in_class = 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            capturing = not pattern.startswith("?", index + 1) or pattern.startswith(("?P<", "?<"), index + 1)
            capturing = capturing and not pattern.startswith(("?<=", "?<!"), index + 1)
            if capturing:
                number += 1
            opened.append(number if capturing else None)
        elif char == ")" and opened:
            group = opened.pop()
            if group is not None and index + 1 < len(pattern) and pattern[index + 1] in "*+?{":
                repeated.add(group)
        index += 1
    return frozenset(repeated)


def _allowlist(raw: dict[str, Any]) -> Allowlist | None:
    if raw.get("paths") and not (raw.get("regexes") or raw.get("stopwords")):
        return None
    regexes = tuple(regex.compile(_python(str(p))) for p in raw.get("regexes", []) or [])
    stopwords = tuple(str(w).lower() for w in raw.get("stopwords", []) or [])
    condition = str(raw.get("condition", "OR")).upper()
    # An AND allowlist that also names paths can never hold for pasted text (there is no path).
    if condition == "AND" and raw.get("paths"):
        return None
    return Allowlist(regexes, stopwords, str(raw.get("regexTarget", "secret")), condition == "AND")


def _allowlists(raw: dict[str, Any]) -> tuple[Allowlist, ...]:
    found: list[Allowlist] = []
    entries: list[dict[str, Any]] = list(raw.get("allowlists") or [])
    if isinstance(raw.get("allowlist"), dict):
        entries.append(raw["allowlist"])
    for entry in entries:
        allow = _allowlist(entry)
        if allow is not None:
            found.append(allow)
    return tuple(found)


def _kind(rule_id: str) -> str:
    for prefix, kind in KIND_BY_PREFIX:
        if rule_id.startswith(prefix):
            return kind
    return rule_id.upper().replace("-", "_")


@cache
def load_rules() -> tuple[tuple[Rule, ...], tuple[Allowlist, ...]]:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    rules: list[Rule] = []
    for raw in data.get("rules", []):
        if "regex" not in raw or raw["id"] in SKIPPED_RULES:
            continue  # path-only rules (a file named id_rsa) say nothing about pasted text
        rules.append(
            Rule(
                id=raw["id"],
                kind=_kind(raw["id"]),
                pattern=regex.compile(_python(raw["regex"])),
                keywords=tuple(k.lower() for k in raw.get("keywords", [])) or _EXTRA_KEYWORDS.get(raw["id"], ()),
                secret_group=int(raw.get("secretGroup", 0)),
                entropy=float(raw.get("entropy", 0.0)),
                allowlists=_allowlists(raw),
                repeated_groups=_repeated_groups(_python(raw["regex"])),
            )
        )
    global_allow = _allowlists({"allowlists": data.get("allowlists", []), "allowlist": data.get("allowlist")})
    return tuple(rules), global_allow


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _secret_span(rule: Rule, match: regex.Match[str]) -> tuple[int, int]:
    groups = len(match.groups())
    if rule.secret_group and rule.secret_group <= groups and match.group(rule.secret_group) is not None:
        return match.span(rule.secret_group)
    for index in range(1, groups + 1):
        if match.group(index) and index not in rule.repeated_groups:
            return match.span(index)
    return match.span()


# generic-api-key reads up to 20 characters between its keyword and the operator, so in 'Related:
# AUTH-7370. Trace: 215a459e...' the Jira key's 'AUTH' names a trace ID. The word right before the
# operator says what the value is; these name identifiers, not credentials.
_GENERIC_RULES = frozenset({"generic-api-key"})
_ID_LABEL = regex.compile(
    r"(?i)\b(?:trace|span|request|correlation|commit|sha|hash|digest|checksum|build|etag|uuid|id|version|order|"
    r"invoice|ticket|case|ref|revision|rev)(?:[ _-]?id)?[\s'\"]{0,3}(?:=|:{1,3}=?|=>)[\x60'\"\s=]{0,5}$"
)


def _findings(rule: Rule, line: str, global_allow: tuple[Allowlist, ...]) -> Iterator[tuple[int, int]]:
    for match in rule.pattern.finditer(line, overlapped=False):
        start, end = _secret_span(rule, match)
        secret = line[start:end]
        if not secret or (rule.entropy and shannon_entropy(secret) < rule.entropy):
            continue
        if rule.id in _GENERIC_RULES and _ID_LABEL.search(line, match.start(), start):
            continue
        name = _NAME_CHARS.search(line, 0, match.start())
        whole = line[name.start() if name else match.start() : match.end()]
        if any(a.allows(secret, whole, line) for a in (*rule.allowlists, *global_allow)):
            continue
        yield start, end


@cache
def _rule_by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in load_rules()[0]}


# A secret group that starts with its YAML key ('password: c2VjcmV0', kubernetes-secret-yaml):
# the key is a label, the value the secret.
_LABEL = regex.compile(r"[\w.-]+:(?:[ \t]*[|>][-+]?\s+)?[ \t]*[\"']?")


def has_rule(rule_id: str) -> bool:
    return rule_id in _rule_by_id()


def secret_span(rule_id: str, text: str) -> tuple[int, int] | None:
    """Where rule `rule_id` finds its secret in `text`, as gitleaks reports it (the leak report's
    definition of what must be masked in a gitleaks example), less a leading YAML key and its
    quotes; None when the rule finds none."""
    rule = _rule_by_id().get(rule_id)
    if rule is None:
        return None
    for match in rule.pattern.finditer(text):
        start, end = _secret_span(rule, match)
        label = _LABEL.match(text, start, end)
        if label and label.end() < end:
            start = label.end()
            while end > start and text[end - 1] in "\"'":
                end -= 1
        if end > start:
            return start, end
    return None


def find_vendor_tokens(text: str, lines: Lines | None = None) -> list[Detection]:
    index = lines if lines is not None else Lines(text)
    rules, global_allow = load_rules()
    hits: list[Detection] = []
    for rule in rules:
        numbers = index.containing(rule.keywords) if rule.keywords else range(len(index.starts))
        for number in numbers:
            offset, line = index.line(number)
            # JSON-escaped quotes ('\\"hf_…\\"' in a notebook cell) end a token as a quote does; the
            # same-length substitution keeps offsets.
            line = line.replace('\\"', ' "') if '\\"' in line else line
            for start, end in _findings(rule, line, global_allow):
                hits.append(Detection(rule.kind, offset + start, offset + end, f"gitleaks:{rule.id}", Category.secret))
    return hits
