"""Land one source table: new or changed files only, every row either landed or quarantined."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
from filelock import FileLock

from ..partitions import file_day, in_window
from ..settings import Settings
from ..settings_change import JUDGING, changes, meaning, record as record_settings
from .contract import Table
from .raw_zone import LANDED, QUARANTINE, SCHEMA_KEY, FileRecord, LoadRecord, TableZone, content_hash, file_key
from .readers import META_COLUMNS, UnreadableFile, file_columns, read_as_text
from .systems import SYSTEMS
from .validation import (Reason, account_mapping_statements, build_checks, landed_type, lit, nps_answer_statements, q,
                         typed, user_mapping_statements)


class SourceError(RuntimeError):
    """A source table cannot be landed as it stands (missing folder, unreadable file)."""


class ReconciliationError(RuntimeError):
    """Rows read did not equal rows landed plus rows quarantined: a bug, never expected."""


@dataclass
class LoadResult:
    record: LoadRecord
    unreadable: list[UnreadableFile]

    @property
    def ok(self) -> bool:
        return not self.unreadable


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def source_files(settings: Settings, table: Table) -> list[Path]:
    folder = settings.source_root(table.system) / table.folder
    if not folder.is_dir():
        if table.optional:
            return []
        layout = "one folder per table" if table.system == "prodops" else f"{table.system}/<table>/ folders"
        raise SourceError(f"source folder {folder} does not exist (required table {table.folder!r} of "
                          f"{table.system}); set PRODOPS_SOURCES to the directory holding {layout}")
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith((".", "_")))


def _changed_files(files: list[Path], root: Path, manifest: dict[str, FileRecord]) -> tuple[list[Path], dict[Path, str]]:
    """The files whose content is not landed yet, and the content hash of each file."""
    changed, hashes = [], {}
    for path in files:
        stat = path.stat()
        record = manifest.get(path.relative_to(root).as_posix())
        if record and record.size == stat.st_size and record.mtime_ns == stat.st_mtime_ns:
            hashes[path] = record.sha256
            continue
        hashes[path] = content_hash(path)
        if not record or record.sha256 != hashes[path]:
            changed.append(path)
    return changed, hashes


BATCH_BYTES = 256 * 1024 * 1024


def _batches(files: list[Path]) -> list[list[Path]]:
    """Files in path order, grouped so that a batch reads about BATCH_BYTES: memory stays bounded
    on a first load of a year of events, and earlier batches count as landed for later ones."""
    batches: list[list[Path]] = []
    size = BATCH_BYTES
    for path in files:
        if size >= BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(path)
        size += path.stat().st_size
    return batches


def _connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    (settings.home / "tmp").mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config=settings.duckdb_config())
    con.execute(f"SET TimeZone = {lit(settings.source_timezone)}")
    return con


def _landed_sql(zone: TableZone, exclude_keys: list[str] | None = None) -> str | None:
    """The landed rows of the table, but those of the files whose keys are given (being replaced)."""
    if not zone.has_data():
        return None
    where = ""
    if exclude_keys:
        where = f" WHERE _file_key NOT IN ({', '.join(map(lit, exclude_keys))})"
    return f"SELECT * FROM read_parquet({lit(zone.glob(LANDED))}, hive_partitioning = true, union_by_name = true){where}"


def _keys_sql(zone: TableZone, column: str, exclude_keys: list[str] | None = None) -> str | None:
    landed = _landed_sql(zone, exclude_keys)
    return f"SELECT {q(column)} AS k FROM ({landed})" if landed else None


def land_table(settings: Settings, table: Table, days: tuple[date, date] | None = None) -> LoadResult:
    """Land the table's new and changed files; with `days` (first, last), only those dated in that
    window and those without a date."""
    zone = TableZone(settings.raw_zone, table.name)
    zone.ensure()
    with FileLock(zone.root / ".lock"):
        return _land_locked(settings, table, zone, days)


def _land_locked(settings: Settings, table: Table, zone: TableZone, days) -> LoadResult:
    started = _now()
    load_id = started.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    manifest = zone.manifest()
    judging = meaning(settings, JUDGING)
    root = settings.source_root(table.system)
    rejudge = changes(zone.judged_with(), judging, bool(manifest))
    files = [p for p in source_files(settings, table)
             if rejudge or in_window(file_day(p.relative_to(root).as_posix()), days)]
    changed, hashes = _changed_files(files, root, {} if rejudge else manifest)
    record = LoadRecord(table.name, load_id, started.isoformat(), "", [], len(files) - len(changed), 0, 0, 0, {},
                        rejudged_because=rejudge)
    unreadable: list[UnreadableFile] = []
    for batch in _batches(changed):
        with _connect(settings) as con:
            batch_unreadable = read_as_text(con, batch, "incoming")
            bad = {u.path for u in batch_unreadable}
            readable = [p for p in batch if p not in bad]
            _check_and_write(con, settings, table, zone, readable, load_id, started, manifest, hashes, record)
            unreadable += batch_unreadable
    if not zone.has_schema():
        with _connect(settings) as con:
            _write_schema(con, table, zone)
    for path in files:
        rel = path.relative_to(root).as_posix()
        if path not in changed and rel in manifest:  # content unchanged; remember the new timestamp
            st = path.stat()
            manifest[rel].size, manifest[rel].mtime_ns = st.st_size, st.st_mtime_ns
    zone.save_manifest(manifest)
    record_settings(zone.judged_with_path, judging)
    record.unreadable = [{"file": str(u.path), "problem": u.problem} for u in unreadable]
    record.finished_at = _now().isoformat()
    zone.append_load(record)
    return LoadResult(record, unreadable)


def _check_and_write(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    table: Table,
    zone: TableZone,
    files: list[Path],
    load_id: str,
    loaded_at: datetime,
    manifest: dict[str, FileRecord],
    hashes: dict[Path, str],
    record: LoadRecord,
) -> None:
    rel = {str(p): p.relative_to(settings.source_root(table.system)).as_posix() for p in files}
    keys = {r: file_key(r) for r in rel.values()}
    con.execute("CREATE OR REPLACE TEMP TABLE file_keys (_abs VARCHAR, _rel VARCHAR, _file_key VARCHAR)")
    if rel:
        con.executemany("INSERT INTO file_keys VALUES (?, ?, ?)", [(a, r, keys[r]) for a, r in rel.items()])
    con.execute("DELETE FROM incoming WHERE _source_file NOT IN (SELECT _abs FROM file_keys)")

    present = {row[0] for row in con.sql("DESCRIBE incoming").fetchall()}
    absent = [c.name for c in table.columns if c.name not in present]
    record.columns_absent = absent if record.columns_absent is None else [c for c in record.columns_absent if c in absent]
    parents = {}
    for parent in table.parents:
        zone_name, column = reference_target(settings, parent,
                                             next(c.references[1] for c in table.columns if c.references and c.references[0] == parent))
        parents[parent] = _keys_sql(TableZone(settings.raw_zone, zone_name), column) or NO_KEYS
    currency = settings.currency
    if currency is None and table.currency_column:  # an optional currency column may be absent: no amount to judge
        currency = _data_currency(con, table, zone, list(keys.values())) if table.currency_column in present else NO_CURRENCY
    checks = build_checks(
        table, present, currency,
        existing_keys_sql=_keys_sql(zone, table.key, exclude_keys=list(keys.values())),
        landed_sql=_landed_sql(zone, exclude_keys=list(keys.values())),
        parent_keys_sql=parents,
    )
    for statement in checks.statements:
        con.execute(statement)
    if table.account_column:
        expected = SYSTEMS[table.system].account_map_of(table.name).describe(settings)
        try:
            for statement in account_mapping_statements(table, _account_map_sql(settings, table), expected):
                con.execute(statement)
        except duckdb.BinderException as error:  # a field setting naming a column the system's table lacks
            raise SourceError(f"{table.name}: cannot map its accounts: expected {expected} "
                              f"({str(error).splitlines()[0]})") from None
    if table.user_column:
        for statement in user_mapping_statements(table, _user_map_sql(settings), SYSTEMS[table.system].user_map.describe):
            con.execute(statement)
    if table.nps_answers:
        for statement in nps_answer_statements(table, _nps_keys_sql(settings, table)):
            con.execute(statement)
    for path, reason in _headers_lacking_required(table, files).items():
        con.execute(f"UPDATE checked SET _reason = {lit(reason)}, _rule = {lit(reason)} WHERE _source_file = {lit(str(path))}")

    extras = sorted(present - set(table.column_names) - set(META_COLUMNS) - set(table.mapped_columns))
    extras += list(table.mapped_columns)
    meta = f"f._rel AS _source_file, TIMESTAMP {lit(loaded_at.isoformat(sep=' '))} AS _loaded_at, {lit(load_id)} AS _load_id"
    landed_cols = ", ".join(
        [f"CAST({typed(c.name)} AS {landed_type(c)}) AS {q(c.name)}" for c in table.columns]
        + [q(e) for e in extras] + [meta]
    )
    quarantine_cols = ", ".join(
        [f"CAST({q(c.name)} AS VARCHAR) AS {q(c.name)}" for c in table.columns]
        + [q(e) for e in extras] + ["_raw_line", "_reason", "_rule", meta]
    )
    source = "checked JOIN file_keys f ON checked._source_file = f._abs"
    staging = zone.root / f"_staging_{load_id}"
    staging.mkdir()
    try:
        for part, columns, where in ((LANDED, landed_cols, "_reason IS NULL"), (QUARANTINE, quarantine_cols, "_reason IS NOT NULL")):
            con.execute(
                f"COPY (SELECT {columns}, f._file_key FROM {source} WHERE {where} ORDER BY f._rel, _row) "
                f"TO {lit(str(staging / part))} (FORMAT parquet, PARTITION_BY (_file_key), OVERWRITE_OR_IGNORE)"
            )

        counts = con.sql(
            f"SELECT f._rel, count(*), count(*) FILTER (WHERE _reason IS NULL) FROM {source} GROUP BY ALL"
        ).fetchall()
        reasons = con.sql("SELECT _rule, count(*) FROM checked WHERE _rule IS NOT NULL GROUP BY ALL ORDER BY 2 DESC").fetchall()
        per_file = {r: (read, landed) for r, read, landed in counts}

        zone.swap_in(staging / LANDED, LANDED, list(keys.values()))
        zone.swap_in(staging / QUARANTINE, QUARANTINE, list(keys.values()))
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    for path in files:
        r = rel[str(path)]
        read, landed = per_file.get(r, (0, 0))
        st = path.stat()
        manifest[r] = FileRecord(hashes[path], st.st_size, st.st_mtime_ns, keys[r], load_id, read, landed, read - landed)
    read, landed = sum(r for r, _ in per_file.values()), sum(n for _, n in per_file.values())
    quarantined = sum(n for _, n in reasons)
    total_in = con.sql("SELECT count(*) FROM incoming").fetchone()[0]
    if total_in != read or read != landed + quarantined:
        raise ReconciliationError(f"{table.name}: read {total_in} rows but counted {landed} landed + {quarantined} quarantined")
    record.files = sorted(record.files + list(rel.values()))
    record.rows_read += read
    record.rows_landed += landed
    record.rows_quarantined += quarantined
    for reason, count in reasons:
        record.quarantined_by_reason[reason] = record.quarantined_by_reason.get(reason, 0) + count


NO_KEYS = "SELECT NULL::VARCHAR AS k WHERE false"
NO_CURRENCY = "XXX"  # ISO 4217's "no currency": no amount at all, nothing to compare


def reference_target(settings: Settings, table_name: str, column: str) -> tuple[str, str]:
    """The raw table and column holding the keys a reference names: our accounts and contacts are
    the selected CRM's, whichever system that is."""
    systems = SYSTEMS[settings.kind_systems["crm"]]
    if table_name == "accounts":
        return systems.account_keys
    if table_name == "contacts":
        return systems.contact_keys
    return table_name, column


