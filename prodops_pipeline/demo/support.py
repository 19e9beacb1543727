"""Support tickets and their histories, drawn for the whole horizon and cut at --end.

Accounts in poor health and accounts about to churn open more tickets and rate them worse;
replies, reopens and ratings follow the rhythms of a real help desk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import catalogue as cat
from .scales import HORIZON_DAYS
from .world import World, rng_for

STREAM_TICKETS = 20
MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass
class Tickets:
    account: np.ndarray
    requester: np.ndarray  # contact index
    created: np.ndarray  # seconds from START
    priority: np.ndarray
    type: np.ndarray
    channel: np.ndarray
    feature: np.ndarray  # feature index or -1
    is_bug: np.ndarray
    is_feature_request: np.ndarray
    subject: np.ndarray
    # lifecycle draws
    first_reply: np.ndarray  # seconds after creation
    note: np.ndarray  # seconds after creation of an internal note before the first reply, or -1
    extra_replies: np.ndarray
    solve: np.ndarray  # seconds after creation
    reopen_after: np.ndarray  # seconds after the first solve, or -1
    resolve_again: np.ndarray
    offered: np.ndarray
    rated: np.ndarray
    bad: np.ndarray

    def __len__(self) -> int:
        return len(self.account)


def draw_tickets(world: World) -> Tickets:
    rng = rng_for(world.seed, STREAM_TICKETS)
    users_per_account = np.bincount(world.contacts.account, minlength=len(world.accounts.ids))
    rate = 0.0025 * np.maximum(users_per_account, 1) ** 0.7 * np.exp(-0.35 * world.accounts.health)
    acc, start, end = [], [], []
    for j in range(world.spell_start.shape[1]):
        s = np.clip(world.spell_start[:, j], 0, HORIZON_DAYS)
        e = np.clip(world.spell_end[:, j], 0, HORIZON_DAYS)
        counts = rng.poisson(rate * np.maximum(e - s, 0))
        churning = world.spell_churns[:, j] & (world.spell_end[:, j] < HORIZON_DAYS)
        extra = np.where(churning, rng.poisson(rate * 1.5 * 60), 0)  # trouble before a churn
        for n, lo, hi in ((counts, s, e), (extra, np.maximum(e - 60, s), e)):
            acc.append(np.repeat(np.arange(len(n)), n))
            start.append(np.repeat(lo, n))
            end.append(np.repeat(np.maximum(hi, lo + 1), n))
    account = np.concatenate(acc)
    lo, hi = np.concatenate(start), np.concatenate(end)
    created = (lo * DAY + rng.random(len(account)) * (hi - lo) * DAY).astype(np.int64)
    order = np.argsort(created, kind="stable")
    account, created = account[order], created[order]
    n = len(account)

    first_contact = np.searchsorted(world.contacts.account, account)
    requester = first_contact + (rng.random(n) * np.maximum(users_per_account[account], 1)).astype(int)
    day = created // DAY
    requester = np.where(world.contacts.join_day[requester] <= day, requester, first_contact)  # only people there
    priority = rng.choice(4, n, p=cat.PRIORITY_WEIGHTS)
    ttype = rng.choice(4, n, p=cat.TICKET_TYPE_WEIGHTS)
    released = np.array([f[4] for f in cat.FEATURES])
    feature = rng.integers(0, len(cat.FEATURES), n)
    feature = np.where((rng.random(n) < 0.6) & (released[feature] <= day), feature, -1)
    is_bug = np.isin(ttype, (1, 2)) & (rng.random(n) < 0.6)
    is_request = (ttype == 0) & (rng.random(n) < 0.15)
    subject = rng.integers(0, len(cat.SUBJECTS), n)
    health = world.accounts.health[account]

    first_reply = (np.array(cat.FIRST_REPLY_MEDIAN_MINUTES)[priority] * MINUTE
                   * rng.lognormal(0, 1.0, n) * np.where(health < -1, 1.6, 1.0)).astype(np.int64) + MINUTE
    extra = np.where(rng.random(n) < 0.45, 0, 1 + rng.poisson(1.2, n))
    solve = np.maximum((np.array(cat.RESOLUTION_MEDIAN_HOURS)[priority] * HOUR * rng.lognormal(0, 0.9, n)).astype(np.int64),
                       first_reply + (extra + 1) * 20 * MINUTE)
    reopen = rng.random(n) < np.where(is_bug, 0.16, 0.07)
    churn_soon = _churns_within(world, account, day, 90)
    bad_chance = 1 / (1 + np.exp(-(-1.8 + 0.6 * (first_reply > 2 * np.array(cat.FIRST_REPLY_MEDIAN_MINUTES)[priority] * MINUTE)
                                   + 0.9 * reopen - 0.6 * health + 1.0 * churn_soon)))
    return Tickets(
        account=account, requester=requester, created=created, priority=priority, type=ttype,
        channel=rng.choice(5, n, p=cat.TICKET_CHANNEL_WEIGHTS), feature=feature, is_bug=is_bug,
        is_feature_request=is_request, subject=subject, first_reply=first_reply,
        note=np.where(rng.random(n) < 0.3, (first_reply * rng.uniform(0.1, 0.9, n)).astype(np.int64), -1),
        extra_replies=extra, solve=solve,
        reopen_after=np.where(reopen, rng.integers(2 * HOUR, 72 * HOUR, n), -1),
        resolve_again=rng.integers(2 * HOUR, 48 * HOUR, n),
        offered=rng.random(n) < 0.65, rated=rng.random(n) < 0.5, bad=rng.random(n) < bad_chance,
    )


def _churns_within(world: World, account: np.ndarray, day: np.ndarray, days: int) -> np.ndarray:
    ends = world.spell_end[account]
    return (world.spell_churns[account] & (ends >= day[:, None]) & (ends - day[:, None] <= days)).any(axis=1)


@dataclass
class TicketEvent:
    ticket: int
    seq: int
    at: int  # seconds from START
    kind: str
    author_role: str | None
    is_public: bool | None
    new_status: str | None


def history(t: Tickets, i: int) -> list[TicketEvent]:
    """The events of ticket i, in time order."""
    c = int(t.created[i])
    out: list[tuple] = [(c, "comment", "end_user", True, None), (c, "status_change", "system", None, "new")]
    if t.note[i] >= 0:
        out.append((c + int(t.note[i]), "comment", "agent", False, None))
    reply = c + int(t.first_reply[i])
    out += [(reply, "comment", "agent", True, None), (reply, "status_change", "agent", None, "open")]
    solved = c + int(t.solve[i])
    step = max((solved - reply) // (2 * int(t.extra_replies[i]) + 2), 60)
    at = reply
    for _ in range(int(t.extra_replies[i])):
        out.append((at + step, "comment", "end_user", True, None))
        out.append((at + 2 * step, "comment", "agent", True, None))
        at += 2 * step
    out.append((solved, "status_change", "agent", None, "solved"))
    if t.reopen_after[i] >= 0:
        back = solved + int(t.reopen_after[i])
        solved = back + int(t.resolve_again[i])
        out += [(back, "comment", "end_user", True, None), (back, "status_change", "system", None, "open"),
                (back + (solved - back) // 2, "comment", "agent", True, None),
                (solved, "status_change", "agent", None, "solved")]
    out.append((solved + 4 * DAY, "status_change", "system", None, "closed"))
    out.sort(key=lambda e: e[0])
    return [TicketEvent(i, seq, *e) for seq, e in enumerate(out)]


def final_solve(t: Tickets, i: int) -> int:
    solved = int(t.created[i] + t.solve[i])
    return solved + int(t.reopen_after[i] + t.resolve_again[i]) if t.reopen_after[i] >= 0 else solved


def satisfaction(t: Tickets, i: int, cutoff: int) -> str | None:
    """The rating as the help desk shows it at the cutoff (seconds from START)."""
    solved = final_solve(t, i)
    if solved > cutoff:
        return None
    if not t.offered[i]:
        return "unoffered"
    if t.rated[i] and solved + DAY <= cutoff:
        return "bad" if t.bad[i] else "good"
    return "offered"


def tickets_until(t: Tickets, last_day: int) -> np.ndarray:
    return np.flatnonzero(t.created < (last_day + 1) * DAY)

