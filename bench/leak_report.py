"""Leak report: how much of each leak corpus redaction masks, and how many look-alikes it keeps.

    .venv/bin/python bench/leak_report.py                  # every corpus below that is there
    .venv/bin/python bench/leak_report.py --corpus PATH    # one corpus in the leaks.jsonl format

Corpora:
- seeded   tests/corpus/leaks/leaks.jsonl: written alongside the detectors (misses are listed);
- unseen   tests/corpus/unseen_leaks/unseen_leaks.jsonl: written independently and frozen. It was
           blind until the detectors reached its first goals; since then it is tuning data (its
           misses are listed) and its goals are the higher ones below;
- unseen_b tests/corpus/unseen_leaks_b/unseen_leaks_b.jsonl: the second independent corpus. It was
           blind until the detectors were tuned on it; it is now tuning data (its misses are
           listed) held to the same goals as the unseen corpus;
- unseen_c tests/corpus/unseen_leaks_c/unseen_leaks_c.jsonl: the third, blind until 2026-12-03
           (secrets 92.8%, PII 86.4%, look-alikes 99.1% before tuning on it); tuning data since,
           held to the unseen goals;
- unseen_d tests/corpus/unseen_leaks_d/unseen_leaks_d.jsonl: the fourth, written from the issue's
           categories by a helper who saw neither the detectors nor corpora a-c; blind until
           2026-12-03 (secrets 95.9%, PII 96.5%, look-alikes 99.3% before tuning on it); tuning
           data since (its misses are listed), held to the unseen goals here and to D_GOALS (the
           figures reached after tuning) in tests/pipeline/test_leak_corpus.py;
- unseen_e tests/corpus/unseen_leaks_e/unseen_leaks_e.jsonl: the fifth, blind (in BLIND);
- BLIND    corpora listed there are scored with per-kind rates only, never their cases (tuning to
           them would void the figure), and their verdict is reported, not part of the exit status
           (a blind figure measures, it does not gate). Skipped with a line when absent;
- gitleaks tests/corpus/gitleaks/examples.jsonl: the literal true/false-positive examples of
           gitleaks' rules (MIT). A true positive counts when its secret is fully masked: the
           secret is what gitleaks itself reports for that line, the rule's secretGroup (else
           its first capture group, else the whole match) found by the rule's regex. A false
           positive counts as kept when nothing in it is masked.

A secret or PII span counts as masked only when every character of it is covered by a redaction
(half a JWT is a leak). A look-alike counts as kept when no redaction touches it.
tests/pipeline/test_leak_corpus.py asserts the goals.
"""

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.core.redaction import redact  # noqa: E402

CORPORA = REPO / "tests" / "corpus"
CORPUS = CORPORA / "leaks" / "leaks.jsonl"
UNSEEN = CORPORA / "unseen_leaks" / "unseen_leaks.jsonl"
UNSEEN_B = CORPORA / "unseen_leaks_b" / "unseen_leaks_b.jsonl"
UNSEEN_C = CORPORA / "unseen_leaks_c" / "unseen_leaks_c.jsonl"
# Written 2026-12-03 from the categories by a helper who never saw the redactor or corpora a-c.
UNSEEN_D = CORPORA / "unseen_leaks_d" / "unseen_leaks_d.jsonl"
UNSEEN_E = CORPORA / "unseen_leaks_e" / "unseen_leaks_e.jsonl"
GITLEAKS = CORPORA / "gitleaks" / "examples.jsonl"
GOALS = {"secret": 1.0, "pii": 0.98, "keep": 0.95}
# The unseen corpus's goals (raised once it became tuning data); the blind corpus is held to them too.
UNSEEN_GOALS = {"secret": 0.995, "pii": 0.97, "keep": 0.98}
# Corpus b's goals since it became tuning data (measured before: secrets 90.8%, PII 85.1%, look-alikes 93.4%).
UNSEEN_B_GOALS = {"secret": 0.98, "pii": 0.95, "keep": 0.97}
# Corpus d's figures after tuning on it (2026-12-03: secrets 854/855, PII 1261/1261, look-alikes 7739/7739).
D_GOALS = {"secret": 0.998, "pii": 1.0, "keep": 1.0}
# A blind corpus is added here when one is written (its cases are never printed).
# e: written by a helper who read only d's README (2026-12-03); before any tuning on d it measured
# secrets 82.1%, PII 90.5%, look-alikes 98.3% (bench/reports/leaks_e__before.txt).
BLIND: tuple[Path, ...] = (UNSEEN_E,)
TUNED = (UNSEEN, UNSEEN_B, UNSEEN_C, UNSEEN_D)
GITLEAKS_GOALS = {"tp": 0.95, "fp": 0.85}


@dataclass
class Tally:
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 1.0


