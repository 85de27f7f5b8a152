"""Training: tf-idf features, one linear classifier per head, sigmoid/isotonic calibration, thresholds.

Three heads share one vocabulary: severity (sev1..sev4), security (yes/no) and target (the teams the
data names often enough). Each head is a scikit-learn `CalibratedClassifierCV(ensemble=False)`: the
estimator is fitted on all rows and its calibration map on out-of-fold scores, so the export is one
linear model plus one map per class. Thresholds come from a second, outer cross-validation of that
whole procedure (out-of-fold calibrated probabilities), never from the rows a cut is judged on.

scikit-learn is imported here only: the run-time side (model.py) reads the exported JSON.
"""

import hashlib
import json
import platform
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, average_precision_score, brier_score_loss, cohen_kappa_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC
from threadpoolctl import threadpool_limits

from app.core.classifier import features
from app.core.classifier.artifact import FORMAT, Artifact, Features, Head, Isotonic, Sigmoid, Thresholds
from app.core.classifier.data import Example, data_sha256
from app.core.errors import InputError

Estimator = Literal["logreg", "linear_svm", "complement_nb"]
HEADS = ("severity", "security", "target")
SEVERITIES = ("sev1", "sev2", "sev3", "sev4")


@dataclass(frozen=True)
class TrainConfig:
    estimator: Estimator = "logreg"
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    max_features: int = 20_000
    min_df: int = 2
    c: float = 4.0  # logistic regression's inverse regularisation strength
    folds: int = 5
    # A class needs this many rows to get its own column: fewer cannot be stratified into the
    # nested folds (5 outer x 3 inner), and its probability would be noise.
    min_class_rows: int = 10
    # The threshold rule (MODEL_CARD.md): the lowest cut at which every cut at or above it that
    # flags at least `min_flagged` out-of-fold rows has precision >= `min_precision`.
    min_precision: float = 0.85
    min_flagged: int = 5
    seed: int = 0
    # Heads that learn only from this project's own rows (written conversations, reviewed briefs):
    # cross-validated on the written conversations, severity and target learned from bug trackers
    # pulled their verdicts towards tracker habits (evals/reports/triage/fusion_cv*.md); the security
    # head keeps the public security reports.
    own_only_heads: tuple[str, ...] = ("severity", "target")


THRESHOLD_RULE = (
    "lowest cut t such that every cut >= t flagging at least {min_flagged} rows has precision >= {min_precision} "
    "on out-of-fold calibrated probabilities ({folds}-fold cross-validation of the training rows); 1.0 (never "
    "raises) when no cut qualifies"
)


def _estimator(config: TrainConfig) -> BaseEstimator:
    # Regularisation strengths were set once, not searched: the comparison in evals/reports/
    # classifier.md is between estimator families, and a grid search per family would tune on the
    # same small pool the thresholds are chosen on.
    if config.estimator == "logreg":
        # balanced: the rare classes (sev1, security) are the ones that matter; calibration undoes the skew.
        return LogisticRegression(C=config.c, class_weight="balanced", max_iter=2000)
    if config.estimator == "linear_svm":
        return LinearSVC(C=0.5, class_weight="balanced")
    return ComplementNB(alpha=0.3)


def _calibrated(config: TrainConfig, folds: int) -> CalibratedClassifierCV:
    cv = StratifiedKFold(folds, shuffle=True, random_state=config.seed)
    return CalibratedClassifierCV(_estimator(config), method=config.calibration, cv=cv, ensemble=False)


def head_labels(examples: list[Example], head: str) -> list[str | None]:
    if head == "severity":
        return [ex.severity for ex in examples]
    if head == "security":
        return [None if ex.security is None else str(ex.security).lower() for ex in examples]
    return [ex.target for ex in examples]


def choose_threshold(proba: np.ndarray, truth: np.ndarray, config: TrainConfig) -> float:
    """The written rule (THRESHOLD_RULE) applied to out-of-fold probabilities of the positive class."""
    order = np.argsort(-proba, kind="stable")
    p, hit = proba[order], truth[order].astype(float)
    precision = np.cumsum(hit) / np.arange(1, len(hit) + 1)
    best = 1.0
    # Walk the cuts from the top down; stop at the first cut (with enough rows flagged) that fails.
    for k in range(len(p)):
        if k + 1 < len(p) and p[k + 1] == p[k]:
            continue  # a cut flags every row of equal probability at once
        if k + 1 >= config.min_flagged:
            if precision[k] < config.min_precision:
                break
            best = float(p[k])
    return best


