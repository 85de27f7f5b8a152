"""Prompts are versioned data; the ticket is a variable, never part of the template."""

from pathlib import Path

import pytest

from app.core.errors import PromptError
from app.core.prompts import PROMPTS_DIR, available_versions, load_prompt, parse_ref, render_preview

HOSTILE = "Customer wrote: {{ 7*7 }} and {% include '/etc/passwd' %} and {# comment #} {{ config }}"


def test_every_prompt_file_loads() -> None:
    for folder in PROMPTS_DIR.iterdir():
        if folder.is_dir() and not folder.name.startswith("_"):
            for version in available_versions(folder.name):
                prompt = load_prompt(f"{folder.name}@v{version}")
                assert prompt.changelog and prompt.variables


def test_latest_version_is_default() -> None:
    assert load_prompt("brief").version == max(available_versions("brief"))


def test_ticket_with_template_syntax_reaches_model_verbatim() -> None:
    prompt = load_prompt("brief@v1")
    messages = render_preview(prompt, {"field_guide": "g", "ticket": HOSTILE, "logs": "", "log_note": ""})
    assert HOSTILE in messages[-1]["content"]
    assert "49" not in messages[-1]["content"]


def test_instructor_renders_the_same_way() -> None:
    # instructor renders messages with its own sandboxed Jinja when context= is given.
    from instructor.templating import handle_templating

    prompt = load_prompt("brief@v1")
    context = {"field_guide": "g", "ticket": HOSTILE, "logs": "", "log_note": ""}
    rendered = handle_templating({"messages": prompt.messages()}, mode=None, context=context)
    assert HOSTILE in rendered["messages"][-1]["content"]


def _write_prompt(root: Path, body: str) -> None:
    (root / "p").mkdir(parents=True)
    (root / "p" / "v1.yaml").write_text(body, encoding="utf-8")


def test_undeclared_variable_is_refused(tmp_path: Path) -> None:
    _write_prompt(
        tmp_path,
        "id: p\nversion: 1\nvariables: [ticket]\nchangelog: [x]\nsystem: hi {{ secret }}\nuser: '{{ ticket }}'\n",
    )
    with pytest.raises(PromptError, match="undeclared variables: \\['secret'\\]"):
        load_prompt("p@v1", root=tmp_path)


def test_version_mismatch_is_refused(tmp_path: Path) -> None:
    _write_prompt(
        tmp_path, "id: p\nversion: 2\nvariables: [ticket]\nchangelog: [x]\nsystem: hi\nuser: '{{ ticket }}'\n"
    )
    with pytest.raises(PromptError, match="declares p@v2"):
        load_prompt("p@v1", root=tmp_path)


@pytest.mark.parametrize("ref", ["brief@1", "Brief@v1", "brief@v", ""])
def test_bad_reference(ref: str) -> None:
    with pytest.raises(PromptError):
        parse_ref(ref)


def test_missing_variable_at_render() -> None:
    with pytest.raises(PromptError, match="needs variables"):
        render_preview(load_prompt("brief@v1"), {"ticket": "x"})
