"""The tables Spark built, as DuckDB views, so that the audit and the publish read them as they read
DuckDB's own build: one view per table folder of Spark's warehouse (`<schema>.db/<table>/`), over its
Parquet files, with partition columns from the folder names. Spark's views (staging) have no files
and are left out. The database is written aside and swapped in whole.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ..ingest.validation import lit, q
from ..settings import Settings


def spark_table_folders(root: Path) -> dict[str, dict[str, Path]]:
    """schema -> table -> folder, for the tables of Spark's warehouse that hold Parquet files."""
    schemas: dict[str, dict[str, Path]] = {}
    for schema in sorted(root.glob("*.db")):
        for table in sorted(p for p in schema.iterdir() if p.is_dir()):
            if next(table.rglob("*.parquet"), None) is not None:
                schemas.setdefault(schema.name.removesuffix(".db"), {})[table.name] = table
    return schemas


def expose_spark_tables(settings: Settings) -> int:
    """(Re)write settings.warehouse with a view of every table Spark built; returns how many."""
    root = Path(settings.spark_tables)
    target = settings.warehouse
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staged.unlink(missing_ok=True)
    views = 0
    with duckdb.connect(str(staged)) as con:
        for schema, tables in spark_table_folders(root).items():
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {q(schema)}")
            for table, folder in tables.items():
                con.execute(f"CREATE VIEW {q(schema)}.{q(table)} AS SELECT * FROM read_parquet("
                            f"{lit(str(folder / '**' / '*.parquet'))}, hive_partitioning = true, union_by_name = true)")
                views += 1
        con.execute("CHECKPOINT")
    os.replace(staged, target)
    return views
