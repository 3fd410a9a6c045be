"""Created-date filters: the presets of the Created On filter and custom day ranges.

Agents think in local calendar days; orders are stored in UTC. A range is half-open
[start, end) in UTC, computed from local midnights (so daylight-saving days are right).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from csr_tui.domain.errors import ValidationError

# Any ISO date may be typed. No order predates 1970 (orders are stamped by the clock), so an
# earlier start is the same as 1970-01-01, where local time still converts on every system;
# an end on the last representable day is no end at all (the next midnight does not exist).
EARLIEST_DAY = date(1970, 1, 1)


class DatePreset(StrEnum):
    TODAY = "Today"
    YESTERDAY = "Yesterday"
    LAST_7_DAYS = "Last 7 days"
    LAST_30_DAYS = "Last 30 days"
    THIS_MONTH = "This month"
    LAST_MONTH = "Last month"
    CUSTOM = "Custom"


@dataclass(frozen=True)
class DayRange:
    """Inclusive local days; either end may be open."""

    first: date | None
    last: date | None

    def __post_init__(self) -> None:
        if self.first and self.last and self.first > self.last:
            raise ValidationError(
                f"The start date {self.first:%Y-%m-%d} is after the end date {self.last:%Y-%m-%d}.",
                "end_date",
            )

    def utc_bounds(self, tz: tzinfo | None = None) -> tuple[datetime | None, datetime | None]:
        start = local_midnight(max(self.first, EARLIEST_DAY), tz) if self.first else None
        end = None
        if self.last and self.last < date.max:
            end = local_midnight(max(self.last, EARLIEST_DAY) + timedelta(days=1), tz)
        return start, end

    def describe(self) -> str:
        if self.first and self.last:
            if self.first == self.last:
                return f"{self.first:%Y-%m-%d}"
            return f"{self.first:%Y-%m-%d} – {self.last:%Y-%m-%d}"
        if self.first:
            return f"from {self.first:%Y-%m-%d}"
        if self.last:
            return f"until {self.last:%Y-%m-%d}"
        return "any date"


def local_midnight(day: date, tz: tzinfo | None = None) -> datetime:
    """The UTC instant at which `day` begins in `tz` (default: this machine's zone)."""
    if tz is None:
        return datetime.combine(day, time()).astimezone().astimezone(UTC)
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def preset_range(preset: DatePreset, today: date) -> DayRange:
    if preset is DatePreset.TODAY:
        return DayRange(today, today)
    if preset is DatePreset.YESTERDAY:
        return DayRange(today - timedelta(days=1), today - timedelta(days=1))
    if preset is DatePreset.LAST_7_DAYS:
        return DayRange(today - timedelta(days=6), today)
    if preset is DatePreset.LAST_30_DAYS:
        return DayRange(today - timedelta(days=29), today)
    if preset is DatePreset.THIS_MONTH:
        return DayRange(_first_of_month(today), today)
    if preset is DatePreset.LAST_MONTH:
        last = _first_of_month(today) - timedelta(days=1)
        return DayRange(_first_of_month(last), last)
    raise ValidationError("Enter a start date and an end date for a custom range.", "start_date")


def parse_day(text: str, field: str = "date") -> date | None:
    """A day typed as YYYY-MM-DD; empty means open-ended."""
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"'{text}' is not a date: use YYYY-MM-DD.", field) from None


@dataclass(frozen=True)
class DateChoice:
    """What the agent picked in the Created On filter: a preset (recomputed each day) or a
    custom range; neither means any date."""

    preset: DatePreset | None = None
    custom: DayRange | None = None

    def days(self, today: date) -> DayRange | None:
        if self.preset is None:
            return None
        if self.preset is DatePreset.CUSTOM:
            return self.custom
        return preset_range(self.preset, today)

    def describe(self, today: date) -> str:
        days = self.days(today)
        if days is None:
            return "any date"
        if self.preset is DatePreset.CUSTOM:
            return days.describe()
        return f"{self.preset} ({days.describe()})"
