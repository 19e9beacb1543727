"""The simulated customer base: accounts, their subscriptions, their people and what they adopt.

Everything here is drawn once for the whole horizon from the seed alone, never from --end, so that
extending the data to a later day only appends: the past does not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from . import catalogue as cat
from .scales import HORIZON_DAYS, Scale

NEVER = np.iinfo(np.int32).max // 2  # a day index past any horizon

STREAM_ACCOUNTS, STREAM_SUBSCRIPTIONS, STREAM_CONTACTS, STREAM_ADOPTION = 1, 2, 3, 4


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


@dataclass
class Accounts:
    ids: np.ndarray  # str
    names: np.ndarray
    industry: np.ndarray  # int index into catalogue
    region: np.ndarray
    band: np.ndarray
    csm: np.ndarray
    created_day: np.ndarray
    created_seconds: np.ndarray
    health: np.ndarray  # latent: drives churn, activity, tickets and NPS
    deleted: np.ndarray  # bool
    domain: np.ndarray


@dataclass
class Periods:
    account: np.ndarray
    subscription: np.ndarray  # number of the account's subscription (a win-back opens a new one)
    plan: np.ndarray
    is_trial: np.ndarray
    seats: np.ndarray
    mrr: np.ndarray
    start: np.ndarray
    end: np.ndarray  # exclusive; NEVER = still running at the horizon
    subscription_start: np.ndarray

    def __len__(self) -> int:
        return len(self.account)


@dataclass
class Contacts:
    ids: np.ndarray
    account: np.ndarray
    email: np.ndarray
    role: np.ndarray
    internal: np.ndarray
    join_day: np.ndarray
    join_seconds: np.ndarray
    leave_day: np.ndarray
    base_activity: np.ndarray  # chance of activity on a normal weekday
    engagement: np.ndarray  # 0 occasional, 1 regular, 2 power
    platform: np.ndarray


@dataclass
class World:
    seed: int
    scale: Scale
    accounts: Accounts
    periods: Periods
    contacts: Contacts
    adopt_day: np.ndarray  # contacts x features: day of first use, NEVER if never
    spell_start: np.ndarray  # accounts x K: subscribed spells (trial or paid), padded with NEVER
    spell_end: np.ndarray
    spell_churns: np.ndarray  # the spell ends in a churn or a lapsed trial


def _choice(rng: np.random.Generator, weights, size) -> np.ndarray:
    return rng.choice(len(weights), size=size, p=np.asarray(weights) / np.sum(weights))


def make_accounts(seed: int, scale: Scale) -> Accounts:
    rng = rng_for(seed, STREAM_ACCOUNTS)
    existing = scale.accounts
    new = rng.poisson(0.3 * existing * HORIZON_DAYS / 365)
    created = np.concatenate([rng.integers(-730, 0, existing), rng.integers(0, HORIZON_DAYS, new)])
    created.sort(kind="stable")
    n = len(created)
    band = _choice(rng, cat.BAND_WEIGHTS, n)
    names = np.array([
        f"{cat.NAME_PARTS[a].title()}{cat.NAME_PARTS[b]} {cat.NAME_SUFFIXES[c]}"
        for a, b, c in zip(rng.integers(0, len(cat.NAME_PARTS), n), rng.integers(0, len(cat.NAME_PARTS), n),
                           rng.integers(0, len(cat.NAME_SUFFIXES), n))
    ])
    ids = np.array([f"acc_{i + 1:06d}" for i in range(n)])
    domain = np.array([re.sub(r"[^a-z]", "", name.lower().split()[0]) + f"{i % 97}.example.com"
                       for i, name in enumerate(names)])
    return Accounts(
        ids=ids, names=names,
        industry=_choice(rng, cat.INDUSTRY_WEIGHTS, n), region=_choice(rng, cat.REGION_WEIGHTS, n), band=band,
        csm=rng.integers(0, len(cat.CSM_OWNERS), n), created_day=created.astype(np.int32),
        created_seconds=rng.integers(8 * 3600, 18 * 3600, n), health=rng.standard_normal(n),
        deleted=rng.random(n) < 0.01, domain=domain,
    )


def simulate_periods(seed: int, accounts: Accounts) -> Periods:
    """Trials, conversions, upgrades, seat changes, churn and win-backs, in 30-day billing steps."""
    rng = rng_for(seed, STREAM_SUBSCRIPTIONS)
    n = len(accounts.ids)
    plan = np.array([_choice(rng, cat.PLAN_BY_BAND[b], 1)[0] for b in accounts.band])
    seats = np.maximum(1, np.round(np.array(cat.BAND_SEATS)[accounts.band] * rng.lognormal(0, 0.35, n))).astype(int)
    hazard_scale = np.exp(-0.6 * accounts.health - 0.18)  # mean 1 over the health distribution
    rows: list[tuple] = []

    def open_period(idx, sub, is_trial, start, sub_start):
        for i in idx:
            rows.append([i, sub[i], plan[i], is_trial, seats[i], start[i], NEVER, sub_start[i]])

    existing = accounts.created_day < 0
    trial_end = accounts.created_day + cat.TRIAL_DAYS
    converts = rng.random(n) < np.clip(cat.TRIAL_CONVERSION + 0.1 * accounts.health, 0.05, 0.95)
    paid_start = np.where(existing, accounts.created_day, trial_end)
    sub = np.zeros(n, dtype=int)
    sub_start = accounts.created_day.copy()
    open_index: dict[int, int] = {}
    for i in np.flatnonzero(~existing):
        open_index[i] = len(rows)
        rows.append([i, 0, plan[i], True, seats[i], accounts.created_day[i], trial_end[i], accounts.created_day[i]])
    paying = existing | converts
    for i in np.flatnonzero(paying):
        open_index[i] = len(rows)
        rows.append([i, 0, plan[i], False, seats[i], paid_start[i], NEVER, sub_start[i]])

    churn_day = np.full(n, NEVER)
    steps = (HORIZON_DAYS + 760) // 30
    for k in range(1, steps):
        day = paid_start + 30 * k
        live = day < HORIZON_DAYS
        draw = rng.random(n)
        factor = rng.uniform(0.6, 1.5, n)
        # paying accounts: churn, upgrade, expand, contract (existing customers survive until START)
        active = paying & live
        churn = active & (day >= 0) & (draw < np.array(cat.MONTHLY_CHURN)[plan] * hazard_scale)
        upgrade = active & ~churn & (plan < 2) & (draw > 0.985)
        expand = active & ~churn & ~upgrade & (draw > 0.93) & (draw <= 0.985)
        contract = active & ~churn & ~upgrade & ~expand & (draw > 0.91) & (draw <= 0.93)
        for i in np.flatnonzero(churn | upgrade | expand | contract):
            rows[open_index[i]][6] = day[i]
        plan = np.where(upgrade, plan + 1, plan)
        seats = np.where(expand, np.ceil(seats * np.maximum(factor, 1.1)), seats).astype(int)
        seats = np.where(contract, np.maximum(1, np.floor(seats * np.minimum(factor, 0.9))), seats).astype(int)
        changed = upgrade | expand | contract
        for i in np.flatnonzero(changed):
            open_index[i] = len(rows)
            rows.append([i, sub[i], plan[i], False, seats[i], day[i], NEVER, sub_start[i]])
        churn_day = np.where(churn, day, churn_day)
        paying = paying & ~churn
        # churned accounts may come back within a year, as a new subscription
        winback = (~paying & (churn_day < day) & (day - churn_day <= 365) & live
                   & (rng.random(n) < cat.WINBACK_MONTHLY))
        sub = np.where(winback, sub + 1, sub)
        sub_start = np.where(winback, day, sub_start)
        seats = np.where(winback, np.maximum(1, np.round(seats * 0.8)), seats).astype(int)
        for i in np.flatnonzero(winback):
            open_index[i] = len(rows)
            rows.append([i, sub[i], plan[i], False, seats[i], day[i], NEVER, sub_start[i]])
        paying = paying | winback
        churn_day = np.where(winback, NEVER, churn_day)

    table = np.array(rows, dtype=np.int64)
    order = np.lexsort((table[:, 5], table[:, 0]))
    table = table[order]
    price = np.array(cat.PRICE_PER_SEAT)[table[:, 2]]
    is_trial = table[:, 3].astype(bool)
    return Periods(
        account=table[:, 0], subscription=table[:, 1], plan=table[:, 2], is_trial=is_trial, seats=table[:, 4],
        mrr=np.where(is_trial, 0.0, np.round(table[:, 4] * price, 2)), start=table[:, 5].astype(np.int32),
        end=table[:, 6].astype(np.int32), subscription_start=table[:, 7].astype(np.int32),
    )


def subscribed_spells(n_accounts: int, periods: Periods) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per account, the stretches of contiguous periods (a trial and what follows it, a win-back)."""
    spells: list[list[tuple[int, int]]] = [[] for _ in range(n_accounts)]
    for a, s, e in zip(periods.account, periods.start, periods.end):
        if spells[a] and spells[a][-1][1] == s:
            spells[a][-1] = (spells[a][-1][0], e)
        else:
            spells[a].append((s, e))
    k = max(len(s) for s in spells)
    start = np.full((n_accounts, k), NEVER, dtype=np.int32)
    end = np.full((n_accounts, k), NEVER, dtype=np.int32)
    for a, items in enumerate(spells):
        for j, (s, e) in enumerate(items):
            start[a, j], end[a, j] = s, e
    churns = (end < NEVER) & (start < NEVER)
    return start, end, churns


