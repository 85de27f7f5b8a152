"""Eval reports: JSON that re-makes every figure (command, prompt, model, dataset hash, per-case
outcomes) and a Markdown rendering of it. Saved under evals/reports/ where the web app reads them."""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.errors import InputError
from evals.cases import EVALS_DIR, OPEN_LICENCES, Case, Dataset, Gold
from evals.metrics import SEVERITIES, SOURCES, Scored, by_tag, scalar_metrics, severity_confusion
from evals.outcome import Outcome

REPORTS_DIR = EVALS_DIR / "reports"
SCHEMA = "escalate-eval-report/1"


class PromptInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ref: str
    output: str = "brief"
    sha256: str = Field(default="", description="Hash of the prompt file, so an edited prompt shows.")


class DatasetInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    origin: str
    sha256: str
    cases: int


class CaseRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    tags: list[str] = Field(default_factory=list)
    gold: Gold
    outcome: Outcome


class BaselineGain(BaseModel):
    """How the report's approach compares with the prose baseline on the same model and dataset."""

    model_config = ConfigDict(extra="forbid")

    report: str
    prompt: str
    deltas: list[dict[str, Any]]


class Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: str = Field(default=SCHEMA, alias="schema")
    name: str
    created_at: datetime
    command: str
    prompt: PromptInfo
    backend: str
    model: str
    dataset: DatasetInfo
    policy: str = ""
    repeats: int = 1
    concurrency: int = 1
    metrics: dict[str, float | None]
    confusion: dict[str, list[list[int]]]
    by_tag: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    baseline: BaselineGain | None = None
    cases: list[CaseRecord]

    def scored(self) -> list[Scored]:
        return [Scored(c.gold, c.outcome) for c in self.cases]


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def build_report(
    *,
    name: str,
    command: str,
    prompt: PromptInfo,
    backend: str,
    model: str,
    dataset: Dataset,
    outcomes: Sequence[Outcome],
    policy: str = "",
    repeats: int = 1,
    concurrency: int = 1,
) -> Report:
    by_id: dict[str, Case] = {case.id: case for case in dataset.cases}
    records = [
        CaseRecord(
            id=o.case_id,
            tags=by_id[o.case_id].tags,
            # The reference brief stays in the dataset: the report keeps what the scorers read.
            gold=by_id[o.case_id].gold.model_copy(update={"brief": None}),
            outcome=o,
        )
        for o in outcomes
    ]
    scored = [Scored(r.gold, r.outcome) for r in records]
    metrics = scalar_metrics(scored)
    for r in records:
        if not committable(by_id[r.id]):
            # The brief quotes its ticket, whose licence forbids copies: the report keeps the scores only.
            r.outcome = r.outcome.model_copy(update={"brief_text": WITHHELD})
    return Report(
        name=name,
        created_at=datetime.now(UTC),
        command=command,
        prompt=prompt,
        backend=backend,
        model=model,
        dataset=DatasetInfo(name=dataset.name, origin=dataset.origin, sha256=dataset.sha256, cases=len(dataset.cases)),
        policy=policy,
        repeats=repeats,
        concurrency=concurrency,
        metrics=metrics,
        confusion={source: severity_confusion(scored, source) for source in SOURCES},
        by_tag=by_tag(scored, [r.tags for r in records]),
        cases=records,
    )


WITHHELD = "(withheld: the ticket's licence does not allow copies; see evals/datasets/README.md)"


def committable(case: Case) -> bool:
    """Written for this suite, or a public row whose licence allows copies (GitBugs, FARSEC)."""
    return "public" not in case.tags or case.attribution.source in OPEN_LICENCES


def load_report(path: Path) -> Report:
    try:
        return Report.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"report {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"report {path} cannot be read: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"{path} is not an eval report: '{key}': {first['msg']}") from exc


def list_reports(root: Path | None = None) -> list[Path]:
    """Saved reports, newest first (comparison files are not reports)."""
    paths = [p for p in (root or REPORTS_DIR).glob("*.json") if not p.name.startswith("compare-")]
    return sorted(paths, key=lambda p: p.stat().st_mtime, reverse=True)


def write_pair(root: Path, stem: str, json_text: str, markdown: str) -> tuple[Path, Path]:
    """STEM.json + STEM.md under root. Stems end in model names such as "qwen2.5-coder-0.5b", so the
    suffix is appended (Path.with_suffix would cut the stem at its last dot)."""
    root.mkdir(parents=True, exist_ok=True)
    json_path, md_path = root / f"{stem}.json", root / f"{stem}.md"
    json_path.write_text(json_text, encoding="utf-8")
    md_path.write_text(markdown, encoding="utf-8")
    return json_path, md_path


