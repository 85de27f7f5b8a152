"""Numbered source: the model reads line numbers and cites them; code turns citations into quotes.

The numbering is over the exact redacted source the draft stores (ticket, then condensed logs),
so line N here is line N of `DraftResult.redacted_text`, which is also what the assessment
counts lines in (`ModelFact.lines`). Blank lines keep their number but are not shown (they cost
tokens and say nothing). Evidence built from a citation is a slice of the source: verbatim by
construction, never typed by the model.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# Evidence quotes longer than this are cut at a word boundary (still a slice of the line).
QUOTE_CHARS = 200


@dataclass(frozen=True)
class NumberedSource:
    text: str  # the source, exactly as stored
    lines: tuple[str, ...]  # 1-based: lines[0] is line 1
    logs_from_line: int | None  # first line of the logs (untrusted), None without logs

    def __len__(self) -> int:
        return len(self.lines)

    def render(self, start: int = 1, end: int | None = None) -> str:
        """'N| text' for every non-blank line in [start, end]."""
        last = len(self.lines) if end is None else min(end, len(self.lines))
        return "\n".join(f"{n}| {self.lines[n - 1]}" for n in range(start, last + 1) if self.lines[n - 1].strip())

    def valid(self, cited: Iterable[int]) -> list[int]:
        """The cited numbers that name a non-blank line, in order, each once."""
        seen: dict[int, None] = {}
        for n in cited:
            if isinstance(n, int) and 1 <= n <= len(self.lines) and self.lines[n - 1].strip():
                seen.setdefault(n, None)
        return list(seen)

    def quote(self, line: int) -> str:
        """The text of `line`, stripped and cut to QUOTE_CHARS at a word boundary: a slice of the source."""
        text = self.lines[line - 1].strip()
        if len(text) <= QUOTE_CHARS:
            return text
        cut = text[:QUOTE_CHARS]
        space = cut.rfind(" ")
        return (cut[:space] if space > QUOTE_CHARS // 2 else cut).rstrip()

    def untrusted(self, line: int) -> bool:
        return self.logs_from_line is not None and line >= self.logs_from_line


def number_source(source_text: str, logs_from: int | None = None) -> NumberedSource:
    """Number the lines of `source_text`; `logs_from` is the character offset where logs begin."""
    lines = tuple(source_text.split("\n"))
    logs_line = source_text.count("\n", 0, logs_from) + 1 if logs_from is not None else None
    return NumberedSource(source_text, lines, logs_line)


__all__ = ["QUOTE_CHARS", "NumberedSource", "number_source"]
