"""The raw zone on disk: one folder per source table under PRODOPS_HOME/raw.

    raw/<table>/landed/_file_key=<key>/data_0.parquet       rows of one source file that passed
    raw/<table>/quarantine/_file_key=<key>/data_0.parquet   its rows that did not, with the reason
    raw/<table>/manifest.json                                which version of each file is landed
    raw/<table>/loads.jsonl                                  one line per load, for status

A source file is identified by its path relative to the source directory; its content hash
decides whether it is new, changed (its partitions are replaced) or already landed (skipped).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

LANDED = "landed"
QUARANTINE = "quarantine"
SCHEMA_KEY = "_schema"  # an empty file carrying the typed schema, so a table with no rows still reads


def file_key(relative_path: str) -> str:
    return hashlib.sha1(relative_path.encode()).hexdigest()[:16]


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class FileRecord:
    sha256: str
    size: int
    mtime_ns: int
    file_key: str
    load_id: str
    rows_read: int
    rows_landed: int
    rows_quarantined: int


@dataclass
class LoadRecord:
    table: str
    load_id: str
    started_at: str
    finished_at: str
    files: list[str]
    files_unchanged: int
    rows_read: int
    rows_landed: int
    rows_quarantined: int
    quarantined_by_reason: dict[str, int]
    unreadable: list[dict[str, str]] = field(default_factory=list)
    rejudged_because: list[str] = field(default_factory=list)  # settings changed since the files were judged
    columns_absent: list[str] | None = None  # contract columns none of the load's files has (None: no file read)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_json(path: Path) -> Any:
    """A JSON record written by write_json_atomically; None when there is none yet."""
    return json.loads(path.read_text()) if path.exists() else None


def write_text_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_json_atomically(path: Path, payload: Any) -> None:
    write_text_atomically(path, json.dumps(payload, indent=1, sort_keys=True, default=str))


class TableZone:
    """The raw-zone folder of one source table."""

    def __init__(self, raw_root: Path, table: str):
        self.table = table
        self.root = raw_root / table
        self.manifest_path = self.root / "manifest.json"
        self.loads_path = self.root / "loads.jsonl"
        self.judged_with_path = self.root / "judged_with.json"

    def ensure(self) -> None:
        for part in (LANDED, QUARANTINE):
            (self.root / part).mkdir(parents=True, exist_ok=True)

    def glob(self, part: str) -> str:
        return str(self.root / part / "*" / "*.parquet")

    def has_schema(self) -> bool:
        return (self.root / LANDED / f"_file_key={SCHEMA_KEY}" / "data_0.parquet").exists()

    def has_data(self, part: str = LANDED) -> bool:
        return any((self.root / part).glob("*/*.parquet"))

    def landed_rows(self) -> int:
        """Rows in the landed Parquet files (from their footers: no scan)."""
        if not self.has_data():
            return 0
        with duckdb.connect() as con:
            return con.sql(f"SELECT count(*) FROM read_parquet('{self.glob(LANDED)}')").fetchone()[0]

    def manifest(self) -> dict[str, FileRecord]:
        if not self.manifest_path.exists():
            return {}
        raw = json.loads(self.manifest_path.read_text())
        return {path: FileRecord(**record) for path, record in raw.items()}

    def save_manifest(self, manifest: dict[str, FileRecord]) -> None:
        write_json_atomically(self.manifest_path, {p: asdict(r) for p, r in sorted(manifest.items())})

    def judged_with(self) -> dict[str, str] | None:
        """The settings the landed rows were judged under (None before the first load)."""
        return read_json(self.judged_with_path)

    def mark_for_recheck(self) -> list[str]:
        """Make the next load judge again every file that had rows quarantined; returns those files."""
        manifest = self.manifest()
        marked = [path for path, r in manifest.items() if r.rows_quarantined]
        for path in marked:  # neither the content nor the timestamp matches any more: the file is read again
            manifest[path].sha256, manifest[path].mtime_ns = "", -1
        self.save_manifest(manifest)
        return marked

    def append_load(self, record: LoadRecord) -> None:
        with self.loads_path.open("a") as handle:
            handle.write(json.dumps(record.to_dict(), sort_keys=True) + "\n")

    def loads(self) -> list[dict[str, Any]]:
        if not self.loads_path.exists():
            return []
        return [json.loads(line) for line in self.loads_path.read_text().splitlines() if line.strip()]

    def swap_in(self, staged: Path, part: str, keys: list[str]) -> None:
        """Replace the partitions of `keys` in `part` with those written under `staged`.

        A key with no staged partition (a file with no rows of that part) loses its old one.
        """
        target_root = self.root / part
        for key in keys:
            target = target_root / f"_file_key={key}"
            new = staged / f"_file_key={key}"
            if target.exists():
                shutil.rmtree(target)
            if new.exists():
                os.replace(new, target)
