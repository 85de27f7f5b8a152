"""`escalate eval --dataset D --prompt ID@vN`: run the eval suite; `compare`, `gate`, `export-reviewed`."""

import re
import shlex
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from app.cli.io import guard
from app.core.errors import EscalateError, InputError
from app.core.llm.settings import Settings, load_settings
from app.core.policy import cached_policy
from app.core.prompts import PROMPTS_DIR, load_prompt
from evals import compare as comparing
from evals import gate as gating
from evals import report as report_store
from evals.cases import EVALS_DIR, NAMED_DATASETS, Case, Dataset, load_dataset
from evals.outcome import Outcome
from evals.report import (
    BaselineGain,
    PromptInfo,
    Report,
    build_report,
    dumps,
    file_sha256,
    list_reports,
    load_report,
    write_report,
)

if TYPE_CHECKING:
    from evals.adapters import Drafter

# The drafting pipeline (openai, instructor) and the store (SQLAlchemy) are imported by the commands
# that use them: `compare` and `gate` read reports only, and every other command pays for what this
# module imports at start-up.

RUNS_DIR = EVALS_DIR / "runs"
EXIT_GATE_FAILED = 1

eval_app = typer.Typer(
    help="Score prompts and models on the eval datasets; compare reports; gate CI on thresholds.",
    no_args_is_help=False,
)


def model_identity(settings: Settings) -> tuple[str, str]:
    """(backend, model) as the cache key and reports name them, without starting any server."""
    if settings.backend == "embedded":
        return "embedded", settings.model_path.name if settings.model_path else settings.embedded_model
    return settings.backend, settings.model or "unnamed"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")


def lazy_drafter(settings: Settings, prompt_ref: str) -> "Drafter":
    """Build the service (which may start the embedded server) only when a case needs the model."""
    from app.services.factory import build_drafting_service
    from evals.adapters import drafter_for

    lock = threading.Lock()
    built: list[Drafter] = []

    def draft(case: Case) -> Outcome:
        with lock:
            if not built:
                service = build_drafting_service(settings, prompt_ref=prompt_ref)
                built.append(drafter_for(service))
        return built[0](case)

    return draft


def _cassette(path: Path, record: bool) -> AbstractContextManager[object]:
    # Imported on use: vcrpy patches HTTP clients, which no other command should pay for.
    from evals.cassette import use_cassette

    return use_cassette(path, record=record)


def _stratified(cases: list[Case], n: int) -> list[Case]:
    """`n` cases taken in turn from each source (file order within a source): a small run that
    still sees every kind of ticket, and the same cases every time."""
    groups: dict[str, list[Case]] = {}
    for c in cases:
        groups.setdefault(c.attribution.source, []).append(c)
    # Within a source, take cases spread over the whole file (files are often sorted by label):
    # ordering by frac(i * golden ratio) makes every prefix an even spread.
    groups = {k: [g[i] for i in sorted(range(len(g)), key=lambda i: (i * 0.6180339887) % 1)] for k, g in groups.items()}
    picked: list[Case] = []
    for i in range(max((len(g) for g in groups.values()), default=0)):
        picked += [g[i] for g in groups.values() if i < len(g)]
    chosen = {id(c) for c in picked[:n]}
    return [c for c in cases if id(c) in chosen]


def _select(dataset: Dataset, tags: list[str], limit: int | None, sample: int | None = None) -> Dataset:
    cases = [c for c in dataset.cases if not tags or set(tags) & {*c.tags, *(f"rule:{r}" for r in c.gold.rules)}]
    if sample is not None:
        cases = _stratified(cases, sample)
    if limit is not None:
        cases = cases[:limit]
    if not cases:
        raise InputError(f"no case of {dataset.name} matches --tag {' '.join(tags)}")
    if len(cases) == len(dataset.cases):
        return dataset
    suffix = (
        (f"-tag-{'-'.join(tags)}" if tags else "")
        + (f"-sample{sample}" if sample is not None else "")
        + (f"-first{limit}" if limit is not None else "")
    )
    return Dataset(f"{dataset.name}{slug(suffix)}", cases, dataset.origin)


