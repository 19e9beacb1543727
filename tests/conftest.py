"""Shared fixtures: small demo data generated once per session, and isolated pipeline homes."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from prodops_pipeline.demo.generator import GROUND_TRUTH, generate
from prodops_pipeline.runner import run_assets
from prodops_pipeline.settings import Settings

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


@pytest.fixture(scope="session")
def baseline(clean_sources, tmp_path_factory):
    """One successful, published build of the small demo data, built once per test process."""
    root = tmp_path_factory.mktemp("baseline")
    shutil.copytree(clean_sources, root / "sources")
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


def published_content(settings: Settings) -> dict[str, list]:
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        tables = [r[0] for r in con.sql("select table_name from information_schema.tables where table_name <> '_build'").fetchall()]
        return {t: con.sql(f'select * from "{t}" order by all').fetchall() for t in sorted(tables)}