def _account_map_sql(settings: Settings, table: Table) -> str:
    """(k, account_id): each key of the table's system that maps to a CRM account; its field first,
    then the mapping file."""
    mapping = SYSTEMS[table.system].account_map_of(table.name)
    accounts, account_id = reference_target(settings, "accounts", "account_id")
    crm_keys = _keys_sql(TableZone(settings.raw_zone, accounts), account_id) or NO_KEYS
    by_field = NO_MAP
    landed = _landed_sql(TableZone(settings.raw_zone, mapping.table))
    if landed:
        field = mapping.field(settings)
        if mapping.latest:
            landed = (f"SELECT * FROM ({landed}) QUALIFY row_number() OVER "
                      f"(PARTITION BY {q(mapping.key)} ORDER BY {q(mapping.latest)} DESC NULLS LAST, _loaded_at DESC) = 1")
        # a key with several accounts (a HubSpot ticket associated with two companies) takes the lowest id
        by_field = (f"SELECT CAST({q(mapping.key)} AS VARCHAR) AS k, min(CAST({field} AS VARCHAR)) AS account_id "
                    f"FROM ({landed}) WHERE CAST({field} AS VARCHAR) IN (SELECT k FROM ({crm_keys})) GROUP BY 1")
    by_file = NO_MAP
    if settings.account_map:
        _check_mapping_file(settings.account_map)
        by_file = (f"SELECT CAST(key AS VARCHAR) AS k, CAST(account_id AS VARCHAR) AS account_id "
                   f"FROM read_csv({lit(str(settings.account_map))}, all_varchar = true, header = true) "
                   f"WHERE lower(trim(system)) = {lit(table.system)} AND account_id IN (SELECT k FROM ({crm_keys})) "
                   "QUALIFY min(account_id) OVER (PARTITION BY key) = max(account_id) OVER (PARTITION BY key)")  # an ambiguous key maps to none
    return (f"SELECT k, account_id FROM ({by_field}) UNION ALL SELECT k, account_id FROM ({by_file}) "
            f"WHERE k NOT IN (SELECT k FROM ({by_field}))")