def _find_baseline(report: Report, choice: str) -> Report | None:
    if choice == "none" or report.prompt.ref.startswith("baseline@"):
        return None
    if choice != "auto":
        return load_report(Path(choice))
    for path in list_reports():
        try:
            other = load_report(path)
        except InputError:
            continue
        same = other.dataset.sha256 == report.dataset.sha256 and other.model == report.model
        if same and other.prompt.ref.startswith("baseline@"):
            return other
    return None


def command_line(ctx: typer.Context) -> str:
    """The command as given, rebuilt from the parsed options (whatever launched the process)."""
    parts = ["escalate", "eval"]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if value is None or value == param.default or param.param_type_name != "option":
            continue
        if isinstance(value, bool):
            parts.append(param.opts[0] if value else param.secondary_opts[0])
        elif isinstance(value, list | tuple):
            for item in value:
                parts += [param.opts[0], str(item)]
        else:
            parts += [param.opts[0], str(value)]
    return shlex.join(parts)


def _print_headline(report: Report) -> None:
    m = report.metrics
    for name in comparing.HEADLINE:
        value = m.get(name)
        typer.echo(f"  {name:34} {'–' if value is None else f'{value:.3f}'}")


@eval_app.callback(invoke_without_command=True)
def eval_cmd(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option("--dataset", help=f"A JSONL file or one of: {', '.join(NAMED_DATASETS)}.")
    ] = None,
    prompt: Annotated[str, typer.Option("--prompt", help="Prompt ID@vN, e.g. brief@v1 or baseline@v1.")] = "brief@v1",
    backend: Annotated[
        Literal["embedded", "openai"] | None, typer.Option("--backend", help="Model backend (default: settings).")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model name for --backend openai.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint.")] = None,
    repeats: Annotated[int, typer.Option("--repeats", min=1, help="Draft every case N times.")] = 1,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Cases drafted at once.")] = 1,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="Only cases with this tag or rule:ID.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the first N cases.")] = None,
    sample: Annotated[
        int | None, typer.Option("--sample", min=1, help="N cases taken in turn from each source (stratified).")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Report name (default: dataset, prompt, model).")] = None,
    fresh: Annotated[bool, typer.Option("--fresh", help="Discard this run's earlier results.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the response cache.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    cassette: Annotated[
        Path | None, typer.Option("--cassette", help="Replay model traffic from this vcrpy cassette.")
    ] = None,
    record: Annotated[bool, typer.Option("--record", help="With --cassette: record it (needs a live model).")] = False,
    baseline: Annotated[
        str, typer.Option("--baseline", help="'auto' (latest baseline report, same data and model), 'none' or a path.")
    ] = "auto",
) -> None:
    """Draft every case of a dataset and score the briefs: `escalate eval --dataset conversations`."""
    if ctx.invoked_subcommand is not None:
        return
    if dataset is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(2)
    from evals.runner import ResponseCache, ResultsLog, RunHeader, RunSpec, run_cases

    try:
        chosen = _select(load_dataset(dataset), tag or [], limit, sample)
        overrides = {k: v for k, v in {"backend": backend, "model": model, "base_url": base_url}.items() if v}
        settings = load_settings(**overrides)
        prompt_file = load_prompt(prompt)
        backend_name, model_name = model_identity(settings)
        run_name = slug(name or f"{chosen.name}__{prompt_file.id}-v{prompt_file.version}__{model_name}")
        if repeats > 1 and not name:
            run_name += f"__x{repeats}"
        spec = RunSpec(
            prompt=prompt_file.ref, model=f"{backend_name}:{model_name}", repeats=repeats, concurrency=concurrency
        )
        header = RunHeader(prompt=spec.prompt, model=spec.model, dataset_sha256=chosen.sha256, repeats=repeats)
        results = ResultsLog(RUNS_DIR / f"{run_name}.jsonl", header)
        drafter = lazy_drafter(settings, prompt_file.ref)
        typer.echo(f"{len(chosen.cases)} cases x {repeats} of {chosen.name}, {spec.prompt} on {spec.model}", err=True)
        with _cassette(cassette, record) if cassette else nullcontext():
            outcomes = run_cases(
                chosen.cases,
                drafter,
                spec,
                results,
                cache=None if no_cache else ResponseCache(),
                fresh=fresh,
                progress=progress,
            )
        policy = cached_policy(str(settings.policy_file) if settings.policy_file else None)
        report = build_report(
            name=run_name,
            command=command_line(ctx),
            prompt=PromptInfo(
                ref=prompt_file.ref,
                output=prompt_file.output,
                sha256=file_sha256(PROMPTS_DIR / prompt_file.id / f"v{prompt_file.version}.yaml"),
            ),
            backend=backend_name,
            model=spec.model,
            dataset=chosen,
            outcomes=outcomes,
            policy=f"{policy.id}@{policy.version}",
            repeats=repeats,
            concurrency=concurrency,
        )
        base = _find_baseline(report, baseline)
        if base is not None:
            gain = comparing.compare_reports(base, report)
            report.baseline = BaselineGain(
                report=base.name,
                prompt=base.prompt.ref,
                deltas=[asdict(d) for d in gain.deltas if d.metric in comparing.HEADLINE],
            )
        json_path, md_path = write_report(report)
    except EscalateError as exc:
        guard(exc)
    failed = sum(not o.ok for o in outcomes)
    if failed:
        typer.echo(f"{failed} of {len(outcomes)} cases failed and score 0 (see the report)", err=True)
    _print_headline(report)
    typer.echo(f"report: {json_path}\n        {md_path}")


@eval_app.command("compare")
def compare_cmd(
    report_a: Annotated[Path, typer.Argument(help="Report A (the reference), a JSON file.")],
    report_b: Annotated[Path, typer.Argument(help="Report B, a JSON file.")],
    boot: Annotated[int, typer.Option("--boot", min=100, help="Bootstrap resamples.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap.")] = 0,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Also write JSON + Markdown to evals/reports/.")
    ] = True,
) -> None:
    """Per-metric deltas B - A with paired bootstrap 95% intervals, and the cases that flipped."""
    try:
        a, b = load_report(report_a), load_report(report_b)
    except EscalateError as exc:
        guard(exc)
    result = comparing.compare_reports(a, b, n_boot=boot, seed=seed)
    markdown = comparing.render_markdown(result, a, b)
    typer.echo(markdown, nl=False)
    if save:
        stem = slug(f"compare-{a.name}-vs-{b.name}")
        json_path, md_path = report_store.write_pair(report_store.REPORTS_DIR, stem, dumps(result.to_dict()), markdown)
        typer.echo(f"saved: {json_path}, {md_path}", err=True)


@eval_app.command("gate")
def gate_cmd(
    report: Annotated[Path, typer.Argument(help="The report to check.")],
    thresholds: Annotated[Path, typer.Option("--thresholds", help="TOML with [min] and [max] tables.")] = (
        gating.THRESHOLDS_FILE
    ),
) -> None:
    """Fail (exit 1) when a metric of REPORT is below its floor or above its ceiling."""
    try:
        results = gating.check(load_report(report), gating.load_thresholds(thresholds))
    except EscalateError as exc:
        guard(exc)
    for result in results:
        typer.echo(result.describe())
    if not all(r.passed for r in results):
        raise typer.Exit(EXIT_GATE_FAILED)


@eval_app.command("export-reviewed")
def export_reviewed_cmd(
    out: Annotated[Path, typer.Option("--out", help="Dataset file to append to.")] = (
        EVALS_DIR / "datasets" / "reviewed.jsonl"
    ),
    db_url: Annotated[str | None, typer.Option("--db-url", help="Store URL (default: settings).")] = None,
) -> None:
    """Turn approved briefs (the agent's corrections as gold) into dataset rows."""
    from app.core.store import Store
    from evals.reviewed import approved_drafts, export_reviewed

    try:
        store = Store(db_url or load_settings().db_url)
    except EscalateError as exc:
        guard(exc)
    try:
        store.migrate()
        written, known = export_reviewed(approved_drafts(store), out)
    except EscalateError as exc:
        guard(exc)
    finally:
        store.dispose()
    typer.echo(f"{written} new case(s) written to {out}; {known} already there")


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
