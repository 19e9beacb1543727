"""The demo world in vendors' landed shapes: `prodops generate --systems LIST`.

The world is generated once in our own layout (kept under `<out>/_canonical/`, the reference a vendor
build is compared with); the tables of the kinds our layout serves are copied beside it, and each
selected vendor's writer turns the canonical tables it replaces into that vendor's tables under
`<out>/<system>/<table>/`.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Callable

import duckdb

from ...ingest.contract import TABLES
from ...ingest.systems import resolve
from ..generator import GROUND_TRUTH, GenerationReport, generate
from . import hubspot, pendo, qualtrics, salesforce, stripe, zendesk

CANONICAL = "_canonical"
Writer = Callable[[duckdb.DuckDBPyConnection, Path, Path], dict[str, int]]
WRITERS: dict[str, Writer] = {
    "hubspot": hubspot.write, "pendo": pendo.write, "qualtrics": qualtrics.write, "salesforce": salesforce.write,
    "stripe": stripe.write, "zendesk": zendesk.write,
}
# the kinds a system serves only where no named system does (System.also), each with its writer
ALSO_WRITERS: dict[tuple[str, str], Writer] = {("pendo", "surveys"): pendo.write_polls,
                                               ("salesforce", "subscriptions"): salesforce.write_opportunities,
                                               ("hubspot", "subscriptions"): hubspot.write_deals}


def generate_systems(scale: str, seed: int, out: Path, systems: tuple[str, ...], end: date | None = None,
                     dirty: bool = False, progress: Callable[[int, int], None] | None = None) -> GenerationReport:
    kind_systems = resolve(systems)
    if set(kind_systems.values()) == {"prodops"}:
        return generate(scale, seed, out, end=end, dirty=dirty, progress=progress)
    canonical = out / CANONICAL
    report = generate(scale, seed, canonical, end=end, progress=progress)
    return write_systems(canonical, out, kind_systems, report.rows)


def write_systems(canonical: Path, out: Path, kind_systems: dict[str, str], canonical_rows: dict[str, int]) -> GenerationReport:
    """Write the canonical world at `canonical` to `out` in the selected systems' shapes."""
    rows: dict[str, int] = {}
    files = 0
    for table in TABLES:
        if kind_systems[table.kind] == "prodops" and (canonical / table.name).is_dir():
            for path in sorted((canonical / table.name).iterdir()):
                target = out / table.name / path.name
                if not target.exists() or target.read_bytes() != path.read_bytes():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
                files += 1
            rows[table.name] = canonical_rows.get(table.name, 0)
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")  # the zone of the timestamp text the writers write
        writers = [(system, WRITERS[system]) for system in dict.fromkeys(kind_systems.values()) if system != "prodops"]
        writers += [(system, ALSO_WRITERS[system, kind]) for kind, system in kind_systems.items()
                    if (system, kind) in ALSO_WRITERS]
        for system, writer in writers:
            written = writer(con, canonical, out)
            rows.update({f"{system}/{name}": n for name, n in written.items()})
        files += sum(1 for system in dict.fromkeys(system for system, _ in writers) for _ in (out / system).rglob("*.csv"))
    shutil.copy2(canonical / GROUND_TRUTH, out / GROUND_TRUTH)
    return GenerationReport(out, rows, files, out / GROUND_TRUTH)
