"""Ticket timestamps, business hours and where a ticket stands against its escalation clock.

Seed 002 lines 6-9 give each severity a clock; seed 000 line 5 gives the business hours that
Severity 3's "during business hours" clock counts in. Timestamps that carry no zone are read as
UTC: logs and ticketing systems write UTC far more often than local time.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as date_parser

from app.core.errors import PolicyError
from schemas.common import Severity, SlaStatus
from schemas.policy import BusinessHours, Policy

AT_RISK_SHARE = 0.75
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _fixed(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# Abbreviations dateutil cannot resolve on its own; the bare ones ("PT") follow daylight saving.
TZ_ABBREVIATIONS: dict[str, tzinfo] = {
    "UTC": UTC, "GMT": UTC, "Z": UTC,
    "PST": _fixed(-8), "PDT": _fixed(-7), "PT": ZoneInfo("America/Los_Angeles"),
    "MST": _fixed(-7), "MDT": _fixed(-6), "MT": ZoneInfo("America/Denver"),
    "CST": _fixed(-6), "CDT": _fixed(-5), "CT": ZoneInfo("America/Chicago"),
    "EST": _fixed(-5), "EDT": _fixed(-4), "ET": ZoneInfo("America/New_York"),
    "CET": _fixed(1), "CEST": _fixed(2), "BST": _fixed(1), "IST": _fixed(5.5), "JST": _fixed(9),
    "AEST": _fixed(10),
}  # fmt: skip

# Written in lower case and run on the lower-cased ticket: ~2x faster than IGNORECASE.
_ZONE = r"(?:z|utc|gmt|[+-]\d{2}:?\d{2}|(?:" + "|".join(k.lower() for k in TZ_ABBREVIATIONS if k != "Z") + r")\b)"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?[ap]\.?m\.?)?"
# Most specific first: at one position the first alternative that matches wins.
_TIMESTAMP = re.compile(
    rf"""
    (?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}}[t\ ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:[.,]\d+)?)?(?:\s?{_ZONE})?)
    | (?P<written>\b(?:{_MONTH}\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}|\d{{1,2}}\s{_MONTH}\s\d{{4}}
                  |\d{{1,2}}/\d{{1,2}}/\d{{4}}),?\s(?:at\s)?{_TIME}(?:\s?{_ZONE})?)
    | (?P<date>\b(?:\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH}\s\d{{1,2}}(?:st|nd|rd|th)?,?\s\d{{4}}
               |\d{{1,2}}\s{_MONTH}\s\d{{4}})\b)
    | (?P<noyear>\b{_MONTH}\s\d{{1,2}}\s\d{{2}}:\d{{2}}(?::\d{{2}})?(?:\s?{_ZONE})?)
    | (?P<clock>\b{_TIME}\s?{_ZONE})
    """,
    re.VERBOSE,
)
# Where a timestamp can start: every alternative above opens with \b and a digit or a month name.
_CANDIDATE = re.compile(r"\d+|" + _MONTH)
_TIMESTAMP_ANY_CASE = re.compile(_TIMESTAMP.pattern, re.VERBOSE | re.IGNORECASE)
_ZONE_SUFFIX = re.compile(rf"\s?({_ZONE})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FoundTimestamp:
    """A moment written in the ticket: its exact text, where it stands, and the moment in UTC."""

    text: str
    start: int
    end: int
    moment: datetime


@dataclass(frozen=True, slots=True)
class SlaResult:
    status: SlaStatus
    opened_at: datetime | None
    elapsed_minutes: float | None
    limit_minutes: int | None
    reason: str


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive moment is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_iso(text: str) -> datetime:
    # datetime.fromisoformat is ~50x faster than dateutil and reads every ISO form but named zones.
    body, zone_name = text.replace(",", "."), ""
    zone = _ZONE_SUFFIX.search(body)
    if zone:
        body, zone_name = body[: zone.start()].rstrip(), zone.group(1)
    moment = datetime.fromisoformat(body)
    if not zone_name:
        return moment
    named = TZ_ABBREVIATIONS.get(zone_name.upper())
    return moment.replace(tzinfo=named) if named else datetime.fromisoformat(body + zone_name)


def _parse_written(text: str, default: datetime | None = None) -> datetime:
    cleaned = re.sub(r"(?i)(\d)(st|nd|rd|th)\b", r"\1", text).replace(" at ", " ")
    return date_parser.parse(cleaned, default=default, tzinfos=TZ_ABBREVIATIONS)


def _matches(lowered: str) -> Iterator[re.Match[str]]:
    """`_TIMESTAMP.finditer(lowered)`, trying the regex only where a match can start: at a word
    that begins with a digit or a month name (~3x faster than letting it try every position)."""
    pos = 0
    for candidate in _CANDIDATE.finditer(lowered):
        start = candidate.start()
        if start < pos or (start and (lowered[start - 1].isalnum() or lowered[start - 1] == "_")):
            continue  # inside an earlier match, or not at the start of a word
        if match := _TIMESTAMP.match(lowered, start):
            yield match
            pos = match.end()


@lru_cache(maxsize=64)
def find_timestamps(text: str) -> tuple[FoundTimestamp, ...]:
    """Every date-time written in `text`, in order. A bare time ("14:05 UTC") takes the date
    written closest before it; one with no date before it is skipped rather than guessed."""
    found: list[FoundTimestamp] = []
    anchor: date | None = None
    lowered = text.lower()
    matches = _matches(lowered) if len(lowered) == len(text) else _TIMESTAMP_ANY_CASE.finditer(text)
    for match in matches:
        kind, span = match.lastgroup, text[match.start() : match.end()]
        try:
            if kind == "iso":
                moment = _parse_iso(span)
            elif kind == "written":
                moment = _parse_written(span)
            elif kind == "date":
                anchor = _parse_written(span).date()
                continue
            elif anchor is None:
                continue
            else:  # "noyear" or "clock": complete it from the date written before
                moment = _parse_written(span, default=datetime(anchor.year, anchor.month, anchor.day))
        except (ValueError, OverflowError):
            continue  # looks like a timestamp but is not a real date, e.g. 2026-13-45
        moment = as_utc(moment)
        anchor = moment.date()
        found.append(FoundTimestamp(span, match.start(), match.end(), moment))
    return tuple(found)


def _zone(hours: BusinessHours) -> ZoneInfo:
    try:
        zone = ZoneInfo(hours.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyError(f"business_hours.timezone {hours.timezone!r} is not an IANA time zone") from None
    if hours.end <= hours.start:
        raise PolicyError("business_hours.end must be later than business_hours.start on the same day")
    return zone


def is_business_hours(moment: datetime, policy: Policy) -> bool:
    """Whether `moment` (naive = UTC) falls inside the policy's business hours."""
    hours = policy.business_hours
    local = as_utc(moment).astimezone(_zone(hours))
    return _WEEKDAYS[local.weekday()] in hours.days and hours.start <= local.time() < hours.end


