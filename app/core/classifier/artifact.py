"""The artifact's file format: plain JSON checked by a schema, so loading it runs no code.

A pickle (or joblib) file executes whatever it names when loaded; this file holds only the
vocabulary, idf weights, linear coefficients, calibration maps and thresholds, and a file that
does not match the schema is refused.
"""

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT = "triage-clf/1"


class Sigmoid(BaseModel):
    """Platt scaling: P = 1 / (1 + exp(a * score + b)), as scikit-learn's _SigmoidCalibration."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    method: Literal["sigmoid"] = "sigmoid"
    a: float
    b: float

    def __call__(self, score: float) -> float:
        z = self.a * score + self.b
        # Written both ways so neither branch can overflow exp().
        return 1.0 / (1.0 + math.exp(z)) if z < 0 else math.exp(-z) / (1.0 + math.exp(-z))


class Isotonic(BaseModel):
    """Isotonic regression: linear interpolation between fitted points, clipped at both ends."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    method: Literal["isotonic"] = "isotonic"
    x: list[float] = Field(min_length=1)
    y: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length(self) -> "Isotonic":
        if len(self.x) != len(self.y) or any(b < a for a, b in zip(self.x, self.x[1:], strict=False)):
            raise ValueError("isotonic map needs x and y of one length, x ascending")
        return self

    def __call__(self, score: float) -> float:
        xs, ys = self.x, self.y
        if score <= xs[0]:
            return ys[0]
        if score >= xs[-1]:
            return ys[-1]
        lo, hi = 0, len(xs) - 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if xs[mid] <= score:
                lo = mid
            else:
                hi = mid
        span = xs[hi] - xs[lo]
        return ys[lo] if span == 0 else ys[lo] + (ys[hi] - ys[lo]) * (score - xs[lo]) / span


class Head(BaseModel):
    """One linear classifier over the shared features, with a calibration map per score column.

    Binary heads have one coefficient row (the score of classes[1]); multiclass heads one per class.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    classes: list[str] = Field(min_length=2)
    coef: list[list[float]] = Field(min_length=1)
    intercept: list[float] = Field(min_length=1)
    calibration: list[Sigmoid | Isotonic] = Field(min_length=1)

    @model_validator(mode="after")
    def _shapes(self) -> "Head":
        rows = 1 if len(self.classes) == 2 else len(self.classes)
        if not len(self.coef) == len(self.intercept) == len(self.calibration) == rows:
            raise ValueError(f"a head of {len(self.classes)} classes needs {rows} coefficient rows and maps")
        if len({len(row) for row in self.coef}) != 1:
            raise ValueError("coefficient rows differ in length")
        return self


class Features(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_chars: int
    ngram_max: int
    vocabulary: list[str] = Field(min_length=1, description="Terms in column order.")
    idf: list[float] = Field(min_length=1)


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sev1: float = Field(ge=0.0, le=1.0)
    security: float = Field(ge=0.0, le=1.0)
    rule: str = Field(description="How the cuts were chosen, in words.")


class Artifact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["triage-clf/1"]
    model_id: str
    features: Features
    severity: Head
    security: Head
    target: Head | None = None
    thresholds: Thresholds
    training: dict[str, object] = Field(
        default_factory=dict, description="Provenance: data hash, rows per source, settings, cross-validated figures."
    )

    @model_validator(mode="after")
    def _widths(self) -> "Artifact":
        width = len(self.features.vocabulary)
        if len(self.features.idf) != width:
            raise ValueError("idf and vocabulary differ in length")
        for head in (self.severity, self.security, self.target):
            if head is not None and len(head.coef[0]) != width:
                raise ValueError("a head's coefficients do not match the vocabulary")
        return self


def read_artifact(path: Path) -> Artifact:
    return Artifact.model_validate_json(path.read_bytes())


def write_artifact(artifact: Artifact, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # One line, no indentation: the file is data for the loader, and small matters (package data).
    path.write_text(artifact.model_dump_json(exclude_none=True) + "\n", encoding="utf-8")
