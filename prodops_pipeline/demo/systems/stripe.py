"""Our subscription periods as Fivetran lands Stripe with history mode on subscriptions and their items:
one customer per account (its metadata naming the account), one product per plan with a monthly price
(starter) or a yearly one, each period a version of its subscription and of its item, and a canceled
version where a subscription ended."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ...ingest.validation import lit
from .shapes import write_query
from ..catalogue import PLANS, PRICE_PER_SEAT

YEARLY = {"growth", "enterprise"}


def write(con: duckdb.DuckDBPyConnection, canonical: Path, out: Path) -> dict[str, int]:
    root = out / "stripe"
    periods = f"read_csv({lit(str(canonical / 'subscription_periods' / '*'))}, all_varchar = true, header = true)"
    accounts = f"read_csv({lit(str(canonical / 'accounts' / '*'))}, all_varchar = true, header = true)"
    con.execute(f"CREATE OR REPLACE TEMP TABLE periods AS SELECT * FROM {periods}")
    plans = ", ".join(
        f"({lit(plan)}, {int(round(price * (12 if plan in YEARLY else 1) * 100))}, {lit('year' if plan in YEARLY else 'month')})"
        for plan, price in zip(PLANS, PRICE_PER_SEAT))
    con.execute(f"CREATE OR REPLACE TEMP TABLE plans AS SELECT * FROM (VALUES {plans}) AS p(plan, unit_amount, billing_interval)")
    start = "strftime(CAST(period_start AS DATE), '%Y-%m-%d 00:00:00')"
    end = "strftime(CAST(period_end AS DATE) - INTERVAL 1 SECOND, '%Y-%m-%d %H:%M:%S')"  # history-mode ends are inclusive
    rows = {}
    rows["customer"] = write_query(con, (
        f"SELECT 'cus_' || account_id AS id, to_json({{'account_id': account_id}}) AS metadata, "
        f"replace(replace(created_at, 'T', ' '), 'Z', '') AS created, 'false' AS is_deleted FROM {accounts} ORDER BY id"),
        root / "customer" / "customer.csv")
    rows["product"] = write_query(con, "SELECT 'prod_' || plan AS id, plan AS name FROM plans ORDER BY id",
                                  root / "product" / "product.csv")
    rows["price"] = write_query(con, (
        "SELECT 'price_' || plan AS id, 'prod_' || plan AS product_id, 'usd' AS currency, unit_amount, "
        "billing_interval AS recurring_interval, 1 AS recurring_interval_count, 'recurring' AS type FROM plans ORDER BY id"),
        root / "price" / "price.csv")
    # a version per period; a canceled version where the subscription ends with no period after it
    versions = (
        f"SELECT subscription_id AS id, 'cus_' || account_id AS customer_id, "
        f"CASE WHEN is_trial = 'true' THEN 'trialing' ELSE 'active' END AS status, "
        f"strftime(CAST(min(period_start) OVER (PARTITION BY subscription_id) AS DATE), '%Y-%m-%d 00:00:00') AS start_date, "
        f"NULL AS ended_at, NULL AS canceled_at, "
        f"strftime(CAST(renewal_date AS DATE), '%Y-%m-%d 00:00:00') AS current_period_end, "
        f"{start} AS _fivetran_start, CASE WHEN period_end IS NOT NULL THEN {end} END AS _fivetran_end, "
        f"CASE WHEN period_end IS NULL THEN 'true' ELSE 'false' END AS _fivetran_active FROM periods "
        f"UNION ALL "
        f"SELECT p.subscription_id, 'cus_' || p.account_id, 'canceled', "
        f"strftime(CAST((SELECT min(period_start) FROM periods f WHERE f.subscription_id = p.subscription_id) AS DATE), '%Y-%m-%d 00:00:00'), "
        f"strftime(CAST(p.period_end AS DATE), '%Y-%m-%d 00:00:00'), strftime(CAST(p.period_end AS DATE), '%Y-%m-%d 00:00:00'), "
        f"NULL, strftime(CAST(p.period_end AS DATE), '%Y-%m-%d 00:00:00'), NULL, 'true' FROM periods p "
        f"WHERE p.period_end IS NOT NULL AND NOT EXISTS (SELECT 1 FROM periods n WHERE n.subscription_id = p.subscription_id "
        f"AND n.period_start = p.period_end)")
    rows["subscription_history"] = write_query(con, f"SELECT * FROM ({versions}) ORDER BY id, _fivetran_start",
                                               root / "subscription_history" / "subscription_history.csv")
    rows["subscription_item"] = write_query(con, (
        f"SELECT 'si_' || subscription_id AS id, subscription_id, 'price_' || plan AS price_id, seats AS quantity, "
        f"{start} AS _fivetran_start, CASE WHEN period_end IS NOT NULL THEN {end} END AS _fivetran_end, "
        f"CASE WHEN period_end IS NULL THEN 'true' ELSE 'false' END AS _fivetran_active FROM periods "
        f"ORDER BY subscription_id, _fivetran_start"),
        root / "subscription_item" / "subscription_item.csv")
    return rows
