"""Settings from the environment, each with a safe default.

Every path the pipeline writes lies under PRODOPS_HOME; nothing else on disk is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHECKOUT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_HEALTH_RULES = CHECKOUT_ROOT / "dbt_project" / "health_rules.yml"
DEFAULT_SCHEDULE = "0 2 * * *"  # 02:00 in the reporting time zone
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting has a value the pipeline cannot use."""


def _time_zone(name: str, variable: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"{variable}={name!r} is not an IANA time zone (e.g. UTC, Europe/Berlin)") from exc
    return name


def _fraction(raw: str, variable: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable}={raw!r} is not a number") from exc
    if not 0 <= value <= 1:
        raise SettingsError(f"{variable}={raw!r} must be a fraction between 0 and 1")
    return value


def _positive(raw: str, variable: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{variable}={raw!r} is not a number") from exc
    if value <= 0:
        raise SettingsError(f"{variable}={raw!r} must be greater than 0")
    return value


def _day(raw: str, variable: str) -> str:
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise SettingsError(f"{variable}={raw!r} is not a date (YYYY-MM-DD)") from None


def _count(raw: str, variable: str, minimum: int = 0) -> int:
    if not raw.strip().isdigit() or int(raw) < minimum:
        raise SettingsError(f"{variable}={raw!r} must be a whole number ({minimum} or more)")
    return int(raw)


def _instant(raw: str, variable: str) -> str:
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


def _cron(raw: str, variable: str) -> str:
    from dagster._utils.schedules import is_valid_cron_string  # Dagster's own reading of a schedule

    if not is_valid_cron_string(raw):
        raise SettingsError(f"{variable}={raw!r} is not a cron expression (five fields, e.g. '0 2 * * *')")
    return raw


def _choice(raw: str, variable: str, choices: tuple[str, ...]) -> str:
    if raw.upper() not in choices:
        raise SettingsError(f"{variable}={raw!r} must be one of {', '.join(choices)}")
    return raw.upper()


@dataclass(frozen=True)
class Settings:
    home: Path
    sources: Path
    timezone: str
    source_timezone: str
    currency: str | None  # the deployment's one currency; None: the one currency the data uses
    quarantine_max_rate: float
    max_volume_drop: float
    freshness_max_age_hours: float
    duckdb_memory: str
    audit_sample_rows: int  # a raw load larger than this is validated by GX on a sample of this size; 0: all rows
    partitions_start: str  # the first daily partition
    gx_keep_days: float  # validation results (and their Data Docs pages) older than this are deleted
    health_rules: Path  # the account-health rules file (YAML)
    lookback_days: int = 3  # days before their latest day that incremental daily facts always rebuild
    as_of: str = ""  # UTC time that closes periods ('' = the latest usage event)
    schedule: str = DEFAULT_SCHEDULE  # cron of the nightly refresh, in the reporting zone
    sensor_seconds: int = 300  # how often the sensor looks for new source files
    log_level: str = "CRITICAL"  # Dagster console log level of command-line runs

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        home = Path(env.get("PRODOPS_HOME") or CHECKOUT_ROOT / ".prodops").expanduser().resolve()
        sources = Path(env.get("PRODOPS_SOURCES") or home / "demo" / "sources").expanduser().resolve()
        return cls(
            home=home,
            sources=sources,
            timezone=_time_zone(env.get("PRODOPS_TIMEZONE") or "UTC", "PRODOPS_TIMEZONE"),
            source_timezone=_time_zone(env.get("PRODOPS_SOURCE_TIMEZONE") or "UTC", "PRODOPS_SOURCE_TIMEZONE"),
            currency=(env.get("PRODOPS_CURRENCY") or "").strip().upper() or None,
            quarantine_max_rate=_fraction(env.get("PRODOPS_QUARANTINE_MAX_RATE") or "0.05", "PRODOPS_QUARANTINE_MAX_RATE"),
            max_volume_drop=_fraction(env.get("PRODOPS_MAX_VOLUME_DROP") or "0.15", "PRODOPS_MAX_VOLUME_DROP"),
            freshness_max_age_hours=_positive(env.get("PRODOPS_FRESHNESS_MAX_AGE_HOURS") or "48",
                                              "PRODOPS_FRESHNESS_MAX_AGE_HOURS"),
            duckdb_memory=env.get("PRODOPS_DUCKDB_MEMORY") or "3GB",
            audit_sample_rows=_count(env.get("PRODOPS_AUDIT_SAMPLE_ROWS") or "500000", "PRODOPS_AUDIT_SAMPLE_ROWS"),
            partitions_start=_day(env.get("PRODOPS_PARTITIONS_START") or "2024-01-01", "PRODOPS_PARTITIONS_START"),
            gx_keep_days=_positive(env.get("PRODOPS_GX_KEEP_DAYS") or "30", "PRODOPS_GX_KEEP_DAYS"),
            health_rules=Path(env.get("PRODOPS_HEALTH_RULES") or DEFAULT_HEALTH_RULES).expanduser().resolve(),
            lookback_days=_count(env.get("PRODOPS_LOOKBACK_DAYS") or "3", "PRODOPS_LOOKBACK_DAYS"),
            as_of=_instant(env.get("PRODOPS_AS_OF") or "", "PRODOPS_AS_OF"),
            schedule=_cron(env["PRODOPS_SCHEDULE"], "PRODOPS_SCHEDULE") if env.get("PRODOPS_SCHEDULE") else DEFAULT_SCHEDULE,
            sensor_seconds=_count(env.get("PRODOPS_SENSOR_SECONDS") or "300", "PRODOPS_SENSOR_SECONDS", minimum=1),
            log_level=_choice(env.get("PRODOPS_LOG_LEVEL") or "CRITICAL", "PRODOPS_LOG_LEVEL", LOG_LEVELS),
        )

    @property
    def raw_zone(self) -> Path:
        return self.home / "raw"

    @property
    def health_zone(self) -> Path:
        """Where the health rules in force are landed for dbt (source `health`)."""
        return self.raw_zone / "health"

    @property
    def warehouse(self) -> Path:
        """The DuckDB file dbt builds the staging, intermediate and mart tables in."""
        return self.home / "warehouse.duckdb"

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
