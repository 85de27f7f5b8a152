"""Case-insensitive regular expressions, matched exactly as `re.finditer(p, text, re.IGNORECASE)`
would, but several times faster on ticket-sized text.

Three tricks, none of which may change a single match (tests/rulebook holds them to that):
- lower-case the pattern's literals and the text once, and drop IGNORECASE (~2x);
- take a leading \\b off the pattern, which stops the engine from skipping ahead to the
  characters a match can start with, and test the boundary per match instead (~1.4x);
- work out from the parse tree which literals every match must contain: skip the pattern when
  one is absent, and otherwise search only within the pattern's maximum width of them (~2x).
Patterns the tricks cannot serve (escaped letters, case-sensitive groups, lookarounds, unbounded
width) fall back to plain `re`, in whole or in part.
"""

import importlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# The stdlib's regex parse tree, read only, to find the literals a match needs (no public API for it).
sre_parser = importlib.import_module("re._parser")
sre_constants = importlib.import_module("re._constants")

_MAX_WINDOWED_WIDTH = 500
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
# Escaped characters (\x41, \u00C9) and case-sensitive groups (?-i:...) do not survive lower-casing.
_UNFOLDABLE = re.compile(r"\\[xuUN0-7]|\(\?[a-zA-Z]*-[a-zA-Z]*i")


@dataclass(frozen=True, slots=True)
class FastPattern:
    # Lower-cased, without IGNORECASE, run on the lower-cased text: about 2x faster.
    regex: re.Pattern[str]
    # The original, case-insensitive, run on the original text: for the patterns that cannot be
    # lower-cased and the rare text whose lower-casing changes its length ('İ').
    any_case: re.Pattern[str]
    folded: bool
    # A leading \b keeps the regex engine from skipping ahead to the first characters a match can
    # start with; it is taken off `regex` and checked for each match instead (~40% faster).
    word_start: bool
    # Each set holds literals one of which must occur for a match to be possible; a pattern whose
    # sets are not all met is skipped without running it.
    requires: tuple[frozenset[str], ...]
    # The longest a match can be (None: unbounded or has lookarounds). With it, the regex runs only
    # near the occurrences of `anchor`, the rarest-looking required set: a tenth of a ticket, typically.
    width: int | None = None
    anchor: frozenset[str] = frozenset()

    def finditer(self, text: str, lowered: str | None = None) -> Iterator[re.Match[str]]:
        """The matches of the pattern in `text`, case-insensitively. Offsets index `text`; the
        matched strings may be lower-cased, so slice `text` for the original words. Running many
        patterns over one text, pass `text.lower()` as `lowered` so it is lower-cased once."""
        lowered = text.lower() if lowered is None else lowered
        if not self.folded or len(lowered) != len(text):  # lower() can change the length ('İ')
            return self.any_case.finditer(text)
        if not all(any(literal in lowered for literal in need) for need in self.requires):
            return iter(())
        return _finditer_lowered(self, lowered)


def _fold_pattern(pattern: str) -> str:
    """Lower-case a pattern's literals, leaving escapes (\\D, \\S) and group syntax ((?P<n>) alone."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith(("(?P<", "(?P="), i):
            close = pattern.index(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i : close + 1])
            i = close + 1
        else:
            out.append(char.lower())
            i += 1
    return "".join(out)


def _required_literals(items: Iterable[tuple[Any, Any]]) -> list[frozenset[str]]:
    """Literal sets a match of this parsed sequence must contain (one literal of each set)."""
    sets: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            sets.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is sre_constants.LITERAL:
            run.append(chr(av))
            continue
        flush()
        if op is sre_constants.SUBPATTERN:
            sets.extend(_required_literals(av[3].data))
        elif op is sre_constants.BRANCH:
            options = [_best(_required_literals(alt.data)) for alt in av[1]]
            if all(options):  # every alternative needs a literal: the branch needs one of them
                sets.append(frozenset(lit for option in options if option for lit in option))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[0] >= 1:
            sets.extend(_required_literals(av[2].data))
    flush()
    return sets


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    return max(sets, key=lambda s: min(map(len, s)), default=None)


def compile_fast(pattern: str) -> FastPattern:
    any_case = re.compile(pattern, re.IGNORECASE)
    if _UNFOLDABLE.search(pattern):
        return FastPattern(any_case, any_case, False, False, ())
    folded = _fold_pattern(pattern)
    try:
        parsed = sre_parser.parse(folded)
        tree = parsed.data
        # Only a \b that leads the whole pattern (not just its first alternative) can be taken off.
        word_start = folded.startswith("\\b") and tree[0] == (sre_constants.AT, sre_constants.AT_BOUNDARY)
        requires = tuple(s for s in _required_literals(tree) if min(map(len, s)) >= 2)
        widest = parsed.getwidth()[1]
        bounded = widest <= _MAX_WINDOWED_WIDTH and not _LOOKAROUND.search(folded)
        return FastPattern(
            re.compile(folded[2:] if word_start else folded),
            any_case,
            True,
            word_start,
            requires,
            widest if bounded else None,
            _best(list(requires)) or frozenset(),
        )
    except (re.error, ValueError, IndexError):
        # Anything the folding or the analysis cannot handle simply runs unfiltered, case-insensitively.
        return FastPattern(any_case, any_case, False, False, ())


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _at_word_boundary(text: str, at: int) -> bool:
    """What \\b tests at position `at`."""
    before = at > 0 and _is_word(text[at - 1])
    after = at < len(text) and _is_word(text[at])
    return before != after


def _start_windows(pattern: FastPattern, text: str) -> list[tuple[int, int]]:
    """Ranges where a match can start: within `width` before an occurrence of an anchor literal,
    since every match contains one. The whole text when that is not known or not worth it."""
    whole = [(0, len(text))]
    if pattern.width is None or not pattern.anchor:
        return whole
    starts: list[tuple[int, int]] = []
    for literal in pattern.anchor:
        at = text.find(literal)
        while at != -1:
            starts.append((max(0, at + len(literal) - pattern.width), at))
            at = text.find(literal, at + 1)
    windows: list[tuple[int, int]] = []
    for first, last in sorted(starts):
        if windows and first <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(windows[-1][1], last))
        else:
            windows.append((first, last))
    scanned = sum(last - first + pattern.width for first, last in windows)
    return whole if scanned > len(text) // 2 else windows


def _finditer_lowered(pattern: FastPattern, text: str) -> Iterator[re.Match[str]]:
    """Exactly `finditer` of the original pattern, done faster: only near anchor literals, and
    with the leading \\b checked per match (a match that does not start at a word boundary is
    dropped and the search goes on one character later, as the engine itself would).

    A search stops `width + 1` past its window: a match starting in the window ends by then, and
    the one character more lets a trailing \\b see what follows."""
    pos = 0
    for first, last in _start_windows(pattern, text):
        endpos = len(text) if pattern.width is None else min(len(text), last + pattern.width + 1)
        pos = max(pos, first)
        while pos <= last and (match := pattern.regex.search(text, pos, endpos)) is not None:
            start = match.start()
            if start > last:
                break  # it starts outside this window: a later window finds it, if it is real
            if pattern.word_start and not _at_word_boundary(text, start):
                pos = start + 1
                continue
            yield match
            pos = match.end() if match.end() > start else start + 1
