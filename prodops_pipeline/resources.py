"""The settings resource every asset reads: the validated settings, typed, as the run's config shows them."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from .settings import Settings

SECRETS = ("smtp_password", "warehouse_url")


class PipelineSettings(dg.ConfigurableResource):
    """Where sources are read and outputs written, and the pipeline's thresholds.

    Built from `Settings` (never from the environment's text), so that a value is checked once, in
    one place, before any run starts; `get()` gives the `Settings` back to the code that uses it.
    """

    home: str
    sources: str
    timezone: str
    source_timezone: str
    currency: str | None  # None: the one currency the data uses
    quarantine_max_rate: float
    max_volume_drop: float
    freshness_max_age_hours: float
    duckdb_memory: str
    audit_sample_rows: int
    partitions_start: str
    gx_keep_days: float
    health_rules: str
    lookback_days: int
    as_of: str
    schedule: str
    sensor_seconds: int
    log_level: str
    digest_schedule: str
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    # Dagster's EnvVar: resolved when a run starts and never shown in the UI or the run's config
    smtp_password: str | None = None
    warehouse_url: str | None = None  # an EnvVar too: a connection URL may hold a password
    warehouse_schemas: dict[str, str]
    digest_from: str | None
    digest_to: list[str]
    systems: list[str]
    account_map: str | None
    zendesk_account_field: str
    stripe_account_key: str
    pendo_account_field: str
    engine: str
    spark_warehouse: str
    spark_memory: str
    spark_server: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelineSettings":
        values = {name: str(value) if isinstance(value, Path) else value
                  for name, value in settings.model_dump(include=set(cls.model_fields) - set(SECRETS)).items()}
        values["digest_to"] = list(settings.digest_to)
        values["systems"] = list(settings.systems)
        secrets = {name: dg.EnvVar(Settings.model_fields[name].validation_alias)
                   for name in SECRETS if getattr(settings, name) is not None}
        return cls(**values, **secrets)

    @classmethod
    def from_env(cls) -> "PipelineSettings":
        return cls.from_settings(Settings.from_env())

    def get(self) -> Settings:
        return Settings.model_validate({name: getattr(self, name) for name in type(self).model_fields})
