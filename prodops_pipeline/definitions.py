"""The Dagster code location: every asset, check, job and resource, assembled in one place."""

from __future__ import annotations

import dagster as dg

from .audit.checks import audit_checks
from .audit.suites import mart_nodes
from .ingest.assets import ingest_assets
from .publish.assets import build_publish_asset
from .resources import PipelineSettings
from .transform.assets import dbt_resource, prodops_dbt_assets
from .transform.project import dbt_project

MARTS = [node["name"] for node, _ in mart_nodes(dbt_project.manifest_path)]
publish_asset = build_publish_asset(MARTS)

ingest_job = dg.define_asset_job("ingest", selection=dg.AssetSelection.assets(*ingest_assets),
                                 description="Land every new source file in the raw zone")
refresh_job = dg.define_asset_job("refresh", selection=dg.AssetSelection.all(),
                                  description="Land new files, build and test the marts, audit them, publish")

defs = dg.Definitions(
    assets=[*ingest_assets, prodops_dbt_assets, publish_asset],
    asset_checks=audit_checks(MARTS),
    jobs=[ingest_job, refresh_job],
    resources={"settings": PipelineSettings.from_env(), "dbt": dbt_resource()},
)
