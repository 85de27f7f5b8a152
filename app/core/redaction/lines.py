"""Line bookkeeping for detectors that only look at the lines worth looking at.

Logs are large and secrets are rare: one cheap pass finds the candidate lines, the expensive
detectors run on those alone, and offsets are mapped back to the full text.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# str.lower() may change a string's length ('İ' -> 'i̇'); this keeps offsets aligned.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass
class Lines:
    text: str
    starts: list[int] = field(init=False)
    _lowered: str | None = field(default=None, init=False)
    _spaced: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.starts = [0, *(m.end() for m in re.finditer("\n", self.text))]

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.translate(_ASCII_LOWER)
        return self._lowered

    @property
    def lowered_spaced(self) -> str:
        """Lower case with '_' read as a space: 'CN_RESIDENT_ID' holds 'resident id' (same offsets)."""
        if self._spaced is None:
            self._spaced = self.lowered.replace("_", " ")
        return self._spaced

    def index_of(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def span(self, index: int) -> tuple[int, int]:
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.starts[index], end

    def line(self, index: int) -> tuple[int, str]:
        start, end = self.span(index)
        return start, self.text[start:end]

    def matching(self, pattern: re.Pattern[str]) -> list[int]:
        """Lines where `pattern` matches; after a hit the search resumes on the next line, so a
        pattern that matches many times per line (digits in a log) costs one match per line."""
        found: list[int] = []
        position, size = 0, len(self.text)
        while position <= size:
            match = pattern.search(self.text, position)
            if match is None:
                break
            index = self.index_of(match.start())
            found.append(index)
            if index + 1 >= len(self.starts):
                break
            position = self.starts[index + 1]
        return found

    def containing(self, literals: Iterable[str], *, underscores: bool = False) -> list[int]:
        """Lines holding any of the (lower-case) literals, case-insensitively, by plain find();
        with `underscores`, a '_' in the text matches a space in a literal."""
        found: set[int] = set()
        lowered = self.lowered_spaced if underscores else self.lowered
        for literal in literals:
            at = lowered.find(literal)
            while at != -1:
                index = self.index_of(at)
                found.add(index)
                # Skip to the next line: one hit per line is enough.
                at = lowered.find(literal, self.span(index)[1])
        return sorted(found)

    def replies(
        self, literals: Iterable[str], asked: re.Pattern[str], within: int = 2
    ) -> Iterator[tuple[int, int, str]]:
        """For each line where `asked` matches (a question in chat, found via its `literals`), the
        next `within` lines, where the answer is typed, as (question's line, offset, line)."""
        for number in self.containing(literals):
            if asked.search(self.line(number)[1]) is None:
                continue
            for reply in range(number + 1, min(number + 1 + within, len(self.starts))):
                offset, line = self.line(reply)
                yield number, offset, line

    def excerpt(self, indices: list[int]) -> "Excerpt":
        return Excerpt(self, indices)


class Excerpt:
    """Chosen lines joined by newlines, with the way back to offsets in the full text."""

    def __init__(self, lines: Lines, indices: list[int]) -> None:
        parts: list[str] = []
        self._starts: list[int] = []
        self._origins: list[int] = []
        cursor = 0
        for index in indices:
            origin, line = lines.line(index)
            self._starts.append(cursor)
            self._origins.append(origin)
            parts.append(line)
            cursor += len(line) + 1
        self.text = "\n".join(parts)

    def to_original(self, offset: int) -> int:
        position = bisect_right(self._starts, offset) - 1
        return self._origins[position] + offset - self._starts[position]
