"""The dbt models as Dagster assets; their dbt tests as asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from .project import dbt_project
from .translator import ProdopsTranslator


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from scratch


def dbt_build_args(config: DbtBuildConfig) -> list[str]:
    return ["build", *(["--full-refresh"] if config.full_refresh else [])]


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=ProdopsTranslator())
def prodops_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig):
    yield from dbt.cli(dbt_build_args(config), context=context).stream()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project)