def write_report(report: Report, root: Path | None = None) -> tuple[Path, Path]:
    json_text = report.model_dump_json(indent=2, by_alias=True) + "\n"
    return write_pair(root or REPORTS_DIR, report.name, json_text, render_markdown(report))


# --------------------------------------------------------------------------- Markdown


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _confusion_table(matrix: list[list[int]]) -> list[str]:
    header = ["gold \\ predicted", *(s.value for s in SEVERITIES), "none"]
    return markdown_table(
        header, [[s.value, *(str(n) for n in row)] for s, row in zip(SEVERITIES, matrix, strict=True)]
    )


def _latency_note(m: dict[str, float | None]) -> list[str]:
    measured, answered = m.get("latency.n"), (m.get("run.n") or 0) - (m.get("run.failed") or 0)
    if measured is None or measured == answered:
        return []
    return [f"- Latency: measured on {fmt(measured)} of {fmt(answered)} answered cases; the others replayed a "
            "recording, which takes milliseconds"]  # fmt: skip


def render_markdown(report: Report) -> str:
    m = report.metrics
    out = [
        f"# Eval: {report.prompt.ref} on {report.model} — {report.dataset.name}",
        "",
        f"- Command: `{report.command}`",
        f"- Prompt: `{report.prompt.ref}` ({report.prompt.output}, sha256 `{report.prompt.sha256[:12]}`)",
        f"- Model: `{report.model}` (backend `{report.backend}`)",
        f"- Dataset: `{report.dataset.origin}`, {report.dataset.cases} cases, sha256 `{report.dataset.sha256[:12]}`",
        f"- Policy: `{report.policy}`; repeats {report.repeats}; created {report.created_at:%Y-%m-%d %H:%M UTC}",
        f"- Failed cases: {fmt(m.get('run.failed'))} of {fmt(m.get('run.n'))} (scored 0)",
        *_latency_note(m),
        "",
        "## Severity",
        "",
        *markdown_table(
            ["source", "n", "accuracy", "off-by-one", "macro-F1", "QW kappa", "Critical recall", "target accuracy"],
            [
                [
                    source,
                    fmt(m.get(f"severity.{source}.n")),
                    *(
                        fmt(m.get(f"severity.{source}.{k}"))
                        for k in ("accuracy", "off_by_one", "macro_f1", "qwk", "critical_recall")
                    ),
                    fmt(m.get(f"target.{source}.accuracy")),
                ]
                for source in SOURCES
            ],
        ),
    ]
    for source in SOURCES:
        out += ["", f"### Confusion matrix ({source})", "", *_confusion_table(report.confusion[source])]
    out += [
        "",
        "## Facts, grounding, rules, cost",
        "",
        *markdown_table(
            ["metric", "value"],
            [
                [name, fmt(value)]
                for name, value in m.items()
                if name.startswith(("facts.", "grounding.", "rules.", "reasks.", "tokens.", "latency.", "run.valid"))
            ],
        ),
    ]
    if report.baseline:
        out += [
            "",
            f"## Gain over the prose baseline ({report.baseline.prompt}, report `{report.baseline.report}`)",
            "",
        ]
        out += markdown_table(
            ["metric", "baseline", "this", "delta", "95% CI"],
            [
                [d["metric"], fmt(d["a"]), fmt(d["b"]), fmt(d["delta"]), f"[{fmt(d['low'])}, {fmt(d['high'])}]"]
                for d in report.baseline.deltas
            ],
        )
    failures = [c for c in report.cases if not c.outcome.ok]
    if failures:
        out += ["", "## Failed cases", ""]
        out += [f"- `{c.id}` (repeat {c.outcome.repeat}): {c.outcome.error}" for c in failures]
    wrong = [
        c for c in report.cases if c.outcome.ok and c.gold.severity and c.outcome.severity_final != c.gold.severity
    ]
    if wrong:
        out += ["", "## Final severity misses", ""]
        out += markdown_table(
            ["case", "gold", *SOURCES],
            [
                [c.id, str(c.gold.severity), *(str(getattr(c.outcome, f"severity_{s}") or "–") for s in SOURCES)]
                for c in wrong
            ],
        )
    return "\n".join(out) + "\n"


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
