"""The Dagster code location: every asset, check, job and resource, assembled in one place."""

from __future__ import annotations

import dagster as dg

from .ingest.assets import ingest_assets
from .resources import PipelineSettings

ingest_job = dg.define_asset_job("ingest", selection=dg.AssetSelection.assets(*ingest_assets),
                                 description="Land every new source file in the raw zone")

defs = dg.Definitions(
    assets=ingest_assets,
    jobs=[ingest_job],
    resources={"settings": PipelineSettings.from_env()},
)
