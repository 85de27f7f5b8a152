"""Score the verdict alone (no model) on a labelled corpus, and write a report.

    python -m evals.triage_eval dev       # ../shared/datasets/public-dev.jsonl (160 real tickets)
    python -m evals.triage_eval unseen    # evals/datasets/triage/unseen_triage.jsonl (written blind to the code)
    python -m evals.triage_eval unseen_b  # evals/datasets/triage/unseen_triage_b.jsonl (a second blind corpus)
    python -m evals.triage_eval unseen_ml # evals/datasets/triage/unseen_triage_ml.jsonl (not in English, blind)
    python -m evals.triage_eval unseen_c  # evals/datasets/triage/unseen_triage_c.jsonl (200, blind, 2026-12-03)
    python -m evals.triage_eval tuning    # evals/datasets/triage/dev_triage.jsonl (same categories, for tuning)
    python -m evals.triage_eval dev --name before   # report name suffix, e.g. to keep a 'before' figure

The verdict comes from the same service the CLI's `escalate triage` uses, so the figure is the
product's. `--now` fixes the clock (default a Tuesday 09:00 PT, inside business hours) so reports
are reproducible; the ticket's own timestamps still say when it was written.

Dev-set metrics: accuracy, QWK, Critical recall, over-escalation (sev1 on gold sev3/sev4), target
accuracy, overall and per source. Unseen-corpus metrics: share acceptable (severity and target
both among the acceptable ones), high-stakes cases below sev2, and appended text that lowered a
sev1 (the appended row's severity below its base row's).
"""

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "datasets" / "public-dev.jsonl"
UNSEEN = REPO / "evals" / "datasets" / "triage" / "unseen_triage.jsonl"
# A second blind corpus, written 2026-12-03 by a helper who read only the guides, after the first one's
# failures had been read here: the figure on it is the one nobody here has looked at case by case.
UNSEEN_B = REPO / "evals" / "datasets" / "triage" / "unseen_triage_b.jsonl"
# Tickets not in English (es, fr, de, pt, it and others), written blind the same way.
UNSEEN_ML = REPO / "evals" / "datasets" / "triage" / "unseen_triage_ml.jsonl"
UNSEEN_C = REPO / "evals" / "datasets" / "triage" / "unseen_triage_c.jsonl"
# Written by another blind helper in the same categories: the data the patterns are tuned on.
TUNING = REPO / "evals" / "datasets" / "triage" / "dev_triage.jsonl"
REPORTS = REPO / "evals" / "reports" / "triage"
DEFAULT_NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
GOLD = {"Critical": "sev1", "High": "sev2", "Medium": "sev3", "Low": "sev4"}

Verdict = dict[str, Any]


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def verdicts(rows: Sequence[dict[str, Any]], now: datetime) -> list[Verdict]:
    from app.services.rulebook import triage_batch

    return triage_batch([str(r["input_text"]) for r in rows], now=now)


def _severity_block(gold: list[str], pred: list[str]) -> dict[str, float | None]:
    from evals.metrics import accuracy, critical_recall, off_by_one, quadratic_weighted_kappa
    from schemas.common import Severity

    g = [Severity(x) for x in gold]
    p = [Severity(x) for x in pred]
    low = [i for i, x in enumerate(gold) if x in ("sev3", "sev4")]
    return {
        "n": len(gold),
        "accuracy": accuracy(g, p),
        "qwk": quadratic_weighted_kappa(g, p),
        "critical_recall": critical_recall(g, p),
        "off_by_one": off_by_one(g, p),
        "over_escalation": (sum(pred[i] == "sev1" for i in low) / len(low)) if low else None,
    }


def score_dev(rows: Sequence[dict[str, Any]], out: Sequence[Verdict]) -> dict[str, Any]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups["all"].append(i)
        groups[str(row["source"])].append(i)
    result: dict[str, Any] = {}
    for name, idx in groups.items():
        sev = [i for i in idx if rows[i].get("gold_severity")]
        tgt = [i for i in idx if rows[i].get("gold_team")]
        block: dict[str, Any] = (
            _severity_block([GOLD[rows[i]["gold_severity"]] for i in sev], [out[i]["severity"] for i in sev])
            if sev
            else {"n": 0}
        )
        block["target_n"] = len(tgt)
        block["target_accuracy"] = (
            sum(out[i]["target"] == rows[i]["gold_team"] for i in tgt) / len(tgt) if tgt else None
        )
        block["needs_human"] = sum(bool(out[i].get("needs_human")) for i in idx) / len(idx)
        result[name] = block
    return result


