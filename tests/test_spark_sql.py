"""The check that the Spark test runs over every model compiled for Spark (test_spark.py) finds DuckDB-only SQL by
name, and passes SQL that Spark runs. Here with the names of Spark's function registry as PySpark 4.3 lists them
(`show functions`, in fixtures/spark_functions.txt); there with the registry of the Spark it runs on, which must
hold every one of them."""

from __future__ import annotations

import pytest

from .spark_sql import SPARK_FUNCTIONS, not_spark

REGISTRY = set(SPARK_FUNCTIONS.read_text().split())


@pytest.mark.parametrize("sql, refused", [
    ("select list_has(tags, 'x') from t", "calls list_has()"),
    ("select * from generate_series(1, 10) as t (i)", "calls generate_series()"),
    ("select struct_pack(a := 1) as s from t", "calls struct_pack()"),
    ("select strftime(day, '%Y-%m') from t", "calls strftime()"),
    ("select regexp_full_match(name, 'a.*') from t", "calls regexp_full_match()"),
    ("select epoch_ms(occurred_at) from t", "calls epoch_ms()"),
    ("select cast(account_id as varchar) from t", "casts to varchar without a length"),
    ("select occurred_at::timestamptz from t", "casts to timestamptz"),
    ("select cast(n as hugeint) from t", "casts to hugeint"),
    ("select {'a': 1} as s from t", "does not parse as Spark SQL"),
])
def test_duckdb_only_sql_is_refused_by_name(sql, refused):
    problems = not_spark(sql, REGISTRY)
    assert len(problems) == 1 and problems[0].startswith(refused), problems


def test_sql_that_spark_runs_passes():
    sql = """
        with days as (select cast(d as date) as day, cast(a as string) as account_id, cast(m as decimal(18, 2)) as mrr,
                             cast(s as varchar(8)) as code, cast(t as timestamp) as timestamp from raw)
        select date_trunc('month', day) as month, coalesce(max(mrr), 0) as mrr, count(*) as n,
               sum(if(array_contains(array(1, 2), 1), 1, 0)) as flagged, datediff(max(day), min(day)) as span,
               percentile_approx(mrr, 0.5) as median, concat(account_id, '-', code) || 'x' as label,
               row_number() over (partition by account_id order by day) as k,
               case when exists (select 1 from raw as r where r.a = days.account_id) then 1 end as known,
               day + interval '1' day as next_day
        from days group by all
    """
    assert not_spark(sql, REGISTRY) == []