@dataclass
class FittedHead:
    classes: list[str]
    model: CalibratedClassifierCV
    rows: int
    dropped: dict[str, int]
    oof: np.ndarray  # out-of-fold calibrated probabilities, rows x classes
    truth: np.ndarray


@dataclass
class FittedModel:
    config: TrainConfig
    vectorizer: TfidfVectorizer
    heads: dict[str, FittedHead]
    examples: list[Example]
    thresholds: dict[str, float] = field(default_factory=dict)

    def predict_proba(self, texts: list[str]) -> dict[str, tuple[list[str], np.ndarray]]:
        x = self.vectorizer.transform(texts)
        return {name: (head.classes, head.model.predict_proba(x)) for name, head in self.heads.items()}

    def cv_figures(self) -> dict[str, Any]:
        """Figures of the out-of-fold predictions that chose the thresholds (for the card and the report)."""
        out: dict[str, Any] = {}
        sev = self.heads.get("severity")
        if sev is not None:
            pred = np.array(sev.classes)[sev.oof.argmax(axis=1)]
            ranks = {s: i for i, s in enumerate(SEVERITIES)}
            out["severity"] = {
                "rows": sev.rows,
                "accuracy": round(float(accuracy_score(sev.truth, pred)), 3),
                "qwk": round(
                    float(
                        cohen_kappa_score([ranks[t] for t in sev.truth], [ranks[p] for p in pred], weights="quadratic")
                    ),
                    3,
                ),
                **_ranking(sev, "sev1"),
                **_at_cut(sev, "sev1", self.thresholds["sev1"]),
            }
        sec = self.heads.get("security")
        if sec is not None:
            out["security"] = {
                "rows": sec.rows,
                **_ranking(sec, "true"),
                **_at_cut(sec, "true", self.thresholds["security"]),
            }
        tgt = self.heads.get("target")
        if tgt is not None:
            pred = np.array(tgt.classes)[tgt.oof.argmax(axis=1)]
            out["target"] = {"rows": tgt.rows, "accuracy": round(float(accuracy_score(tgt.truth, pred)), 3)}
        return out

    def to_artifact(self, model_id: str | None = None) -> Artifact:
        vocab = sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.__getitem__)
        sha = data_sha256(self.examples)
        config = self.config
        # The id names what decides the weights: the rows, the settings and the feature definition.
        recipe = json.dumps([sha, asdict(config), features.MAX_CHARS, features.NGRAM_MAX, FORMAT], sort_keys=True)
        return Artifact(
            format=FORMAT,
            model_id=model_id or f"triage-clf@{hashlib.sha256(recipe.encode()).hexdigest()[:12]}",
            features=Features(
                max_chars=features.MAX_CHARS,
                ngram_max=features.NGRAM_MAX,
                vocabulary=vocab,
                idf=[_round(v) for v in self.vectorizer.idf_],
            ),
            severity=_export(self.heads["severity"]),
            security=_export(self.heads["security"]),
            target=_export(self.heads["target"]) if "target" in self.heads else None,
            thresholds=Thresholds(
                sev1=self.thresholds["sev1"],
                security=self.thresholds["security"],
                rule=THRESHOLD_RULE.format(**asdict(config)),
            ),
            training={
                "data_sha256": sha,
                "rows_by_source": dict(sorted(Counter(ex.source for ex in self.examples).items())),
                "rows_by_licence": dict(sorted(Counter(ex.licence for ex in self.examples).items())),
                "classes_dropped": {name: h.dropped for name, h in self.heads.items() if h.dropped},
                "config": asdict(config),
                "cross_validated": self.cv_figures(),
                "scikit_learn": sklearn.__version__,
                "python": platform.python_version(),
            },
        )


def _ranking(head: FittedHead, positive: str) -> dict[str, Any]:
    """How well the positive class is ranked (average precision) and calibrated (Brier score)."""
    if positive not in head.classes:
        return {}
    proba = head.oof[:, head.classes.index(positive)]
    actual = head.truth == positive
    return {
        "average_precision": round(float(average_precision_score(actual, proba)), 3),
        "brier": round(float(brier_score_loss(actual, proba)), 4),
    }


