"""Cut logs down to a token budget without losing what an engineer needs.

Repeated lines fold into Drain3 templates with a count and first/last time; error and warning
lines and stack traces stay whole (identical ones once, with a count); every distinct error
signature survives; then the lowest-value items (DEBUG/INFO repeats first) are dropped until the
text fits. A header line says what was folded and dropped, so the prompt can say it too.

Variable tokens (anything with a digit: numbers, hex, IDs) are masked first with one regex, and
Drain3 sees each distinct masked line once (a 1 MB log has a few dozen to a few hundred): the
whole condensing of 1 MB then takes about what Drain3 alone takes fed every line
(bench/bench_condense.py: ~0.2 s each on 2 cores).
"""

import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

from app.core import loglines
from app.core.loglines import Level

TokenCounter = Callable[[str], int]

MIN_BUDGET_TOKENS = 32
# Lines that vary only in these tokens are "the same line": anything holding a digit, and the
# placeholders redaction leaves ('<EMAIL_3>' -> '<EMAIL>').
_VARIABLE = re.compile(r"(?<![\w.-])(?=[\w.-]*\d)[\w.-]+")
_PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*?)_\d+>")
_SECTION = re.compile(r"^--- .+ ---$")
PARAM = "<*>"
# When the budget is tight, stack traces keep their exception lines and this many frames each.
FRAMES_KEPT_WHEN_TRIMMED = 3


@dataclass(frozen=True)
class LogTemplate:
    """Lines folded into one: Drain3's template with how often and when it occurred."""

    template: str
    count: int
    level: str
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True)
class CondensedLog:
    text: str
    lines_in: int
    lines_out: int
    folded_lines: int
    templates: list[LogTemplate]
    error_signatures: list[str]
    dropped_lines: int = 0
    dropped_error_signatures: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------------ events
@dataclass
class _Event:
    """One log record: a line, or a line with its stack trace / continuation lines."""

    index: int
    lines: list[str]
    timestamp: str | None
    level: Level
    is_trace: bool = False
    is_section: bool = False


def _mask(line: str) -> str:
    if "<" in line:
        line = _PLACEHOLDER.sub(r"<\1>", line)
    return _VARIABLE.sub(PARAM, line)


def _strip_timestamp(line: str) -> str:
    match = loglines.LEADING_TIMESTAMP.match(line)
    return line[match.end() :].lstrip(" ,|]") if match else line


def _mostly_timestamped(lines: list[str]) -> bool:
    sample = [line for line in lines[:2000] if line.strip()]
    stamped = sum(1 for line in sample if loglines.LEADING_TIMESTAMP.match(line))
    return bool(sample) and stamped >= 0.5 * len(sample)


def _continues(line: str, previous: _Event | None, timestamped: bool) -> bool:
    """Whether a line belongs to the record before it rather than starting a new one."""
    if previous is None or previous.is_section or _SECTION.match(line):
        return False
    if timestamped:
        return not loglines.LEADING_TIMESTAMP.match(line)
    if loglines.FRAME.match(line) or loglines.TRACEBACK_START.match(line) or loglines.PYTHON_CHAIN.match(line):
        return True
    if previous.is_trace and loglines.EXCEPTION_LINE.match(line):
        return True
    return line[:1].isspace() and bool(line.strip())


def _timestamped_by_line(lines: list[str]) -> list[bool]:
    """Each '--- name ---' section (an attachment) decides for itself whether its records start
    with a timestamp: a HAR summary after a timestamped log is not one long record."""
    flags: list[bool] = []
    start = 0
    for end in range(len(lines) + 1):
        if end == len(lines) or (end > start and _SECTION.match(lines[end])):
            flags.extend([_mostly_timestamped(lines[start:end])] * (end - start))
            start = end
    return flags


def _split_events(lines: list[str]) -> list[_Event]:
    timestamped = _timestamped_by_line(lines)
    events: list[_Event] = []
    current: _Event | None = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _continues(line, current, timestamped[index]):
            assert current is not None
            current.lines.append(line)
            if loglines.FRAME.match(line) or loglines.TRACEBACK_START.match(line):
                current.is_trace = True
            continue
        current = _Event(
            index=index,
            lines=[line],
            timestamp=loglines.find_timestamp(line),
            level=loglines.line_level(line),
            is_section=bool(_SECTION.match(line)),
        )
        # A trace or exception line with no log prefix starts its own record.
        if loglines.TRACEBACK_START.match(line) or loglines.EXCEPTION_LINE.match(line):
            current.is_trace = loglines.TRACEBACK_START.match(line) is not None
            current.level = max(current.level, Level.error)
        events.append(current)
    for event in events:
        if event.is_trace:
            event.level = max(event.level, Level.error)
        elif event.level == Level.unknown and loglines.ERRORISH.search(event.lines[0]):
            event.level = Level.warning
    return events


