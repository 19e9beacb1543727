"""Spark's tables as DuckDB views (transform/spark_tables.py), without a JVM: Parquet folders laid out as Spark
writes them, partition folders included, read back with the columns in the order the models' YAML declares."""

from __future__ import annotations

import json
from datetime import date

import duckdb

from prodops_pipeline.settings import Settings
from prodops_pipeline.transform.spark_tables import expose_spark_tables


def test_a_partitioned_table_reads_in_its_contracts_column_order_and_a_view_without_files_is_left_out(tmp_path):
    settings = Settings.from_env({"PRODOPS_HOME": str(tmp_path / "home"), "PRODOPS_ENGINE": "spark"})
    root = tmp_path / "home" / "spark" / "warehouse"
    (root / "main.db" / "feature_adoption").mkdir(parents=True)
    (root / "intermediate.db").mkdir()
    (root / "staging.db" / "stg_view").mkdir(parents=True)  # a Spark view: a folder without files
    with duckdb.connect() as con:
        # as Spark writes a table partitioned by month: the partition column in the folder names, not in the files
        con.execute(f"""copy (select * from (values (date '2025-11-01', 'all', cast(0.5 as double)), (date '2025-12-01', 'all', 0.25))
                              as t(month, segment, breadth))
                        to '{root / "main.db" / "feature_adoption"}' (format parquet, partition_by (month))""")
        con.execute(f"copy (select 2 as b, 1 as a) to '{root / 'intermediate.db' / 'undeclared.parquet'}' (format parquet)")
    (root / "intermediate.db" / "undeclared").mkdir()
    (root / "intermediate.db" / "undeclared.parquet").rename(root / "intermediate.db" / "undeclared" / "part-0.parquet")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": {
        "model.prodops.feature_adoption": {"resource_type": "model", "alias": "feature_adoption",
                                           "columns": {"segment": {}, "month": {}, "breadth": {}}},
        "model.prodops.undeclared": {"resource_type": "model", "alias": "undeclared", "columns": {}},
        "test.prodops.some_test": {"resource_type": "test", "alias": "some_test", "columns": {}}}}))

    assert expose_spark_tables(settings, manifest) == 2
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        described = con.sql("describe main.feature_adoption").fetchall()
        assert [(name, kind) for name, kind, *_ in described] == [("segment", "VARCHAR"), ("month", "DATE"), ("breadth", "DOUBLE")]
        assert con.sql("select * from main.feature_adoption order by month").fetchall() == [
            ("all", date(2025, 11, 1), 0.5), ("all", date(2025, 12, 1), 0.25)]
        assert con.sql("select * from intermediate.undeclared").fetchall() == [(2, 1)]  # its files' order
        assert con.sql("select count(*) from information_schema.tables where table_schema = 'staging'").fetchone() == (0,)
