"""Compare two reports: per-metric deltas (B - A) with paired bootstrap confidence intervals, and the
cases whose final severity or target flipped between right and wrong.

The bootstrap resamples the cases both reports share, with replacement, and recomputes every
metric on the same resample for A and for B; the interval is the 2.5th-97.5th percentile of the
deltas. It is seeded, so the same two reports always give the same intervals.
"""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from evals.metrics import Scored, direction, scalar_metrics
from evals.report import Report, fmt, markdown_table

# What a comparison is about; counts (n, failed) are shown in the header, not bootstrapped.
SKIP = ("run.n", "run.failed", "grounding.identifiers", "tokens.total", "reasks.total")


@dataclass(frozen=True)
class MetricDelta:
    metric: str
    a: float | None
    b: float | None
    delta: float | None
    low: float | None
    high: float | None
    direction: int
    """+1 higher is better, -1 lower is better, 0 neither."""

    @property
    def verdict(self) -> str:
        """'better' / 'worse' when the whole interval lies on one side of 0, else 'no clear change'."""
        if self.low is None or self.high is None or self.direction == 0:
            return ""
        if self.low > 0 or self.high < 0:
            return "better" if (self.low > 0) == (self.direction > 0) else "worse"
        return "no clear change"


@dataclass(frozen=True)
class Flip:
    case_id: str
    repeat: int
    what: str  # "severity" or "target"
    gold: str
    a: str
    b: str
    became: str  # "right" or "wrong"


@dataclass
class Comparison:
    a: str
    b: str
    shared_cases: int
    n_boot: int
    seed: int
    warnings: list[str] = field(default_factory=list)
    deltas: list[MetricDelta] = field(default_factory=list)
    flips: list[Flip] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["deltas"] = [asdict(d) | {"verdict": d.verdict} for d in self.deltas]
        return data


def _paired(a: Report, b: Report) -> tuple[list[Scored], list[Scored]]:
    left = {(c.id, c.outcome.repeat): Scored(c.gold, c.outcome) for c in a.cases}
    right = {(c.id, c.outcome.repeat): Scored(c.gold, c.outcome) for c in b.cases}
    keys = [k for k in left if k in right]
    return [left[k] for k in keys], [right[k] for k in keys]


def bootstrap_deltas(
    left: Sequence[Scored], right: Sequence[Scored], *, n_boot: int = 1000, seed: int = 0
) -> list[MetricDelta]:
    """Paired bootstrap over cases of every scalar metric's delta (right - left)."""
    base_a, base_b = scalar_metrics(left), scalar_metrics(right)
    names = [n for n in base_a if n not in SKIP]
    samples: dict[str, list[float]] = {n: [] for n in names}
    rng = np.random.default_rng(seed)
    for _ in range(n_boot if left else 0):
        pick = rng.integers(0, len(left), len(left))
        ma = scalar_metrics([left[i] for i in pick])
        mb = scalar_metrics([right[i] for i in pick])
        for n in names:
            va, vb = ma.get(n), mb.get(n)
            if va is not None and vb is not None:
                samples[n].append(vb - va)
    deltas = []
    for n in names:
        va, vb = base_a.get(n), base_b.get(n)
        if va is None or vb is None or not samples[n]:
            deltas.append(
                MetricDelta(n, va, vb, None if va is None or vb is None else vb - va, None, None, direction(n))
            )
            continue
        low, high = np.percentile(samples[n], [2.5, 97.5])
        deltas.append(MetricDelta(n, va, vb, vb - va, float(low), float(high), direction(n)))
    return deltas


def flips(left: Sequence[Scored], right: Sequence[Scored]) -> list[Flip]:
    found = []
    for x, y in zip(left, right, strict=True):
        for what in ("severity", "target"):
            gold = getattr(x.gold, what)
            if gold is None:
                continue
            pa = getattr(x.outcome, f"{what}_final") if x.outcome.ok else None
            pb = getattr(y.outcome, f"{what}_final") if y.outcome.ok else None
            if (pa == gold) != (pb == gold):
                found.append(
                    Flip(
                        x.outcome.case_id,
                        x.outcome.repeat,
                        what,
                        str(gold),
                        str(pa or "failed"),
                        str(pb or "failed"),
                        "right" if pb == gold else "wrong",
                    )
                )
    return found


def compare_reports(a: Report, b: Report, *, n_boot: int = 1000, seed: int = 0) -> Comparison:
    left, right = _paired(a, b)
    warnings = []
    if a.dataset.sha256 != b.dataset.sha256:
        warnings.append(
            f"different datasets ({a.dataset.name} {a.dataset.sha256[:12]} vs {b.dataset.name} "
            f"{b.dataset.sha256[:12]}): only the {len(left)} shared cases are compared"
        )
    if a.model != b.model:
        warnings.append(f"different models ({a.model} vs {b.model}): deltas mix prompt and model effects")
    if not left:
        warnings.append("the reports share no cases: nothing to compare")
    return Comparison(
        a=a.name,
        b=b.name,
        shared_cases=len(left),
        n_boot=n_boot,
        seed=seed,
        warnings=warnings,
        deltas=bootstrap_deltas(left, right, n_boot=n_boot, seed=seed),
        flips=flips(left, right),
    )


def _single_run_note(a: Report, b: Report) -> list[str]:
    # Measured on the 160-row dev set: two runs of baseline@v1 on one model and one code version
    # differed by +0.042 severity accuracy with an interval of [0.010, 0.085], i.e. "better".
    if min(a.repeats, b.repeats) > 1:
        return []
    return [
        "- The intervals resample cases, not runs: one run per case leaves out the model's run-to-run "
        "variation, so a small delta may be noise; `--repeats N` on both sides measures it"
    ]


def render_markdown(comparison: Comparison, a: Report, b: Report) -> str:
    out = [
        f"# Compare: {a.name} (A) vs {b.name} (B)",
        "",
        f"- A: `{a.prompt.ref}` on `{a.model}`, dataset `{a.dataset.name}` ({a.dataset.sha256[:12]})",
        f"- B: `{b.prompt.ref}` on `{b.model}`, dataset `{b.dataset.name}` ({b.dataset.sha256[:12]})",
        f"- Shared cases: {comparison.shared_cases}; paired bootstrap, {comparison.n_boot} resamples, "
        f"seed {comparison.seed}",
        *(f"- **Warning:** {w}" for w in comparison.warnings),
        *_single_run_note(a, b),
        "",
        *markdown_table(
            ["metric", "A", "B", "B - A", "95% CI", ""],
            [
                [d.metric, fmt(d.a), fmt(d.b), fmt(d.delta), f"[{fmt(d.low)}, {fmt(d.high)}]", d.verdict]
                for d in comparison.deltas
            ],
        ),
    ]
    if comparison.flips:
        out += ["", "## Cases that flipped", ""]
        out += markdown_table(
            ["case", "repeat", "field", "gold", "A", "B", "B became"],
            [[f.case_id, str(f.repeat), f.what, f.gold, f.a, f.b, f.became] for f in comparison.flips],
        )
    return "\n".join(out) + "\n"


HEADLINE = (
    "severity.final.accuracy",
    "severity.final.off_by_one",
    "severity.final.qwk",
    "severity.final.critical_recall",
    "target.final.accuracy",
    "facts.account_ids",
    "facts.error_codes",
    "grounding.ungrounded_rate",
    "run.failed_rate",
)
