"""The dbt models as Dagster assets; their dbt tests as asset checks.

One dbt invocation builds every model. The day-grained facts built from usage events (dbt tag
`daily`) are partitioned by reporting day (see the translator); the run's first day is passed to
dbt, so a backfill of past days rebuilds them.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ..partitions import partition_days
from .project import dbt_project
from .translator import ProdopsTranslator


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from scratch


def dbt_build_args(config: DbtBuildConfig, first_day: str | None = None) -> list[str]:
    # unit tests check SQL logic on fixed rows, not data: they run in the test suite, not every night
    return ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if config.full_refresh else []),
            *(["--vars", json.dumps({"first_day": first_day})] if first_day else [])]


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=ProdopsTranslator(),
            backfill_policy=dg.BackfillPolicy.single_run())
def prodops_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    partitioned = context.has_partition_key or context.has_partition_key_range
    first_day = partition_days(context)[0].isoformat() if partitioned else None
    yield from dbt.cli(dbt_build_args(config, first_day), context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project)
