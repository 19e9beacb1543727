"""How dbt nodes appear in Dagster: sources are the ingestion assets, models grouped by layer and area."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from ..ingest.assets import raw_key
from ..partitions import daily_partitions

DAILY_TAG = "daily"


class ProdopsTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["source_name"] == "health":  # the rules in force, landed by health_rules
                return dg.AssetKey(["health", dbt_resource_props["name"]])
            if dbt_resource_props["source_name"] != "prodops":  # a vendor's table: raw/<system>__<table>
                return raw_key(f"{dbt_resource_props['source_name']}__{dbt_resource_props['name']}")
            return raw_key(dbt_resource_props["name"])  # one graph from source files to marts
        return dg.AssetKey(dbt_resource_props["name"])

    def get_partitions_def(self, dbt_resource_props: Mapping[str, Any]) -> dg.PartitionsDefinition | None:
        # the day-grained tables built from usage events; every other model is rebuilt whole, and a view
        # (int_usage_events) holds every day at once
        daily = DAILY_TAG in dbt_resource_props.get("tags", [])
        return daily_partitions() if daily and dbt_resource_props["config"]["materialized"] != "view" else None

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if "marts" in fqn:
            return fqn[fqn.index("marts") + 1]  # adoption, nps, retention, support, health
        for layer in ("staging", "intermediate"):
            if layer in fqn:
                return layer
        return None
