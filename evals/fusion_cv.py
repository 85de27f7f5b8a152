"""Choose how far the verdict trusts the classifier, on data neither the rules nor the classifier saw.

    python -m evals.fusion_cv [--folds 5] [--variants current,alone_sev1,...]

The written training conversations (evals/datasets/triage/train_*.jsonl) were never used to tune
the policy's patterns. Cut them into folds; for each fold, train the classifier as `escalate train`
does (the shipped pool's shippable rows + the other folds), score the held-out fold, and run the
real `assess()` with each fusion variant (the policy's [fusion] settings, changed in memory). The
share of held-out rows whose severity and target are both acceptable, per variant and category,
goes to evals/reports/triage/fusion_cv.md. The blind evaluation corpus is never read here.
"""

import argparse
import json
import random
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app.core.assessment.cues import compile_cues
from app.core.assessment.speakers import find_speakers
from app.core.classifier.data import SHARED_POOL, SHIPPABLE_LICENCES, Example, read_examples
from app.core.classifier.model import TriageClassifier
from app.core.classifier.train import TrainConfig, fit
from app.core.policy import load_policy
from app.services import assessment as service
from schemas.common import Severity

REPO = Path(__file__).resolve().parents[1]
TRAIN_DIR = REPO / "evals" / "datasets" / "triage"
REPORTS = REPO / "evals" / "reports" / "triage"
NOW = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)

# Each variant: policy [fusion] overrides.
VARIANTS: dict[str, dict[str, Any]] = {
    "rules_only": {"_no_classifier": True},
    "current": {},
    "alone_sev1": {"classifier_alone_raises_to": Severity.sev1},
    "lead": {"classifier_alone_raises_to": Severity.sev1, "classifier_leads_at": 0.6},
    "lead_50_not_records": {"classifier_alone_raises_to": Severity.sev1, "classifier_leads_at": 0.5},
    "lead_50_alone2": {"classifier_alone_raises_to": Severity.sev2, "classifier_leads_at": 0.5},
    "lead_50_records": {
        "classifier_alone_raises_to": Severity.sev1,
        "classifier_leads_at": 0.5,
        "classifier_leads_incident_records": True,
    },
    "lead_70": {"classifier_alone_raises_to": Severity.sev1, "classifier_leads_at": 0.7},
    "lead_any_50": {
        "classifier_alone_raises_to": Severity.sev1,
        "classifier_leads_at": 0.5,
        "classifier_over_decisive": True,
    },
    "lead_any_60": {
        "classifier_alone_raises_to": Severity.sev1,
        "classifier_leads_at": 0.6,
        "classifier_over_decisive": True,
    },
}


def _rows() -> list[dict[str, Any]]:
    rows = []
    for path in sorted(TRAIN_DIR.glob("train_*.jsonl")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--no-pool", action="store_true", help="train on the written conversations only")
    parser.add_argument(
        "--trusted-text",
        action="store_true",
        help="train on what the classifier reads at run time (Speakers.trusted_text), not whole ticket texts",
    )
    parser.add_argument(
        "--pool-heads", action="store_true", help="severity and target learn from the public pool too (the old way)"
    )
    args = parser.parse_args(argv)
    names = args.variants.split(",")
    rows = _rows()
    by_id = {r["id"]: r for r in rows}
    examples = {ex.id: ex for path in sorted(TRAIN_DIR.glob("train_*.jsonl")) for ex in read_examples(path)}
    pool = (
        [ex for ex in read_examples(SHARED_POOL) if ex.licence in SHIPPABLE_LICENCES]
        if SHARED_POOL.exists() and not args.no_pool
        else []
    )
    # Appended variants share their base's story: keep a base and its variants in one fold.
    groups: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        groups[r.get("base_id") or r["id"]].append(r["id"])
    keys = sorted(groups)
    random.Random(0).shuffle(keys)
    folds = [keys[i :: args.folds] for i in range(args.folds)]
    policy = load_policy()
    results: dict[str, dict[str, list[bool]]] = {n: defaultdict(list) for n in names}
    for k, fold in enumerate(folds):
        held = [i for key in fold for i in groups[key]]
        train: list[Example] = pool + [ex for i, ex in examples.items() if i not in set(held)]
        config = TrainConfig(own_only_heads=()) if args.pool_heads else TrainConfig()
        if args.trusted_text:
            # What the classifier reads at run time (assess: Speakers.trusted_text), comments and logs out.
            untrusted = compile_cues(policy).untrusted
            train = [replace(ex, text=find_speakers(ex.text, untrusted).trusted_text(ex.text)) for ex in train]
        clf = TriageClassifier(fit(train, config).to_artifact())
        for case_id in held:
            row = by_id[case_id]
            for name in names:
                overrides = dict(VARIANTS[name])
                no_clf = overrides.pop("_no_classifier", False)
                pol = policy.model_copy(update={"fusion": policy.fusion.model_copy(update=overrides)})
                # The product's own path (redaction, relocation, classifier): only the artifact differs.
                service.load_default = (lambda: None) if no_clf else (lambda c=clf: c)  # type: ignore[misc]
                a = service.assess_ticket(row["input_text"], pol, NOW)
                ok = a.severity.value in row["acceptable_severities"] and a.target.value in row["acceptable_targets"]
                results[name][row["category"]].append(ok)
                results[name]["all"].append(ok)
        print(f"fold {k + 1}/{args.folds} done", flush=True)
    cats = sorted({c for r in results.values() for c in r})
    flags = (
        (" --no-pool" if args.no_pool else "")
        + (" --pool-heads" if args.pool_heads else "")
        + (" --trusted-text" if args.trusted_text else "")
    )
    lines = [
        "# Fusion variants, cross-validated on the written training conversations",
        "",
        f"Command: `python -m evals.fusion_cv --folds {args.folds}{flags}`; {len(rows)} rows, "
        "classifier retrained per fold.",
        "",
        "| variant | " + " | ".join(cats) + " |",
        "|---|" + "---|" * len(cats),
    ]
    for name in names:
        cells = [f"{sum(results[name][c]) / len(results[name][c]):.3f}" if results[name][c] else "-" for c in cats]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    (REPORTS / f"fusion_cv{flags.replace(' --', '_').replace('-', '')}.md").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
