"""The tables Spark built, as DuckDB views, so that the audit and the publish read them as they read
DuckDB's own build: one view per table folder of Spark's warehouse (`<schema>.db/<table>/`), over its
Parquet files, with partition columns from the folder names. Spark keeps a partition column last; a view
lists a model's columns in the order its YAML declares them (a mart's contract), as DuckDB's build has them.
Spark's views (staging) have no files and are left out. The database is written aside and swapped in whole.
"""

from __future__ import annotations

import json
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


def declared_columns(manifest_path: Path) -> dict[str, list[str]]:
    """table name -> the columns its model's YAML declares, in order, for the models that declare some."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return {n["alias"]: list(n["columns"]) for n in nodes if n["resource_type"] == "model" and n["columns"]}


def expose_spark_tables(settings: Settings, manifest_path: Path) -> int:
    """(Re)write settings.warehouse with a view of every table Spark built; returns how many."""
    declared = declared_columns(manifest_path)
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
                files = (f"read_parquet({lit(str(folder / '**' / '*.parquet'))}, hive_partitioning = true, "
                         "union_by_name = true)")
                present = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {files}").fetchall()]
                first = [c for c in declared.get(table, []) if c in present]
                columns = ", ".join(q(c) for c in first + [c for c in present if c not in first])
                con.execute(f"CREATE VIEW {q(schema)}.{q(table)} AS SELECT {columns} FROM {files}")
                views += 1
        con.execute("CHECKPOINT")
    os.replace(staged, target)
    return views
