"""Refreshes of one home run one at a time: of two started together, one runs and the other waits for it,
then finds that it built what there is and stops; a run asked not to wait says which refresh is in
progress and exits."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import dagster as dg

from prodops_pipeline.publish.build import last_build
from prodops_pipeline.refresh_lock import lock_holder


def start(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "prodops_pipeline.cli", *arguments], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "COLUMNS": "300"})


def test_two_runs_started_together_run_one_after_the_other(published):
    settings, sources = published
    newest = max((sources / "usage_events").glob("*.csv"))
    os.utime(newest, ns=(time.time_ns(), time.time_ns()))  # re-exported: something new to run for
    first, second = start("run"), start("run")
    deadline = time.monotonic() + 120
    while lock_holder(settings) is None and time.monotonic() < deadline and first.poll() is None:
        time.sleep(0.2)
    refused = start("run", "--no-wait")
    refused_output, _ = refused.communicate(timeout=600)
    outputs = [" ".join(p.communicate(timeout=900)[0].split()) for p in (first, second)]

    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert not any("Conflicting lock" in out or "Traceback" in out for out in outputs)
    assert refused.returncode == 1 and "is in progress; not started" in refused_output, refused_output
    assert "a refresh started" in refused_output
    ran, waited = sorted(outputs, key=lambda out: "is in progress; waiting" in out)
    assert "is in progress; waiting" in waited and "is in progress; waiting" not in ran, outputs
    # the one that waited found the build of the other made from the inputs there are: it ran nothing
    build_id = last_build(settings)["build_id"]
    assert f"Nothing new since build {build_id}" in waited and "by the refresh this one waited for" in waited, waited
    assert "succeeded" in ran and "succeeded" not in waited

    os.environ["DAGSTER_HOME"] = str(settings.home / "dagster")
    instance = dg.DagsterInstance.get()
    runs = [instance.get_run_record_by_id(r.run_id) for r in instance.get_runs()]
    assert len(runs) == 2, "the baseline's build and the one refresh"
    newest_run = max(runs, key=lambda record: record.start_time)
    assert newest_run.dagster_run.status == dg.DagsterRunStatus.SUCCESS
    assert newest_run.dagster_run.job_name == "refresh"  # the UI lists it under the schedule's job
