"""Evaluate the triage classifier; writes evals/reports/classifier.md (and .json).

    python -m evals.classifier_eval

Needs ../shared/datasets (train.jsonl, public-dev.jsonl). Four parts:
1. method choice: nested cross-validation on the whole training pool (every licence: experiments
   may use the none-stated rows), out-of-fold calibrated probabilities;
2. leave-one-source-out: for each source, train on the pool without it (none-stated rows included)
   and score that source's public-dev rows: the honest figure for a kind of ticket never seen;
3. in-distribution: the whole pool, scored on every dev source (an upper bound, not a promise);
4. the shipped artifact (licence-restricted training data) on every dev source.
Every dev figure goes through the exported JSON artifact and the run-time predictor, the code path
the product uses. Only aggregate figures are written: most dev rows' licences forbid copies.
"""

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

from app.core.classifier import TriageClassifier, load_default
from app.core.classifier.data import OWN_CONVERSATIONS, SHARED_POOL, Example, read_examples
from app.core.classifier.train import TrainConfig, fit
from evals.cases import SHARED_PUBLIC_DEV
from evals.metrics import accuracy, critical_recall, off_by_one, quadratic_weighted_kappa
from schemas.assessment import ClassifierScores
from schemas.common import Severity

REPORT = Path(__file__).resolve().parent / "reports" / "classifier.md"
SOURCES = ("gitbugs", "farsec", "nlbse", "pm", "llmsvc")
CANDIDATES: dict[str, TrainConfig] = {
    "logreg + sigmoid": TrainConfig(),
    "logreg + isotonic": TrainConfig(calibration="isotonic"),
    "linear SVM + sigmoid": TrainConfig(estimator="linear_svm"),
    "complement NB + sigmoid": TrainConfig(estimator="complement_nb"),
}
CHOSEN = "logreg + sigmoid"


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def score_rows(rows: Sequence[Example], predict: Callable[[str], ClassifierScores]) -> dict[str, Any]:
    """Dev figures for one set of rows: severity, security at the artifact's cut, target."""
    scores = [predict(ex.text) for ex in rows]
    out: dict[str, Any] = {"rows": len(rows)}
    sev = [(Severity(ex.severity), s) for ex, s in zip(rows, scores, strict=True) if ex.severity]
    if sev:
        gold = [g for g, _ in sev]
        pred = [max(s.severity, key=lambda level: s.severity[level]) for _, s in sev]
        flagged = [s.severity[Severity.sev1] >= s.sev1_threshold for _, s in sev]
        hits = sum(f and g is Severity.sev1 for f, g in zip(flagged, gold, strict=True))
        out["severity"] = {
            "rows": len(sev),
            "critical": sum(g is Severity.sev1 for g in gold),
            "critical_recall": _r(critical_recall(gold, pred)),
            "qwk": _r(quadratic_weighted_kappa(gold, pred)),
            "accuracy": _r(accuracy(gold, pred)),
            "off_by_one": _r(off_by_one(gold, pred)),
            "sev1_flagged": sum(flagged),
            "sev1_precision_at_cut": _r(hits / sum(flagged)) if any(flagged) else None,
        }
    sec = [(ex.security, s) for ex, s in zip(rows, scores, strict=True) if ex.security is not None]
    if sec:
        truth = np.array([t for t, _ in sec])
        proba = np.array([s.security for _, s in sec])
        flagged = proba >= sec[0][1].security_threshold
        hits = int((flagged & truth).sum())
        out["security"] = {
            "rows": len(sec),
            "positives": int(truth.sum()),
            "average_precision": _r(average_precision_score(truth, proba)) if truth.any() else None,
            "flagged": int(flagged.sum()),
            "precision_at_cut": _r(hits / flagged.sum()) if flagged.any() else None,
            "recall_at_cut": _r(hits / truth.sum()) if truth.any() else None,
        }
    tgt = [(ex.target, s) for ex, s in zip(rows, scores, strict=True) if ex.target]
    if tgt:
        gold_t = [g for g, _ in tgt]
        pred_t = [max(s.target, key=lambda t: s.target[t]).value if s.target else None for _, s in tgt]
        out["target"] = {"rows": len(tgt), "accuracy": _r(accuracy(gold_t, pred_t))}
    return out


