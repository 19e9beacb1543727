"""Stripe billing as Fivetran lands it: the subscriptions kind.

A subscription's history (`subscription_history`, one row per version with Fivetran's history mode)
gives its periods; its items priced by `price` (or the legacy `plan`) give each period's seats and MRR,
net of the discount in force when the period began (`discount` of a `coupon`, where landed).
The customer's metadata key PRODOPS_STRIPE_ACCOUNT_KEY holds the CRM account id.
"""

from __future__ import annotations

from ..contract import Column, Table
from ..validation import lit
from . import AccountMap, System

STATUSES = ("incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused")
INTERVALS = ("day", "week", "month", "year")
HISTORY = (Column("_fivetran_start", "timestamp"), Column("_fivetran_end", "timestamp"),
           Column("_fivetran_active", "boolean"), Column("_fivetran_synced", "timestamp"))

TABLES = (
    Table(
        "stripe__customer", "subscriptions", key="id", system="stripe",
        columns=(
            Column("id", "string", required=True),
            Column("metadata", "json_object"),
            Column("created", "timestamp"),
            Column("is_deleted", "boolean"),
        ),
    ),
    Table(
        "stripe__product", "subscriptions", key="id", system="stripe",
        columns=(
            Column("id", "string", required=True),
            Column("name", "string", required=True),
        ),
    ),
    Table(
        "stripe__price", "subscriptions", key="id", system="stripe",
        columns=(
            Column("id", "string", required=True),
            Column("product_id", "string"),
            Column("currency", "string", required=True),
            Column("unit_amount", "integer", min_value=0),
            Column("recurring_interval", "string", allowed=INTERVALS),
            Column("recurring_interval_count", "integer", min_value=1),
            Column("type", "string", allowed=("one_time", "recurring")),
        ),
    ),
    Table(
        "stripe__plan", "subscriptions", key="id", system="stripe", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("product_id", "string"),
            Column("currency", "string", required=True),
            Column("amount", "integer", min_value=0),
            Column("interval", "string", allowed=INTERVALS),
            Column("interval_count", "integer", min_value=1),
        ),
    ),
    Table(
        "stripe__subscription_history", "subscriptions", key=None, system="stripe", core=True,
        columns=(
            Column("id", "string", required=True),
            Column("customer_id", "string", required=True, maps_account=True),
            Column("status", "string", required=True, allowed=STATUSES),
            Column("start_date", "timestamp"),
            Column("ended_at", "timestamp"),
            Column("canceled_at", "timestamp"),
            Column("current_period_end", "timestamp"),
            Column("trial_end", "timestamp"),
            *HISTORY,
        ),
    ),
    Table(
        "stripe__subscription_item", "subscriptions", key=None, system="stripe",
        columns=(
            Column("id", "string", required=True),
            Column("subscription_id", "string", required=True, references=("stripe__subscription_history", "id")),
            Column("price_id", "string"),
            Column("plan_id", "string"),
            Column("quantity", "integer", min_value=0),
            *HISTORY,
        ),
    ),
    Table(
        "stripe__coupon", "subscriptions", key=None, system="stripe", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("percent_off", "decimal", min_value=0, max_value=100),
            Column("amount_off", "integer", min_value=0),
            Column("currency", "string"),
            Column("duration", "string", allowed=("once", "repeating", "forever")),
            Column("duration_in_months", "integer", min_value=1),
            Column("_fivetran_synced", "timestamp"),
        ),
    ),
    Table(
        "stripe__discount", "subscriptions", key=None, system="stripe", optional=True,
        columns=(
            Column("id", "string", required=True),
            Column("coupon_id", "string", required=True, references=("stripe__coupon", "id")),
            Column("customer_id", "string"),
            Column("subscription_id", "string"),
            Column("start", "timestamp", required=True),
            Column("end", "timestamp"),
            Column("_fivetran_synced", "timestamp"),
        ),
    ),
)

SYSTEM = System(
    "stripe", ("subscriptions",), TABLES,
    account_map=AccountMap(
        "stripe__customer", "id",
        field=lambda settings: f"json_extract_string(metadata, {lit('$.' + settings.stripe_account_key)})",
        describe=lambda settings: f"a stripe customer whose metadata {settings.stripe_account_key!r} is a CRM account id, "
                                  "or a row of the account mapping file",
    ),
)
