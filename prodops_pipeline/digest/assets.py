"""The weekly digest in Dagster: the asset, its job, the Monday schedule and the catch-up sensor.

The asset reads only the published analyst database, so it never shows an unaudited number. It
e-mails only when its run asks (the schedule and the sensor do, when PRODOPS_DIGEST_TO is set), and a
week is mailed once. A mail that fails is a warning on the asset's `mail_sent` check: the digest file
is kept and the run does not fail for it.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
from dagster._utils.schedules import cron_string_iterator  # Dagster's own reading of a cron in a time zone

from ..marts import MartsUnavailable, analyst_reader
from ..resources import PipelineSettings
from ..settings import Settings
from .figures import digest_week
from .mail import SendFailed
from .make import file_name, make_digest, send_digest, sent_record

ASSET = "weekly_digest"


class DigestConfig(dg.Config):
    send: bool = False  # e-mail it to PRODOPS_DIGEST_TO (once per week)


@dg.asset(
    name=ASSET,
    group_name="publish",
    deps=[dg.AssetKey("analyst_database")],
    kinds={"html", "email"},
    check_specs=[dg.AssetCheckSpec("mail_sent", asset=ASSET, blocking=False,
                                   description="The digest reached the SMTP server, when the run asked to send it")],
    description="The weekly product-ops digest of the last complete ISO week, one self-contained HTML file "
                "under published/digests/, made from the published analyst database; e-mailed by the weekly schedule.",
)
def weekly_digest(context: dg.AssetExecutionContext, config: DigestConfig, settings: PipelineSettings) -> dg.MaterializeResult:
    values = settings.get()
    try:
        made = make_digest(values)
    except MartsUnavailable as exc:
        raise dg.Failure(description=f"no digest: {exc}") from None
    mailed, said = True, "not asked to send (the weekly schedule asks when PRODOPS_DIGEST_TO is set)"
    if config.send:
        earlier = sent_record(values).get(made.week.label)
        if earlier:
            said = f"{made.week.label} was already sent at {earlier['sent_at']} to {', '.join(earlier['to'])}"
        else:
            try:
                send_digest(values, made)
                said = f"sent to {', '.join(values.digest_to)} through {values.smtp_host}:{values.smtp_port}"
            except SendFailed as exc:
                mailed, said = False, f"{exc}; the digest is kept at {made.path}"
                context.log.warning(said)
    return dg.MaterializeResult(
        metadata={"week": made.week.label, "path": dg.MetadataValue.path(str(made.path)), "build_id": made.build_id,
                  "charts": len(made.rendered.charts), "mail": said},
        check_results=[dg.AssetCheckResult(check_name="mail_sent", passed=mailed, description=said,
                                           severity=dg.AssetCheckSeverity.WARN)],
    )


digest_job = dg.define_asset_job("digest", selection=dg.AssetSelection.assets(ASSET),
                                 description="Make the last complete week's digest and e-mail it")


def _send_config(settings: Settings) -> dict:
    return {"ops": {ASSET: {"config": {"send": bool(settings.digest_to)}}}}


def digest_schedule(settings: Settings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="weekly_digest", job=digest_job, cron_schedule=settings.digest_schedule,
        execution_timezone=settings.timezone, run_config=_send_config(settings),
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The weekly digest (PRODOPS_DIGEST_SCHEDULE, Mondays 07:00 by default, in PRODOPS_TIMEZONE); "
                    "e-mailed when PRODOPS_DIGEST_TO is set.")


def due_at(settings: Settings, sunday: date) -> datetime:
    """When the schedule makes the digest of the week ending on `sunday`: its first tick after that week."""
    week_end = datetime.combine(sunday + timedelta(days=1), time(), ZoneInfo(settings.timezone))
    return next(cron_string_iterator(week_end.timestamp(), settings.digest_schedule, settings.timezone))


def missed_week(settings: Settings, now: datetime) -> str | None:
    """The last complete published week, when its digest is due and was not made (or, with recipients, not sent)."""
    try:
        with analyst_reader(settings) as query:
            week = digest_week(query, settings, None)
    except MartsUnavailable:
        return None
    if now < due_at(settings, week.sunday):
        return None  # the schedule will make it
    done = week.label in sent_record(settings) if settings.digest_to else (settings.digests / file_name(week)).exists()
    return None if done else week.label


def digest_catch_up_sensor(refresh_job, settings: Settings) -> dg.RunStatusSensorDefinition:
    @dg.run_status_sensor(
        name="digest_after_catch_up", run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[refresh_job],
        request_job=digest_job, default_status=dg.DefaultSensorStatus.RUNNING,
        description="After a refresh that published a week whose digest was due while the pipeline was behind, "
                    "makes (and sends) that digest.")
    def _sensor(context: dg.RunStatusSensorContext):
        week = missed_week(settings, datetime.now(ZoneInfo(settings.timezone)))
        if week is None:
            return dg.SkipReason("no digest is overdue")
        return dg.RunRequest(run_key=f"digest-{week}", run_config=_send_config(settings))

    return _sensor