def per_source(dev: Sequence[Example], predict: Callable[[str], ClassifierScores]) -> dict[str, Any]:
    return {src: score_rows([ex for ex in dev if ex.source == src], predict) for src in SOURCES}


def run(pool: list[Example], own: list[Example], dev: list[Example]) -> dict[str, Any]:
    everything = pool + own
    result: dict[str, Any] = {"method_choice": {}, "loso": {}, "timings_s": {}}
    for name, config in CANDIDATES.items():
        started = time.perf_counter()
        model = fit(everything, config)
        result["method_choice"][name] = {"thresholds": model.thresholds, **model.cv_figures()}
        result["timings_s"][f"fit {name}"] = round(time.perf_counter() - started, 1)
        if name == CHOSEN:
            in_dist = TriageClassifier(model.to_artifact())
            result["in_distribution"] = {"model_id": in_dist.model_id, **per_source(dev, in_dist.predict)}
    config = CANDIDATES[CHOSEN]
    for src in SOURCES:
        held_in = [ex for ex in everything if ex.source != src]
        clf = TriageClassifier(fit(held_in, config).to_artifact())
        rows = [ex for ex in dev if ex.source == src]
        result["loso"][src] = {
            "thresholds": {"sev1": clf.artifact.thresholds.sev1, "security": clf.artifact.thresholds.security},
            **score_rows(rows, clf.predict),
        }
    shipped = load_default()
    if shipped is not None:
        result["shipped"] = {
            "model_id": shipped.model_id,
            "thresholds": {"sev1": shipped.artifact.thresholds.sev1, "security": shipped.artifact.thresholds.security},
            "cross_validated": shipped.artifact.training.get("cross_validated"),
            **per_source(dev, shipped.predict),
        }
    return result


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _dev_tables(block: dict[str, Any], sources: Sequence[str]) -> list[str]:
    sev_rows, sec_rows, tgt_rows = [], [], []
    for src in sources:
        fig = block[src]
        if "severity" in fig:
            s = fig["severity"]
            sev_rows.append(
                [
                    src,
                    s["rows"],
                    s["critical"],
                    s["critical_recall"],
                    s["qwk"],
                    s["accuracy"],
                    s["off_by_one"],
                    s["sev1_flagged"],
                    s["sev1_precision_at_cut"],
                ]
            )
        if "security" in fig and fig["security"]["positives"]:
            s = fig["security"]
            sec_rows.append(
                [
                    src,
                    s["rows"],
                    s["positives"],
                    s["average_precision"],
                    s["flagged"],
                    s["precision_at_cut"],
                    s["recall_at_cut"],
                ]
            )
        if "target" in fig:
            tgt_rows.append([src, fig["target"]["rows"], fig["target"]["accuracy"]])
    out = ["Severity (argmax of the calibrated probabilities; `sev1 flagged` = P(sev1) >= the sev1 cut):", ""]
    out += _table(
        [
            "source",
            "rows",
            "Critical",
            "Critical recall",
            "QWK",
            "accuracy",
            "off-by-one",
            "sev1 flagged",
            "precision of flags",
        ],
        sev_rows,
    )
    out += ["", "Security (rows whose target team is labelled; flagged = P(security) >= the security cut):", ""]
    out += _table(["source", "rows", "security rows", "average precision", "flagged", "precision", "recall"], sec_rows)
    out += ["", "Target (argmax over the teams the model has):", ""]
    out += _table(["source", "rows", "accuracy"], tgt_rows)
    return out