def business_minutes_between(start: datetime, end: datetime, policy: Policy) -> float:
    """Minutes of business hours between two moments (0 when `end` is not after `start`)."""
    hours = policy.business_hours
    zone = _zone(hours)
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return 0.0
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    day_minutes = (datetime.combine(first, hours.end) - datetime.combine(first, hours.start)).seconds / 60
    week_minutes = len(set(hours.days)) * day_minutes
    total, day = 0.0, first
    while day <= last:
        if day != first and (last - day).days > 7:
            # A whole week inside the span: count it at once, so a ticket open for years stays cheap.
            total += week_minutes
            day += timedelta(weeks=1)
            continue
        if _WEEKDAYS[day.weekday()] in hours.days:
            opens = datetime.combine(day, hours.start, zone).astimezone(UTC)
            closes = datetime.combine(day, hours.end, zone).astimezone(UTC)
            low, high = max(opens, start), min(closes, end)
            if high > low:
                total += (high - low).total_seconds() / 60
        day += timedelta(days=1)
    return total


def compute_sla(source_text: str, severity: Severity, policy: Policy, now: datetime | None) -> SlaResult:
    """Where the ticket stands against `severity`'s escalation clock at `now`.

    The clock starts at the earliest timestamp in the ticket (when the issue was reported).
    Severity 1 escalates at once (0 minutes); its 15-minute response expectation is used as the
    clock instead, otherwise every Sev1 would read 'breached' the moment it is written.
    """
    level = policy.severities[severity]
    limit = level.escalate_within_minutes
    if limit == 0 and level.response_minutes:
        limit = level.response_minutes
    if limit is None:
        return SlaResult(
            SlaStatus.unknown,
            None,
            None,
            None,
            f"{level.label} ({severity.value}) has no escalation clock: normal backlog",
        )
    stamps = find_timestamps(source_text)
    if not stamps:
        return SlaResult(SlaStatus.unknown, None, None, limit, "the ticket has no timestamp to start the clock")
    opened = min(stamp.moment for stamp in stamps)
    if now is None:
        return SlaResult(SlaStatus.unknown, opened, None, limit, "no current time to measure against")
    now = as_utc(now)
    if opened > now:
        return SlaResult(SlaStatus.unknown, opened, None, limit, "the ticket's timestamps are later than now")
    if level.business_hours_only:
        elapsed = business_minutes_between(opened, now, policy)
        unit = "business minutes"
    else:
        elapsed = (now - opened).total_seconds() / 60
        unit = "minutes"
    if elapsed > limit:
        status = SlaStatus.breached
    elif elapsed >= AT_RISK_SHARE * limit:
        status = SlaStatus.at_risk
    else:
        status = SlaStatus.within
    reason = clock_reason(elapsed, limit, unit, f"since {opened:%Y-%m-%d %H:%M} UTC") + f" ({severity.value} clock)"
    return SlaResult(status, opened, round(elapsed, 1), limit, reason)


def human_minutes(minutes: float, *, business: bool = False) -> str:
    """A duration in the two largest units a person reads: '15 minutes', '2 hours 5 minutes',
    '12 days 4 hours'; business time counts in business hours and minutes, never days."""
    total = round(max(minutes, 0.0))
    days, rest = divmod(total, 24 * 60) if not business else (0, total)
    hours, mins = divmod(rest, 60)
    kind = "business " if business else ""
    parts = [(days, "day"), (hours, f"{kind}hour"), (mins, f"{kind}minute")]
    shown = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(shown[:2]) if shown else f"0 {kind}minutes"


def clock_reason(elapsed: float, limit: int, unit: str, since: str) -> str:
    """'breached by 12 days 17 hours: 12 days 17 hours since ..., against a limit of 15 minutes'."""
    business = unit.startswith("business")

    def said(minutes: float) -> str:
        return human_minutes(minutes, business=business)

    head = f"breached by {said(elapsed - limit)}" if elapsed > limit else f"{said(limit - elapsed)} left"
    return f"{head}: {said(elapsed)} {since}, against a limit of {said(limit)}"
