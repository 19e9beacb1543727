"""What the grain tests of the stamped tables have read, for the next build's tests (macros/tested_rows.sql).

After a dbt build whose tests passed, each grain test that passed on a table whose rows all carry the stamp
of the build that wrote them (`_written_at`) is recorded with the table's newest stamp: every row up to it
has been read by that test, as written or as part of the whole table. The next build's test reads only the
keys of the rows stamped later. A build that failed records nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

RECORD = "intermediate.prodops__tested_through"
STAMP = "_written_at"


def grain_test_key(node: dict[str, Any]) -> str | None:
    """A grain test's key in the record, as macro tested_rows_key writes it; None for other tests."""
    metadata = node.get("test_metadata") or {}
    kwargs = metadata.get("kwargs") or {}
    if metadata.get("name") == "unique" and not metadata.get("namespace"):
        columns = [kwargs.get("column_name")]
    elif metadata.get("name") == "unique_combination":
        columns = kwargs.get("columns")
    else:
        return None
    return f"{metadata['name']}({','.join(columns)})" if columns and all(columns) else None


def passed_grain_tests(manifest: dict[str, Any], run_results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(schema, table, test key) of each grain test that passed in the build."""
    passed = []
    for result in run_results.get("results", []):
        node = manifest["nodes"].get(result["unique_id"], {})
        key = grain_test_key(node) if result.get("status") == "pass" else None
        tested = manifest["nodes"].get(node.get("attached_node") or "") if key else None
        if tested:
            passed.append((tested["schema"], tested.get("alias") or tested["name"], key))
    return passed


def record_tested_rows(warehouse: Path, manifest: dict[str, Any], run_results: dict[str, Any],
                       config: dict[str, str] | None = None) -> int:
    """Records the passed grain tests of stamped tables; returns how many."""
    passed = passed_grain_tests(manifest, run_results)
    if not passed or not warehouse.exists():
        return 0
    with duckdb.connect(str(warehouse), config=config or {}) as con:
        stamped = {(schema, table) for schema, table in con.execute(
            "select table_schema, table_name from information_schema.columns where column_name = ?", [STAMP]).fetchall()}
        newest = {}
        for schema, table in {(s, t) for s, t, _ in passed} & stamped:
            unstamped, through = con.execute(
                f'select count(*) filter (where {STAMP} is null), max({STAMP}) from "{schema}"."{table}"').fetchone()
            if not unstamped and through is not None:
                newest[schema, table] = through
        rows = [(table, key, newest[schema, table]) for schema, table, key in passed if (schema, table) in newest]
        con.execute("begin transaction")
        con.execute(f"create table if not exists {RECORD} (model_name varchar, test varchar, written_through timestamp)")
        # a passed test of a table with unstamped rows keeps no earlier record: its next run reads the whole table
        con.executemany(f"delete from {RECORD} where model_name = ? and test = ?", [(t, k) for _, t, k in passed])
        con.executemany(f"insert into {RECORD} values (?, ?, ?)", rows)
        con.execute("commit")
    return len(rows)
