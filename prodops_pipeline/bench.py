"""`prodops bench`: a full build and a one-day incremental refresh of generated data, timed per stage,
a run with nothing new, and the DuckDB floor (bench_floor.py) on the same files.

Each phase runs `prodops run` in a child process; its wall time per stage comes from the Dagster
step timings of the run, the time of each dbt model and test from the run's events, and its peak
memory from the kernel's accounting of the child and its own children (dbt), which is the largest
resident set of any one process of the phase.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from .bench_floor import duckdb_floor
from .demo.generator import GROUND_TRUTH, generate
from .demo.scales import DEFAULT_END, START
from .settings import Settings

STAGES = ("ingest", "dbt", "audit", "publish")
SLOWEST_NODES = 8
# the dbt nodes of account health (models and their tests), whose cost the benchmark reports apart
HEALTH_NODES = ("account_health", "int_account_week", "stg_health__")


def stage_of(step_key: str) -> str:
    if step_key.startswith("raw__") and not step_key.endswith("_gx_checks"):
        return "ingest"
    if step_key == "prodops_dbt_assets":
        return "dbt"
    if step_key == "analyst_database":
        return "publish"
    return "audit"


def _node_seconds(event) -> tuple[str, float] | None:
    """(asset or check, seconds) for a dbt model's materialization or a dbt test's check evaluation,
    which dagster-dbt gives the node's execution time from dbt's run results."""
    if event.is_step_materialization:
        record = event.event_specific_data.materialization
        name = record.asset_key.to_user_string()
    else:  # an asset check's evaluation
        record = event.event_specific_data
        name = f"{record.asset_key.to_user_string()}:{record.check_name}"
    duration = record.metadata.get("Execution Duration")
    return None if duration is None else (name, float(duration.value))


def run_profile(dagster_home: Path, slowest: int = SLOWEST_NODES) -> dict[str, Any]:
    """Where the latest run's time went: seconds per stage (step start to step end), and the dbt
    models and tests that took longest, with the total over every dbt node (on all dbt threads)."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(dagster_home)
    instance = dg.DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    starts: dict[str, float] = {}
    totals = dict.fromkeys(STAGES, 0.0)
    nodes: list[tuple[str, float]] = []
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = record.timestamp
        elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            totals[stage_of(event.step_key)] += record.timestamp - starts.pop(event.step_key, record.timestamp)
        elif event.event_type in (dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            node = _node_seconds(event)
            if node:
                nodes.append(node)
    nodes.sort(key=lambda node: -node[1])
    return {
        "stages_seconds": {stage: round(seconds, 2) for stage, seconds in totals.items()},
        "dbt_node_seconds_total": round(sum(seconds for _, seconds in nodes), 2),
        "health_node_seconds": round(sum(seconds for name, seconds in nodes if name.startswith(HEALTH_NODES)), 2),
        "dbt_slowest_nodes": [{"node": name, "seconds": round(seconds, 2)} for name, seconds in nodes[:slowest]],
    }


def _timed_run(home: Path, sources: Path, full_refresh: bool = False) -> tuple[float, Any, str]:
    """`prodops run` in its own process: its wall time, resource usage and output."""
    env = {**os.environ, "PRODOPS_HOME": str(home), "PRODOPS_SOURCES": str(sources),
           "DAGSTER_HOME": str(home / "dagster")}
    command = [sys.executable, "-m", "prodops_pipeline.cli", "run", *(["--full-refresh"] if full_refresh else [])]
    output = home.parent / f"{'full-refresh' if full_refresh else 'run'}-{time.time_ns()}.log"
    started = time.perf_counter()
    with output.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the benchmark run failed (full output in {output}):\n{output.read_text()[-3000:]}")
    return wall, usage, output.read_text()


def _nothing_new_phase(home: Path, sources: Path) -> dict[str, Any]:
    wall, usage, said = _timed_run(home, sources)
    if "Nothing new since build" not in said:
        raise RuntimeError(f"the run with nothing new ran:\n{said[-3000:]}")
    return {"wall_seconds": round(wall, 2), "peak_memory_mb": round(usage.ru_maxrss / 1024, 1)}


def _run_phase(home: Path, sources: Path, full_refresh: bool = False) -> dict[str, Any]:
    wall, usage, _ = _timed_run(home, sources, full_refresh)
    profile = run_profile(home / "dagster")
    # starting Python, Dagster and the code location, and the run's bookkeeping between steps
    outside = wall - sum(profile["stages_seconds"].values())
    return {"wall_seconds": round(wall, 2), **profile, "outside_steps_seconds": round(outside, 2),
            "peak_memory_mb": round(usage.ru_maxrss / 1024, 1)}


def _usage_rows(home: Path) -> int:
    settings = Settings.from_env({"PRODOPS_HOME": str(home)})
    loads = json.loads(settings.raw_zone.joinpath("usage_events", "loads.jsonl").read_text().splitlines()[-1])
    return loads["rows_read"]


def history_end(months: int) -> date:
    """The last day of `months` months of usage history (12: the demo's default year)."""
    return DEFAULT_END if months == 12 else START + timedelta(days=round(months * 365 / 12) - 1)


def bench_root(settings: Settings, scale: str, months: int = 12) -> Path:
    """Where a benchmark keeps its data (cached between runs), homes and results.json."""
    return settings.home / "bench" / (scale if months == 12 else f"{scale}-{months}m")


def floor_or_error(settings: Settings, sources: Path) -> dict[str, Any]:
    """The DuckDB floor, or why it did not complete (out of memory, say): the pipeline's figures stand either way."""
    try:
        return duckdb_floor(settings, sources)
    except duckdb.Error as exc:
        return {"seconds": None, "error": str(exc).splitlines()[0]}


def benchmark(settings: Settings, scale: str, seed: int = 42, months: int = 12) -> dict[str, Any]:
    """A full build of `months` months of history, then one more day and its refresh, then a run with nothing new."""
    root = bench_root(settings, scale, months)
    sources, home = root / "sources", root / "home"
    last_day = history_end(months)
    day_before = last_day - timedelta(days=1)
    truth = sources / GROUND_TRUTH
    started = time.perf_counter()
    if not truth.exists() or json.loads(truth.read_text())["end"] != day_before.isoformat():
        generate(scale, seed, sources, end=day_before)  # cached between benchmarks of a scale
    generation = time.perf_counter() - started
    shutil.rmtree(home, ignore_errors=True)
    full = _run_phase(home, sources)
    full["usage_rows"] = _usage_rows(home)
    floor = floor_or_error(settings, sources)
    generate(scale, seed, sources, end=last_day)  # one more day arrives
    incremental = _run_phase(home, sources)
    incremental["usage_rows"] = _usage_rows(home)
    nothing_new = _nothing_new_phase(home, sources)
    generate(scale, seed, sources, end=day_before)  # back to the cached state for the next benchmark
    for phase in (full, incremental):
        phase["usage_rows_per_second"] = round(phase["usage_rows"] / phase["wall_seconds"])
    result = {
        "scale": scale, "seed": seed, "history_months": months, "cpus": os.cpu_count(),
        "generation_seconds": round(generation, 2),
        "full_build": full, "incremental_one_day": incremental, "duckdb_floor": floor,
        "full_over_floor": round(full["wall_seconds"] / floor["seconds"], 2) if floor["seconds"] else None,
        "incremental_share_of_full": round(incremental["wall_seconds"] / full["wall_seconds"], 3),
        "nothing_new": nothing_new, "nothing_new_share_of_full": round(nothing_new["wall_seconds"] / full["wall_seconds"], 3),
    }
    (root / "results.json").write_text(json.dumps(result, indent=1) + "\n")
    return result
