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
    currency: str = "USD"
    quarantine_max_rate: str = "0.05"

    @classmethod
    def from_env(cls) -> "PipelineSettings":
        defaults = Settings.from_env()
        return cls(
            home=_env_or("PRODOPS_HOME", str(defaults.home)),
            sources=_env_or("PRODOPS_SOURCES", str(defaults.sources)),
            timezone=_env_or("PRODOPS_TIMEZONE", defaults.timezone),
            source_timezone=_env_or("PRODOPS_SOURCE_TIMEZONE", defaults.source_timezone),
            currency=_env_or("PRODOPS_CURRENCY", defaults.currency),
            quarantine_max_rate=_env_or("PRODOPS_QUARANTINE_MAX_RATE", str(defaults.quarantine_max_rate)),
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
        })
