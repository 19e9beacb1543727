"""The same dbt project on Apache Spark (PRODOPS_ENGINE=spark): built by dbt-spark in session mode on
PySpark, its published marts equal DuckDB's to 9 decimals; through a Spark Thrift server over the same
tables, every dbt unit test passes (the vendor staging models' too) and an incremental refresh of a new
day and a CRM change equals a full build. One test, so that its Spark JVMs run in one worker one after another."""

from __future__ import annotations

import math
import os
import shutil
import socket
import subprocess
import time
from contextlib import closing, contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import pyspark
from pyhive import hive

from prodops_pipeline.demo.generator import generate
from prodops_pipeline.runner import run_assets
from prodops_pipeline.settings import Settings
from prodops_pipeline.transform.project import dbt_project, spark_java_options, spark_metastore_url

from .conftest import (SEED, SYSTEM_SELECTIONS, dbt_under_each_selection, failure_report, published_content,
                       run_every_unit_test, written_unit_tests)
from .spark_sql import SPARK_FUNCTIONS, not_spark

# three months (the demo starts on 1 November 2025): enough for month-over-month retention, and the
# Spark builds' time is mostly per model and per day partition written, so it follows the span
END = date(2026, 1, 31)
# the marts a build rebuilds from the first period something changed, each with the period it is partitioned by on Spark
INCREMENTAL_MARTS = {"account_engagement_daily": "day", "feature_adoption": "month", "product_engagement_score": "month"}


def java_17_or_later() -> bool:
    if shutil.which("java") is None:
        return False
    said = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    version = said.split('"')[1] if '"' in said else "0"
    return int(version.split(".")[0]) >= 17


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not java_17_or_later(), reason="Spark 4 needs Java 17 or later, and this machine has none")]


@contextmanager
def thrift_server(settings: Settings, log: Path):
    """A Spark Thrift server (PySpark's own) over the home's Spark catalog and tables, as a cluster's would
    be; yields its host:port. The local sessions' dbt runs must be over: embedded Derby has one JVM at a time."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    spark_home = Path(pyspark.__file__).parent
    command = [str(spark_home / "bin" / "spark-submit"), "--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
               "--driver-memory", settings.spark_memory, "--driver-java-options", spark_java_options(settings),
               "--conf", f"spark.sql.warehouse.dir={settings.spark_tables}", "--conf", "spark.ui.enabled=false",
               "--conf", f"spark.hadoop.javax.jdo.option.ConnectionURL={spark_metastore_url(settings)}",
               "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1", "--hiveconf", f"hive.server2.thrift.port={port}",
               "spark-internal"]
    with log.open("w") as output:
        server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "SPARK_HOME": str(spark_home)})
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, f"the Thrift server exited: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, "the Thrift server did not listen within 5 minutes"
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(1)
        yield f"127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:  # its shutdown hooks can hang on a loaded machine; the test is done
            server.kill()
            server.wait()


def spark_functions(address: str) -> set[str]:
    """The names in the function registry of the Spark behind a Thrift server."""
    host, port = address.rsplit(":", 1)
    with closing(hive.connect(host=host, port=int(port), username="prodops")) as connection:
        cursor = connection.cursor()
        cursor.execute("show functions")
        return {name.lower() for name, in cursor.fetchall()}


def vendor_models_compiled_for_spark(settings: Settings) -> dict[Path, str]:
    """The vendor staging models and their data tests compiled for Spark, under each vendor selection: path -> SQL."""
    vendors = {systems: only for systems, only in SYSTEM_SELECTIONS.items() if systems != "prodops"}
    compiled = {}
    for systems, invocation in dbt_under_each_selection(settings, ["compile"], vendors):
        assert invocation.is_successful(), f"dbt compile failed for Spark under the systems {systems}"
        root = invocation.target_path / "compiled"
        compiled |= {path.relative_to(root): path.read_text() for path in root.rglob("*.sql")}
    return compiled


def a_customer_user_first_active_late(settings: Settings) -> tuple[str, date]:
    """A customer user first active in the last month but not in its last days, with that first day."""
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return con.sql(f"""
            select m.user_id, min(m.first_active_day) as first_day
            from intermediate.int_usage_user_monthly as m
            inner join intermediate.int_customer_users as c on c.user_id = m.user_id
            group by m.user_id
            having min(m.first_active_day) between date '{END.replace(day=10)}' and date '{END - timedelta(days=7)}'
            order by first_day, m.user_id limit 1""").fetchone()


def found_to_be_staff(sources: Path, user: str) -> None:
    contacts = sources / "contacts" / "contacts.csv"
    header, *lines = contacts.read_text().splitlines()
    internal = header.split(",").index('"is_internal"')
    changed = [",".join('"true"' if i == internal else f for i, f in enumerate(line.split(",")))
               if line.startswith(f'"{user}",') else line for line in lines]
    assert changed != lines, f"{user} is among the contacts"
    contacts.write_text("\n".join([header, *changed]) + "\n")


def to_9_decimals(content: dict[str, list]) -> dict[str, list]:
    """Each mart's rows with every number rounded to 9 decimals, in a stable order."""
    def value(v):
        if isinstance(v, (float, Decimal)):
            return None if isinstance(v, float) and math.isnan(v) else round(float(v), 9)
        return v
    return {mart: sorted((tuple(value(v) for v in row) for row in rows), key=repr) for mart, rows in content.items()}


