"""Eval cases: the model, and loaders for every dataset the suite knows.

A case is one ticket (text + optional logs) with gold labels. Datasets live in `evals/datasets/`
as JSONL, one case per line. The public tickets whose licence does not let us redistribute them
are never copied: `load_shared_public` reads them from `../shared/datasets/public-dev.jsonl` (next
to the repository) at run time.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.core.errors import InputError
from schemas.brief import EscalationBrief
from schemas.common import Severity, Target
from schemas.draft import TicketInput

EVALS_DIR = Path(__file__).resolve().parent
DATASETS_DIR = EVALS_DIR / "datasets"
REPO_ROOT = EVALS_DIR.parent
SHARED_PUBLIC_DEV = REPO_ROOT.parent / "shared" / "datasets" / "public-dev.jsonl"

# Sources of public-dev.jsonl whose licence allows committing the rows (with attribution).
OPEN_LICENCES: dict[str, str] = {"gitbugs": "CC-BY-4.0", "farsec": "EPL-1.0"}
PUBLIC_SEVERITY = {"Critical": Severity.sev1, "High": Severity.sev2, "Medium": Severity.sev3, "Low": Severity.sev4}


class Facts(BaseModel):
    """Facts a faithful brief must carry. A field left None was not labelled for this case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_ids: list[str] | None = None
    error_codes: list[str] | None = None
    # None: the ticket states no count (the brief should not invent one).
    customer_count: int | None = None
    reproduction_steps: bool | None = Field(default=None, description="The ticket gives steps to reproduce.")
    workaround: bool | None = Field(default=None, description="The ticket states a working workaround.")


class Gold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity | None = None
    target: Target | None = None
    facts: Facts | None = None
    # Policy rule ids (app/core/policy/default.toml [rules.*]) whose condition holds in this ticket.
    rules: list[str] = Field(default_factory=list)
    # Rule ids the checker reports on the gold brief (e.g. a missing account ID, off-hours paging):
    # a faithful draft should raise them too.
    findings: list[str] | None = None
    brief: EscalationBrief | None = Field(default=None, description="A reference brief a reviewer would approve.")


class Attribution(BaseModel):
    """Where a case comes from; required for every row taken from a public repository."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    repo: str | None = None
    path: str | None = None
    commit: str | None = None
    source_id: str | None = None
    licence: str
    label_provenance: str = ""
    source_labels: dict[str, Any] = Field(default_factory=dict)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    input: TicketInput
    gold: Gold
    tags: list[str] = Field(default_factory=list)
    notes: str = Field(default="", description="Why the gold labels are what they are.")
    attribution: Attribution

    @field_validator("id")
    @classmethod
    def _no_whitespace(cls, value: str) -> str:
        if any(ch.isspace() for ch in value):
            raise ValueError("case id must not contain whitespace")
        return value

    def input_text(self) -> str:
        """Everything the agent pasted, as one text: what grounding and fact checks search."""
        parts = [self.input.text, *(a.text for a in self.input.attachments)]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Dataset:
    name: str
    cases: list[Case]
    origin: str
    """The file(s) the cases were read from, for the report."""

    @property
    def sha256(self) -> str:
        return dataset_hash(self.cases)


def dataset_hash(cases: Iterable[Case]) -> str:
    """Hash of the cases themselves, so the same rows hash alike whatever file or alias they came from."""
    digest = hashlib.sha256()
    for case in cases:
        digest.update(json.dumps(case.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"'{key}': {first['msg']}{more}"


def case_from_public_row(row: dict[str, Any]) -> Case:
    """A row of shared/datasets/public-dev.jsonl as a case (severity labels mapped to sev1..sev4)."""
    label = row.get("gold_severity")
    if label is not None and label not in PUBLIC_SEVERITY:
        raise ValueError(f"gold_severity {label!r} is not one of {sorted(PUBLIC_SEVERITY)}")
    source = row["source"]
    return Case(
        id=row["case_id"],
        input=TicketInput(text=row["input_text"]),
        gold=Gold(severity=PUBLIC_SEVERITY[label] if label else None, target=row.get("gold_team")),
        tags=["public", source],
        attribution=Attribution(
            source=source,
            repo=row.get("repo"),
            path=row.get("path"),
            commit=row.get("commit"),
            source_id=row.get("source_id"),
            licence=OPEN_LICENCES.get(source, "not stated (read in place, never committed)"),
            label_provenance=row.get("label_provenance", ""),
            source_labels={
                **row.get("source_labels", {}),
                **({"gold_severity_strict": row["gold_severity_strict"]} if "gold_severity_strict" in row else {}),
            },
        ),
    )


def _parse_line(raw: dict[str, Any]) -> Case:
    # Rows of the shared file keep their own shape; detect them so `--dataset` takes that file as is.
    if "input_text" in raw and "case_id" in raw:
        return case_from_public_row(raw)
    return Case.model_validate(raw)


def read_jsonl(path: Path) -> list[Case]:
    """Read a dataset file; any bad line is reported with its file and line number."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"dataset {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"dataset {path} cannot be read: {exc}") from exc
    cases: list[Case] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON at column {exc.colno}: {exc.msg}") from exc
        if not isinstance(raw, dict):
            raise InputError(f"{path}:{number}: expected a JSON object, got {type(raw).__name__}")
        try:
            case = _parse_line(raw)
        except ValidationError as exc:
            raise InputError(f"{path}:{number}: not a case: {_describe(exc)}") from exc
        except (KeyError, ValueError) as exc:
            raise InputError(f"{path}:{number}: not a case: {exc}") from exc
        if case.id in seen:
            raise InputError(f"{path}:{number}: duplicate case id {case.id!r}")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise InputError(f"dataset {path} holds no cases")
    return cases


