"""The Great Expectations file context in expectations/ and running its checkpoints on DataFrames.

Suites, validation definitions and checkpoints are committed JSON; validation results and Data
Docs are written under PRODOPS_HOME/gx (great_expectations.yml substitutes ${PRODOPS_HOME}).
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd

from ..settings import CHECKOUT_ROOT, Settings
from .data_docs_offline import make_offline
from .suites import SuiteSpec

GX_ROOT = CHECKOUT_ROOT / "expectations"
DATASOURCE = "prodops"
BATCH = "dataframe"
SAMPLE_SIZE = 5
RUN_TIME_FORMAT = "%Y%m%dT%H%M%S.%fZ"  # how GX names the folder of one validation run


def context(settings: Settings):
    os.environ["PRODOPS_HOME"] = str(settings.home)  # substituted into great_expectations.yml
    return _file_context(str(settings.home))


@functools.cache
def _file_context(home: str):
    """One file context per pipeline home and process: building one reads the whole project (about
    half a second), and every suite of a run needs it."""
    return gx.get_context(mode="file", project_root_dir=str(GX_ROOT))


def data_docs_index(settings: Settings) -> Path:
    return settings.home / "gx" / "data_docs" / "index.html"


def build_data_docs(settings: Settings) -> Path:
    """Rebuild the Data Docs site from the stored validation results: once per build, and whenever a
    check fails, rather than after every checkpoint run (a rebuild reads every stored result, so
    results older than PRODOPS_GX_KEEP_DAYS are deleted first)."""
    prune_results(settings)
    context(settings).build_data_docs()
    make_offline(data_docs_index(settings).parent)
    return data_docs_index(settings)


def prune_results(settings: Settings) -> int:
    """Delete the validation results, and their Data Docs pages, older than PRODOPS_GX_KEEP_DAYS."""
    cutoff = datetime.now(timezone.utc) - timedelta(days=settings.gx_keep_days)
    removed = 0
    for root in (settings.home / "gx" / "validations", settings.home / "gx" / "data_docs" / "validations"):
        for run in root.glob("*/*/*"):  # <suite>/<run name>/<run time>
            try:
                ran_at = datetime.strptime(run.name, RUN_TIME_FORMAT).replace(tzinfo=timezone.utc)
            except ValueError:
                continue
            if ran_at < cutoff:
                shutil.rmtree(run, ignore_errors=True)
                removed += 1
    return removed


def write_project(settings: Settings, suites: list[SuiteSpec]) -> None:
    """(Re)write every suite with its data asset, validation definition and checkpoint."""
    ctx = context(settings)
    source = ctx.data_sources.add_or_update_pandas(DATASOURCE)
    for spec in suites:
        asset = next((a for a in source.assets if a.name == spec.name), None) or source.add_dataframe_asset(spec.name)
        batch = next((b for b in asset.batch_definitions if b.name == BATCH), None) \
            or asset.add_batch_definition_whole_dataframe(BATCH)
        suite = ctx.suites.add_or_update(gx.ExpectationSuite(name=spec.name, expectations=list(spec.expectations)))
        definition = ctx.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=spec.name, data=batch, suite=suite))
        ctx.checkpoints.add_or_update(gx.Checkpoint(
            name=spec.name, validation_definitions=[definition],
            actions=[],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE},
        ))


@dataclass
class Failure:
    expectation: str
    column: str | None
    severity: str  # critical | warning | info
    unexpected_count: int | None
    sample: list[Any]
    sentence: str | None = None  # what it means, in words, where the suite knows how to say it

    def describe(self) -> str:
        if self.sentence:
            return self.sentence
        where = f"({self.column})" if self.column else ""
        count = f": {self.unexpected_count} unexpected" if self.unexpected_count is not None else ""
        sample = f", e.g. {self.sample[:3]}" if self.sample else ""
        return f"{self.expectation}{where}{count}{sample}"


@dataclass
class SuiteOutcome:
    suite: str
    rows: int = 0
    evaluated: int = 0
    sampled_from: int | None = None  # the rows a sample was drawn from, when not every row was validated
    failures: list[Failure] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)  # columns whose warnings do not apply to this data
    unchanged_since: tuple[str, int] | None = None  # (build, rows) for the rows not validated again: as that build audited them

    @property
    def critical(self) -> list[Failure]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def warnings(self) -> list[Failure]:
        return [f for f in self.failures if f.severity != "critical"]

    def merge(self, other: "SuiteOutcome") -> None:
        """Fold in the outcome of another chunk of the same table."""
        self.rows += other.rows
        self.evaluated = max(self.evaluated, other.evaluated)
        for failure in other.failures:
            same = next((f for f in self.failures if (f.expectation, f.column) == (failure.expectation, failure.column)), None)
            if same is None:
                self.failures.append(failure)
            else:
                same.unexpected_count = (same.unexpected_count or 0) + (failure.unexpected_count or 0)
                same.sample = (same.sample + failure.sample)[:SAMPLE_SIZE]


def run_suite(ctx, name: str, frame: pd.DataFrame, parameters: dict[str, Any] | None = None) -> SuiteOutcome:
    result = ctx.checkpoints.get(name).run(batch_parameters={"dataframe": frame}, expectation_parameters=parameters or {})
    outcome = SuiteOutcome(name, rows=len(frame))
    for validation in result.run_results.values():
        outcome.evaluated = len(validation.results)
        for r in validation.results:
            if r.success:
                continue
            config = r.expectation_config
            details = r.result or {}
            outcome.failures.append(Failure(
                expectation=config.type, column=config.kwargs.get("column") or ",".join(config.kwargs.get("column_list") or []) or None,
                severity=str(getattr(config.severity, "value", config.severity)).lower(),
                unexpected_count=details.get("unexpected_count"),
                sample=[_plain(v) for v in details.get("partial_unexpected_list", [])[:SAMPLE_SIZE]]
                       or ([_plain(details["observed_value"])] if "observed_value" in details else []),
            ))
    return outcome


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
