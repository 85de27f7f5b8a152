"""Turn the brief schema's field descriptions into the compact guide the prompt shows the model.

In JSON_SCHEMA mode the schema reaches llama.cpp only as a grammar, never as text, so the
descriptions (written for the model in schemas/brief.py) would be lost without this guide.
"""

from functools import lru_cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel

# Computed by the rules engine, so the model is not asked for it.
_SKIP = {"impact.sla_status"}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *get_args(annotation)]
    if get_origin(annotation) is list:
        candidates = list(get_args(annotation))
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _lines(model: type[BaseModel], prefix: str) -> list[str]:
    out: list[str] = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        if path in _SKIP:
            continue
        nested = _model_of(field.annotation)
        is_list = get_origin(field.annotation) is list
        if nested is not None:
            suffix = "[]" if is_list else ""
            head = field.description or (nested.__doc__ or "").strip().splitlines()[0]
            out.append(f"- {path}{suffix}: {head}")
            out.extend(_lines(nested, f"{path}{suffix}."))
        elif field.description:
            out.append(f"- {path}: {field.description}")
    return out


@lru_cache(maxsize=8)
def field_guide(model: type[BaseModel]) -> str:
    return "\n".join(_lines(model, ""))
