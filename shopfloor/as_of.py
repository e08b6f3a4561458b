"""The run's as-of date: the one day a run's marts, scores, suppression, experiments and lists describe.

A run carries it as the run tag `shopfloor/as_of` (YYYY-MM-DD): the schedule tags each run with its tick's date,
`shopfloor run --as-of` with the date asked for, the UI launchpad with the tag a person adds. A run without the
tag is as of the day it was created, where the union is (SHOPFLOOR_SCHEDULE_TIMEZONE). Only `shopfloor demo`
uses the sample world's last day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

AS_OF_TAG = "shopfloor/as_of"


class AsOfError(ValueError):
    """An as-of date that is not a calendar date in ISO form."""


def parse_as_of(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except (AttributeError, ValueError) as error:
        raise AsOfError(f"the as-of date must be a date written YYYY-MM-DD, e.g. 2026-11-27; got {text!r}") from error


def check_as_of(as_of: date, *, today: date, earliest_record_on: date | None) -> None:
    """AsOfError unless `as_of` is a day with data behind it: not after today, not before the oldest record."""
    if as_of > today:
        raise AsOfError(f"the as-of date {as_of.isoformat()} is after today ({today.isoformat()}): a run describes "
                        "a day that has happened")
    if earliest_record_on is not None and as_of < earliest_record_on:
        raise AsOfError(f"the as-of date {as_of.isoformat()} is before the warehouse's oldest record "
                        f"({earliest_record_on.isoformat()}): there is nothing to describe on that day")


def local_date(timestamp: float, timezone: str) -> date:
    """The calendar date of a POSIX timestamp where the union is."""
    return datetime.fromtimestamp(timestamp, ZoneInfo(timezone)).date()


def today_where_the_union_is(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def as_of_tags(as_of: date) -> dict[str, str]:
    return {AS_OF_TAG: as_of.isoformat()}
