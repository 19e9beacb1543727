"""Sizes of the demo data and the fixed time frame every scale shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

START = date(2025, 11, 1)  # first day with usage; customers from before it exist with history
DEFAULT_END = START + timedelta(days=364)  # one year of data
HORIZON_DAYS = 3 * 365  # lifecycles are simulated this far, so a later --end only appends


@dataclass(frozen=True)
class Scale:
    name: str
    accounts: int  # customers at START; new sign-ups arrive on top of these
    events_per_active_day: float  # mean usage events of an active user on a day


SCALES = {
    "small": Scale("small", 36, 5.2),
    "medium": Scale("medium", 900, 5.2),
    "large": Scale("large", 4000, 5.2),
    "xl": Scale("xl", 22000, 5.2),
    "xxl": Scale("xxl", 44000, 5.2),  # about 100 million events over the year
}
