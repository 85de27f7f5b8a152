"""Evaluate the triage classifier; writes evals/reports/classifier/classifier.md and .json, and the figures
block of app/core/classifier/MODEL_CARD.md.

    python -m evals.classifier_eval                  # all of it (about 12 min on 2 busy cores)
    python -m evals.classifier_eval --render-only    # rewrite the Markdown from the saved .json

Needs ../shared/datasets (train.jsonl, public-dev.jsonl). Four parts:
1. method choice: nested cross-validation on the whole training pool (every licence: experiments
   may use the none-stated rows), out-of-fold calibrated probabilities;
2. leave-one-source-out: for each source, train on the pool without it (none-stated rows included)
   and score that source's public-dev rows: the honest figure for a kind of ticket never seen;
3. in distribution: the whole pool, scored on every dev source (an upper bound, not a promise);
4. the shipped artifact (licence-restricted training data) on every dev source.
Every dev figure goes through the exported JSON artifact and the run-time predictor, the code path
the product uses. Only aggregate figures are written: most dev rows' licences forbid copies.
"""

import argparse
import json
import re
import time
from collections.abc import Sequence
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

REPORT = Path(__file__).resolve().parent / "reports" / "classifier" / "classifier.md"
CARD = Path(__file__).resolve().parents[1] / "app" / "core" / "classifier" / "MODEL_CARD.md"
SOURCES = ("gitbugs", "farsec", "nlbse", "pm", "llmsvc")
# The method comparison is on the public pool, so every head learns from every row here.
CANDIDATES: dict[str, TrainConfig] = {
    "logreg + sigmoid": TrainConfig(own_only_heads=()),
    "logreg + isotonic": TrainConfig(calibration="isotonic", own_only_heads=()),
    "linear SVM + sigmoid": TrainConfig(estimator="linear_svm", own_only_heads=()),
    "complement NB + sigmoid": TrainConfig(estimator="complement_nb", own_only_heads=()),
}
CHOSEN = "logreg + sigmoid"
_CARD_BLOCK = re.compile(r"(<!-- figures:[^\n]*-->\n).*?(<!-- /figures -->)", re.S)


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def score_rows(rows: Sequence[Example], scores: Sequence[ClassifierScores]) -> dict[str, Any]:
    """Dev figures for one set of rows: severity, security at each score's own cut, target."""
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
        raised = np.array([s.security >= s.security_threshold for _, s in sec])
        hits = int((raised & truth).sum())
        out["security"] = {
            "rows": len(sec),
            "positives": int(truth.sum()),
            "average_precision": _r(average_precision_score(truth, proba)) if truth.any() else None,
            "flagged": int(raised.sum()),
            "precision_at_cut": _r(hits / raised.sum()) if raised.any() else None,
            "recall_at_cut": _r(hits / truth.sum()) if truth.any() else None,
        }
    tgt = [(ex.target, s) for ex, s in zip(rows, scores, strict=True) if ex.target]
    if tgt:
        gold_t = [g for g, _ in tgt]
        pred_t = [max(s.target, key=lambda t: s.target[t]).value if s.target else None for _, s in tgt]
        out["target"] = {"rows": len(tgt), "accuracy": _r(accuracy(gold_t, pred_t))}
    return out


def per_source(dev: Sequence[Example], scores: Sequence[ClassifierScores]) -> dict[str, Any]:
    """Figures per source, and over all dev rows together ("all")."""
    out: dict[str, Any] = {}
    for src in SOURCES:
        pairs = [(ex, sc) for ex, sc in zip(dev, scores, strict=True) if ex.source == src]
        out[src] = score_rows([ex for ex, _ in pairs], [sc for _, sc in pairs])
    out["all"] = score_rows(dev, scores)
    return out


def run(pool: list[Example], own: list[Example], dev: list[Example]) -> dict[str, Any]:
    everything = pool + own
    result: dict[str, Any] = {"method_choice": {}, "loso_thresholds": {}, "timings_s": {}}
    for name, config in CANDIDATES.items():
        started = time.perf_counter()
        model = fit(everything, config)
        result["timings_s"][f"fit {name}"] = round(time.perf_counter() - started, 1)
        result["method_choice"][name] = {"thresholds": model.thresholds, **model.cv_figures()}
        if name == CHOSEN:
            clf = TriageClassifier(model.to_artifact())
            result["in_distribution"] = {
                "model_id": clf.model_id,
                **per_source(dev, [clf.predict(ex.text) for ex in dev]),
            }
    # Each dev row is scored by the model that never saw its source.
    loso: dict[str, ClassifierScores] = {}
    for src in SOURCES:
        started = time.perf_counter()
        clf = TriageClassifier(fit([ex for ex in everything if ex.source != src], CANDIDATES[CHOSEN]).to_artifact())
        result["timings_s"][f"fit without {src}"] = round(time.perf_counter() - started, 1)
        cuts = clf.artifact.thresholds
        result["loso_thresholds"][src] = {"sev1": cuts.sev1, "security": cuts.security}
        loso.update({ex.id: clf.predict(ex.text) for ex in dev if ex.source == src})
    result["loso"] = per_source(dev, [loso[ex.id] for ex in dev])
    shipped = load_default()
    if shipped is not None:
        cuts = shipped.artifact.thresholds
        result["shipped"] = {
            "model_id": shipped.model_id,
            "thresholds": {"sev1": cuts.sev1, "security": cuts.security},
            "cross_validated": shipped.artifact.training.get("cross_validated"),
            **per_source(dev, [shipped.predict(ex.text) for ex in dev]),
        }
    return result


