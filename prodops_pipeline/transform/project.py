"""The dbt project, and its manifest kept in step with the SQL (parsed again only when a file changed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject
from filelock import FileLock

from ..settings import CHECKOUT_ROOT, Settings

DBT_PROJECT_DIR = CHECKOUT_ROOT / "dbt_project"


def spark_metastore_url(settings: Settings) -> str:
    """The local Spark catalog: a Hive metastore in embedded Derby under the home (one JVM at a time)."""
    return f"jdbc:derby:;databaseName={settings.home / 'spark' / 'metastore_db'};create=true"


def spark_java_options(settings: Settings) -> str:
    """The local Spark driver's Java options: Derby's home, and Spark's own log in a file, off the console."""
    spark_home = settings.home / "spark"
    return (f"-Dderby.system.home={spark_home} -Dprodops.spark.log={spark_home / 'spark.log'} "
            f"-Dlog4j2.configurationFile=file:{Path(__file__).with_name('spark-log4j2.properties')}")


def export_settings(settings: Settings) -> None:
    """dbt reads its paths, time zone, lookback and as-of time from the environment (profiles.yml,
    dbt_project.yml): give it the values the settings validated, defaults included, never the raw text."""
    os.environ["PRODOPS_HOME"] = str(settings.home)
    os.environ["PRODOPS_TIMEZONE"] = settings.timezone
    os.environ["PRODOPS_DUCKDB_MEMORY"] = settings.duckdb_memory
    os.environ["PRODOPS_LOOKBACK_DAYS"] = str(settings.lookback_days)
    os.environ["PRODOPS_AS_OF"] = settings.as_of
    # profiles.yml has a target per engine, and one for Spark through a Thrift server
    os.environ["PRODOPS_DBT_TARGET"] = "spark_server" if settings.engine == "spark" and settings.spark_server \
        else settings.engine
    host, _, port = (settings.spark_server or "").rpartition(":")
    os.environ["PRODOPS_SPARK_HOST"], os.environ["PRODOPS_SPARK_PORT"] = host, port
    os.environ["PRODOPS_SPARK_TABLES"] = settings.spark_tables  # resolved: not the setting PRODOPS_SPARK_WAREHOUSE
    os.environ["PRODOPS_SPARK_MEMORY"] = settings.spark_memory
    os.environ["PRODOPS_SPARK_METASTORE"] = spark_metastore_url(settings)
    os.environ["PRODOPS_SPARK_JAVA_OPTIONS"] = spark_java_options(settings)
    if settings.currency:  # the currency of a CRM's contracts that carry none
        os.environ["PRODOPS_CURRENCY"] = settings.currency
    else:
        os.environ.pop("PRODOPS_CURRENCY", None)
    for kind, system in settings.kind_systems.items():  # which staging folders are enabled
        os.environ[f"PRODOPS_{kind.upper()}_SYSTEM"] = system
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # the dbt installed beside this interpreter, even when its virtualenv is not activated
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def _newest_source_mtime(root: Path) -> float:
    files = [root / "dbt_project.yml", root / "profiles.yml"]
    for folder in ("models", "macros", "tests"):
        files += [p for p in (root / folder).rglob("*") if p.is_file()]
    return max(p.stat().st_mtime for p in files)


def target_path(settings: Settings) -> str:
    """dbt's target folder: the manifest holds only the enabled systems' models, so each selection of
    systems has its own (two homes with different systems can share one checkout)."""
    vendors = [f"{kind}-{system}" for kind, system in settings.kind_systems.items() if system != "prodops"]
    root = "target" if settings.engine == "duckdb" else f"target/{settings.engine}"  # configs differ per adapter
    return root if not vendors else f"{root}/systems-" + "_".join(vendors)


def prepared_project() -> DbtProject:
    settings = Settings.from_env()
    export_settings(settings)
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=target_path(settings))
    manifest = project.manifest_path
    manifest.parent.mkdir(parents=True, exist_ok=True)
    # processes importing the code location at once (test workers, the UI and a run) parse it once
    with FileLock(manifest.parent / ".prepare.lock"):
        if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(DBT_PROJECT_DIR):
            project.preparer.prepare(project)  # `dbt parse`: writes target/manifest.json
    return project


dbt_project = prepared_project()
