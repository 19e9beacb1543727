"""Day indexes, weekday rhythm and holidays of the demo data."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .scales import START

START_EPOCH = int(datetime(START.year, START.month, START.day, tzinfo=timezone.utc).timestamp())


def day_index(day: date) -> int:
    return (day - START).days


def day_date(index: int) -> date:
    return START + timedelta(days=int(index))


def _holidays(year: int) -> set[date]:
    fixed = {(1, 1), (5, 1), (7, 4), (12, 24), (12, 25), (12, 26), (12, 31)}
    days = {date(year, m, d) for m, d in fixed}
    november = date(year, 11, 1)
    thanksgiving = november + timedelta(days=(3 - november.weekday()) % 7 + 21)
    return days | {thanksgiving, thanksgiving + timedelta(days=1)}


def activity_factor(index: int) -> float:
    """How much of a normal weekday's usage happens on this day."""
    day = day_date(index)
    if day in _holidays(day.year):
        return 0.12
    if day.weekday() >= 5:
        return 0.15
    if day.month == 12 and day.day >= 20 or day.month == 8:
        return 0.75  # the year-end and summer lulls
    return 1.0


def iso_timestamps(epoch_seconds) -> pa.Array:
    """ISO-8601 UTC text ('2026-01-31T23:30:00Z') of Unix times; a cast is much faster than strftime."""
    stamps = pa.array(np.asarray(epoch_seconds, dtype=np.int64).astype("datetime64[s]"))
    return pc.binary_join_element_wise(pc.utf8_replace_slice(pc.cast(stamps, pa.string()), 10, 11, "T"), "Z", "")
