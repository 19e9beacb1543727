"""Shared fixtures: small demo data generated once per session, and isolated pipeline homes."""

from __future__ import annotations

import contextlib
import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from filelock import FileLock

from prodops_pipeline.demo.generator import GROUND_TRUTH, generate
from prodops_pipeline.runner import run_assets
from prodops_pipeline.settings import Settings
from prodops_pipeline.transform.project import dbt_project, export_settings

SEED = 11
END = date(2026, 6, 30)  # eight months keep the suite quick while covering every lifecycle


def pytest_collection_modifyitems(items):
    """The slow tests first: a test of minutes started last would leave one worker running alone."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def clean_sources(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "sources"
    generate("small", SEED, out, end=END)
    return out


@pytest.fixture(scope="session")
def dirty_sources(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty") / "sources"
    generate("small", SEED, out, end=END, dirty=True)
    return out


def ground_truth(sources: Path) -> dict:
    return json.loads((sources / GROUND_TRUTH).read_text())


def settings_for(home: Path, sources: Path, **extra: str) -> Settings:
    return Settings.from_env({"PRODOPS_HOME": str(home), "PRODOPS_SOURCES": str(sources), **extra})


@pytest.fixture
def copy_sources(tmp_path):
    """A private copy of generated sources that a test may change."""

    def _copy(sources: Path) -> Path:
        target = tmp_path / "sources"
        shutil.copytree(sources, target)
        return target

    return _copy


@pytest.fixture
def pipeline_env(tmp_path, monkeypatch):
    """Point the pipeline (and its Dagster instance) at a fresh home for one test."""

    def _env(sources: Path) -> Settings:
        home = tmp_path / "home"
        monkeypatch.setenv("PRODOPS_HOME", str(home))
        monkeypatch.setenv("PRODOPS_SOURCES", str(sources))
        monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
        return Settings.from_env()

    return _env


def shared_folder(tmp_path_factory, worker_id: str, name: str) -> Path:
    """A folder of the whole test session, which every test worker sees (a build the tests only read is
    made once: the first worker to need it builds it, under `built_once`, while the others wait)."""
    if worker_id == "master":
        return tmp_path_factory.mktemp(name)
    folder = tmp_path_factory.getbasetemp().parent / name
    folder.mkdir(exist_ok=True)
    return folder


@contextlib.contextmanager
def built_once(root: Path):
    """Yields whether the caller must build what `root` holds; the other workers wait meanwhile."""
    with FileLock(root / ".build.lock"):
        todo = not (root / ".built").exists()
        yield todo
        if todo:
            (root / ".built").touch()


@pytest.fixture(scope="session")
def baseline(clean_sources, tmp_path_factory, worker_id):
    """One successful, published build of the small demo data, built once per test session."""
    root = shared_folder(tmp_path_factory, worker_id, "baseline")
    with built_once(root) as todo:
        if todo:
            shutil.copytree(clean_sources, root / "sources", dirs_exist_ok=True)
            mp = pytest.MonkeyPatch()
            for name, value in (("PRODOPS_HOME", root / "home"), ("PRODOPS_SOURCES", root / "sources"),
                                ("DAGSTER_HOME", root / "home" / "dagster")):
                mp.setenv(name, str(value))
            outcome = run_assets(Settings.from_env())
            mp.undo()
            assert outcome.success, outcome.failures
    return root


@pytest.fixture
def published(baseline, tmp_path, pipeline_env):
    """A private copy of the baseline (sources and everything the pipeline wrote) for one test."""
    shutil.copytree(baseline, tmp_path / "copy", symlinks=True)
    settings = pipeline_env(tmp_path / "copy" / "sources")
    shutil.rmtree(settings.home, ignore_errors=True)
    shutil.copytree(tmp_path / "copy" / "home", settings.home, symlinks=True)
    return settings, tmp_path / "copy" / "sources"


def failure_report(outcome) -> str:
    """A failed run's failures and what dbt printed about them in the run's log (its summary of errors and
    failed tests), for an assertion message that explains itself on CI."""
    text = outcome.log_path.read_text(errors="replace") if outcome.log_path and outcome.log_path.exists() else ""
    summaries = [part.split("\nDone. PASS=", 1)[0] for part in text.split("\nCompleted with ")[1:]]
    return "\n".join([*outcome.failures, *(f"dbt: Completed with {summary}" for summary in summaries)])


def published_content(settings: Settings) -> dict[str, list]:
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        tables = [r[0] for r in con.sql("select table_name from information_schema.tables where table_name <> '_build'").fetchall()]
        return {t: con.sql(f'select * from "{t}" order by all').fetchall() for t in sorted(tables)}


# each vendor staging model is enabled by one of these selections of systems (a CRM serves subscriptions where no
# billing system is named), with the dbt selection of what it adds; the models not in staging run under our layout
SYSTEM_SELECTIONS = {"prodops": [], "pendo,salesforce,zendesk,qualtrics": ["--select", "staging"],
                     "hubspot,pendo": ["--select", "staging"], "stripe": ["--select", "staging.stripe"]}


def run_every_unit_test(settings: Settings) -> tuple[list[str], list[str]]:
    """Runs the dbt unit tests under our layout and under each vendor selection, on the settings' engine;
    returns the names of those that ran and the ids of those that did not pass."""
    ran, failed = [], []
    for _, invocation in dbt_under_each_selection(settings, ["test", "--resource-type", "unit_test"]):
        results = invocation.get_artifact("run_results.json")["results"]
        failed += [r["unique_id"] for r in results if r["status"] != "pass"]
        ran += [r["unique_id"].rsplit(".", 1)[-1] for r in results]
    return sorted(set(ran)), failed


def dbt_under_each_selection(settings: Settings, args: list[str], selections: dict[str, list[str]] = SYSTEM_SELECTIONS):
    """Runs a dbt command under each selection of systems (by default our layout and every vendor selection, on
    what it adds), yielding the systems and the finished invocation of each; the settings' own are restored after."""
    from prodops_pipeline.transform.assets import dbt_resource

    try:
        for systems, only in selections.items():
            selection = settings.model_copy(update={"systems": tuple(systems.split(","))}) if systems != "prodops" else settings
            export_settings(selection)
            invocation = dbt_resource().cli([*args, *only], raise_on_error=False)  # without a `dbt --version` first
            invocation.wait()
            yield systems, invocation
    finally:
        export_settings(settings)


def written_unit_tests() -> list[str]:
    """Every unit test written in the models' YAML, counted from the files themselves."""
    return sorted(t["name"] for path in (dbt_project.project_dir / "models").rglob("*.yml")
                  for t in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", []))
