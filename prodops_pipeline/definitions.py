"""The Dagster code location: every asset, check, job, schedule, sensor and resource, in one place."""

from __future__ import annotations

import warnings

import dagster as dg

from .audit.checks import audit_checks
from .audit.suites import mart_nodes
from .automation import new_files_sensor, nightly_schedule, with_freshness
from .digest.assets import digest_catch_up_sensor, digest_job, digest_schedule, weekly_digest
from .health.assets import health_rules
from .ingest.assets import build_ingest_assets
from .ingest.systems import selected_tables
from .publish.assets import build_publish_asset
from .resources import PipelineSettings
from .settings import Settings
from .transform.assets import dbt_resource, prodops_dbt_assets
from .transform.project import dbt_project

MARTS = [node["name"] for node, _ in mart_nodes(dbt_project.manifest_path)]
publish_asset = build_publish_asset(MARTS)
configured = Settings.from_env()
settings = PipelineSettings.from_settings(configured)
ingest_assets = build_ingest_assets(configured)

ingest_job = dg.define_asset_job("ingest", selection=dg.AssetSelection.assets(*ingest_assets),
                                 description="Land every new source file in the raw zone")
# everything but the digest, which has its own weekly schedule
refresh_selection = dg.AssetSelection.all() - dg.AssetSelection.assets(weekly_digest)
refresh_job = dg.define_asset_job("refresh", selection=refresh_selection,
                                  description="Land new files, rebuild the affected days, audit, publish")

with warnings.catch_warnings():
    # map_asset_specs is Dagster's way to apply one policy to every asset; it is marked "preview"
    warnings.simplefilter("ignore", dg.PreviewWarning)
    defs = dg.Definitions(
        assets=[*ingest_assets, health_rules, prodops_dbt_assets, publish_asset, weekly_digest],
        asset_checks=audit_checks(selected_tables(configured.kind_systems), MARTS),
        jobs=[ingest_job, refresh_job, digest_job],
        schedules=[nightly_schedule(refresh_job, configured), digest_schedule(configured)],
        sensors=[new_files_sensor(refresh_job, configured), digest_catch_up_sensor(refresh_job, configured)],
        resources={"settings": settings, "dbt": dbt_resource()},
    ).map_asset_specs(func=with_freshness)
