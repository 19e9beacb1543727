"""One day of product usage: who is active, what they do, when it happens and when it arrives."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import catalogue as cat
from .calendar import activity_factor, iso_timestamps
from .world import NEVER, World

SECONDS_PER_DAY = 86400
DECLINE_DAYS = 42  # usage fades over the six weeks before an account churns
LATE_SHARE, REDELIVERED_SHARE, MAX_LATE_DAYS = 0.03, 0.004, 4

_RELEASED = np.array([f[4] for f in cat.FEATURES])
_RETIRED = np.array([NEVER if f[5] is None else f[5] for f in cat.FEATURES])
_USE_CHANCE = np.array([f[7] for f in cat.FEATURES])
_FEATURE_KEYS = np.array([f[0] for f in cat.FEATURES])
_EVENT_NAMES = np.array(["session_started", "page_viewed", "feature_used", "report_exported"])


def account_factor(world: World, day: int) -> np.ndarray:
    """Per account: 1 while subscribed, fading before a churn, a trickle after, 0 before sign-up."""
    inside = (world.spell_start <= day) & (day < world.spell_end)
    left = world.spell_end - day
    fading = world.spell_churns & inside & (left <= DECLINE_DAYS)
    factor = np.where(inside, np.where(fading, 0.2 + 0.8 * left / DECLINE_DAYS, 1.0), 0.0).max(axis=1)
    created = world.accounts.created_day <= day
    return np.where(factor > 0, factor, np.where(created, 0.03, 0.0))


@dataclass
class DayUsage:
    events: pa.Table  # usage_events columns plus _received_day
    active_users: np.ndarray  # contact indexes active that day


def usage_for_day(world: World, day: int, epoch_seconds: int, rng: np.random.Generator) -> DayUsage:
    c = world.contacts
    onboarding = np.where(day - c.join_day < 14, 1.6, 1.0)
    present = (c.join_day <= day) & (day < c.leave_day)
    chance = c.base_activity * account_factor(world, day)[c.account] * activity_factor(day) * onboarding
    active = np.flatnonzero(present & (rng.random(len(c.ids)) < np.minimum(chance, 0.97)))
    k = len(active)

    available = (_RELEASED <= day) & (day < _RETIRED)
    adopted = (world.adopt_day[active] <= day) & available[None, :]
    used = adopted & (rng.random((k, len(cat.FEATURES))) < _USE_CHANCE[None, :])
    use_counts = np.where(used, 1 + rng.poisson(0.7, used.shape), 0)
    user_of_use, feature_of_use = np.nonzero(use_counts)
    feature_rep = use_counts[user_of_use, feature_of_use]

    pages = rng.poisson(np.array((1.6, 2.6, 3.6))[c.engagement[active]])
    exports = rng.poisson(0.08, k)
    users = np.concatenate([
        np.arange(k), np.repeat(np.arange(k), pages), np.repeat(user_of_use, feature_rep), np.repeat(np.arange(k), exports)
    ])
    kinds = np.concatenate([np.zeros(k, int), np.ones(pages.sum(), int), np.full(feature_rep.sum(), 2), np.full(exports.sum(), 3)])
    features = np.concatenate([np.full(k + pages.sum(), -1), np.repeat(feature_of_use, feature_rep), np.full(exports.sum(), -1)])
    n = len(users)

    region = world.accounts.region[c.account[active]]
    local_start = np.clip(rng.normal(11.5, 2.5, k), 6, 21) * 3600
    utc_start = (local_start - np.array(cat.REGION_UTC_OFFSET_HOURS)[region] * 3600) % SECONDS_PER_DAY
    offset = np.where(kinds == 0, 0, rng.integers(5, 90 * 60, n))
    occurred = epoch_seconds + np.minimum(utc_start[users] + offset, SECONDS_PER_DAY - 1).astype(np.int64)
    late = rng.random(n) < LATE_SHARE
    lag = np.where(late, rng.integers(1, MAX_LATE_DAYS + 1, n) * SECONDS_PER_DAY, 0) + rng.integers(1, 120, n)
    received = occurred + lag
    order = np.argsort(occurred, kind="stable")
    users, kinds, features, occurred, received = users[order], kinds[order], features[order], occurred[order], received[order]

    person = active[users]
    ids = pc.binary_join_element_wise("ev_", pc.cast(pa.array(day * 10_000_000 + np.arange(n)), pa.string()), "")
    page = np.where(kinds == 1, np.array(cat.PAGES)[rng.integers(0, len(cat.PAGES), n)], None)
    page = np.where(kinds == 2, np.char.add("/features/", _FEATURE_KEYS[np.maximum(features, 0)]), page)
    session = pc.cast(pa.array(person.astype(np.int64) * 10_000 + day), pa.string())
    properties = pc.binary_join_element_wise('{"session_id":"s', session, '","duration_ms":',
                                              pc.cast(pa.array(rng.integers(200, 60_000, n)), pa.string()), "}", "")
    table = pa.table({
        "event_id": ids,
        "occurred_at": iso_timestamps(occurred),
        "received_at": iso_timestamps(received),
        "user_id": pa.array(c.ids[person], pa.string()),
        "account_id": pa.array(world.accounts.ids[c.account[person]], pa.string()),
        "event_name": pa.array(_EVENT_NAMES[kinds], pa.string()),
        "feature_key": pa.array(np.where(features >= 0, _FEATURE_KEYS[np.maximum(features, 0)], None), pa.string()),
        "page": pa.array(page, pa.string()),
        "platform": pa.array(np.array(cat.PLATFORMS)[c.platform[person]], pa.string()),
        "properties": properties,
        "_received_day": pa.array((received // SECONDS_PER_DAY - epoch_seconds // SECONDS_PER_DAY + day).astype(np.int32)),
    })
    again = np.flatnonzero(rng.random(n) < REDELIVERED_SHARE)
    if len(again):
        resent = received[again] + rng.integers(30, 2 * SECONDS_PER_DAY, len(again))
        copy = table.take(again)
        copy = copy.set_column(copy.schema.get_field_index("received_at"), "received_at", iso_timestamps(resent))
        copy = copy.set_column(copy.schema.get_field_index("_received_day"), "_received_day",
                               pa.array((resent // SECONDS_PER_DAY - epoch_seconds // SECONDS_PER_DAY + day).astype(np.int32)))
        table = pa.concat_tables([table, copy])
    return DayUsage(table, active)