def render(result: dict[str, Any], counts: dict[str, int]) -> str:
    lines = [
        "# Triage classifier: evaluation",
        "",
        "Written by `python -m evals.classifier_eval` (needs `../shared/datasets`). Training pool: "
        f"`train.jsonl` ({counts['pool']} labelled rows, every licence, for experiments) + "
        f"`evals/datasets/conversations.jsonl` ({counts['own']}); evaluation: `public-dev.jsonl` "
        f"({counts['dev']} rows), never trained on. Labels are tracker priorities and derived rules, not "
        "support severity (see the card). Figures are aggregates only.",
        "",
        "## 1. Method choice (nested 5-fold cross-validation on the whole pool, out-of-fold)",
        "",
    ]
    rows = []
    for name, fig in result["method_choice"].items():
        sev, sec, tgt = fig.get("severity", {}), fig.get("security", {}), fig.get("target", {})
        rows.append(
            [
                name,
                sev.get("accuracy"),
                sev.get("qwk"),
                sev.get("average_precision"),
                sev.get("brier"),
                fig["thresholds"]["sev1"],
                sev.get("precision_at_threshold"),
                sev.get("recall_at_threshold"),
                sec.get("average_precision"),
                sec.get("brier"),
                fig["thresholds"]["security"],
                sec.get("precision_at_threshold"),
                sec.get("recall_at_threshold"),
                tgt.get("accuracy"),
                result["timings_s"][f"fit {name}"],
            ]
        )
    lines += _table(
        [
            "method",
            "sev acc",
            "sev QWK",
            "sev1 AP",
            "sev1 Brier",
            "sev1 cut",
            "sev1 prec",
            "sev1 rec",
            "sec AP",
            "sec Brier",
            "sec cut",
            "sec prec",
            "sec rec",
            "target acc",
            "fit s",
        ],
        rows,
    )
    lines += ["", f"Chosen: **{CHOSEN}** (reasons in app/core/classifier/MODEL_CARD.md).", ""]
    lines += ["## 2. Leave one source out (train on the pool without that source; its dev rows)", ""]
    lines += _dev_tables(result["loso"], SOURCES)
    lines += [
        "",
        "Cuts chosen on each held-in pool: "
        + "; ".join(
            f"{src} sev1 {v['thresholds']['sev1']:.3f} / security {v['thresholds']['security']:.3f}"
            for src, v in result["loso"].items()
        )
        + ".",
        "",
    ]
    lines += ["## 3. In distribution (the whole pool, every licence; experiment only, not shipped)", ""]
    lines += _dev_tables(result["in_distribution"], SOURCES)
    if "shipped" in result:
        shipped = result["shipped"]
        th = shipped["thresholds"]
        lines += [
            "",
            f"## 4. The shipped artifact `{shipped['model_id']}` (CC-BY-4.0 + EPL-1.0 rows + "
            f"conversations), cuts sev1 {th['sev1']:.3f}, security {th['security']:.3f}",
            "",
        ]
        lines += _dev_tables(shipped, SOURCES)
        lines += [
            "",
            "Its own cross-validated figures (training rows, out-of-fold): `"
            + json.dumps(shipped["cross_validated"])
            + "`",
        ]
    lines += ["", "Timings (2 shared cores): " + ", ".join(f"{k} {v} s" for k, v in result["timings_s"].items()), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORT)
    args = parser.parse_args()
    if not SHARED_POOL.exists() or not SHARED_PUBLIC_DEV.exists():
        raise SystemExit(f"needs {SHARED_POOL} and {SHARED_PUBLIC_DEV} next to the repository")
    pool = read_examples(SHARED_POOL)
    own = read_examples(OWN_CONVERSATIONS)
    dev = read_examples(SHARED_PUBLIC_DEV, for_training=False)
    started = time.perf_counter()
    result = run(pool, own, dev)
    result["timings_s"]["total"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    args.out.write_text(render(result, {"pool": len(pool), "own": len(own), "dev": len(dev)}), encoding="utf-8")
    print(f"wrote {args.out} and {args.out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
