"""Load versioned prompt files and build the messages instructor renders.

Templates stay templates: messages carry `{{ ticket }}` and instructor renders them with the
call's `context=` in a sandboxed Jinja environment, so whatever the ticket contains (`{{ 7*7 }}`,
`{% include %}`) reaches the model as typed. `render_preview` does the same rendering locally,
only to count tokens before sending.
"""

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.errors import PromptError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_REF = re.compile(r"^(?P<id>[a-z0-9_-]+)(@v(?P<version>\d+))?$")
_ENV = SandboxedEnvironment()


class PromptFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    version: int = Field(ge=1)
    output: Literal["brief", "cited", "prose"] = "brief"
    variables: list[str]
    changelog: list[str] = Field(min_length=1)
    system: str
    user: str

    @property
    def ref(self) -> str:
        return f"{self.id}@v{self.version}"

    def messages(self) -> list[dict[str, str]]:
        """Unrendered messages: instructor fills them from `context=`."""
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


def _undeclared(prompt: PromptFile) -> set[str]:
    used: set[str] = set()
    for name, text in (("system", prompt.system), ("user", prompt.user)):
        try:
            used |= meta.find_undeclared_variables(_ENV.parse(text))
        except TemplateSyntaxError as exc:
            raise PromptError(f"prompt {prompt.ref}: {name} template is invalid: {exc}") from exc
    return used - set(prompt.variables)


def parse_ref(ref: str) -> tuple[str, int | None]:
    match = _REF.match(ref.strip())
    if not match:
        raise PromptError(f"prompt reference {ref!r} is not of the form ID or ID@vN (e.g. brief@v1)")
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def available_versions(prompt_id: str, root: Path = PROMPTS_DIR) -> list[int]:
    return sorted(int(p.stem[1:]) for p in (root / prompt_id).glob("v*.yaml") if p.stem[1:].isdigit())


@lru_cache(maxsize=32)
def load_prompt(ref: str, root: Path = PROMPTS_DIR) -> PromptFile:
    """`brief@v1` loads that version; `brief` loads the newest."""
    prompt_id, version = parse_ref(ref)
    versions = available_versions(prompt_id, root)
    if not versions:
        raise PromptError(f"no prompt named {prompt_id!r} in {root}")
    if version is None:
        version = versions[-1]
    path = root / prompt_id / f"v{version}.yaml"
    if not path.exists():
        raise PromptError(f"prompt {prompt_id}@v{version} does not exist; versions: {versions}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        prompt = PromptFile.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise PromptError(f"prompt file {path} is malformed: {exc}") from exc
    if (prompt.id, prompt.version) != (prompt_id, version):
        raise PromptError(f"prompt file {path} declares {prompt.ref}; its path says {prompt_id}@v{version}")
    extra = _undeclared(prompt)
    if extra:
        raise PromptError(f"prompt {prompt.ref} uses undeclared variables: {sorted(extra)}")
    return prompt


def check_context(prompt: PromptFile, context: dict[str, Any]) -> None:
    missing = [v for v in prompt.variables if v not in context]
    if missing:
        raise PromptError(f"prompt {prompt.ref} needs variables {missing}")


def render_preview(prompt: PromptFile, context: dict[str, Any]) -> list[dict[str, str]]:
    """Render exactly as instructor will (sandboxed Jinja, values inserted verbatim)."""
    check_context(prompt, context)
    return [{"role": m["role"], "content": _ENV.from_string(m["content"]).render(**context)} for m in prompt.messages()]
