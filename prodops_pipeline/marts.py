"""Reading the marts: ad-hoc queries and the headline numbers the demo prints."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd

from .settings import Settings


class MartsUnavailable(RuntimeError):
    """The marts cannot be read (not built yet, or the SQL is wrong)."""


Query = Callable[..., pd.DataFrame]  # (sql, parameters=None) -> the result


@contextmanager
def analyst_reader(settings: Settings) -> Iterator[Query]:
    """Queries on one read-only connection to the published analyst database, so that every answer
    comes from the same audited build even if a publish swaps in the next one meanwhile."""
    if not settings.analyst_database.exists():
        raise MartsUnavailable(f"nothing published at {settings.analyst_database} yet: "
                               "run `prodops run` (or `make demo`) until a build passes its audit")
    try:
        con = duckdb.connect(str(settings.analyst_database), read_only=True)
    except duckdb.Error as exc:
        raise MartsUnavailable(str(exc).strip()) from None

    def query(sql: str, parameters: list | None = None) -> pd.DataFrame:
        try:
            return con.execute(sql, parameters or []).df()
        except duckdb.Error as exc:
            raise MartsUnavailable(str(exc).strip()) from None

    try:
        yield query
    finally:
        con.close()


def read_query(settings: Settings, sql: str) -> pd.DataFrame:
    """Run SQL on the published analyst database: the last audited build, read-only."""
    with analyst_reader(settings) as query:
        return query(sql)


HEADLINES = (
    ("NPS, latest complete quarter", """
        select strftime(period_start, '%Y-Q') || quarter(period_start) as period,
               round(nps, 1) as value, round(margin_of_error, 1) as moe, responses
        from nps_summary
        where period_type = 'quarter' and dimension = 'all' and is_complete
        order by period_start desc limit 1""",
     lambda r: f"{r.value:+.1f} ± {r.moe:.1f} ({r.responses} respondents, {r.period})"),
    ("NPS, latest complete month", """
        select strftime(period_start, '%Y-%m') as period, round(nps, 1) as value, round(margin_of_error, 1) as moe, responses
        from nps_summary
        where period_type = 'month' and dimension = 'all' and is_complete
        order by period_start desc limit 1""",
     lambda r: f"{r.value:+.1f} ± {r.moe:.1f} ({r.responses} respondents, {r.period})"),
    ("Top features by user adoption", """
        select strftime(month, '%Y-%m') as period,
               string_agg(feature_name || ' ' || cast(round(100 * user_adoption_rate) as integer) || '%', ', '
                          order by user_adoption_rate desc) as value
        from (select * from feature_adoption
              where segment_type = 'all' and is_complete
                and month = (select max(month) from feature_adoption where is_complete)
              order by user_adoption_rate desc limit 3)
        group by month""",
     lambda r: f"{r.value} ({r.period})"),
    ("Logo retention, latest complete month", """
        select strftime(period_start, '%Y-%m') as period, retention_rate, customers_at_end
        from logo_retention where period_type = 'month' and is_complete
        order by period_start desc limit 1""",
     lambda r: f"{100 * r.retention_rate:.1f}% ({r.customers_at_end} paying customers, {r.period})"),
    ("GRR / NRR, latest complete month", """
        select strftime(month, '%Y-%m') as period, grr, nrr, grr_12m, nrr_12m
        from revenue_retention where is_complete order by month desc limit 1""",
     lambda r: f"{100 * r.grr:.1f}% / {100 * r.nrr:.1f}% (trailing 12 months: "
               + (f"{100 * r.grr_12m:.1f}% / {100 * r.nrr_12m:.1f}%" if r.nrr_12m == r.nrr_12m and r.nrr_12m is not None else "n/a")
               + f", {r.period})"),
    ("Accounts at risk, latest complete week", """
        select strftime(as_of_date, '%G-W%V') as period, count(*) filter (where is_at_risk) as at_risk, count(*) as accounts,
               coalesce(sum(mrr) filter (where is_at_risk), 0) as mrr_at_risk, sum(mrr) as mrr
        from account_health
        where as_of_date = (select max(as_of_date) from account_health where is_complete)
        group by as_of_date""",
     lambda r: f"{r.at_risk} of {r.accounts} ({float(r.mrr_at_risk):,.0f} of {float(r.mrr):,.0f} MRR; "
               f"`prodops health` for the list, {r.period})"),
    ("Median first reply, latest complete month", """
        select strftime(month, '%Y-%m') as period, median_first_reply_minutes as value, tickets_created
        from support_summary where dimension = 'all' and is_complete order by month desc limit 1""",
     lambda r: f"{r.value / 60:.1f} h over {r.tickets_created} tickets ({r.period})"),
)


def headline_numbers(settings: Settings) -> list[tuple[str, str]]:
    out = []
    for label, sql, render in HEADLINES:
        frame = read_query(settings, sql)
        out.append((label, render(next(frame.itertuples())) if len(frame) else "no complete period yet"))
    return out
