"""Settings from the environment, each with a safe default: the one reader of PRODOPS_* variables.

`Settings` is a typed, validated pydantic model; dbt, Great Expectations and the Dagster resource get
their values from it. A bad value stops everything before any work starts, with one line per variable
naming it, the value and what is expected. Every path the pipeline writes lies under PRODOPS_HOME;
nothing else on disk is touched.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, SecretStr, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HEALTH_RULES = CHECKOUT_ROOT / "dbt_project" / "health_rules.yml"
DEFAULT_SCHEDULE = "0 2 * * *"  # 02:00 in the reporting time zone
DEFAULT_DIGEST_SCHEDULE = "0 7 * * 1"  # Mondays 07:00 in the reporting time zone
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENGINES = ("duckdb", "spark")  # what dbt runs the models on (profiles.yml has a target of each name)


class SettingsError(ValueError):
    """A setting has a value the pipeline cannot use."""


def _time_zone(name: Any, variable: str) -> str:
    name = str(name)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"{variable}={name!r} is not an IANA time zone (e.g. UTC, Europe/Berlin)") from exc
    return name


def _fraction(raw: Any, variable: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable}={raw!r} is not a number") from exc
    if not 0 <= value <= 1:
        raise SettingsError(f"{variable}={raw!r} must be a fraction between 0 and 1")
    return value


def _positive(raw: Any, variable: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable}={raw!r} is not a number") from exc
    if value <= 0:
        raise SettingsError(f"{variable}={raw!r} must be greater than 0")
    return value


def _day(raw: Any, variable: str) -> str:
    try:
        return date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not a date (YYYY-MM-DD)") from None


def _count(raw: Any, variable: str, minimum: int = 0) -> int:
    raw = str(raw)
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise SettingsError(f"{variable}={raw!r} must be a whole number ({minimum} or more)")
    return int(raw)


def _instant(raw: Any, variable: str) -> str:
    """An ISO-8601 time, stored as UTC without a zone ('' when unset)."""
    if not raw:
        return ""
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not an ISO-8601 time (e.g. 2026-11-01T02:00:00Z)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(sep=" ")


def _cron(raw: Any, variable: str) -> str:
    from dagster._utils.schedules import is_valid_cron_string  # Dagster's own reading of a schedule

    if not is_valid_cron_string(raw):
        raise SettingsError(f"{variable}={raw!r} is not a cron expression (five fields, e.g. '0 2 * * *')")
    return raw


def _choice(raw: Any, variable: str, choices: tuple[str, ...]) -> str:
    raw = str(raw)
    if raw.upper() not in choices:
        raise SettingsError(f"{variable}={raw!r} must be one of {', '.join(choices)}")
    return raw.upper()


def _addresses(raw: Any, variable: str) -> tuple[str, ...]:
    """Comma-separated e-mail addresses (a single one for PRODOPS_DIGEST_FROM)."""
    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    addresses = tuple(a.strip() for a in items if str(a).strip())
    bad = [a for a in addresses if "@" not in a or any(c.isspace() for c in a)]
    if bad:
        raise SettingsError(f"{variable}={raw!r}: {', '.join(repr(b) for b in bad)} is not an e-mail address")
    return addresses


def _sender(raw: Any, variable: str) -> str | None:
    addresses = _addresses(raw, variable)
    if len(addresses) > 1:
        raise SettingsError(f"{variable}={raw!r} must be one e-mail address")
    return addresses[0] if addresses else None


def _port(raw: Any, variable: str) -> int:
    value = _count(raw, variable, minimum=1)
    if value > 65535:
        raise SettingsError(f"{variable}={raw!r} must be a TCP port (1 to 65535)")
    return value


def parse_systems(raw: Any, variable: str) -> tuple[str, ...]:
    from .ingest.systems import SystemsError, resolve

    items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
    names = tuple(dict.fromkeys(str(n).strip().lower() for n in items if str(n).strip())) or ("prodops",)
    try:
        resolve(names)
    except SystemsError as exc:
        raise SettingsError(f"{variable}={raw!r}: {exc}") from None
    return names


def _schemas(raw: Any, variable: str) -> dict[str, str]:
    """`system=schema` pairs, comma-separated: the warehouse schema of each system (default: its name)."""
    from .ingest.systems import SYSTEMS

    if isinstance(raw, dict):
        return raw
    pairs = {}
    for item in filter(None, (i.strip() for i in str(raw).split(","))):
        system, _, schema = item.partition("=")
        if system.strip() not in SYSTEMS or not schema.strip():
            raise SettingsError(f"{variable}={raw!r}: {item!r} is not system=schema with a system of "
                                f"{', '.join(SYSTEMS)} (e.g. zendesk=zendesk_support)")
        pairs[system.strip()] = schema.strip()
    return pairs


def _warehouse_url(raw: Any, variable: str) -> Any:
    text = raw.get_secret_value() if isinstance(raw, SecretStr) else str(raw)
    if not text.startswith(("postgresql://", "postgres://")):
        raise SettingsError(f"{variable} must be a PostgreSQL URL (postgresql://user@host:5432/database); "
                            "the value is not shown, as it may hold a password")
    return raw


def _identifier(raw: Any, variable: str) -> str:
    raw = str(raw).strip()
    if not raw.replace("_", "").isalnum():
        raise SettingsError(f"{variable}={raw!r} must be a column name (letters, digits, _)")
    return raw


def _path(raw: Any) -> Path:
    return Path(raw).expanduser().resolve()


def _currency(raw: Any) -> str | None:
    return (str(raw) if raw is not None else "").strip().upper() or None


# field -> how its value is read and checked, given the value and its variable's name
def _engine(raw: Any, variable: str) -> str:
    if str(raw).strip().lower() not in ENGINES:
        raise SettingsError(f"{variable}={raw!r} must be one of {', '.join(ENGINES)}")
    return str(raw).strip().lower()


def _spark_memory(raw: Any, variable: str) -> str:
    text = str(raw).strip().lower()
    if not re.fullmatch(r"[1-9][0-9]*[mg]", text):
        raise SettingsError(f"{variable}={raw!r} must be a JVM memory size such as 4g or 3072m")
    return text


def _server(raw: Any, variable: str) -> str | None:
    text = str(raw).strip()
    if not text:
        return None
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{variable}={raw!r} must be host:port of a Spark Thrift server (e.g. spark-master:10000)")
    return text


_READERS = {
    "home": lambda v, _: _path(v), "sources": lambda v, _: _path(v), "health_rules": lambda v, _: _path(v),
    "timezone": _time_zone, "source_timezone": _time_zone, "currency": lambda v, _: _currency(v),
    "quarantine_max_rate": _fraction, "max_volume_drop": _fraction, "freshness_max_age_hours": _positive,
    "duckdb_memory": lambda v, _: str(v), "audit_sample_rows": _count, "partitions_start": _day,
    "gx_keep_days": _positive, "lookback_days": _count, "as_of": _instant, "schedule": _cron,
    "sensor_seconds": lambda v, variable: _count(v, variable, minimum=1),
    "log_level": lambda v, variable: _choice(v, variable, LOG_LEVELS),
    "digest_schedule": _cron, "smtp_host": lambda v, _: str(v).strip() or None, "smtp_port": _port,
    "smtp_user": lambda v, _: str(v) or None, "smtp_password": lambda v, _: v,
    "digest_from": _sender, "digest_to": _addresses,
    "systems": parse_systems, "account_map": lambda v, _: _path(v) if str(v).strip() else None,
    "zendesk_account_field": _identifier, "stripe_account_key": _identifier, "pendo_account_field": _identifier,
    "warehouse_url": _warehouse_url, "warehouse_schemas": _schemas,
    "engine": _engine, "spark_warehouse": lambda v, _: str(v).strip(),
    "spark_memory": _spark_memory, "spark_server": _server,
}


def _env(name: str, default: Any = None, **kwargs: Any) -> Any:
    return Field(default, validation_alias=f"PRODOPS_{name.upper()}", **kwargs)


class Settings(BaseModel):
    """The validated settings. Build it with `Settings.from_env()`; fields may also be given by name."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    home: Path = _env("home", CHECKOUT_ROOT / ".prodops")
    sources: Path = _env("sources")  # default: the demo's sources under home
    timezone: str = _env("timezone", "UTC")
    source_timezone: str = _env("source_timezone", "UTC")
    currency: str | None = _env("currency")  # the deployment's one currency; None: the one currency the data uses
    quarantine_max_rate: float = _env("quarantine_max_rate", 0.05)
    max_volume_drop: float = _env("max_volume_drop", 0.15)
    freshness_max_age_hours: float = _env("freshness_max_age_hours", 48.0)
    duckdb_memory: str = _env("duckdb_memory", "3GB")
    # a raw load larger than this is validated by GX on a sample of this size; 0: all rows
    audit_sample_rows: int = _env("audit_sample_rows", 500_000)
    partitions_start: str = _env("partitions_start", "2024-01-01")  # the first daily partition
    gx_keep_days: float = _env("gx_keep_days", 30.0)  # validation results (and Data Docs pages) older are deleted
    health_rules: Path = _env("health_rules", DEFAULT_HEALTH_RULES)  # the account-health rules file (YAML)
    lookback_days: int = _env("lookback_days", 3)  # days before their latest day that incremental facts rebuild
    as_of: str = _env("as_of", "")  # UTC time that closes periods ('' = the latest usage event)
    schedule: str = _env("schedule", DEFAULT_SCHEDULE)  # cron of the nightly refresh, in the reporting zone
    sensor_seconds: int = _env("sensor_seconds", 300)  # how often the sensor looks for new source files
    log_level: str = _env("log_level", "CRITICAL")  # Dagster console log level of command-line runs
    digest_schedule: str = _env("digest_schedule", DEFAULT_DIGEST_SCHEDULE)  # cron of the weekly digest
    # the digest's e-mail: the password is a secret, read from the environment only and never shown
    smtp_host: str | None = _env("smtp_host")
    smtp_port: int = _env("smtp_port", 587)
    smtp_user: str | None = _env("smtp_user")
    smtp_password: SecretStr | None = _env("smtp_password")
    digest_from: str | None = _env("digest_from")
    digest_to: tuple[str, ...] = _env("digest_to", ())
    # the source systems, one per kind (e.g. salesforce,zendesk); a kind none of them serves is ours
    systems: tuple[str, ...] = _env("systems", ("prodops",))
    account_map: Path | None = _env("account_map")  # CSV (system,key,account_id) for keys no field maps
    zendesk_account_field: str = _env("zendesk_account_field", "external_id")  # organization column = CRM account id
    stripe_account_key: str = _env("stripe_account_key", "account_id")  # customer metadata key = CRM account id
    pendo_account_field: str = _env("pendo_account_field", "id")  # account_history column = CRM account id
    # the warehouse Fivetran or Airbyte lands the systems in (a secret: the URL may hold a password); unset: files
    warehouse_url: SecretStr | None = _env("warehouse_url")
    warehouse_schemas: dict[str, str] = _env("warehouse_schemas", {})  # system -> schema, where not its name
    # the engine dbt builds the models on: DuckDB in-process, or Apache Spark through dbt-spark
    engine: str = _env("engine", "duckdb")
    spark_warehouse: str = _env("spark_warehouse", "")  # where Spark writes its tables ('': under home)
    spark_memory: str = _env("spark_memory", "3g")  # the Spark driver's memory (local session mode)
    spark_server: str | None = _env("spark_server")  # host:port of a Spark Thrift server; unset: a local session

    @field_validator("*", mode="before")
    @classmethod
    def _read(cls, value: Any, info: ValidationInfo) -> Any:
        variable = cls.model_fields[info.field_name].validation_alias
        return _READERS[info.field_name](value, variable) if value is not None else value

    @model_validator(mode="before")
    @classmethod
    def _sources_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("sources", data.get("PRODOPS_SOURCES")) is None:
            home = _path(data.get("home", data.get("PRODOPS_HOME")) or CHECKOUT_ROOT / ".prodops")
            data = {**data, "PRODOPS_SOURCES": home / "demo" / "sources"}
        return data

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        """The settings of the environment (or of `env`); an unset or empty variable takes its default."""
        env = os.environ if env is None else env
        given = {alias: env[alias] for f in cls.model_fields.values()
                 if (alias := f.validation_alias) in env and str(env[alias]).strip()}
        try:
            return cls.model_validate(given)
        except ValidationError as exc:
            raise SettingsError("\n".join(_said(e) for e in exc.errors())) from None

    @property
    def kind_systems(self) -> dict[str, str]:
        """kind of source (usage, crm, subscriptions, tickets, surveys) -> the system serving it."""
        from .ingest.systems import resolve

        return resolve(self.systems)

    @property
    def warehouse_extracts(self) -> Path:
        """Where the rows read from PRODOPS_WAREHOUSE_URL are kept as files, one folder per table, to be landed."""
        return self.home / "warehouse_extracts"

    def source_root(self, system: str) -> Path:
        """The directory a system's table folders are in: the extracts of the warehouse for a vendor's
        system when one is set, else PRODOPS_SOURCES."""
        return self.warehouse_extracts if self.warehouse_url and system != "prodops" else self.sources

    @property
    def raw_zone(self) -> Path:
        return self.home / "raw"

    @property
    def health_zone(self) -> Path:
        """Where the health rules in force are landed for dbt (source `health`)."""
        return self.raw_zone / "health"

    @property
    def warehouse(self) -> Path:
        """The DuckDB database the audit and the publish read the models from: the one dbt builds them in
        on DuckDB; on Spark, views over the Parquet tables Spark wrote (transform/spark_tables.py)."""
        return self.home / ("warehouse.duckdb" if self.engine == "duckdb" else "spark/warehouse.duckdb")

    @property
    def spark_tables(self) -> str:
        """The folder (or object-storage URL) Spark keeps its tables in, one folder per schema."""
        return self.spark_warehouse or str(self.home / "spark" / "warehouse")

    def duckdb_config(self) -> dict[str, str]:
        """Every DuckDB connection of the pipeline: bounded memory, spilling to disk beyond it."""
        return {"memory_limit": self.duckdb_memory, "temp_directory": str(self.home / "tmp")}

    @property
    def published(self) -> Path:
        """What analysts read: the audited marts, replaced whole by each successful build."""
        return self.home / "published"

    @property
    def analyst_database(self) -> Path:
        return self.published / "analytics.duckdb"

    @property
    def demo_sources(self) -> Path:
        return self.home / "demo" / "sources"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def digests(self) -> Path:
        """Where the weekly digests are written (beside what analysts read, never inside a build)."""
        return self.published / "digests"


def _said(error: dict[str, Any]) -> str:
    """One line for one bad value: the reader's own words, or pydantic's with the variable named."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, SettingsError):
        return str(cause)
    return f"{'.'.join(map(str, error['loc']))}={error.get('input')!r}: {error['msg']}"