@dataclass
class LeakReport:
    by_kind: dict[tuple[str, str], Tally]
    by_category: dict[str, Tally]
    # Redactions touching no labelled sensitive span: over-masking of unlabelled text.
    unlabelled: list[str] = field(default_factory=list)

    def meets(self, goals: dict[str, float]) -> bool:
        return all(self.by_category[c].rate >= goal for c, goal in goals.items() if c in self.by_category)

    def meets_goals(self) -> bool:
        return self.meets(GOALS)


def load(path: Path = CORPUS) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _covered(masked: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(any(s <= i < e for s, e in masked) for i in range(start, end))


def score(rows: list[dict[str, object]]) -> LeakReport:
    by_kind: dict[tuple[str, str], Tally] = defaultdict(Tally)
    by_category: dict[str, Tally] = defaultdict(Tally)
    unlabelled: list[str] = []
    for row in rows:
        text = str(row["text"])
        masked = [(item.start, item.end) for item in redact(text).items]
        labelled = [(span["start"], span["end"]) for span in row["sensitive"]]  # type: ignore[attr-defined]
        unlabelled.extend(
            f"{row['id']}: {text[s:e]!r}" for s, e in masked if not any(s < le and ls < e for ls, le in labelled)
        )
        for span in row["sensitive"]:  # type: ignore[attr-defined]
            start, end = span["start"], span["end"]
            covered = _covered(masked, start, end)
            for tally in (by_kind[(span["category"], span["kind"])], by_category[span["category"]]):
                tally.total += 1
                tally.hits += covered
                if not covered:
                    tally.misses.append(f"{row['id']}: {text[start:end]!r}")
        for span in row["keep"]:  # type: ignore[attr-defined]
            start, end = span["start"], span["end"]
            kept = not any(s < end and start < e for s, e in masked)
            for tally in (by_kind[("keep", span["kind"])], by_category["keep"]):
                tally.total += 1
                tally.hits += kept
                if not kept:
                    tally.misses.append(f"{row['id']}: {text[start:end]!r}")
    return LeakReport(dict(by_kind), dict(by_category), unlabelled)


def score_gitleaks(rows: list[dict[str, object]]) -> LeakReport:
    """by_category 'tp' (secret fully masked) and 'fp' (nothing masked), by_kind per rule id.

    Examples of rules the vendored gitleaks.toml does not hold (newer or removed rules: the corpus
    README lists 20) have no regex to say what their secret is; they are tallied apart as
    'tp_other'/'fp_other', a tp counting when the longest token in it (>= 8 characters, letters
    and digits) is fully masked."""
    from app.core.redaction.vendor_rules import has_rule, secret_span

    by_kind: dict[tuple[str, str], Tally] = defaultdict(Tally)
    by_category: dict[str, Tally] = defaultdict(Tally)
    for row in rows:
        text, rule, kind = str(row["text"]), str(row["rule_id"]), str(row["kind"])
        known = has_rule(rule)
        masked = [(item.start, item.end) for item in redact(text).items]
        if kind == "tp":
            span = secret_span(rule, text) if known else _longest_token(text)
            ok = span is not None and _covered(masked, *span)
        else:
            ok = not masked
        category = kind if known else f"{kind}_other"
        for tally in (by_kind[(category, rule)], by_category[category]):
            tally.total += 1
            tally.hits += ok
            if not ok:
                tally.misses.append(f"{rule}: {text[:100]!r}")
    return LeakReport(dict(by_kind), dict(by_category))


_TOKEN = re.compile(r"(?=[^\s\"'`]*\d)(?=[^\s\"'`]*[A-Za-z])[^\s\"'`,;]{8,}")


def _longest_token(text: str) -> tuple[int, int] | None:
    spans = [m.span() for m in _TOKEN.finditer(text)]
    return max(spans, key=lambda s: s[1] - s[0]) if spans else None


def _goal(rate: float) -> str:
    """'99.5%', '97%': a goal is printed to the precision it was set at."""
    return f"{rate:.1%}" if round(rate * 1000) % 10 else f"{rate:.0%}"


def render(report: LeakReport, rows: int, *, title: str = "Leak corpus", goals: dict[str, float] = GOALS,
           show_misses: bool = True, miss_limit: int | None = 20) -> str:  # fmt: skip
    titles = {"secret": "Secrets masked (recall)", "pii": "PII masked (recall)", "keep": "Look-alikes kept (precision)"}
    out = [f"{title}: {rows} snippets"]
    for category, heading in titles.items():
        total = report.by_category.get(category)
        if total is None:
            continue
        verdict = "meets" if total.rate >= goals[category] else "MISSES"
        out.append(
            f"\n{heading}: {total.hits}/{total.total} = {total.rate:.1%} (goal {_goal(goals[category])}: {verdict})"
        )
        for (cat, kind), tally in sorted(report.by_kind.items()):
            if cat == category:
                out.append(f"  {kind:<24} {tally.hits:>4}/{tally.total:<4} {tally.rate:7.1%}")
        if show_misses:
            out.extend(f"    missed {miss}" for miss in total.misses[:miss_limit])
    if show_misses:
        out.append(f"\nRedactions outside every labelled span (over-masking): {len(report.unlabelled)}")
        out.extend(f"    {extra}" for extra in report.unlabelled[:miss_limit])
    else:
        out.append(
            f"\nRedactions outside every labelled span: {len(report.unlabelled)} (cases not shown: blind corpus)"
        )
    return "\n".join(out)


def render_gitleaks(report: LeakReport, rows: int, show_misses: bool = True) -> str:
    out = [f"gitleaks rule examples: {rows} snippets ({len({k for _, k in report.by_kind})} rules)"]
    for category, heading in (
        ("tp", "True positives fully masked"),
        ("fp", "False positives kept"),
        ("tp_other", "True positives of rules not in the vendored toml (longest token fully masked)"),
        ("fp_other", "False positives of rules not in the vendored toml (nothing masked)"),
    ):
        total = report.by_category.get(category, Tally())
        goal_of = GITLEAKS_GOALS.get(category)
        if goal_of is None:
            out.append(f"\n{heading}: {total.hits}/{total.total} = {total.rate:.1%} (reported, no goal)")
            continue
        verdict = "meets" if total.rate >= goal_of else "MISSES"
        goal = GITLEAKS_GOALS[category]
        out.append(f"\n{heading}: {total.hits}/{total.total} = {total.rate:.1%} (goal {goal:.0%}: {verdict})")
        failing = sorted(
            ((kind, tally) for (cat, kind), tally in report.by_kind.items() if cat == category and tally.rate < 1),
            key=lambda item: item[1].rate,
        )
        out.append(f"  rules below 100%: {len(failing)}")
        out.extend(f"  {kind:<40} {tally.hits:>3}/{tally.total:<3} {tally.rate:7.1%}" for kind, tally in failing[:40])
        if show_misses:
            out.extend(f"    missed {miss}" for miss in total.misses[:15])
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="score one corpus in the leaks.jsonl format")
    parser.add_argument("--misses", action="store_true", help="list the gitleaks examples missed")
    parser.add_argument(
        "--show-misses", action="store_true", help="list every miss and over-masking of a tuning corpus (not only 20)"
    )
    args = parser.parse_args()
    limit = None if args.show_misses else 20
    if args.corpus:
        rows = load(args.corpus)
        report = score(rows)
        blind = any(args.corpus.resolve() == path.resolve() for path in BLIND)
        tuned = any(args.corpus.resolve() == path.resolve() for path in TUNED)
        goals = (
            UNSEEN_B_GOALS
            if args.corpus.resolve() == UNSEEN_B.resolve()
            else (UNSEEN_GOALS if blind or tuned else GOALS)
        )
        print(render(report, len(rows), title=str(args.corpus), goals=goals, show_misses=not blind, miss_limit=limit))
        return 0 if report.meets(goals) else 1
    ok = True
    rows = load(CORPUS)
    report = score(rows)
    print(render(report, len(rows), title="Seeded corpus (tests/corpus/leaks)", miss_limit=limit))
    ok &= report.meets(GOALS)
    corpora = (
        (UNSEEN, "Unseen corpus (tests/corpus/unseen_leaks, tuning data)", False, UNSEEN_GOALS),
        (UNSEEN_B, "Unseen corpus b (tests/corpus/unseen_leaks_b, tuning data)", False, UNSEEN_B_GOALS),
        (UNSEEN_C, "Unseen corpus c (tests/corpus/unseen_leaks_c, tuning data)", False, UNSEEN_GOALS),
        (UNSEEN_D, "Unseen corpus d (tests/corpus/unseen_leaks_d, tuning data)", False, UNSEEN_GOALS),
        *((path, f"Blind corpus ({path.parent.relative_to(REPO)}, blind)", True, UNSEEN_GOALS) for path in BLIND),
    )
    for path, title, blind, goals in corpora:
        print("\n" + "=" * 100)
        if not path.exists():
            print(f"{title}: {path.relative_to(REPO)} is not there; skipped")
            continue
        rows = load(path)
        report = score(rows)
        print(render(report, len(rows), title=title, goals=goals, show_misses=not blind, miss_limit=limit))
        if not blind:
            ok &= report.meets(goals)
    print("\n" + "=" * 100)
    if GITLEAKS.exists():
        rows = load(GITLEAKS)
        report = score_gitleaks(rows)
        print(render_gitleaks(report, len(rows), show_misses=args.misses))
        ok &= report.meets(GITLEAKS_GOALS)
    else:
        print(f"gitleaks rule examples: {GITLEAKS} is not there; skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
