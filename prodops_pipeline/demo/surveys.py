"""NPS surveys: in-app prompts to active users, quarterly e-mail waves, and the answers.

Scores follow the planted mix of the account's plan (catalogue.NPS_MIX), tilted by account health
and the user's engagement through a Gaussian copula, so the mix by plan stays recoverable while
happier, busier customers still score higher.
"""

from __future__ import annotations

import math

import numpy as np

from . import catalogue as cat
from .calendar import day_date
from .scales import HORIZON_DAYS
from .world import World

IN_APP_CHANCE, IN_APP_COOLDOWN_DAYS = 1 / 30, 90
IN_APP_RESPONSE, EMAIL_SHARE, EMAIL_RESPONSE = 0.35, 0.35, 0.18
CORRECTION_SHARE, COMMENT_SHARE, PERSONAL_DATA_SHARE = 0.04, 0.4, 0.06
COPULA_RHO = 0.6


def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def _weighted_moments(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    mean = float(np.average(values, weights=weights))
    return mean, float(np.sqrt(np.average((values - mean) ** 2, weights=weights)))


def _subscribed_share(world: World) -> np.ndarray:
    """Per account, the share of the horizon it is subscribed: how often its people get e-mail waves."""
    days = np.clip(world.spell_end, 0, HORIZON_DAYS) - np.clip(world.spell_start, 0, HORIZON_DAYS)
    return np.maximum(days, 0).sum(axis=1) / HORIZON_DAYS + 1e-9


def plan_on_day(world: World, accounts: np.ndarray, day: int) -> np.ndarray:
    """The plan of each account's latest period started on or before the day."""
    p = world.periods
    bounds = np.searchsorted(p.account, np.arange(len(world.accounts.ids) + 1))
    out = np.empty(len(accounts), dtype=int)
    for j, a in enumerate(accounts):
        lo, hi = bounds[a], bounds[a + 1]
        k = lo + max(np.searchsorted(p.start[lo:hi], day, side="right") - 1, 0)
        out[j] = p.plan[k]
    return out


def is_email_wave(day: int) -> bool:
    """The first Tuesday of each quarter."""
    d = day_date(day)
    return d.month in (1, 4, 7, 10) and d.weekday() == 1 and d.day <= 7


class SurveyState:
    """What a day's surveys depend on from earlier days: when each user was last asked in-app."""

    def __init__(self, world: World):
        self.world = world
        self.last_in_app = np.full(len(world.contacts.ids), -10_000)
        c = world.contacts
        self.tilt = 0.8 * world.accounts.health[c.account] + 0.6 * c.engagement
        # Centre the tilt on who answers (active users in-app, everyone by e-mail), so the mix of
        # the answers stays the planted one while happier, busier people still score higher.
        self.tilt_scale = {
            "in_app": _weighted_moments(self.tilt, c.base_activity),
            "email": _weighted_moments(self.tilt, _subscribed_share(world)[c.account]),
        }
        self.delivery_seq = 0
        self.response_seq = 0

    def day(self, day: int, epoch: int, active: np.ndarray, rng: np.random.Generator) -> tuple[list[dict], list[dict]]:
        """Deliveries sent and responses given for deliveries sent this day (they may arrive later)."""
        w = self.world
        c = w.contacts
        asked = active[(day - self.last_in_app[active] >= IN_APP_COOLDOWN_DAYS) & ~c.internal[active]
                       & (rng.random(len(active)) < IN_APP_CHANCE)]
        self.last_in_app[asked] = day
        waves = [("in_app", "nps_in_app", asked)]
        if is_email_wave(day):
            d = day_date(day)
            present = np.flatnonzero((c.join_day <= day) & (day < c.leave_day) & ~c.internal)
            subscribed = ((w.spell_start <= day) & (day < w.spell_end)).any(axis=1)
            present = present[subscribed[c.account[present]] & (rng.random(len(present)) < EMAIL_SHARE)]
            waves.append(("email", f"nps_email_{d.year}q{(d.month - 1) // 3 + 1}", present))
        deliveries, responses = [], []
        for channel, survey, users in waves:
            sent = epoch + np.where(channel == "email", 9 * 3600, rng.integers(6 * 3600, 20 * 3600, len(users)))
            sent = np.broadcast_to(sent, len(users))
            for u, at in zip(users, sent):
                self.delivery_seq += 1
                deliveries.append({"delivery_id": f"dlv_{day:04d}_{self.delivery_seq:07d}", "survey_id": survey,
                                   "user_id": c.ids[u], "channel": channel, "sent_at": int(at)})
            answer = rng.random(len(users)) < (IN_APP_RESPONSE if channel == "in_app" else EMAIL_RESPONSE)
            responders, sent_at = users[answer], sent[answer]
            lag = (rng.integers(5, 900, len(responders)) if channel == "in_app"
                   else np.minimum(rng.exponential(1.5 * 86400, len(responders)), 14 * 86400).astype(np.int64))
            responses += self._answers(day, responders, sent_at + lag, survey, channel, rng)
        return deliveries, responses

    def _answers(self, day, users, at, survey, channel, rng) -> list[dict]:
        w = self.world
        c = w.contacts
        if len(users) == 0:
            return []
        account = c.account[users]
        plan = plan_on_day(w, account, day)
        mean, sd = self.tilt_scale["in_app" if channel == "in_app" else "email"]
        tilt = (self.tilt[users] - mean) / sd
        latent = _normal_cdf(COPULA_RHO * tilt + math.sqrt(1 - COPULA_RHO ** 2) * rng.standard_normal(len(users)))
        out = []
        for j, u in enumerate(users):
            mix = cat.NPS_MIX[cat.PLANS[plan[j]]]
            category = 0 if latent[j] < mix[0] else 1 if latent[j] < mix[0] + mix[1] else 2
            score = int((rng.choice([2, 3, 4, 5, 5, 6, 6, 6]), rng.choice([7, 8, 8]), rng.choice([9, 10]))[category])
            answers = [(int(at[j]), score)]
            if rng.random() < CORRECTION_SHARE:  # the same person answers again a few minutes later
                answers.append((int(at[j]) + int(rng.integers(60, 1800)), int(np.clip(score + rng.integers(-1, 2), 0, 10))))
            for when, value in answers:
                self.response_seq += 1
                out.append({
                    "response_id": f"rsp_{day:04d}_{self.response_seq:07d}", "survey_id": survey, "user_id": c.ids[u],
                    "account_id": w.accounts.ids[account[j]] if rng.random() < 0.8 else None, "score": value,
                    "comment": self._comment(("detractor", "passive", "promoter")[category], u, rng),
                    "channel": "link" if channel == "email" and rng.random() < 0.1 else channel, "responded_at": when,
                })
        return out

    def _comment(self, category: str, user: int, rng: np.random.Generator) -> str | None:
        if rng.random() >= COMMENT_SHARE:
            return None
        text = str(rng.choice(cat.COMMENTS[category])).format(f=cat.FEATURES[rng.integers(0, len(cat.FEATURES))][1])
        if rng.random() < PERSONAL_DATA_SHARE:
            line = str(rng.choice(cat.CONTACT_LINES)).format(n=int(rng.integers(0, 999)), email=self.world.contacts.email[user])
            text = f"{text} {line}"
        return text