def test_the_marts_built_on_spark_equal_duckdbs_and_a_spark_refresh_of_a_new_day_equals_a_full_build(
        tmp_path, pipeline_env, monkeypatch):
    sources = tmp_path / "sources"
    generate("small", SEED, sources, end=END - timedelta(days=1))
    duckdb_settings = pipeline_env(sources)
    outcome = run_assets(duckdb_settings)
    assert outcome.success, failure_report(outcome)
    on_duckdb = to_9_decimals(published_content(duckdb_settings))
    staff_user, staff_first_day = a_customer_user_first_active_late(duckdb_settings)

    monkeypatch.setenv("PRODOPS_ENGINE", "spark")  # the same home and raw zone; Spark's own warehouse
    spark_settings = Settings.from_env()
    outcome = run_assets(spark_settings)
    assert outcome.success, failure_report(outcome)
    on_spark = to_9_decimals(published_content(spark_settings))
    assert sorted(on_spark) == sorted(on_duckdb) and len(on_spark) >= 15
    for mart in on_duckdb:
        assert on_spark[mart] == on_duckdb[mart], f"{mart} differs between Spark and DuckDB"
    # the marts are Parquet tables in Spark's warehouse folder, which the audit and the publish read; the
    # incremental usage marts, one partition per period
    marts = duckdb_settings.home / "spark" / "warehouse" / "main.db"
    first_partitions = {mart: min((marts / mart).glob(f"{period}=*")) for mart, period in INCREMENTAL_MARTS.items()}
    written_first = {mart: sorted(folder.glob("*.parquet")) for mart, folder in first_partitions.items()}
    assert all(written_first.values())

    # then through a Spark Thrift server over the same catalog and tables (PRODOPS_SPARK_SERVER, a cluster's
    # route): every unit test, the check of the SQL compiled for Spark, and the next night's one more day, incrementally
    with thrift_server(spark_settings, tmp_path / "thrift-server.log") as address:
        # a local session now could not open the catalog the server holds (embedded Derby): these runs go through it
        monkeypatch.setenv("PRODOPS_SPARK_SERVER", address)
        server_settings = Settings.from_env()
        ran, failed = run_every_unit_test(server_settings)  # our layout's and each vendor selection's
        assert not failed, failed
        assert ran == written_unit_tests()
        # the builds here ran every model of our layout on Spark; the vendor staging models (which only their unit
        # tests ran) and their data tests compile for Spark with nothing it lacks: DuckDB-only SQL fails here by name
        compiled = vendor_models_compiled_for_spark(server_settings)
        staging = dbt_project.project_dir / "models" / "staging"
        assert {path.stem for path in staging.rglob("*.sql") if path.parent.name not in ("prodops", "health")} \
            <= {path.stem for path in compiled if path.parent.suffix != ".yml"}
        registry = spark_functions(address)
        assert set(SPARK_FUNCTIONS.read_text().split()) <= registry, f"{SPARK_FUNCTIONS.name} names functions this Spark lacks"
        refused = {str(path): problems for path, sql in compiled.items() if (problems := not_spark(sql, registry))}
        assert not refused, refused
        generate("small", SEED, sources, end=END)  # one more day arrives
        found_to_be_staff(sources, staff_user)  # and the CRM changes who counts as a customer from an earlier day
        outcome = run_assets(server_settings)
        assert outcome.success, failure_report(outcome)
    refreshed_on_spark = to_9_decimals(published_content(server_settings))
    # the refresh rebuilt the usage marts from the first day the CRM change reaches (every account from there:
    # Parquet partitions are replaced whole), and left their first period's files as the full build wrote them
    with duckdb.connect(str(server_settings.warehouse), read_only=True) as con:
        rebuilt_from = {mart: con.sql(f"select rebuilt_from from intermediate.{mart}__built_from").fetchone()[0]
                        for mart in INCREMENTAL_MARTS}
    month = staff_first_day.replace(day=1)
    assert rebuilt_from == {"account_engagement_daily": staff_first_day, "product_engagement_score": month,
                            "feature_adoption": (month - timedelta(days=1)).replace(day=1)}  # and the month before
    assert {mart: sorted(folder.glob("*.parquet")) for mart, folder in first_partitions.items()} == written_first

    monkeypatch.setenv("PRODOPS_ENGINE", "duckdb")
    assert run_assets(duckdb_settings, full_refresh=True).success
    full_build = to_9_decimals(published_content(duckdb_settings))
    for mart in full_build:
        assert refreshed_on_spark[mart] == full_build[mart], f"{mart} of Spark's refresh differs from a full build"
    assert refreshed_on_spark != on_spark, "the new day changed the marts"
