"""The Dagster code location: every asset, check, job and resource, assembled in one place."""

from __future__ import annotations

import dagster as dg

from .ingest.assets import ingest_assets
from .resources import PipelineSettings
from .transform.assets import dbt_resource, prodops_dbt_assets

ingest_job = dg.define_asset_job("ingest", selection=dg.AssetSelection.assets(*ingest_assets),
                                 description="Land every new source file in the raw zone")
refresh_job = dg.define_asset_job("refresh", selection=dg.AssetSelection.all(),
                                  description="Land new source files, then build and test every dbt model")

defs = dg.Definitions(
    assets=[*ingest_assets, prodops_dbt_assets],
    jobs=[ingest_job, refresh_job],
    resources={"settings": PipelineSettings.from_env(), "dbt": dbt_resource()},
)