# --------------------------------------------------------------------------- Markdown


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]


SEV_HEADER = (
    "source",
    "rows",
    "Critical",
    "Critical recall",
    "QWK",
    "accuracy",
    "off-by-one",
    "sev1 flagged",
    "precision",
)
SEC_HEADER = ("source", "rows", "security rows", "average precision", "flagged", "precision", "recall")


def _dev_tables(block: dict[str, Any]) -> list[str]:
    sev_rows, sec_rows, tgt_rows = [], [], []
    for src in (*SOURCES, "all"):
        fig = block[src]
        if "severity" in fig:
            s = fig["severity"]
            sev_keys = ("rows", "critical", "critical_recall", "qwk", "accuracy", "off_by_one", "sev1_flagged")
            sev_rows.append([src, *(s[k] for k in sev_keys), s["sev1_precision_at_cut"]])
        if "security" in fig:
            s = fig["security"]
            sec_keys = ("rows", "positives", "average_precision", "flagged", "precision_at_cut", "recall_at_cut")
            sec_rows.append([src, *(s[k] for k in sec_keys)])
        if "target" in fig:
            tgt_rows.append([src, fig["target"]["rows"], fig["target"]["accuracy"]])
    out = [
        "Severity: argmax of the calibrated probabilities; `sev1 flagged`: P(sev1) >= the sev1 cut, with the "
        "precision of those flags.",
        "",
    ]
    out += _table(SEV_HEADER, sev_rows)
    out += [
        "",
        "Security: rows whose target team is labelled (sources without security rows show false alarms); "
        "flagged: P(security) >= the security cut.",
        "",
    ]
    out += _table(SEC_HEADER, sec_rows)
    out += ["", "Target: argmax over the teams the model has.", ""]
    out += _table(["source", "rows", "accuracy"], tgt_rows)
    return out


def _method_table(result: dict[str, Any]) -> list[str]:
    rows = []
    for name, fig in result["method_choice"].items():
        sev, sec, tgt = fig.get("severity", {}), fig.get("security", {}), fig.get("target", {})
        rows.append(
            [
                name,
                *(sev.get(k) for k in ("accuracy", "qwk", "average_precision", "brier")),
                fig["thresholds"]["sev1"],
                sev.get("precision_at_threshold"),
                sev.get("recall_at_threshold"),
                *(sec.get(k) for k in ("average_precision", "brier")),
                fig["thresholds"]["security"],
                sec.get("precision_at_threshold"),
                sec.get("recall_at_threshold"),
                tgt.get("accuracy"),
                f"{result['timings_s'][f'fit {name}']:.0f}",
            ]
        )
    header = ["method", "sev acc", "sev QWK", "sev1 AP", "sev1 Brier", "sev1 cut", "sev1 prec", "sev1 rec"]
    header += ["sec AP", "sec Brier", "sec cut", "sec prec", "sec rec", "target acc", "fit s"]
    return _table(header, rows)


def render(result: dict[str, Any]) -> str:
    counts = result["counts"]
    lines = [
        "# Triage classifier: evaluation",
        "",
        "Written by `python -m evals.classifier_eval` (needs `../shared/datasets`). Training pool: "
        f"`train.jsonl` ({counts['pool']} labelled rows, every licence, for experiments) + "
        f"`evals/datasets/conversations.jsonl` ({counts['own']}); evaluation: `public-dev.jsonl` "
        f"({counts['dev']} rows), never trained on. Labels are tracker priorities and derived rules, not "
        "support severity (see the model card). Aggregates only: most dev rows' licences forbid copies.",
        "",
        "## 1. Method choice (nested 5-fold cross-validation on the whole pool, out-of-fold)",
        "",
        "AP: average precision of the positive class; Brier: mean squared error of its calibrated probability; "
        "cut: the threshold the written rule picks (1.000 = no cut qualifies); prec/rec at that cut.",
        "",
        *_method_table(result),
        "",
        f"Chosen: **{CHOSEN}** (why: app/core/classifier/MODEL_CARD.md).",
        "",
        "## 2. Leave one source out (each dev row scored by a model trained on the pool without its source)",
        "",
        *_dev_tables(result["loso"]),
        "",
        "Cuts chosen on each held-in pool: "
        + "; ".join(
            f"without {src}: sev1 {v['sev1']:.3f}, security {v['security']:.3f}"
            for src, v in result["loso_thresholds"].items()
        )
        + ".",
        "",
        "## 3. In distribution (the whole pool, every licence; an experiment, never shipped)",
        "",
        *_dev_tables(result["in_distribution"]),
    ]
    if "shipped" in result:
        shipped = result["shipped"]
        th = shipped["thresholds"]
        lines += [
            "",
            f"## 4. The shipped artifact `{shipped['model_id']}` (CC-BY-4.0 + EPL-1.0 rows + conversations; "
            f"cuts: sev1 {th['sev1']:.3f}, security {th['security']:.3f})",
            "",
            *_dev_tables(shipped),
            "",
            "Its cross-validated figures on its own training rows (out-of-fold, the ones that set its cuts): `"
            + json.dumps(shipped["cross_validated"])
            + "`",
        ]
    lines += ["", "Timings (2 shared cores): " + ", ".join(f"{k} {v} s" for k, v in result["timings_s"].items()), ""]
    return "\n".join(lines)


