"""Seed 003 'Pattern: Same issue reported by 3+ customers', as a pure function of the drafts.

A draft's **error signatures** are what identifies "the same issue" across tickets written by
different people:
- `code:` specific error codes and exception names (ERR_CONN_RESET, ORA-00942, E1234,
  PaymentGatewayTimeoutError). A bare HTTP status (502) is not one: every outage has it.
- `log:` the templates of the error lines in the ticket and its condensed logs: variable tokens
  (anything with a digit, redaction placeholders) masked, the leading timestamp dropped.
- `text:` near-identical summaries (difflib ratio >= the policy's `similarity`).

A draft's **account** is the first account ID in its brief (`diagnostics.account_ids`: copied
from the ticket and checked against it by the grounding rule), else an e-mail domain the brief
or ticket still shows (redaction usually masks addresses whole, so this is rare), else the first
customer/org name of the brief (`impact.customer_names`). A draft with none of these counts for
no account: three unidentified tickets are never taken for three customers.
"""

import difflib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.core import loglines
from schemas.assessment import PatternMatch
from schemas.brief import EscalationBrief
from schemas.policy import Policy

_CODES = (
    re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]{2,}\b"),  # ERR_CONN_RESET, E_TIMEOUT
    re.compile(r"\b[A-Z]{2,6}-\d{3,6}\b"),  # ORA-00942, PG-40001 (account-like IDs are removed below)
    re.compile(r"\bE\d{3,6}\b"),  # E1234
    re.compile(r"\b[A-Z][A-Za-z0-9]+(?:Error|Exception|Fault)\b"),  # PaymentGatewayTimeoutError
    re.compile(r"\b0x[0-9A-Fa-f]{8}\b"),
    re.compile(r"\berror[ _-]?code[:=\s]+([A-Za-z0-9_-]{3,})", re.IGNORECASE),
)
_VARIABLE = re.compile(r"(?<![\w.-])(?=[\w.-]*\d)[\w.-]+")
_PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*_\d+>")
_WORD = re.compile(r"[a-z]{3,}")
_EMAIL_DOMAIN = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
_SPACE = re.compile(r"\s+")
_MIN_TEMPLATE_WORDS = 3


@dataclass(frozen=True)
class Candidate:
    draft_id: int
    received_at: datetime
    brief: EscalationBrief
    source_text: str
    signatures: frozenset[str] = field(default=frozenset())


def account_of(brief: EscalationBrief, source_text: str = "") -> str | None:
    ids = [i.strip() for i in brief.diagnostics.account_ids if i.strip()]
    if ids:
        return f"account:{sorted(i.lower() for i in ids)[0]}"
    for text in (brief.diagnostics.customer_contact, source_text):
        domain = _EMAIL_DOMAIN.search(text or "")
        if domain:
            return f"domain:{domain.group(1).lower()}"
    names = [n.strip() for n in brief.impact.customer_names if n.strip()]
    if names:
        return f"org:{_SPACE.sub(' ', names[0].lower())}"
    return None


def _template(line: str) -> str | None:
    line = loglines.LEADING_TIMESTAMP.sub("", line)
    masked = _VARIABLE.sub("<*>", _PLACEHOLDER.sub("<*>", line)).strip(" -:|[]")
    masked = _SPACE.sub(" ", masked)
    if len(_WORD.findall(masked.lower())) < _MIN_TEMPLATE_WORDS:
        return None
    return masked[:200]


def signatures(brief: EscalationBrief, source_text: str) -> frozenset[str]:
    """The draft's error codes and error-line templates (not the text signature: that is pairwise)."""
    account_like = {i.lower() for i in brief.diagnostics.account_ids}
    found: set[str] = set()
    texts = [*brief.diagnostics.error_messages, source_text]
    for text in texts:
        for pattern in _CODES:
            for match in pattern.finditer(text):
                code = match.group(match.lastindex or 0)
                if code.lower() not in account_like and not code.lower().startswith(("acct", "org", "inc", "ticket")):
                    found.add(f"code:{code}")
    error_lines = [*brief.diagnostics.error_messages]
    error_lines += [line for line in source_text.splitlines() if loglines.line_level(line) == loglines.Level.error]
    for line in error_lines:
        template = _template(line)
        if template:
            found.add(f"log:{template}")
    return frozenset(found)


def _normalized_summary(brief: EscalationBrief) -> str:
    return _SPACE.sub(" ", _PLACEHOLDER.sub("", brief.summary.lower())).strip()


def _similar(a: str, b: str, threshold: float) -> bool:
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.quick_ratio() >= threshold and matcher.ratio() >= threshold


def match_pattern(target: Candidate, others: Iterable[Candidate], policy: Policy) -> PatternMatch | None:
    """The strongest signature `target` shares with drafts of enough different accounts within the
    policy's window of it, or None. Deterministic: ties go to more drafts, then the signature text."""
    rule = policy.patterns
    window = timedelta(hours=rule.window_hours)
    target_sigs = target.signatures or signatures(target.brief, target.source_text)
    target_summary = _normalized_summary(target.brief)
    groups: dict[str, dict[int, str]] = defaultdict(dict)
    target_account = account_of(target.brief, target.source_text)
    for other in others:
        if other.draft_id == target.draft_id or abs(other.received_at - target.received_at) > window:
            continue
        account = account_of(other.brief, other.source_text)
        if account is None:
            continue
        other_sigs = other.signatures or signatures(other.brief, other.source_text)
        for shared in target_sigs & other_sigs:
            groups[shared][other.draft_id] = account
        if target_summary and _similar(target_summary, _normalized_summary(other.brief), rule.similarity):
            groups[f"text:{target.brief.summary.strip()[:200]}"][other.draft_id] = account
    best: tuple[int, int, str] | None = None
    for signature, members in groups.items():
        if target_account is not None:
            members = {**members, target.draft_id: target_account}
        accounts = set(members.values())
        if len(accounts) < rule.min_accounts:
            continue
        key = (len(accounts), len(members), signature)
        if best is None or key[:2] > best[:2] or (key[:2] == best[:2] and key[2] < best[2]):
            best = key
    if best is None:
        return None
    members = dict(groups[best[2]])
    if target_account is not None:
        members[target.draft_id] = target_account
    return PatternMatch(
        signature=best[2], draft_ids=sorted(members), accounts=sorted({a.split(":", 1)[1] for a in members.values()})
    )
