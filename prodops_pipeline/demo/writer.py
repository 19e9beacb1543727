"""Write demo tables in the canonical file formats, byte for byte the same for the same input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .calendar import day_date

# Each table in the format a real export of it often has; together they cover all three readers.
FORMATS = {
    "features": "jsonl", "accounts": "csv", "contacts": "csv", "subscription_periods": "csv",
    "usage_events": "csv", "tickets": "jsonl", "ticket_events": "jsonl",
    "survey_responses": "csv", "survey_deliveries": "parquet",
}
SUFFIX = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}
BOM = b"\xef\xbb\xbf"


def encode(table: pa.Table, fmt: str, bom: bool = False) -> bytes:
    buffer = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(quoting_style="needed"))
        return (BOM if bom else b"") + buffer.getvalue()
    if fmt == "jsonl":
        return "".join(json.dumps({k: v for k, v in record.items() if v is not None}, ensure_ascii=False) + "\n"
                       for record in table.to_pylist()).encode("utf-8")
    if fmt == "parquet":
        pq.write_table(table, buffer, compression="zstd")
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


def write(table: pa.Table, path: Path, fmt: str, bom: bool = False) -> None:
    """Write the file, unless it already holds exactly these bytes: a file left untouched keeps its
    modification time, as an earlier day of a real nightly delivery does."""
    data = encode(table, fmt, bom)
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def table_path(root: Path, name: str, day: int | None = None) -> Path:
    suffix = SUFFIX[FORMATS[name]]
    if day is None:
        return root / name / f"{name}{suffix}"
    return root / name / f"{day_date(day).isoformat()}{suffix}"


class DayFiles:
    """Rows of an event-like table, collected by the day they arrive, written once that day is complete."""

    def __init__(self, root: Path, name: str, finish: Callable[[pa.Table, int], pa.Table] | None = None,
                 after_write: Callable[[Path, int], None] | None = None):
        self.root, self.name, self.finish, self.after_write = root, name, finish, after_write
        self.pending: dict[int, list[pa.Table]] = {}
        self.written: list[Path] = []
        self.rows = 0

    def add(self, table: pa.Table, day_column: str = "_day") -> None:
        days = table.column(day_column).to_numpy()
        table = table.drop_columns([day_column])
        for day in sorted(set(days.tolist())):
            self.pending.setdefault(day, []).append(table.filter(pa.array(days == day)))

    def flush_through(self, last_day: int) -> None:
        for day in sorted(d for d in self.pending if d <= last_day):
            table = pa.concat_tables(self.pending.pop(day))
            if self.finish:
                table = self.finish(table, day)
            path = table_path(self.root, self.name, day)
            write(table, path, FORMATS[self.name])
            if self.after_write:
                self.after_write(path, day)
            self.written.append(path)
            self.rows += table.num_rows

    def discard_after(self, last_day: int) -> None:
        """Rows that would arrive after the last day have not arrived yet."""
        for day in [d for d in self.pending if d > last_day]:
            del self.pending[day]
