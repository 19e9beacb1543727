"""The demo world as the source tables of the contract, as a source system would show them on a day."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import catalogue as cat
from .calendar import START_EPOCH, day_date, iso_timestamps
from .support import DAY, Tickets, history, satisfaction
from .world import NEVER, World

def iso(seconds_from_start) -> pa.Array:
    return iso_timestamps(np.asarray(seconds_from_start, dtype=np.int64) + START_EPOCH)


def iso_dates(days) -> pa.Array:
    return pa.array([None if d is None else day_date(d).isoformat() for d in days], pa.string())


def features(last_day: int) -> pa.Table:
    rows = [f for f in cat.FEATURES if f[4] <= last_day]
    return pa.table({
        "feature_key": [f[0] for f in rows], "feature_name": [f[1] for f in rows], "product_area": [f[2] for f in rows],
        "is_core": [f[3] for f in rows], "released_at": iso_dates([f[4] for f in rows]),
        "retired_at": iso_dates([f[5] if f[5] is not None and f[5] <= last_day else None for f in rows]),
    })


def accounts(world: World, last_day: int) -> pa.Table:
    a = world.accounts
    keep = a.created_day <= last_day
    return pa.table({
        "account_id": a.ids[keep], "account_name": a.names[keep],
        "industry": np.array(cat.INDUSTRIES)[a.industry[keep]], "region": np.array(cat.REGIONS)[a.region[keep]],
        "employee_band": np.array(cat.EMPLOYEE_BANDS)[a.band[keep]], "csm_owner": np.array(cat.CSM_OWNERS)[a.csm[keep]],
        "created_at": iso(a.created_day[keep].astype(np.int64) * DAY + a.created_seconds[keep]),
        "is_deleted": pa.array(np.where(a.deleted[keep], "true", "false")),
    })


def contacts(world: World, last_day: int) -> pa.Table:
    c = world.contacts
    keep = c.join_day <= last_day
    return pa.table({
        "user_id": c.ids[keep], "account_id": world.accounts.ids[c.account[keep]], "email": c.email[keep],
        "role": np.array(["admin", "member", "viewer"])[c.role[keep]],
        "is_internal": pa.array(np.where(c.internal[keep], "true", "false")),
        "created_at": iso(c.join_day[keep].astype(np.int64) * DAY + c.join_seconds[keep]),
    })


def subscription_periods(world: World, last_day: int) -> pa.Table:
    p = world.periods
    keep = np.flatnonzero(p.start <= last_day)
    cycle = np.where(p.plan[keep] == 0, 30, 365)
    as_of = np.maximum(p.start[keep], np.minimum(p.end[keep] - 1, last_day))
    renewal = p.subscription_start[keep] + cycle * ((as_of - p.subscription_start[keep]) // cycle + 1)
    ends = p.end[keep]
    return pa.table({
        "period_id": [f"per_{p.account[i] + 1:06d}_{i + 1:07d}" for i in keep],
        "subscription_id": [f"sub_{p.account[i] + 1:06d}_{p.subscription[i] + 1}" for i in keep],
        "account_id": world.accounts.ids[p.account[keep]],
        "plan": np.array(cat.PLANS)[p.plan[keep]],
        "is_trial": np.where(p.is_trial[keep], "true", "false"),
        "seats": pc.cast(pa.array(p.seats[keep]), pa.string()),
        "mrr": [f"{m:.2f}" for m in p.mrr[keep]],
        "currency": [cat.CURRENCY] * len(keep),
        "period_start": iso_dates(p.start[keep]),
        "period_end": iso_dates([int(e) if e <= last_day and e < NEVER else None for e in ends]),
        "renewal_date": iso_dates(renewal),
    })


def tickets(world: World, t: Tickets, which: np.ndarray, last_day: int) -> tuple[pa.Table, pa.Table]:
    """The tickets created by the last day, with their status then, and their events by then."""
    cutoff = (last_day + 1) * DAY - 1
    rows, events = [], []
    for i in which:
        status = "new"
        for e in history(t, i):
            if e.at > cutoff:
                break
            if e.new_status:
                status = e.new_status
            events.append({
                "event_id": f"tev_{i + 1:07d}_{e.seq:02d}", "ticket_id": f"tkt_{i + 1:07d}", "occurred_at": int(e.at),
                "kind": e.kind, "author_role": e.author_role,
                "is_public": None if e.is_public is None else ("true" if e.is_public else "false"),
                "new_status": e.new_status, "_day": int(e.at // DAY),
            })
        feature = int(t.feature[i])
        feature_name = cat.FEATURES[feature][1] if feature >= 0 else "the product"
        rows.append({
            "ticket_id": f"tkt_{i + 1:07d}", "account_id": world.accounts.ids[t.account[i]],
            "requester_id": world.contacts.ids[t.requester[i]], "created_at": int(t.created[i]), "status": status,
            "priority": cat.PRIORITIES[t.priority[i]], "type": cat.TICKET_TYPES[t.type[i]],
            "tags": (["bug"] if t.is_bug[i] else []) + (["feature_request"] if t.is_feature_request[i] else [])
                    + [cat.TICKET_CHANNELS[t.channel[i]]],
            "feature_key": cat.FEATURES[feature][0] if feature >= 0 else None,
            "channel": cat.TICKET_CHANNELS[t.channel[i]],
            "subject": cat.SUBJECTS[t.subject[i]].format(f=feature_name),
            "satisfaction": satisfaction(t, i, cutoff),
        })
    ticket_table = pa.Table.from_pylist(rows, schema=_TICKET_SCHEMA)
    ticket_table = ticket_table.set_column(3, "created_at", iso(ticket_table.column("created_at").to_numpy()))
    event_table = pa.Table.from_pylist(events, schema=_EVENT_SCHEMA)
    event_table = event_table.set_column(2, "occurred_at", iso(event_table.column("occurred_at").to_numpy()))
    return ticket_table, event_table


def survey_records(records: list[dict], time_column: str, schema: pa.Schema) -> pa.Table:
    table = pa.Table.from_pylist(records, schema=schema)
    seconds = table.column(time_column).to_numpy() - START_EPOCH
    table = table.set_column(table.schema.get_field_index(time_column), time_column, iso(seconds))
    return table.append_column("_day", pa.array((seconds // DAY).astype(np.int32)))


_TICKET_SCHEMA = pa.schema([
    ("ticket_id", pa.string()), ("account_id", pa.string()), ("requester_id", pa.string()), ("created_at", pa.int64()),
    ("status", pa.string()), ("priority", pa.string()), ("type", pa.string()), ("tags", pa.list_(pa.string())),
    ("feature_key", pa.string()), ("channel", pa.string()), ("subject", pa.string()), ("satisfaction", pa.string()),
])
_EVENT_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("ticket_id", pa.string()), ("occurred_at", pa.int64()), ("kind", pa.string()),
    ("author_role", pa.string()), ("is_public", pa.string()), ("new_status", pa.string()), ("_day", pa.int32()),
])
DELIVERY_SCHEMA = pa.schema([
    ("delivery_id", pa.string()), ("survey_id", pa.string()), ("user_id", pa.string()), ("channel", pa.string()),
    ("sent_at", pa.int64()),
])
RESPONSE_SCHEMA = pa.schema([
    ("response_id", pa.string()), ("survey_id", pa.string()), ("user_id", pa.string()), ("account_id", pa.string()),
    ("score", pa.int64()), ("comment", pa.string()), ("channel", pa.string()), ("responded_at", pa.int64()),
])