# ------------------------------------------------------------------------------------------ items
@dataclass
class _Item:
    """One piece of the output, ranked by how much a brief needs it."""

    order: int
    lines: list[str]
    priority: float
    source_lines: int
    folded: int = 0
    signature: str | None = None
    is_trace: bool = False
    tokens: int | None = None
    # How often an error recurred: (count, last time, what), shown after its first line.
    repeats: tuple[int, str | None, str] | None = None
    full: list[str] = field(default_factory=list)
    # 0: as logged; higher: traces trimmed and lines cut, up to one line (see _COMPACT_LEVELS).
    squeeze: int = 0

    def __post_init__(self) -> None:
        self.full = list(self.lines)
        self.compact(0)

    def compact(self, squeeze: int) -> None:
        self.squeeze = squeeze
        lines = _compact(self.full, squeeze, self.is_trace)
        if self.repeats and self.repeats[0] > 1:
            count, last, what = self.repeats
            if squeeze >= ONE_LINE_LEVEL:
                note = f"  [x{count}]"
            else:
                note = f"  [{what}: {count} times" + (f", last at {last}]" if last else "]")
            lines[0] += note
        self.lines = lines
        self.tokens = None


@dataclass
class _Group:
    first: _Event
    count: int = 0
    last_timestamp: str | None = None
    source_lines: int = 0


def _trace_signature(event: _Event) -> str:
    head = _mask(_strip_timestamp(event.lines[0]))
    exceptions = [
        _mask(line.strip())
        for line in event.lines[1:]
        if loglines.EXCEPTION_LINE.match(line) or loglines.CAUSE.match(line)
    ]
    first_frame = next((_mask(line.strip()) for line in event.lines[1:] if loglines.FRAME.match(line)), "")
    return " | ".join(part for part in (head, *exceptions[:3], first_frame) if part)


def _trim_trace(lines: list[str], frames_kept: int) -> list[str]:
    """Keep the head, every exception / 'Caused by' line and the first frames after each."""
    kept: list[str] = [lines[0]]
    frames_since_exception = 0
    omitted = 0
    for line in lines[1:]:
        is_frame = bool(loglines.FRAME.match(line)) and not loglines.CAUSE.match(line)
        is_code = line.startswith("    ") and not is_frame  # the source line under a Python frame
        if not is_frame and not is_code:
            if omitted:
                kept.append(f"\t... {omitted} frames omitted by condensing")
                omitted = 0
            kept.append(line)
            frames_since_exception = 0
        elif frames_since_exception < frames_kept:
            kept.append(line)
            frames_since_exception += is_frame
        else:
            omitted += is_frame
    if omitted:
        kept.append(f"\t... {omitted} frames omitted by condensing")
    return kept


def _cut(line: str, limit: int) -> str:
    return line if len(line) <= limit else line[:limit] + " ...[cut]"


# How hard to squeeze error items when they do not all fit: (frames kept per exception, line length).
# The last level is one line per signature, so every signature survives any sane budget.
_COMPACT_LEVELS = ((None, None), (FRAMES_KEPT_WHEN_TRIMMED, 400), (1, 300), (0, 200))
ONE_LINE_LEVEL = len(_COMPACT_LEVELS)


def _compact(lines: list[str], level: int, is_trace: bool) -> list[str]:
    if level >= ONE_LINE_LEVEL:
        exception = next((line.strip() for line in lines[1:] if loglines.EXCEPTION_LINE.match(line)), "")
        return [_cut(lines[0], 160) + (f" | {_cut(exception, 120)}" if exception else "")]
    frames, width = _COMPACT_LEVELS[level]
    out = _trim_trace(lines, frames) if is_trace and frames is not None else list(lines)
    if frames == 0:
        out = [line for line in out if "frames omitted by condensing" not in line]
    return [_cut(line, width) for line in out] if width else out


