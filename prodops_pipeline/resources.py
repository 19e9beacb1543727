"""The settings resource every asset reads: environment variables through dg.EnvVar, with defaults."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from .settings import Settings


def _env_or(variable: str, default: str) -> str | dg.EnvVar:
    return dg.EnvVar(variable) if os.environ.get(variable) else default


class PipelineSettings(dg.ConfigurableResource):
    """Where sources are read and outputs written, and the pipeline's thresholds."""

    home: str
    sources: str
    timezone: str = "UTC"
    source_timezone: str = "UTC"
    currency: str = ""  # empty: the one currency the data uses
    quarantine_max_rate: str = "0.05"
    max_volume_drop: str = "0.15"
    freshness_max_age_hours: str = "48"
    audit_sample_rows: str = "500000"
    duckdb_memory: str = "3GB"
    gx_keep_days: str = "30"
    health_rules: str = ""

    @classmethod
    def from_env(cls) -> "PipelineSettings":
        defaults = Settings.from_env()
        return cls(
            home=_env_or("PRODOPS_HOME", str(defaults.home)),
            sources=_env_or("PRODOPS_SOURCES", str(defaults.sources)),
            timezone=_env_or("PRODOPS_TIMEZONE", defaults.timezone),
            source_timezone=_env_or("PRODOPS_SOURCE_TIMEZONE", defaults.source_timezone),
            currency=_env_or("PRODOPS_CURRENCY", defaults.currency or ""),
            quarantine_max_rate=_env_or("PRODOPS_QUARANTINE_MAX_RATE", str(defaults.quarantine_max_rate)),
            max_volume_drop=_env_or("PRODOPS_MAX_VOLUME_DROP", str(defaults.max_volume_drop)),
            freshness_max_age_hours=_env_or("PRODOPS_FRESHNESS_MAX_AGE_HOURS", str(defaults.freshness_max_age_hours)),
            audit_sample_rows=_env_or("PRODOPS_AUDIT_SAMPLE_ROWS", str(defaults.audit_sample_rows)),
            duckdb_memory=_env_or("PRODOPS_DUCKDB_MEMORY", defaults.duckdb_memory),
            gx_keep_days=_env_or("PRODOPS_GX_KEEP_DAYS", str(defaults.gx_keep_days)),
            health_rules=_env_or("PRODOPS_HEALTH_RULES", str(defaults.health_rules)),
        )

    def get(self) -> Settings:
        """The validated settings, resolved relative to nothing: every path is absolute."""
        return Settings.from_env({
            "PRODOPS_HOME": str(Path(self.home).expanduser().resolve()),
            "PRODOPS_SOURCES": str(Path(self.sources).expanduser().resolve()),
            "PRODOPS_TIMEZONE": self.timezone,
            "PRODOPS_SOURCE_TIMEZONE": self.source_timezone,
            "PRODOPS_CURRENCY": self.currency,
            "PRODOPS_QUARANTINE_MAX_RATE": self.quarantine_max_rate,
            "PRODOPS_MAX_VOLUME_DROP": self.max_volume_drop,
            "PRODOPS_FRESHNESS_MAX_AGE_HOURS": self.freshness_max_age_hours,
            "PRODOPS_AUDIT_SAMPLE_ROWS": self.audit_sample_rows,
            "PRODOPS_DUCKDB_MEMORY": self.duckdb_memory,
            "PRODOPS_GX_KEEP_DAYS": self.gx_keep_days,
            "PRODOPS_HEALTH_RULES": self.health_rules,
        })