def score_unseen(rows: Sequence[dict[str, Any]], out: Sequence[Verdict]) -> dict[str, Any]:
    by_id = {row["id"]: (row, v) for row, v in zip(rows, out, strict=True)}
    per_cat: dict[str, list[bool]] = defaultdict(list)
    failures: list[str] = []
    high_below: list[str] = []
    lowered: list[str] = []
    for row, v in zip(rows, out, strict=True):
        ok = v["severity"] in row["acceptable_severities"] and v["target"] in row["acceptable_targets"]
        per_cat[row["category"]].append(ok)
        per_cat["all"].append(ok)
        if not ok:
            failures.append(
                f"{row['id']}: got {v['severity']}/{v['target']}, want "
                f"{'|'.join(row['acceptable_severities'])}/{'|'.join(row['acceptable_targets'])}"
            )
        if row.get("high_stakes") and v["severity"] in ("sev3", "sev4"):
            high_below.append(row["id"])
        base = by_id.get(row.get("base_id") or "")
        if base and base[0]["expected_severity"] == "sev1" and v["severity"] > base[1]["severity"]:
            lowered.append(f"{row['id']} ({row.get('technique')}): {base[1]['severity']} -> {v['severity']}")
    return {
        "acceptable": {k: {"n": len(v), "rate": sum(v) / len(v)} for k, v in per_cat.items()},
        "high_stakes_below_sev2": high_below,
        "appended_lowered_sev1": lowered,
        "failures": failures,
    }


def markdown(corpus: str, name: str, scores: dict[str, Any], command: str) -> str:
    lines = [f"# Verdict without a model: {corpus} ({name})", "", f"Command: `{command}`", ""]
    if corpus == "dev":
        lines += [
            "| slice | n (sev) | accuracy | QWK | Critical recall | over-escalation | target n | target acc "
            "| needs_human |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for key, b in scores.items():
            cells = [b.get(m) for m in ("accuracy", "qwk", "critical_recall", "over_escalation")]
            shown = ["–" if c is None else f"{c:.3f}" for c in cells]
            ta = b.get("target_accuracy")
            lines.append(
                f"| {key} | {b['n']} | {' | '.join(shown)} | {b['target_n']} | "
                f"{'–' if ta is None else f'{ta:.3f}'} | {b['needs_human']:.2f} |"
            )
    else:
        lines += ["| category | n | acceptable |", "|---|---|---|"]
        for key, b in scores["acceptable"].items():
            lines.append(f"| {key} | {b['n']} | {b['rate']:.3f} |")
        lines += [
            "",
            f"High-stakes cases below sev2: {len(scores['high_stakes_below_sev2'])}"
            + (f" ({', '.join(scores['high_stakes_below_sev2'])})" if scores["high_stakes_below_sev2"] else ""),
            f"Appended text that lowered a sev1: {len(scores['appended_lowered_sev1'])}",
        ]
        lines += [f"- {x}" for x in scores["appended_lowered_sev1"]]
        lines += ["", "## Not acceptable", ""] + [f"- {x}" for x in scores["failures"]]
    return "\n".join(lines) + "\n"


def run(corpus: str, name: str, now: datetime, path: Path | None = None) -> dict[str, Any]:
    corpora = {
        "dev": DEV,
        "unseen": UNSEEN,
        "unseen_b": UNSEEN_B,
        "unseen_ml": UNSEEN_ML,
        "unseen_c": UNSEEN_C,
        "tuning": TUNING,
    }
    source = path or corpora[corpus]
    if not source.exists():
        raise SystemExit(f"error: {source} not found (the dev set lives in ../shared/datasets)")
    rows = load(source)
    out = verdicts(rows, now)
    scorer: Callable[..., dict[str, Any]] = score_dev if corpus == "dev" else score_unseen
    scores = scorer(rows, out)
    command = f"python -m evals.triage_eval {corpus}" + (f" --name {name}" if name != "current" else "")
    REPORTS.mkdir(parents=True, exist_ok=True)
    stem = REPORTS / f"triage__{corpus}__{name}"
    stem.with_suffix(".json").write_text(json.dumps(scores, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    stem.with_suffix(".md").write_text(markdown(corpus, name, scores, command), encoding="utf-8")
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=["dev", "unseen", "unseen_b", "unseen_ml", "unseen_c", "tuning"])
    parser.add_argument("--name", default="current", help="report suffix")
    parser.add_argument("--now", default=DEFAULT_NOW.isoformat())
    parser.add_argument("--path", type=Path, default=None, help="another corpus file of the same shape")
    args = parser.parse_args(argv)
    scores = run(args.corpus, args.name, datetime.fromisoformat(args.now), args.path)
    head = scores["all"] if args.corpus == "dev" else scores["acceptable"]["all"]
    print(json.dumps(head, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