def card_figures(result: dict[str, Any]) -> str:
    """The model card's figures block: the shipped artifact on the dev set, and what LOSO says."""
    shipped, loso = result["shipped"], result["loso"]
    cv = shipped["cross_validated"]
    lines = [
        f"Shipped artifact `{shipped['model_id']}`: sev1 cut {shipped['thresholds']['sev1']:.3f}, "
        f"security cut {shipped['thresholds']['security']:.3f}. Out-of-fold on its training rows: severity "
        f"accuracy {cv['severity']['accuracy']}, QWK {cv['severity']['qwk']} ({cv['severity']['rows']} rows, "
        f"{cv['severity']['positives']} sev1); security AP {cv['security']['average_precision']}, precision "
        f"{cv['security']['precision_at_threshold']} and recall {cv['security']['recall_at_threshold']} at its "
        f"cut ({cv['security']['positives']} security rows of {cv['security']['rows']}).",
        "",
        "On `public-dev.jsonl` (160 rows, never trained on), shipped artifact / leave-one-source-out:",
        "",
    ]
    rows = []
    for src in (*SOURCES, "all"):
        a, b = shipped[src], loso[src]
        sev_a, sev_b = a.get("severity"), b.get("severity")
        sec_a, sec_b = a.get("security", {}), b.get("security", {})

        def pair(x: dict[str, Any] | None, y: dict[str, Any] | None, key: str) -> str:
            return f"{_cell((x or {}).get(key))} / {_cell((y or {}).get(key))}" if x or y else "–"

        rows.append(
            [
                src,
                pair(sev_a, sev_b, "critical_recall"),
                pair(sev_a, sev_b, "qwk"),
                pair(sev_a, sev_b, "sev1_flagged"),
                pair(sec_a, sec_b, "average_precision"),
                f"{sec_a.get('flagged')} ({_cell(sec_a.get('precision_at_cut'))}) / "
                f"{sec_b.get('flagged')} ({_cell(sec_b.get('precision_at_cut'))})",
                pair(sec_a, sec_b, "recall_at_cut"),
                pair(a.get("target"), b.get("target"), "accuracy"),
            ]
        )
    header = ["source", "Critical recall", "QWK", "sev1 flagged", "security AP", "security flagged (precision)"]
    header += ["security recall", "target accuracy"]
    lines += _table(header, rows)
    lines += ["", "Everything else, and the method comparison: `evals/reports/classifier/classifier.md`."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPORT)
    parser.add_argument("--render-only", action="store_true", help="Rewrite the Markdown from the saved JSON.")
    args = parser.parse_args()
    saved = args.out.with_suffix(".json")
    if args.render_only:
        result = json.loads(saved.read_text(encoding="utf-8"))
    else:
        if not SHARED_POOL.exists() or not SHARED_PUBLIC_DEV.exists():
            raise SystemExit(f"needs {SHARED_POOL} and {SHARED_PUBLIC_DEV} next to the repository")
        pool = read_examples(SHARED_POOL)
        own = read_examples(OWN_CONVERSATIONS)
        dev = read_examples(SHARED_PUBLIC_DEV, for_training=False)
        started = time.perf_counter()
        result = run(pool, own, dev)
        result["timings_s"]["total"] = round(time.perf_counter() - started, 1)
        result["counts"] = {"pool": len(pool), "own": len(own), "dev": len(dev)}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    args.out.write_text(render(result), encoding="utf-8")
    if "shipped" in result and args.out == REPORT:
        card = CARD.read_text(encoding="utf-8")
        CARD.write_text(
            _CARD_BLOCK.sub(lambda m: m.group(1) + card_figures(result) + m.group(2), card), encoding="utf-8"
        )
    print(f"wrote {args.out} and {saved}")


if __name__ == "__main__":
    main()
