"""Run a drafter over cases: a thread pool, a progress bar, a response cache and resumable results.

- Cache: one JSON file per (prompt id@version, model, input, repeat), keyed by the sha256 of those,
  under evals/.cache/. A re-run of the same prompt and model on the same ticket costs nothing.
  The repeat index is part of the key because repeats exist to sample the model again.
- Results: every outcome is appended to a JSONL file as soon as it is known, after a header line
  naming the run. Running the same command again skips the cases already done there; cases that
  failed are tried again.
- A case that raises is recorded with its error and scores 0; the run goes on.
"""

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError
from tqdm import tqdm

from app.core.errors import InputError
from evals import replay_mark
from evals.adapters import Drafter
from evals.cases import EVALS_DIR, Case
from evals.outcome import Outcome, failed

CACHE_DIR = EVALS_DIR / ".cache"


class RunHeader(BaseModel):
    """First line of a results file: which run the outcomes below belong to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str
    model: str
    dataset_sha256: str
    repeats: int


@functools.cache
def pipeline_fingerprint(prompt: str) -> str:
    """What else decides an answer besides (prompt ref, model, input): the prompt file's text, the
    schema the model is held to, and the built-in policy. Editing any of them must miss the cache."""
    from app.core.policy import DEFAULT_POLICY_FILE
    from app.core.prompts import PROMPTS_DIR
    from schemas.brief import DraftedBrief

    prompt_id, _, version = prompt.partition("@v")
    prompt_file = PROMPTS_DIR / prompt_id / f"v{version}.yaml"
    digest = hashlib.sha256()
    for part in (
        prompt_file.read_bytes() if prompt_file.exists() else prompt.encode(),
        json.dumps(DraftedBrief.model_json_schema(), sort_keys=True).encode(),
        DEFAULT_POLICY_FILE.read_bytes(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def cache_key(prompt: str, model: str, case: Case, repeat: int) -> str:
    payload = {
        "prompt": prompt,
        "pipeline": pipeline_fingerprint(prompt),
        "model": model,
        "input": case.input.model_dump(mode="json"),
        "repeat": repeat,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    os.replace(handle.name, path)


class ResponseCache:
    """Successful outcomes on disk. Failures are never cached, so a re-run retries them."""

    def __init__(self, root: Path = CACHE_DIR) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> Outcome | None:
        try:
            return Outcome.model_validate_json(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValidationError):
            return None  # absent, or written by an older Outcome: draft again

    def put(self, key: str, outcome: Outcome) -> None:
        if not outcome.ok:
            return
        # The cache only saves time: a full or read-only disk must not stop the run.
        with contextlib.suppress(OSError):
            _write_atomically(self._path(key), outcome.model_dump_json())


class ResultsLog:
    """The results JSONL of one run: a header line, then one outcome per line, appended as they come."""

    def __init__(self, path: Path, header: RunHeader) -> None:
        self.path = path
        self.header = header
        self._lock = threading.Lock()

    def resume(self, fresh: bool = False) -> dict[tuple[str, int], Outcome]:
        """Outcomes already recorded for this run (the last one per case wins); starts the file if new."""
        if fresh or not self.path.exists() or self.path.stat().st_size == 0:
            _write_atomically(self.path, json.dumps({"header": self.header.model_dump()}) + "\n")
            return {}
        lines = self.path.read_text(encoding="utf-8").splitlines()
        try:
            found = RunHeader.model_validate(json.loads(lines[0])["header"])
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise InputError(f"{self.path} is not a results file of this tool; pass --fresh to overwrite it") from exc
        if found != self.header:
            raise InputError(
                f"{self.path} holds results of another run ({found.prompt} on {found.model}, dataset "
                f"{found.dataset_sha256[:12]}, repeats {found.repeats}); pass --fresh to start over or choose "
                "another --name"
            )
        done: dict[tuple[str, int], Outcome] = {}
        for line in lines[1:]:
            try:
                outcome = Outcome.model_validate_json(line)
            except ValidationError:
                continue  # a line cut short by a crash mid-write: that case runs again
            done[outcome.key] = outcome
        return done

    def append(self, outcome: Outcome) -> None:
        line = outcome.model_dump_json() + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()


@dataclass(frozen=True)
class RunSpec:
    prompt: str
    """'brief@v1': the prompt id and version, as the cache key and the report name them."""
    model: str
    repeats: int = 1
    concurrency: int = 1


def _draft_one(drafter: Drafter, case: Case, repeat: int) -> Outcome:
    replay_mark.clear()
    try:
        outcome = drafter(case)
    # Any exception, not only EscalateError: one case's crash (a library bug, a malformed response)
    # must cost that case its score, not the hours already spent on the others.
    except Exception as exc:
        return failed(case.id, repeat, exc)
    return outcome.model_copy(update={"case_id": case.id, "repeat": repeat, "replayed": replay_mark.replayed()})


def _jobs(cases: Sequence[Case], repeats: int) -> Iterator[tuple[Case, int]]:
    for repeat in range(repeats):
        for case in cases:
            yield case, repeat


def run_cases(
    cases: Sequence[Case],
    drafter: Drafter,
    spec: RunSpec,
    results: ResultsLog,
    *,
    cache: ResponseCache | None = None,
    fresh: bool = False,
    progress: bool = True,
) -> list[Outcome]:
    """Draft every (case, repeat) not yet done; return all outcomes in dataset order."""
    if spec.repeats < 1 or spec.concurrency < 1:
        raise InputError("--repeats and --concurrency must be at least 1")
    done = {key: o for key, o in results.resume(fresh).items() if o.ok}
    todo = [(case, repeat) for case, repeat in _jobs(cases, spec.repeats) if (case.id, repeat) not in done]

    def work(case: Case, repeat: int) -> Outcome:
        key = cache_key(spec.prompt, spec.model, case, repeat)
        hit = cache.get(key) if cache else None
        if hit is not None:
            return hit.model_copy(update={"case_id": case.id, "repeat": repeat})
        outcome = _draft_one(drafter, case, repeat)
        if cache:
            cache.put(key, outcome)
        return outcome

    with (
        tqdm(total=len(todo), desc=spec.prompt, unit="case", disable=not progress or not todo) as bar,
        ThreadPoolExecutor(max_workers=spec.concurrency) as pool,
    ):
        futures = [pool.submit(work, case, repeat) for case, repeat in todo]
        try:
            for future in as_completed(futures):
                outcome = future.result()
                results.append(outcome)
                done[outcome.key] = outcome
                bar.update(1)
                if not outcome.ok:
                    bar.set_postfix_str(f"failed: {sum(not o.ok for o in done.values())}")
        except KeyboardInterrupt:
            # Stop at once: queued cases never start; what finished is in the results file for a resume.
            for future in futures:
                future.cancel()
            raise
    return [done[(case.id, repeat)] for case, repeat in _jobs(cases, spec.repeats)]
