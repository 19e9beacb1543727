"""Read a source table's files (CSV, JSON Lines, Parquet) into one all-text DuckDB table.

Every value arrives as text so that the contract checks, not the readers' type sniffing,
decide what is valid. Column names are folded to lower case. A CSV line DuckDB cannot split
becomes a row with `_malformed` set (it is quarantined, never dropped); a file that cannot be
read at all is reported back with the problem, and its rows are not read.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .validation import Reason

CSV_SUFFIXES = (".csv",)
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUPPORTED_SUFFIXES = CSV_SUFFIXES + JSON_SUFFIXES + PARQUET_SUFFIXES

META_COLUMNS = ("_source_file", "_row", "_malformed", "_raw_line")

# What a file that cannot be read raises; anything else is a bug of ours and must surface as one.
READ_ERRORS = (duckdb.IOException, duckdb.InvalidInputException, duckdb.ConversionException)


@dataclass(frozen=True)
class UnreadableFile:
    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def file_format(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _file_list(files: list[Path]) -> str:
    return "[" + ", ".join(_literal(str(f)) for f in files) + "]"


def _problem(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text.removeprefix("Invalid Input Error: ").removeprefix("IO Error: ")


def _columns(con: duckdb.DuckDBPyConnection, relation_sql: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.sql(f"DESCRIBE SELECT * FROM {relation_sql}").fetchall()]


def _as_text(name: str, duck_type: str) -> str:
    nested = duck_type.startswith(("STRUCT", "MAP")) or duck_type.endswith("]") or duck_type == "JSON"
    return f"CAST(to_json({_quote(name)}) AS VARCHAR)" if nested else f"CAST({_quote(name)} AS VARCHAR)"


def _text_select(columns: list[tuple[str, str]], skip: tuple[str, ...]) -> str:
    """Select every data column as text under its lower-case name; same-named variants merge."""
    by_lower: dict[str, list[str]] = {}
    for name, duck_type in columns:
        if name in skip:
            continue
        by_lower.setdefault(name.lower(), []).append(_as_text(name, duck_type))
    parts = [
        (exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})") + f" AS {_quote(lower)}"
        for lower, exprs in by_lower.items()
    ]
    return ", ".join(parts)


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file's first line (a UTF-8 BOM is dropped)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle), [])


def file_columns(path: Path) -> list[str] | None:
    """The lower-case column names a CSV or Parquet file declares (None for JSON Lines, whose lines
    each name their own keys, and for a file that cannot be read, which is reported elsewhere)."""
    try:
        if file_format(path) == "csv":
            return [name.lower() for name in csv_header(path)]
        if file_format(path) == "parquet":
            return [name.lower() for name in pq.read_schema(path).names]
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException):
        return None
    return None


def _select_csv(files: list[Path], header: list[str]) -> str:
    # No sniffing: the contract fixes the dialect, and a sniffer fooled by one ragged line takes a
    # data line for the header and returns no rows without an error. Bad lines go to the rejects.
    columns = "{" + ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header) + "}"
    source = (f"read_csv({_file_list(files)}, auto_detect = false, header = true, columns = {columns}, "
              "delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', filename = true, "
              "null_padding = false, store_rejects = true)")
    cols = ", ".join(f"{_quote(name)} AS {_quote(name.lower())}" for name in header)
    return f"SELECT {cols}, filename AS _source_file, NULL::VARCHAR AS _malformed, NULL::VARCHAR AS _raw_line FROM {source}"


def _select_json(con: duckdb.DuckDBPyConnection, files: list[Path]) -> str:
    source = f"read_json_objects({_file_list(files)}, format = 'auto', filename = true)"
    keys = [row[0] for row in con.sql(
        f"SELECT DISTINCT unnest(json_keys(json)) AS k FROM {source} WHERE json_type(json) = 'OBJECT' ORDER BY k"
    ).fetchall()]
    by_lower: dict[str, list[str]] = {}
    for key in keys:
        path = _literal('$."' + key.replace('"', '\\"') + '"')
        by_lower.setdefault(key.lower(), []).append(f"json_extract_string(json, {path})")
    cols = "".join(
        (exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})") + f" AS {_quote(lower)}, "
        for lower, exprs in by_lower.items()
    )
    return (
        f"SELECT {cols}filename AS _source_file, "
        "CASE WHEN json_type(json) <> 'OBJECT' THEN 'malformed JSON line: not an object' END AS _malformed, "
        "CASE WHEN json_type(json) <> 'OBJECT' THEN CAST(json AS VARCHAR) END AS _raw_line "
        f"FROM {source}"
    )


def _select_parquet(con: duckdb.DuckDBPyConnection, files: list[Path]) -> str:
    source = f"read_parquet({_file_list(files)}, union_by_name = true, filename = true, hive_partitioning = false)"
    cols = _text_select(_columns(con, source), skip=("filename",))
    return f"SELECT {cols}, filename AS _source_file, NULL::VARCHAR AS _malformed, NULL::VARCHAR AS _raw_line FROM {source}"


def _read_csv(con: duckdb.DuckDBPyConnection, files: list[Path], header: list[str], target: str) -> None:
    """Read CSV files sharing one header; each line DuckDB cannot parse becomes a malformed row."""
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    _append(con, target, _select_csv(files, header))
    con.execute(
        f"INSERT INTO {target} BY NAME "
        "SELECT s.file_path AS _source_file, "
        f"{_literal(Reason.malformed_csv(''))} || lower(CAST(e.error_type AS VARCHAR)) AS _malformed, "
        "'line ' || e.line || ': ' || e.csv_line AS _raw_line "
        "FROM reject_errors e JOIN reject_scans s USING (scan_id, file_id)"
    )


def _append(con: duckdb.DuckDBPyConnection, target: str, select_sql: str) -> None:
    incoming = {name.lower() for name, _ in _columns(con, f"({select_sql})")}
    present = {name.lower() for name, _ in _columns(con, target)}
    for name in sorted(incoming - present):
        con.execute(f"ALTER TABLE {target} ADD COLUMN {_quote(name)} VARCHAR")
    con.execute(f"INSERT INTO {target} BY NAME {select_sql}")


def read_as_text(con: duckdb.DuckDBPyConnection, files: list[Path], target: str) -> list[UnreadableFile]:
    """Create temp table `target` holding every row of `files` as text, in file order: its rowid
    numbers the rows (a row_number() over the whole read would run on one thread).

    Returns the files that could not be read; their rows are not in `target`.
    """
    con.execute(f"DROP TABLE IF EXISTS {target}")
    con.execute(
        f"CREATE TEMP TABLE {target} (_source_file VARCHAR, _malformed VARCHAR, _raw_line VARCHAR)"
    )
    unreadable: list[UnreadableFile] = []
    readable = [f for f in files if f.stat().st_size > 0]
    groups: dict[str, list[Path]] = {}
    for path in readable:
        fmt = file_format(path)
        if fmt is None:
            unreadable.append(UnreadableFile(path, f"unsupported file type {path.suffix or '(none)'}; "
                                                   f"expected one of {', '.join(SUPPORTED_SUFFIXES)}"))
        else:
            groups.setdefault(fmt, []).append(path)

    csv_groups: dict[tuple[str, ...], list[Path]] = {}
    for path in groups.pop("csv", []):
        try:
            header = csv_header(path)
        except (UnicodeDecodeError, csv.Error) as exc:
            unreadable.append(UnreadableFile(path, f"header line is not CSV in UTF-8 ({exc})"))
            continue
        if header:
            csv_groups.setdefault(tuple(_unique(header)), []).append(path)
    batches = [("csv", files, list(header)) for header, files in csv_groups.items()]
    batches += [(fmt, files, []) for fmt, files in groups.items()]
    for fmt, files, header in batches:
        _read_batch(con, fmt, files, header, target, unreadable)
    return unreadable


def _read_batch(con, fmt: str, files: list[Path], header: list[str], target: str,
                unreadable: list[UnreadableFile]) -> None:
    """Read files in one go; when that fails, halve the batch until the unreadable files are named."""
    try:
        if fmt == "csv":
            _read_csv(con, files, header, target)
        else:
            _append(con, target, _read_group_sql(con, fmt, files))
    except READ_ERRORS as exc:
        if len(files) == 1:
            unreadable.append(UnreadableFile(files[0], _problem(exc)))
            return
        middle = len(files) // 2
        _read_batch(con, fmt, files[:middle], header, target, unreadable)
        _read_batch(con, fmt, files[middle:], header, target, unreadable)


def _unique(names: list[str]) -> list[str]:
    """Column names as DuckDB needs them: distinct regardless of case (a repeat gets a suffix)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        key = name.lower()
        seen[key] = seen.get(key, 0) + 1
        out.append(name if seen[key] == 1 else f"{name}_{seen[key]}")
    return out


def _read_group_sql(con: duckdb.DuckDBPyConnection, fmt: str, files: list[Path]) -> str:
    if fmt == "json":
        return _select_json(con, files)
    return _select_parquet(con, files)