NO_MAP = "SELECT NULL::VARCHAR AS k, NULL::VARCHAR AS account_id WHERE false"


def _user_map_sql(settings: Settings) -> str:
    """(k, user_id): each e-mail, trimmed and lower-cased, that exactly one CRM contact has."""
    contacts, user_id = reference_target(settings, "contacts", "user_id")
    landed = _landed_sql(TableZone(settings.raw_zone, contacts))
    if not landed:
        return "SELECT NULL::VARCHAR AS k, NULL::VARCHAR AS user_id WHERE false"
    email = "lower(trim(CAST(email AS VARCHAR)))"
    return (f"SELECT {email} AS k, min(CAST({q(user_id)} AS VARCHAR)) AS user_id FROM ({landed}) "
            f"WHERE {email} <> '' GROUP BY 1 HAVING count(DISTINCT {q(user_id)}) = 1")


def _nps_keys_sql(settings: Settings, table: Table) -> str:
    """The link keys of the rows of `table` that answer an NPS question, from the landed tables that say so."""
    landed = {name: _landed_sql(TableZone(settings.raw_zone, name)) for name in table.nps_answers.tables}
    if not all(landed.values()):
        return "SELECT NULL::VARCHAR AS k WHERE false"
    return table.nps_answers.keys.format(**{name: f"({sql})" for name, sql in landed.items()})


