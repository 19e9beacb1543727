"""The `prodops` command."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .demo.scales import SCALES
from .settings import Settings, SettingsError

console = Console(width=None if sys.stdout.isatty() else 150)
DEMO_SCALE, DEMO_SEED = "medium", 42


def _settings(reads_sources: bool = False) -> Settings:
    """The validated settings; a bad value is one line naming the variable, before any work starts."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if reads_sources and not settings.sources.is_dir():
        raise click.ClickException(f"PRODOPS_SOURCES={settings.sources} is not a directory: point it at the folder "
                                   "holding one folder per source table (usage_events/, accounts/, ...)")
    return settings


@click.group()
def main() -> None:
    """prodops: the product-operations pipeline (ingest, marts, audit, publish)."""


@main.command()
@click.option("--scale", type=click.Choice(list(SCALES)), default="medium", show_default=True)
@click.option("--seed", type=int, default=DEMO_SEED, show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Source directory to write")
@click.option("--end", "end_text", metavar="YYYY-MM-DD", help="Last day of data (default: one year after the start)")
@click.option("--dirty", is_flag=True, help="Plant bad rows of every kind and count them in ground_truth.json")
@click.option("--systems", "systems_text", metavar="LIST", default="prodops", show_default=True,
              help="Write the same world in these source systems' landed shapes (e.g. salesforce,zendesk,stripe), "
                   "as PRODOPS_SYSTEMS names them")
def generate(scale: str, seed: int, out: Path, end_text: str | None, dirty: bool, systems_text: str) -> None:
    """Write realistic demo data for the four sources, in our format or in vendors' landed shapes."""
    from functools import partial

    from .demo.generator import generate as run_generator, parse_end
    from .demo.systems import generate_systems
    from .settings import SettingsError, parse_systems

    try:
        end = parse_end(end_text)
    except ValueError:
        raise click.BadParameter(f"{end_text!r} is not a date like 2026-10-31", param_hint="--end") from None
    try:
        systems = parse_systems(systems_text, "--systems")
    except SettingsError as exc:
        raise click.BadParameter(str(exc), param_hint="--systems") from None
    if systems != ("prodops",):
        if dirty:
            raise click.BadParameter("bad rows are planted in our own layout only; leave out --dirty or --systems",
                                     param_hint="--dirty")
        run_generator = partial(generate_systems, systems=systems)
    report = _generate(run_generator, scale, seed, out, end, dirty)
    console.print(f"[green]Wrote[/] {report.files} files to {report.out}; ground truth in {report.ground_truth}")
    _print_counts("rows written", report.rows)


def _generate(run_generator, scale, seed, out, end, dirty):
    with Progress(TextColumn("generating {task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("days"), TimeElapsedColumn(), console=console, transient=True) as progress:
        task = progress.add_task(f"{scale} data (seed {seed})", total=None)
        try:
            return run_generator(scale, seed, out, end=end, dirty=dirty,
                                 progress=lambda done, total: progress.update(task, completed=done, total=total))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


NO_WAIT = click.option("--no-wait", is_flag=True,
                       help="If another refresh of this home is in progress, say so and exit instead of waiting")


def _run(settings: Settings, wait: bool, **kwargs):
    """run_assets behind any refresh in progress, telling the user it waits (or, not waiting, exiting)."""
    from .refresh_lock import RefreshInProgress
    from .runner import run_assets

    try:
        return run_assets(settings, wait=wait, on_wait=lambda message: console.print(f"[yellow]{message}[/]"), **kwargs)
    except RefreshInProgress as exc:
        raise click.ClickException(f"{exc}; not started (run again later, or without --no-wait to wait)") from None


@main.command()
@click.option("--recheck", "recheck", is_flag=False, flag_value="*", default=None, metavar="[TABLE]",
              help="First judge again the files that had rows quarantined (of TABLE, or of every table), "
                   "after fixing a source or a setting")
@NO_WAIT
def ingest(recheck: str | None, no_wait: bool) -> None:
    """Land every new or changed source file in the raw zone (bad rows to quarantine)."""
    settings = _settings(reads_sources=True)
    if recheck:
        _mark_for_recheck(settings, recheck)
    _ingest(settings, wait=not no_wait)


def _mark_for_recheck(settings: Settings, which: str) -> None:
    from .ingest.raw_zone import TableZone
    from .ingest.systems import selected_tables

    names = [t.name for t in selected_tables(settings.kind_systems)]
    if which != "*" and which not in names:
        raise click.BadParameter(f"{which!r} is not a source table; one of: {', '.join(names)}", param_hint="--recheck")
    for name in names if which == "*" else [which]:
        files = TableZone(settings.raw_zone, name).mark_for_recheck()
        if files:
            console.print(f"Judging again {len(files)} file(s) of {name} that had rows quarantined")


def _print_setting_changes(settings: Settings) -> None:
    from .settings_change import pending_changes

    changed = pending_changes(settings)
    if changed:
        console.print("[yellow]Settings changed since the last build:[/] " + "; ".join(changed) + ". Every source "
                      "file is judged again and every model rebuilt, as a fresh build under the new settings.",
                      highlight=False)


def _ingest(settings: Settings, wait: bool) -> None:
    from .definitions import ingest_assets

    console.print(f"Landing sources from [bold]{settings.sources}[/] into {settings.raw_zone}")
    _print_setting_changes(settings)
    outcome = _run(settings, wait=wait, selection=ingest_assets)
    _print_status(settings, only_run=True, skipped=outcome.skipped)
    _finish(outcome)


def _nothing_new(settings: Settings) -> bool:
    """Whether the published build was made from the inputs there are now (nothing_new.py), saying so."""
    from .nothing_new import unchanged_build

    build = unchanged_build(settings)
    if build:
        _say_nothing_new(build)
    return build is not None


def _say_nothing_new(build: dict, since: str = "") -> None:
    console.print(f"Nothing new since build {build['build_id']} (published {build['built_at']}{since}): no source file, "
                  "setting or code changed. Nothing to do; analysts have it.", highlight=False)


def _finish(outcome, settings: Settings | None = None) -> None:
    for line in outcome.warnings:
        console.print(f"[yellow]![/] {line}", highlight=False)
    if settings is not None:
        from .audit.gx_project import data_docs_index

        if data_docs_index(settings).exists():
            console.print(f"Data Docs (validation results): {data_docs_index(settings)}")
        if outcome.success and settings.analyst_database.exists():
            console.print(f"Analyst database: {settings.analyst_database}  Parquet: {settings.published / 'parquet'}/")
    if outcome.success:
        console.print(f"[green]Run {outcome.run_id} succeeded.[/]")
        return
    for line in outcome.failures:
        console.print(f"[red]✗[/] {line}", highlight=False)
    if outcome.skipped:
        console.print(f"[red]✗[/] not run, because a step before them failed: {', '.join(sorted(outcome.skipped))}",
                      highlight=False)
    console.print(f"[red]Run {outcome.run_id} failed[/]; nothing was published, analysts keep the last good build. "
                  f"Details in {outcome.log_path} and the Dagster UI (`prodops ui`).")
    sys.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def status(fmt: str) -> None:
    """Per source table: the last load's files, rows read, landed and quarantined by reason, and when."""
    settings = _settings()
    if fmt == "json":
        from .status import raw_status, unmapped_accounts

        from .audit.gx_project import data_docs_index
        from .publish.build import last_build

        click.echo(json.dumps({"raw_zone": str(settings.raw_zone), "tables": raw_status(settings),
                               "unmapped_accounts": unmapped_accounts(settings),
                               "published": {"database": str(settings.analyst_database), "build": last_build(settings)},
                               "data_docs": str(data_docs_index(settings))}, indent=1, default=str))
        return
    _print_status(settings, only_run=False)
    _print_unmapped(settings)
    _print_published(settings)


def _print_unmapped(settings: Settings) -> None:
    from .ingest.systems import SYSTEMS
    from .status import unmapped_accounts

    for found in unmapped_accounts(settings):
        expected = SYSTEMS[found["system"]].account_map_of(found["table"]).describe(settings)
        console.print(f"[yellow]{found['table']}[/]: {found['keys']:,} {found['column']} value(s) map to no CRM account; "
                      f"their rows are quarantined. Each needs {expected} (README, \"One account across systems\"). "
                      "Most rows first:", highlight=False)
        table = Table()
        table.add_column(found["column"])
        table.add_column("rows", justify="right")
        for row in found["top"]:
            table.add_row(row["key"], f"{row['rows']:,}")
        console.print(table)


def _print_published(settings: Settings) -> None:
    from .audit.gx_project import data_docs_index
    from .publish.build import last_build

    build = last_build(settings)
    if build:
        console.print(f"Published build {build['build_id']} at {build['built_at'][:19]} (data through "
                      f"{build['high_water_mark']}): {settings.analyst_database}")
    else:
        console.print("Nothing published yet.")
    console.print(f"Data Docs: {data_docs_index(settings)}")


def _print_status(settings: Settings, only_run: bool, skipped: dict[str, str] | None = None) -> None:
    from .ingest.assets import raw_key
    from .status import raw_status

    skipped = skipped or {}

    table = Table(title=f"raw zone: {settings.raw_zone}")
    for column, justify in (("table", "left"), ("last load (UTC)", "left"), ("new files", "right"), ("rows read", "right"),
                            ("landed", "right"), ("quarantined", "right"), ("by reason", "left"), ("rows in zone", "right")):
        table.add_column(column, justify=justify)
    for row in raw_status(settings):
        load = row["last_load"] or {}
        reasons = "\n".join(f"{n:,} {reason}" for reason, n in (load.get("quarantined_by_reason") or {}).items())
        if load.get("unreadable"):
            reasons = "\n".join(filter(None, [reasons] + [f"[red]unreadable[/] {u['file']}: {u['problem']}" for u in load["unreadable"]]))
        why_not = skipped.get(raw_key(row["table"]).to_python_identifier())
        table.add_row(
            row["table"], why_not or (load.get("finished_at") or "never")[:19], str(len(load.get("files", []))),
            f"{load.get('rows_read', 0):,}", f"{load.get('rows_landed', 0):,}", f"{load.get('rows_quarantined', 0):,}",
            reasons, f"{row['rows_landed_total']:,}",
        )
    console.print(table)


def _days(_ctx, _param, value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    first, _, last = value.partition("..")
    try:
        days = date.fromisoformat(first), date.fromisoformat(last or first)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a day or a range of days like 2026-03-01..2026-03-07") from None
    if days[0] > days[1]:
        raise click.BadParameter(f"{value!r}: the first day is after the last")
    return days[0].isoformat(), days[1].isoformat()


@main.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild the incremental models from all the data, not only new days")
@click.option("--days", callback=_days, metavar="FIRST[..LAST]",
              help="Backfill these daily partitions: land their changed files and rebuild the facts from FIRST")
@NO_WAIT
def run(full_refresh: bool, days: tuple[str, str] | None, no_wait: bool) -> None:
    """Bring everything up to date: land new files, rebuild the affected days, audit, publish."""
    settings = _settings(reads_sources=True)
    if not full_refresh and not days and _nothing_new(settings):
        return
    console.print(f"Refreshing from [bold]{settings.sources}[/]: ingest, then dbt build into {settings.warehouse}")
    _print_setting_changes(settings)
    outcome = _run(settings, wait=not no_wait, full_refresh=full_refresh, partition_range=days, unless_unchanged=True)
    if outcome.unchanged:
        _say_nothing_new(outcome.unchanged, " by the refresh this one waited for")
        return
    _print_status(settings, only_run=True, skipped=outcome.skipped)
    _finish(outcome, settings)


@main.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query(sql: str, fmt: str) -> None:
    """Query the published marts (read-only), e.g. "select * from nps_summary limit 5"."""
    from .marts import MartsUnavailable, read_query

    if not sql.strip():
        raise click.BadParameter("no SQL given, e.g. \"select * from nps_summary limit 5\"", param_hint="SQL")
    try:
        frame = read_query(_settings(), sql)
    except MartsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(frame.to_json(orient="records", date_format="iso", indent=1))
    else:
        table = Table()
        for column in frame.columns:
            table.add_column(str(column))
        for row in frame.itertuples(index=False):
            table.add_row(*["" if value is None or value != value else str(value) for value in row])
        console.print(table)


def _week(_ctx, _param, value: str | None):
    if not value:
        return None
    from .health.report import parse_week

    try:
        return parse_week(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.option("--week", callback=_week, metavar="YYYY-Www", help="ISO week (default: the last complete one)")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--backtest", is_flag=True, help="Instead: how well the flags foretold the churn of the 90 days after them")
def health(week, fmt: str, backtest: bool) -> None:
    """The accounts at risk in a week, worst first, with their reasons; and those whose band got worse."""
    from .health.report import backtest as run_backtest, health_week
    from .marts import MartsUnavailable

    settings = _settings()
    try:
        if backtest:
            _print_backtest(run_backtest(settings), fmt)
            return
        result = health_week(settings, week)
    except MartsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps({"week": result.week, "as_of_date": result.as_of_date.isoformat(),
                               "accounts": result.accounts, "at_risk": result.records("at_risk"),
                               "worsened": result.records("worsened")}, indent=1, default=str))
    elif fmt == "csv":
        import pandas as pd

        both = pd.concat([result.at_risk.assign(list="at_risk"), result.worsened.assign(list="worsened")])
        click.echo(both[["list", *result.at_risk.columns]].to_csv(index=False), nl=False)
    else:
        _print_health_week(result)


def _print_health_week(result) -> None:
    from .health.report import week_label

    title = (f"At risk in {result.week} (as of {result.as_of_date:%a %d %b %Y}): "
             f"{len(result.at_risk)} of {result.accounts} accounts")
    for frame, heading in ((result.at_risk, title),
                           (result.worsened, f"Band worse than 4 weeks earlier: {len(result.worsened)} accounts")):
        table = Table(title=heading, title_justify="left")
        for column, justify in (("account", "left"), ("plan", "left"), ("score", "right"), ("band", "left"),
                                ("4 weeks", "right"), ("MRR", "right"), ("renewal", "left"), ("reasons", "left")):
            table.add_column(column, justify=justify, overflow="fold")
        for r in frame.itertuples(index=False):
            change = "" if r.score_change_4w != r.score_change_4w or r.score_change_4w is None else f"{r.score_change_4w:+.1f}"
            before = f"{r.health_band_4w_ago}→" if isinstance(r.health_band_4w_ago, str) else ""
            renewal = "" if r.renewal_date is None or r.renewal_date != r.renewal_date else \
                f"{r.renewal_date:%Y-%m-%d} ({int(r.days_to_renewal)} d)"
            table.add_row(f"{r.account_name} ({r.account_id})", str(r.plan), f"{r.health_score:.1f}",
                          f"{before}{r.health_band}", change, f"{float(r.mrr):,.0f}", renewal, r.risk_reasons or "")
        console.print(table)
    console.print(f"Weeks are ISO weeks; `--week {week_label(result.as_of_date)}` picks one, `--format csv|json` for files.")


@main.command()
@click.option("--week", callback=_week, metavar="YYYY-Www", help="ISO week (default: the last complete one)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write digest-YYYY-Www.html into (default: $PRODOPS_HOME/published/digests)")
@click.option("--send", is_flag=True, help="Also e-mail it (PRODOPS_SMTP_HOST, PRODOPS_DIGEST_FROM, PRODOPS_DIGEST_TO)")
def digest(week, out: Path | None, send: bool) -> None:
    """The weekly product-ops digest of the published marts: one self-contained HTML file, optionally e-mailed."""
    from .digest.mail import SendFailed, missing_settings
    from .digest.make import make_digest, send_digest
    from .marts import MartsUnavailable

    settings = _settings()
    if send and missing_settings(settings):
        raise click.ClickException(f"--send needs {', '.join(missing_settings(settings))} (see README, \"The weekly digest\")")
    try:
        made = make_digest(settings, week, out)
    except MartsUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"[green]Digest of {made.week.label}[/] ({made.week.monday:%d %b} to {made.week.sunday:%d %b %Y}, "
                  f"build {made.build_id}): {made.path}", highlight=False)
    if send:
        try:
            send_digest(settings, made)
        except SendFailed as exc:
            raise click.ClickException(f"{exc}; the digest is kept at {made.path}") from None
        console.print(f"Sent to {', '.join(settings.digest_to)} through {settings.smtp_host}:{settings.smtp_port}.",
                      highlight=False)


def _demo_digest(settings: Settings) -> None:
    """The digest of the demo's last complete week, as the Monday schedule would make it."""
    from .digest.make import make_digest
    from .marts import MartsUnavailable

    try:
        made = make_digest(settings)
    except MartsUnavailable as exc:
        console.print(f"[yellow]![/] no weekly digest: {exc}", highlight=False)
        return
    console.print(f"Weekly digest of {made.week.label}: {made.path}", highlight=False)


def _print_backtest(result: dict, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(result, indent=1))
        return
    if fmt == "csv":
        click.echo("metric,value")
        for key, value in result.items():
            click.echo(f"{key},{value if not isinstance(value, list) else '..'.join(value)}")
        return

    def share(value):
        return "n/a" if value is None else f"{value:.1%}"

    table = Table(title=f"Backtest of the at-risk flags, {result['weeks'][0]} to {result['weeks'][1]} "
                        f"({result['account_weeks']:,} paying account-weeks with {result['horizon_days']} days after them)",
                  title_justify="left")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row(f"churn within {result['horizon_days']} days, after an at-risk week", share(result["churn_rate_at_risk"]))
    table.add_row(f"churn within {result['horizon_days']} days, after any other week", share(result["churn_rate_other"]))
    table.add_row("lift", "n/a" if result["lift"] is None else f"{result['lift']:.2f}x")
    table.add_row(f"churns flagged in the {result['horizon_days']} days before ({result['churns']} churns)",
                  share(result["churns_flagged_share"]))
    table.add_row("account-weeks at risk", share(result["at_risk_share"]))
    console.print(table)


def _print_headline(settings: Settings) -> None:
    from .marts import headline_numbers

    table = Table(title="headline numbers")
    table.add_column("metric")
    table.add_column("value")
    for label, value in headline_numbers(settings):
        table.add_row(label, value)
    console.print(table)


@main.command()
def demo() -> None:
    """The whole flow on built-in demo data: generate it if absent, land it, build the marts."""
    settings = _settings()
    from .demo.generator import GROUND_TRUTH, generate as run_generator

    if settings.sources == settings.demo_sources and not (settings.demo_sources / GROUND_TRUTH).exists():
        console.print(f"Generating {DEMO_SCALE} demo data (seed {DEMO_SEED}) in {settings.demo_sources} …")
        report = _generate(run_generator, DEMO_SCALE, DEMO_SEED, settings.demo_sources, None, False)
        console.print(f"[green]Wrote[/] {report.files} files, {sum(report.rows.values()):,} rows.")
    settings = _settings(reads_sources=True)
    if _nothing_new(settings):
        _print_headline(settings)
    else:
        console.print(f"Refreshing from [bold]{settings.sources}[/]: ingest, then dbt build into {settings.warehouse}")
        _print_setting_changes(settings)
        outcome = _run(settings, wait=True)
        _print_status(settings, only_run=True, skipped=outcome.skipped)
        if outcome.success:
            _print_headline(settings)
            _demo_digest(settings)
        _finish(outcome, settings)
    console.print(f"\nNext: `prodops query \"select * from nps_summary limit 5\"`, `prodops status`, "
                  "`prodops ui` for the Dagster UI.")


@main.command()
@click.option("--scale", type=click.Choice(list(SCALES)), default="medium", show_default=True)
@click.option("--seed", type=int, default=DEMO_SEED, show_default=True)
@click.option("--history", "histories", default="12", show_default=True, metavar="MONTHS[,MONTHS]",
              help="Months of history before the refreshed day; several (e.g. 6,12) compare the refresh at each")
def bench(scale: str, seed: int, histories: str) -> None:
    """Time a full build, a one-day incremental refresh (per stage) and a run with nothing new, on generated data."""
    from .bench import bench_root, benchmark

    try:
        months = [int(m) for m in histories.split(",")]
        if not months or any(not 1 <= m <= 24 for m in months):
            raise ValueError
    except ValueError:
        raise click.BadParameter(f"{histories!r}: give whole months from 1 to 24, e.g. 6,12", param_hint="--history") from None
    settings = _settings()
    results = {}
    for m in months:
        console.print(f"Benchmarking {scale} with {m} months of history (data cached under {settings.home / 'bench'}) …")
        try:
            results[m] = benchmark(settings, scale, seed, m)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        _print_bench(results[m], f"prodops bench --scale {scale} --history {m}", bench_root(settings, scale, m))
    if len(results) > 1:
        first, last = min(results), max(results)
        ratio = results[last]["incremental_one_day"]["wall_seconds"] / results[first]["incremental_one_day"]["wall_seconds"]
        console.print(f"One-day refresh after {last} months / after {first} months of history: {ratio:.2f}x "
                      f"({results[last]['incremental_one_day']['wall_seconds']:.1f} s / "
                      f"{results[first]['incremental_one_day']['wall_seconds']:.1f} s)")


def _print_bench(result: dict, title: str, root: Path) -> None:
    from .bench import STAGES

    table = Table(title=f"{title}  ({result['cpus']} CPUs)")
    phases = (("full build", "full_build"), ("one-day refresh", "incremental_one_day"))
    for column in ("phase", "wall s", *STAGES, "outside steps", "usage rows", "rows/s", "peak MB"):
        table.add_column(column, justify="left" if column == "phase" else "right")
    for label, key in phases:
        phase = result[key]
        table.add_row(label, f"{phase['wall_seconds']:.1f}", *(f"{phase['stages_seconds'][s]:.1f}" for s in STAGES),
                      f"{phase['outside_steps_seconds']:.1f}", f"{phase['usage_rows']:,}",
                      f"{phase['usage_rows_per_second']:,}", f"{phase['peak_memory_mb']:,.0f}")
    nothing = result["nothing_new"]
    table.add_row("nothing new", f"{nothing['wall_seconds']:.1f}", *("" for _ in STAGES), "", "0", "", f"{nothing['peak_memory_mb']:,.0f}")
    console.print(table)
    for label, key in phases:
        phase = result[key]
        slowest = ", ".join(f"{n['node']} {n['seconds']:.1f}" for n in phase["dbt_slowest_nodes"])
        console.print(f"{label}: dbt models and tests took {phase['dbt_node_seconds_total']:.0f} s on all "
                      f"threads, account health {phase['health_node_seconds']:.1f} s of them; slowest (s): {slowest}")
    floor = result["duckdb_floor"]
    if floor["seconds"] is None:
        console.print(f"DuckDB floor (the core marts in plain SQL from the same files) did not complete: {floor['error']}")
    else:
        console.print(f"DuckDB floor (the core marts in plain SQL from the same files): {floor['seconds']:.1f} s; "
                      f"full build / floor: {result['full_over_floor']:.1f}x")
    console.print(f"Refresh / full build: {result['incremental_share_of_full']:.1%}; nothing new / full build: "
                  f"{result['nothing_new_share_of_full']:.1%}. Results: {root / 'results.json'}")


@main.command()
def expectations() -> None:
    """Rewrite the Great Expectations suites in expectations/gx/ from the source and mart contracts."""
    from .audit.gx_project import GX_ROOT, write_project
    from .audit.suites import all_suites
    from .transform.project import dbt_project

    suites = all_suites(dbt_project.manifest_path)
    write_project(_settings(), suites)
    console.print(f"Wrote {len(suites)} suites with their validation definitions and checkpoints to {GX_ROOT / 'gx'}")


@main.command()
@click.option("--port", default=3000, show_default=True)
def ui(port: int) -> None:
    """Start the Dagster UI and daemon on this machine (schedules and sensors run while it is up)."""
    settings = _settings()
    from .runner import dagster_instance

    dagster_instance(settings)
    workspace = Path(__file__).resolve().parent.parent / "workspace.yaml"
    os.execv(sys.executable, [sys.executable, "-m", "dagster", "dev", "-w", str(workspace), "-p", str(port)])


if __name__ == "__main__":
    main()
