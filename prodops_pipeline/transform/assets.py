"""The dbt models as Dagster assets; their dbt tests as asset checks.

One dbt invocation builds every model. The day-grained facts built from usage events (dbt tag
`daily`) are partitioned by reporting day (see the translator); a backfill passes its first day to
dbt, so the past days it covers are rebuilt.
"""

import json
from functools import cached_property

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dbt.version import __version__ as DBT_VERSION
from packaging import version

from ..partitions import backfill_window, report_days
from ..resources import PipelineSettings
from ..ingest.raw_zone import read_json
from ..settings_change import changes, meaning, record, warehouse_record
from .fact_days import FACT_OF, fact_days, newest_loads
from .project import dbt_project
from .spark_tables import expose_spark_tables
from .targets import keep_partial_parse, prune_run_targets
from .tested_rows import record_tested_rows
from .translator import ProdopsTranslator

# Each check once: a mart's row-level rules are checked by its Great Expectations suite, which gates the
# publish; dbt keeps a mart's grain (unique_combination), which it checks over the whole table in SQL while GX
# validates in chunks. These dbt tests of the marts are therefore neither run nor shown as asset checks.
GX_CHECKED_MART_TESTS = " ".join(f"path:models/marts,test_name:{name}"
                                 for name in ("not_null", "accepted_values", "within_range"))


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False  # rebuild the incremental models from scratch


def dbt_build_args(config: DbtBuildConfig, first_day: str | None = None) -> list[str]:
    # unit tests check SQL logic on fixed rows, not data: they run in the test suite, not every night
    return ["build", "--exclude-resource-type", "unit_test", *(["--full-refresh"] if config.full_refresh else []),
            *(["--vars", json.dumps({"first_day": first_day})] if first_day else [])]


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=ProdopsTranslator(),
            exclude=GX_CHECKED_MART_TESTS, backfill_policy=dg.BackfillPolicy.single_run())
def prodops_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig,
                       settings: PipelineSettings):
    config_now = settings.get()
    current = meaning(config_now)
    record_path = warehouse_record(config_now)
    changed = changes(read_json(record_path), current, config_now.warehouse.exists())
    if changed:
        context.log.warning("settings changed since the warehouse was built (" + "; ".join(changed)
                            + "): rebuilding every model, as a fresh build under the new settings")
        config = DbtBuildConfig(full_refresh=True)
    # only a backfill passes its first day: a var that changes every night would make dbt parse the
    # whole project again on every run
    window = backfill_window(context)
    before = newest_loads(config_now.warehouse)
    invocation = dbt.cli(dbt_build_args(config, window[0].isoformat() if window else None), context=context)
    yield from invocation.stream()
    if config_now.engine == "spark":  # the audit and the publish read Spark's tables through DuckDB
        expose_spark_tables(config_now, invocation.target_path / "manifest.json")
    else:
        record_tested_rows(config_now.warehouse, invocation.get_artifact("manifest.json"),
                           invocation.get_artifact("run_results.json"), config_now.duckdb_config())
    facts = [model for model in FACT_OF if dg.AssetKey(model) in context.selected_asset_keys]
    for model, (days, changed) in fact_days(config_now.warehouse, before, facts).items():
        report_days(context, dg.AssetKey(model), days, changed)
    record(record_path, current)  # only once the build went through: a failed one is retried in full
    target_root = dbt_project.project_dir / dbt_project.target_path
    keep_partial_parse(invocation.target_path, target_root)
    prune_run_targets(target_root, prefix=context.op_execution_context.op.name)


class ProdopsDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, about 4 s of start-up)
    before every command, in case it is the Fusion engine; ours is the dbt-core installed here."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(DBT_VERSION)


def dbt_resource() -> DbtCliResource:
    return ProdopsDbtCliResource(project_dir=dbt_project)
