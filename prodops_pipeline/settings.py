"""Settings from the environment, each with a safe default.

Every path the pipeline writes lies under PRODOPS_HOME; nothing else on disk is touched.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CHECKOUT_ROOT = Path(__file__).resolve().parent.parent


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


def _count(raw: str, variable: str) -> int:
    if not raw.isdigit():
        raise SettingsError(f"{variable}={raw!r} must be a whole number (0 or more)")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    home: Path
    sources: Path
    timezone: str
    source_timezone: str
    currency: str
    quarantine_max_rate: float
    max_volume_drop: float
    freshness_max_age_hours: float
    duckdb_memory: str
    audit_sample_rows: int  # a raw load larger than this is validated by GX on a sample of this size; 0: all rows
    partitions_start: str  # the first daily partition
    gx_keep_days: float  # validation results (and their Data Docs pages) older than this are deleted

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
            currency=(env.get("PRODOPS_CURRENCY") or "USD").upper(),
            quarantine_max_rate=_fraction(env.get("PRODOPS_QUARANTINE_MAX_RATE") or "0.05", "PRODOPS_QUARANTINE_MAX_RATE"),
            max_volume_drop=_fraction(env.get("PRODOPS_MAX_VOLUME_DROP") or "0.15", "PRODOPS_MAX_VOLUME_DROP"),
            freshness_max_age_hours=_positive(env.get("PRODOPS_FRESHNESS_MAX_AGE_HOURS") or "48",
                                              "PRODOPS_FRESHNESS_MAX_AGE_HOURS"),
            duckdb_memory=env.get("PRODOPS_DUCKDB_MEMORY") or "3GB",
            audit_sample_rows=_count(env.get("PRODOPS_AUDIT_SAMPLE_ROWS") or "500000", "PRODOPS_AUDIT_SAMPLE_ROWS"),
            partitions_start=_day(env.get("PRODOPS_PARTITIONS_START") or "2024-01-01", "PRODOPS_PARTITIONS_START"),
            gx_keep_days=_positive(env.get("PRODOPS_GX_KEEP_DAYS") or "30", "PRODOPS_GX_KEEP_DAYS"),
        )

    @property
    def raw_zone(self) -> Path:
        return self.home / "raw"

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
