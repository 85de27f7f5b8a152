"""The CI gate: a report's metrics held against the floors and ceilings in evals/thresholds.toml.

    escalate eval gate REPORT [--thresholds evals/thresholds.toml]   (exit 1 when a metric fails)

A metric named in the thresholds but missing or undefined in the report fails too: a gate that
silently skips what it cannot read would pass a broken run.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.errors import InputError
from evals.cases import EVALS_DIR
from evals.report import Report

THRESHOLDS_FILE = EVALS_DIR / "thresholds.toml"


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min: dict[str, float] = Field(default_factory=dict, description="The metric must be at least this.")
    max: dict[str, float] = Field(default_factory=dict, description="The metric must be at most this.")


@dataclass(frozen=True)
class GateResult:
    metric: str
    bound: str  # "min" or "max"
    threshold: float
    value: float | None

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.bound == "min" else self.value <= self.threshold

    def describe(self) -> str:
        shown = "missing" if self.value is None else f"{self.value:.4g}"
        sign = ">=" if self.bound == "min" else "<="
        return f"{'ok  ' if self.passed else 'FAIL'} {self.metric} = {shown} (needs {sign} {self.threshold:g})"


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"thresholds file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"thresholds file {path} cannot be read: {exc}") from exc
    try:
        return Thresholds.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise InputError(f"thresholds file {path}: '{key}': {first['msg']}") from exc


def check(report: Report, thresholds: Thresholds) -> list[GateResult]:
    results = [GateResult(name, "min", bound, report.metrics.get(name)) for name, bound in thresholds.min.items()]
    results += [GateResult(name, "max", bound, report.metrics.get(name)) for name, bound in thresholds.max.items()]
    return results
