"""Dagster's SQLite storage (the same files, tables and layout under DAGSTER_HOME), keeping its database
engines open.

Dagster's SQLite storages create a SQLAlchemy engine for every statement and dispose of it afterwards
(its `NullPool`), so every stored event pays for a new engine, a new SQLite connection and SQL compiled
afresh (an engine's compiled cache dies with it), and a commit waits for the disk: 13 to 20 ms an event on
this project's machines. A run stores hundreds to thousands of events (one per landed or rebuilt day per
partitioned asset), so that was a large share of a run. Here each database file keeps one engine, pooled,
reused for the life of the process, and commits to the write-ahead log without waiting for the disk each
time: about 2.5 ms an event. The dagster.yaml that prodops writes selects it as `storage: custom`;
a DAGSTER_HOME of your own (Postgres, say) is left as it is.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME, SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import (
    DagsterSqliteStorage,
    _event_logs_directory,
    _runs_directory,
    _schedule_directory,
)
from dagster._core.storage.schedules.sqlite.sqlite_schedule_storage import SqliteScheduleStorage
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

OPEN_RUN_SHARDS = 4  # the web server reads many runs' event files: only the latest few keep an engine


def _engine(conn_string: str) -> Engine:
    engine = create_engine(conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
    event.listen(engine, "connect", _sync_at_checkpoints)
    return engine


def _sync_at_checkpoints(connection, _record) -> None:
    # SQLite's advice for write-ahead logs (Dagster creates its files so): no fsync per commit, the database
    # stays intact through a crash, and a power cut may lose only the last events
    if connection.execute("pragma journal_mode").fetchone()[0] == "wal":
        connection.execute("pragma synchronous = normal")


class KeptEngineEventLogStorage(SqliteEventLogStorage):
    """One engine per event-log file (the index, and the newest few run files) instead of one per statement."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engines.get(shard)
            if engine is None:
                engine = self._engines[shard] = _engine(self.conn_string_for_shard(shard))
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._forget_oldest_run_shards()
            self._engines.move_to_end(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _forget_oldest_run_shards(self) -> None:
        runs = [shard for shard in self._engines if shard != INDEX_SHARD_NAME]
        for shard in runs[:-OPEN_RUN_SHARDS]:
            self._engines.pop(shard).dispose()

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # the run files are deleted: no connection may stay open on them
        super().wipe()

    def dispose(self) -> None:
        super().dispose()
        self._dispose_engines()


class KeptEngineRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage with one engine for the life of the process."""

    def __init__(self, conn_string: str, inst_data=None):
        super().__init__(conn_string, inst_data)
        self._kept_engine = _engine(conn_string)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._kept_engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        super().dispose()
        self._kept_engine.dispose()


class KeptEngineSqliteStorage(DagsterSqliteStorage):
    """`storage: custom` in dagster.yaml: Dagster's SQLite storage under base_dir, its runs and events
    stored through kept engines. Schedules (a few statements a minute) keep Dagster's own storage."""

    def __init__(self, base_dir: str, inst_data=None):
        self.base_dir = base_dir
        self._run_storage = KeptEngineRunStorage.from_local(_runs_directory(base_dir))
        self._event_log_storage = KeptEngineEventLogStorage(_event_logs_directory(base_dir))
        self._schedule_storage = SqliteScheduleStorage.from_local(_schedule_directory(base_dir))
        self._inst_data = inst_data
        super(DagsterSqliteStorage, self).__init__()

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        return cls.from_local(inst_data=inst_data, **config_value)