def _fold_templates(keys: Iterable[str]) -> tuple[dict[str, int], dict[int, str]]:
    """Masked line -> Drain3 cluster id, and each cluster's template.

    Drain3 sees each distinct masked line once; its in-memory miner, configured here rather than
    from a drain3.ini in the working directory, keeps nothing after the call.
    """
    config = TemplateMinerConfig()
    config.profiling_enabled = False
    config.drain_sim_th = 0.5
    config.drain_depth = 4
    config.drain_max_children = 100
    config.parametrize_numeric_tokens = True
    miner = TemplateMiner(persistence_handler=None, config=config)
    cluster_of: dict[str, int] = {}
    for key in keys:
        if key not in cluster_of:
            cluster_of[key] = miner.add_log_message(key)["cluster_id"]
    # Templates generalise as later lines arrive: read them once all are in.
    return cluster_of, {cluster.cluster_id: cluster.get_template() for cluster in miner.drain.clusters}


def _event_key(event: _Event) -> str:
    """What makes two records 'the same': the masked line, or the whole masked trace."""
    if event.is_trace:
        return "\n".join(_mask(_strip_timestamp(line)) for line in event.lines)
    return _mask(_strip_timestamp(event.lines[0]))


def _build_items(events: list[_Event]) -> tuple[list[_Item], list[LogTemplate]]:
    items: list[_Item] = []
    errors: dict[str, _Group] = {}
    keys = [_event_key(event) for event in events]
    cluster_of, templates_text = _fold_templates(
        key for key, event in zip(keys, events, strict=True) if event.level < Level.warning and not event.is_section
    )
    clusters: dict[int, _Group] = {}
    cluster_levels: dict[int, Level] = {}
    error_indices = [e.index for e in events if e.level >= Level.warning]

    for key, event in zip(keys, events, strict=True):
        if event.is_section:
            items.append(_Item(event.index, event.lines, 100.0, 1))
            continue
        if event.level >= Level.warning:
            group = errors.setdefault(key, _Group(event))
        else:
            cluster = cluster_of[key]
            group = clusters.setdefault(cluster, _Group(event))
            cluster_levels[cluster] = max(cluster_levels.get(cluster, event.level), event.level)
        group.count += 1
        group.last_timestamp = event.timestamp or group.last_timestamp
        group.source_lines += len(event.lines)

    for key, group in errors.items():
        event = group.first
        what = "same stack trace" if event.is_trace else "same line"
        signature = _trace_signature(event) if event.is_trace else key
        priority = 90.0 if event.level >= Level.error else 80.0
        items.append(
            _Item(
                event.index,
                list(event.lines),
                priority,
                group.source_lines,
                folded=group.source_lines - len(event.lines),
                signature=signature,
                is_trace=event.is_trace,
                repeats=(group.count, group.last_timestamp, what),
            )
        )

    templates: list[LogTemplate] = []
    for cluster, group in clusters.items():
        event = group.first
        level = cluster_levels[cluster]
        if group.count == 1:
            near_error = _precedes_error(event.index, error_indices)
            priority = (30.0 if level >= Level.info else 12.0) + (10.0 if near_error else 0.0)
            items.append(_Item(event.index, event.lines, priority, group.source_lines))
            continue
        template = templates_text[cluster]
        first_seen, last_seen = event.timestamp, group.last_timestamp
        templates.append(LogTemplate(template, group.count, level.name, first_seen, last_seen))
        when = f" {first_seen} .. {last_seen}" if first_seen and last_seen and first_seen != last_seen else ""
        line = f"[x{group.count}{when}] {template}"
        # Repeats are the lowest value; the most frequent shapes still say what the traffic was.
        priority = (8.0 if level >= Level.info else 2.0) + min(math.log10(group.count), 6.0)
        items.append(_Item(event.index, [line], priority, group.source_lines, folded=group.source_lines))
    templates.sort(key=lambda t: -t.count)
    return items, templates


def _precedes_error(index: int, error_indices: list[int], window: int = 5) -> bool:
    at = bisect_right(error_indices, index)
    return at < len(error_indices) and error_indices[at] - index <= window


