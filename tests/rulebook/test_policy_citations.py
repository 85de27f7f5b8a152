"""Every quote of the policy stands verbatim at the seed line it cites."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from app.core.policy import load_policy
from schemas.brief import normalize_space
from schemas.policy import Cited


def _cited(node: object, path: str = "") -> Iterator[tuple[str, Cited]]:
    if isinstance(node, Cited):
        yield path, node
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _cited(getattr(node, name), f"{path}.{name}".lstrip("."))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _cited(value, f"{path}.{key}")


CITED = list(_cited(load_policy()))


def test_the_policy_cites_every_part() -> None:
    paths = {path for path, _ in CITED}
    assert "business_hours" in paths and "rules.no_pii" in paths and "signals.security" in paths
    assert len(CITED) >= 40


@pytest.mark.parametrize(("path", "cited"), CITED, ids=[path for path, _ in CITED])
def test_quote_stands_at_its_cited_line(path: str, cited: Cited, seeds_dir: Path) -> None:
    if not seeds_dir.is_dir():
        pytest.skip(f"the seed guides are not next to this checkout ({seeds_dir})")
    name, _, lines = cited.cite.partition(":")
    first, _, last = lines.partition("-")
    text = (seeds_dir / name).read_text(encoding="utf-8").splitlines()
    cited_lines = text[int(first) - 1 : int(last or first)]
    if len(cited_lines) == 1:
        assert cited.quote in cited_lines[0], f"{path}: {cited.cite} reads {cited_lines[0]!r}"
    else:
        assert normalize_space(cited.quote) in normalize_space(" ".join(cited_lines)), path


def test_guide_headings_stand_at_their_lines_and_name_every_citation(seeds_dir: Path) -> None:
    if not seeds_dir.is_dir():
        pytest.skip(f"the seed guides are not next to this checkout ({seeds_dir})")
    policy = load_policy()
    for name, guide in policy.guides.items():
        text = (seeds_dir / name).read_text(encoding="utf-8").splitlines()
        for section in guide.sections:
            assert text[section.line - 1].lstrip("# ").strip() == section.name, (name, section)
    for path, cited in CITED:
        assert policy.cite_label(cited.cite) != cited.cite, f"{path}: {cited.cite} names no guide"
    assert policy.cite_label("002_c7b4f1e68f98dd33.txt:6") == (
        "How to escalate technical support and contact engineering teams › Severity Levels and SLAs"
    )
