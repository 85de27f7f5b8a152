"""Leak report: how much of the seeded corpus redaction masks, and how many look-alikes it keeps.

    /work/venv/bin/python bench/leak_report.py [tests/corpus/leaks/leaks.jsonl]

A secret or PII span counts as masked only when every character of it is covered by a redaction
(half a JWT is a leak). A look-alike counts as kept when no redaction touches it. Goals: 100% of
secrets, >= 98% of PII, >= 95% of look-alikes kept. tests/pipeline/test_leak_corpus.py asserts them.
"""

import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.core.redaction import redact  # noqa: E402

CORPUS = REPO / "tests" / "corpus" / "leaks" / "leaks.jsonl"
GOALS = {"secret": 1.0, "pii": 0.98, "keep": 0.95}


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

    def meets_goals(self) -> bool:
        return all(self.by_category[c].rate >= goal for c, goal in GOALS.items() if c in self.by_category)


def load(path: Path = CORPUS) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


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
            covered = all(any(s <= i < e for s, e in masked) for i in range(start, end))
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


def render(report: LeakReport, rows: int) -> str:
    titles = {"secret": "Secrets masked (recall)", "pii": "PII masked (recall)", "keep": "Look-alikes kept (precision)"}
    out = [f"Leak corpus: {rows} snippets"]
    for category, title in titles.items():
        total = report.by_category.get(category)
        if total is None:
            continue
        verdict = "meets" if total.rate >= GOALS[category] else "MISSES"
        out.append(f"\n{title}: {total.hits}/{total.total} = {total.rate:.1%} (goal {GOALS[category]:.0%}: {verdict})")
        for (cat, kind), tally in sorted(report.by_kind.items()):
            if cat == category:
                out.append(f"  {kind:<24} {tally.hits:>4}/{tally.total:<4} {tally.rate:7.1%}")
        out.extend(f"    missed {miss}" for miss in total.misses[:20])
    out.append(f"\nRedactions outside every labelled span (over-masking): {len(report.unlabelled)}")
    out.extend(f"    {extra}" for extra in report.unlabelled[:20])
    return "\n".join(out)


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    rows = load(path)
    report = score(rows)
    print(render(report, len(rows)))
    return 0 if report.meets_goals() else 1


if __name__ == "__main__":
    raise SystemExit(main())