# ------------------------------------------------------------------------------------------ budget
def _header(lines_in: int, kept: list[_Item], dropped: list[_Item], budget: int) -> str:
    lines_out = sum(len(item.lines) for item in kept) + 1
    templates = [item for item in kept if item.folded and not item.signature]
    signatures = [item for item in kept if item.signature]
    traces = sum(1 for item in signatures if item.is_trace)
    repeats = sum(item.folded for item in signatures)
    how = "shortened to fit" if any(item.squeeze for item in signatures) else "kept whole"
    parts = [
        f"{sum(item.folded for item in templates):,} repeated lines folded into {len(templates):,} templates "
        "with counts and first/last times",
        f"{len(signatures):,} distinct error/warning signatures {how} "
        f"({traces:,} stack trace{'' if traces == 1 else 's'}; "
        f"{repeats:,} repeated lines of theirs counted, not shown)",
    ]
    if dropped:
        note = f"{sum(item.source_lines for item in dropped):,} lower-priority lines dropped to fit {budget:,} tokens"
        lost_signatures = sum(1 for item in dropped if item.signature)
        if lost_signatures:
            note += f", including {lost_signatures:,} error signatures"
        parts.append(note)
    return f"Condensed {lines_in:,} log lines into {lines_out:,}: " + "; ".join(parts) + "."


def _render(header: str, kept: list[_Item]) -> str:
    body = [line for item in sorted(kept, key=lambda i: i.order) for line in item.lines]
    return "\n".join([header, *body])


def _fit(items: list[_Item], lines_in: int, budget: int, count: TokenCounter) -> tuple[str, list[_Item], list[_Item]]:
    def tokens(item: _Item) -> int:
        if item.tokens is None:
            item.tokens = count("\n".join(item.lines)) + 1
        return item.tokens

    ranked = sorted(items, key=lambda i: (-i.priority, i.order))
    signatures = [item for item in ranked if item.signature]
    # The header's final wording is not known yet; reserve what its longest form costs.
    reserve = count(_header(lines_in, ranked, ranked, budget)) + 8
    for squeeze in range(ONE_LINE_LEVEL + 1):
        if squeeze:
            # Not every signature fits whole: squeeze them all one step before dropping any.
            for item in signatures:
                item.compact(squeeze)
        kept: list[_Item] = []
        used = reserve
        for item in ranked:
            if used + tokens(item) <= budget:
                kept.append(item)
                used += tokens(item)
        if all(item in kept for item in signatures):
            break
    if not all(item in kept for item in signatures):
        # Signatures outrank everything: no INFO line stays while one of them is missing.
        kept = [item for item in kept if item.signature or item.priority >= 100]
    dropped = [item for item in ranked if item not in kept]
    # Token counts are not exactly additive; verify, and drop the least valuable until it fits.
    while True:
        text = _render(_header(lines_in, kept, dropped, budget), kept)
        if count(text) <= budget or not kept:
            return text, kept, dropped
        removed = min(kept, key=lambda i: (i.priority, -i.order))
        kept.remove(removed)
        dropped.append(removed)


def condense_log(text: str, budget_tokens: int, count_tokens: TokenCounter) -> CondensedLog:
    """Fold, rank and cut `text` to at most `budget_tokens` (as `count_tokens` counts them)."""
    if budget_tokens < MIN_BUDGET_TOKENS:
        raise ValueError(f"budget_tokens must be at least {MIN_BUDGET_TOKENS}, got {budget_tokens}")
    lines = text.splitlines()
    lines_in = len(lines)
    events = _split_events(lines)
    items, templates = _build_items(events)
    # Small enough already (a token is rarely under 2 characters): pass it through untouched.
    if len(text) <= 2 * budget_tokens and count_tokens(text) <= budget_tokens:
        return CondensedLog(text, lines_in, lines_in, 0, templates, _signatures(items))
    rendered, kept, dropped = _fit(items, lines_in, budget_tokens, count_tokens)
    return CondensedLog(
        text=rendered,
        lines_in=lines_in,
        lines_out=rendered.count("\n") + 1,
        folded_lines=sum(item.folded for item in kept),
        templates=templates,
        error_signatures=_signatures(kept),
        dropped_lines=sum(item.source_lines for item in dropped),
        dropped_error_signatures=_signatures(dropped),
    )


def _signatures(items: Iterable[_Item]) -> list[str]:
    return [item.signature for item in sorted(items, key=lambda i: i.order) if item.signature]