def _at_cut(head: FittedHead, positive: str, cut: float) -> dict[str, Any]:
    if positive not in head.classes:
        return {}
    proba = head.oof[:, head.classes.index(positive)]
    flagged = proba >= cut
    actual = head.truth == positive
    tp = int((flagged & actual).sum())
    return {
        "positives": int(actual.sum()),
        "threshold": cut,
        "flagged": int(flagged.sum()),
        "precision_at_threshold": round(tp / int(flagged.sum()), 3) if flagged.any() else None,
        "recall_at_threshold": round(tp / int(actual.sum()), 3) if actual.any() else None,
    }


def _round(value: float) -> float:
    # Six significant digits: a third of the file size, and predictions move by < 1e-5.
    return float(f"{value:.6g}")


def _export(head: FittedHead) -> Head:
    calibrated = head.model.calibrated_classifiers_[0]
    estimator = calibrated.estimator
    if not hasattr(estimator, "coef_"):
        raise InputError(f"a {type(estimator).__name__} has no linear scores to export; ship logreg or linear_svm")
    maps: list[Sigmoid | Isotonic] = []
    for cal in calibrated.calibrators:
        if hasattr(cal, "a_"):
            maps.append(Sigmoid(a=float(cal.a_), b=float(cal.b_)))
        else:
            maps.append(Isotonic(x=[float(v) for v in cal.X_thresholds_], y=[float(v) for v in cal.y_thresholds_]))
    return Head(
        classes=[str(c) for c in head.model.classes_],
        coef=[[_round(v) for v in row] for row in estimator.coef_],
        intercept=[float(v) for v in estimator.intercept_],
        calibration=maps,
    )


def _fit_head(x: Any, labels: list[str | None], config: TrainConfig) -> FittedHead | None:
    counts = Counter(label for label in labels if label is not None)
    kept = sorted(label for label, n in counts.items() if n >= config.min_class_rows)
    if len(kept) < 2:
        return None
    index = np.array([i for i, label in enumerate(labels) if label in kept])
    y = np.array([labels[i] for i in index])
    xh = x[index]
    model = _calibrated(config, config.folds).fit(xh, y)
    outer = StratifiedKFold(config.folds, shuffle=True, random_state=config.seed + 1)
    oof = cross_val_predict(_calibrated(config, 3), xh, y, cv=outer, method="predict_proba")
    return FittedHead(
        classes=[str(c) for c in model.classes_],
        model=model,
        rows=len(y),
        dropped={label: n for label, n in sorted(counts.items()) if label not in kept},
        oof=oof,
        truth=y,
    )


def fit(examples: list[Example], config: TrainConfig | None = None) -> FittedModel:
    """Fit all heads on `examples` (sorted by id first, so file order cannot change the result)."""
    # One BLAS thread: these problems are small, and with several threads on a busy 2-core machine
    # the solver ran seven times slower (92 s against 13 s for the shipped artifact).
    with threadpool_limits(1):
        return _fit(examples, config)


def _fit(examples: list[Example], config: TrainConfig | None) -> FittedModel:
    config = config or TrainConfig()
    rows = sorted(examples, key=lambda ex: ex.id)
    if len({ex.id for ex in rows}) != len(rows):
        raise InputError("training rows repeat an id; each row must appear once")
    vectorizer = TfidfVectorizer(
        analyzer=features.analyze,
        sublinear_tf=True,
        min_df=config.min_df,
        max_features=config.max_features,
        dtype=np.float64,
    )
    x = vectorizer.fit_transform([ex.text for ex in rows])
    heads: dict[str, FittedHead] = {}
    for name in HEADS:
        labels = head_labels(rows, name)
        if name in config.own_only_heads:
            labels = [label if ex.own else None for ex, label in zip(rows, labels, strict=True)]
        head = _fit_head(x, labels, config)
        if head is not None:
            heads[name] = head
    for required in ("severity", "security"):
        if required not in heads:
            raise InputError(
                f"the training rows hold too few {required} labels (two classes of >= {config.min_class_rows})"
            )
    model = FittedModel(config=config, vectorizer=vectorizer, heads=heads, examples=rows)
    sev, sec = heads["severity"], heads["security"]
    model.thresholds = {
        "sev1": choose_threshold(sev.oof[:, sev.classes.index("sev1")], sev.truth == "sev1", config)
        if "sev1" in sev.classes
        else 1.0,
        "security": choose_threshold(sec.oof[:, sec.classes.index("true")], sec.truth == "true", config),
    }
    return model