MAPPING_COLUMNS = ("system", "key", "account_id")


def _check_mapping_file(path: Path) -> None:
    columns = file_columns(path) if path.is_file() else None
    if columns is None or not set(MAPPING_COLUMNS) <= set(columns):
        found = f"its columns: {', '.join(columns)}" if columns else "not a readable CSV file"
        raise SourceError(f"PRODOPS_ACCOUNT_MAP={path} must be a CSV with the columns {', '.join(MAPPING_COLUMNS)} "
                          f"({found})")


def _headers_lacking_required(table: Table, files: list[Path]) -> dict[Path, str]:
    """Files whose header has no column for a required value: each is quarantined whole with one reason
    that says so and names the columns it has, instead of one 'missing value' per row."""
    required = [c.name for c in table.columns if c.required]
    out = {}
    for path in files:
        columns = file_columns(path)
        missing = [name for name in required if columns is not None and name not in columns]
        if missing:
            out[path] = Reason.header_lacks(missing, columns)
    return out


def _data_currency(con: duckdb.DuckDBPyConnection, table: Table, zone: TableZone, replaced_keys: list[str]) -> str:
    """The deployment currency when PRODOPS_CURRENCY is unset: the one currency the table's rows use,
    those landed before and those arriving now. Two are an error: which amounts are foreign is the
    operator's decision, not ours."""
    column = q(table.currency_column)
    seen = {row[0] for row in con.sql(
        f"SELECT DISTINCT upper(trim({column})) FROM incoming WHERE nullif(trim({column}), '') IS NOT NULL").fetchall()}
    earlier = _keys_sql(zone, table.currency_column, exclude_keys=replaced_keys)
    if earlier:
        seen |= {row[0].upper() for row in con.sql(f"SELECT DISTINCT k FROM ({earlier}) WHERE k IS NOT NULL").fetchall()}
    if len(seen) > 1:
        raise SourceError(f"{table.name} has amounts in {len(seen)} currencies ({', '.join(sorted(seen))}) and "
                          "PRODOPS_CURRENCY is not set: set it to the deployment's one currency (rows in any "
                          "other are then quarantined)")
    return seen.pop() if seen else NO_CURRENCY


def _write_schema(con: duckdb.DuckDBPyConnection, table: Table, zone: TableZone) -> None:
    """The typed, empty partition that lets a table nothing has arrived for yet be read."""
    columns = ", ".join([f"CAST(NULL AS {landed_type(c)}) AS {q(c.name)}" for c in table.columns]
                        + [f"NULL::{sql_type} AS {c}" for c, sql_type in table.mapped_columns.items()]
                        + ["NULL::VARCHAR AS _source_file", "NULL::TIMESTAMP AS _loaded_at", "NULL::VARCHAR AS _load_id"])
    folder = zone.root / LANDED / f"_file_key={SCHEMA_KEY}"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".data_0.parquet.tmp"
    con.execute(f"COPY (SELECT {columns} LIMIT 0) TO {lit(str(tmp))} (FORMAT parquet)")
    tmp.replace(folder / "data_0.parquet")