def make_contacts(seed: int, accounts: Accounts, periods: Periods) -> Contacts:
    rng = rng_for(seed, STREAM_CONTACTS)
    first_seats = np.zeros(len(accounts.ids), dtype=int)
    first_seats[periods.account[::-1]] = periods.seats[::-1]
    per_account = np.maximum(1, np.round(first_seats * rng.uniform(0.3, 0.6, len(first_seats)))).astype(int)
    account = np.repeat(np.arange(len(accounts.ids)), per_account)
    n = len(account)
    first_of_account = np.r_[True, account[1:] != account[:-1]]
    created = accounts.created_day[account]
    onboarding = rng.random(n) < 0.6
    offset = np.where(onboarding, rng.exponential(20, n), rng.uniform(0, 540, n)).astype(np.int32)
    join_day = np.where(first_of_account, created, created + offset).astype(np.int32)
    leave_day = (join_day + rng.exponential(1100, n)).astype(np.int32)
    engagement = _choice(rng, (0.55, 0.33, 0.12), n)
    base = np.array((0.04, 0.22, 0.55))[engagement] * np.exp(0.25 * accounts.health[account])
    first = rng.integers(0, len(cat.FIRST_NAMES), n)
    last = rng.integers(0, len(cat.LAST_NAMES), n)
    internal = rng.random(n) < 0.015
    email = np.array([
        f"{cat.FIRST_NAMES[f]}.{cat.LAST_NAMES[l]}{i % 89}@" + ("prodops.example" if it else accounts.domain[a])
        for i, (f, l, a, it) in enumerate(zip(first, last, account, internal))
    ])
    role = np.where(first_of_account, 0, _choice(rng, (0.1, 0.7, 0.2), n))
    return Contacts(
        ids=np.array([f"usr_{i + 1:07d}" for i in range(n)]), account=account, email=email,
        role=role, internal=internal, join_day=join_day, join_seconds=rng.integers(7 * 3600, 19 * 3600, n),
        leave_day=leave_day, base_activity=np.minimum(base, 0.95), engagement=engagement,
        platform=_choice(rng, cat.PLATFORM_WEIGHTS, n),
    )


def adoption_days(seed: int, contacts: Contacts) -> np.ndarray:
    """Day each person first uses each feature: lognormal delays give S-shaped adoption curves."""
    rng = rng_for(seed, STREAM_ADOPTION)
    n, f = len(contacts.ids), len(cat.FEATURES)
    released = np.array([feat[4] for feat in cat.FEATURES])
    probability = np.array([feat[6] for feat in cat.FEATURES])
    median = np.array([feat[8] for feat in cat.FEATURES])
    adopts = rng.random((n, f)) < probability
    delay = median * rng.lognormal(0, 0.8, (n, f))
    start = np.maximum(released[None, :], contacts.join_day[:, None])
    return np.where(adopts, start + delay, NEVER).astype(np.int32)


def build_world(seed: int, scale: Scale) -> World:
    accounts = make_accounts(seed, scale)
    periods = simulate_periods(seed, accounts)
    contacts = make_contacts(seed, accounts, periods)
    spell_start, spell_end, spell_churns = subscribed_spells(len(accounts.ids), periods)
    return World(seed, scale, accounts, periods, contacts, adoption_days(seed, contacts),
                 spell_start, spell_end, spell_churns)