def load_shared_public(path: Path = SHARED_PUBLIC_DEV, *, committable: bool | None = None) -> list[Case]:
    """The public tickets, read in place. `committable=False` keeps only rows we may not copy."""
    if not path.exists():
        raise InputError(
            f"the shared public dataset is not at {path}; it is read in place from the folder next to "
            "the repository (shared/datasets/public-dev.jsonl), never copied into it"
        )
    cases = read_jsonl(path)
    if committable is None:
        return cases
    return [c for c in cases if (c.attribution.source in OPEN_LICENCES) is committable]


# Names `--dataset` accepts besides a path.
NAMED_DATASETS: dict[str, str] = {
    "conversations": "agent-customer conversations with logs and gold briefs, written for this suite",
    "public-open": "GitBugs + FARSEC public rows (committed, licences allow it)",
    "public-restricted": "the other public rows, read in place from ../shared (never committed)",
    "public-dev": "all 160 public rows, read in place from ../shared",
    "smoke": "the conversations tagged 'smoke': what the CI gate replays from a cassette",
}


def load_dataset(ref: str) -> Dataset:
    """A dataset by name (see NAMED_DATASETS) or by path to a JSONL file."""
    if ref == "public-restricted":
        return Dataset(ref, load_shared_public(committable=False), str(SHARED_PUBLIC_DEV))
    if ref == "public-dev":
        return Dataset(ref, load_shared_public(), str(SHARED_PUBLIC_DEV))
    if ref == "smoke":
        conversations = load_dataset("conversations")
        return Dataset(ref, [c for c in conversations.cases if "smoke" in c.tags], conversations.origin)
    if ref in NAMED_DATASETS:
        path = DATASETS_DIR / f"{ref.replace('-', '_')}.jsonl"
        return Dataset(ref, read_jsonl(path), str(path.relative_to(REPO_ROOT)))
    path = Path(ref)
    if not path.suffix == ".jsonl" and not path.exists():
        raise InputError(f"dataset {ref!r} is neither a known name ({', '.join(NAMED_DATASETS)}) nor a file")
    return Dataset(path.stem, read_jsonl(path), str(path))
