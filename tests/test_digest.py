"""The weekly digest as its readers get it: the file, its numbers, a browser, a real SMTP server, Dagster."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import shutil
import socket
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from prodops_pipeline.cli import main
from prodops_pipeline.digest.assets import digest_schedule, due_at, missed_week, weekly_digest
from prodops_pipeline.digest.figures import Week
from prodops_pipeline.digest.make import make_digest, sent_record
from prodops_pipeline.digest.render import Formats
from prodops_pipeline.resources import PipelineSettings
from prodops_pipeline.settings import Settings, SettingsError

from .browser import needs_chromium, open_page

SECTIONS = ("headlines", "risk", "adoption", "voice", "support")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PASSWORD = "s3cret-digest-pw"


def _last_complete_week(settings: Settings) -> dt.date:
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        return con.sql("select max(as_of_date) from account_health where is_complete").fetchone()[0]


def _table(settings: Settings, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(settings.analyst_database), read_only=True) as con:
        return con.sql(sql).df()


def test_the_digest_file_is_one_self_contained_page_with_every_section(published, tmp_path):
    settings, _ = published
    result = CliRunner().invoke(main, ["digest", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    sunday = _last_complete_week(settings)
    year, week, _ = sunday.isocalendar()
    path = tmp_path / "out" / f"digest-{year}-W{week:02d}.html"
    assert str(path) in result.output.replace("\n", "")
    html = path.read_text()
    for section in SECTIONS:
        assert f'<section id="{section}">' in html
    assert html.count('<p class="takeaway">') == len(SECTIONS)
    assert html.count("<svg") >= 6
    # nothing fetched: no script, no external style sheet, font or image, no address at all but the page's own
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href)=["'](?!#)|url\((?!#)""", html)  # only references within the page


def test_the_digest_numbers_agree_with_the_marts_read_another_way(published):
    settings, _ = published
    sunday = _last_complete_week(settings)
    monday = sunday - dt.timedelta(days=6)
    made = make_digest(settings)
    assert made.week.sunday == sunday
    health = _table(settings, f"select * from account_health where as_of_date = date '{sunday}'")
    daily = _table(settings, f"select * from account_engagement_daily where day between date '{monday}' and date '{sunday}'")
    tickets = _table(settings, "select * from ticket_metrics")
    responses = _table(settings, "select * from nps_responses")

    # active accounts: any active day in the week (the digest reads Sunday's 7-day wau)
    active_accounts = daily.loc[daily["dau"] > 0, "account_id"].nunique()
    at_risk = int(health["is_at_risk"].sum())
    created = int(((tickets["created_at"] >= pd.Timestamp(monday))
                   & (tickets["created_at"] < pd.Timestamp(sunday + dt.timedelta(days=1)))).sum())
    window = responses[(responses["responded_at"] >= pd.Timestamp(sunday - dt.timedelta(days=27)))
                       & (responses["responded_at"] < pd.Timestamp(sunday + dt.timedelta(days=1)))]
    latest = window.sort_values(["responded_at", "response_id"]).groupby("user_id").tail(1)
    nps = 100 * ((latest["category"] == "promoter").sum() - (latest["category"] == "detractor").sum()) / len(latest)

    fmt = Formats("USD")
    text = made.rendered.text
    assert f"{active_accounts:,} active accounts" in text
    assert f"{at_risk} of {len(health)} accounts at risk, {fmt.money(health.loc[health['is_at_risk'], 'mrr'].sum())} MRR" in text
    assert f"MRR {fmt.money(health['mrr'].sum())}" in text
    assert f"{created:,} tickets created" in text
    if len(latest) >= 30:
        assert f"NPS {fmt.nps(nps)} ±" in text
    else:
        assert f"NPS not reportable ({len(latest)} responses, under 30)" in text
    # every at-risk account is listed, worst first
    html = made.path.read_text()
    worst_first = health[health["is_at_risk"]].sort_values(["health_score", "mrr", "account_id"],
                                                           ascending=[True, False, True])["account_name"].tolist()
    listed = html[html.index("At risk this week, worst first"):html.index("Turned red this week")]  # open and collapsed
    assert re.findall(r'<tr class="account"><td>([^<]*)</td>', listed) == worst_first


def test_redacted_comments_stay_redacted_and_no_personal_data_reaches_the_digest(published, tmp_path):
    settings, sources = published
    first = _last_complete_week(settings)
    flagged = _table(settings, f"""
        select responded_at from nps_responses
        where category = 'detractor' and (comment like '%[email]%' or comment like '%[phone]%')
          and responded_at < date '{first}' - 13 order by responded_at desc limit 1""")
    assert len(flagged), "the demo data plants contact details in detractor comments"
    year, week, _ = flagged.iloc[0]["responded_at"].isocalendar()
    result = CliRunner().invoke(main, ["digest", "--week", f"{year}-W{week:02d}", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / f"digest-{year}-W{week:02d}.html").read_text()
    assert "[email]" in html or "[phone]" in html  # the comment is shown, as published
    assert not EMAIL.search(html)
    assert "415 555" not in html and "7946" not in html  # the phone numbers the generator writes into comments
    contacts = pd.concat([pd.read_csv(f) for f in (sources / "contacts").glob("*.csv")])
    assert not any(address in html for address in contacts["email"])


def test_week_errors_are_clear_sentences(published, tmp_path, monkeypatch):
    runner = CliRunner()
    bad = runner.invoke(main, ["digest", "--week", "2026-43"])
    assert bad.exit_code == 2 and "is not an ISO week like 2026-W43" in bad.output
    early = runner.invoke(main, ["digest", "--week", "2020-W10"])
    assert early.exit_code == 1 and "no complete week 2020-W10 in the published build: complete weeks run from" in early.output
    assert "Traceback" not in early.output
    monkeypatch.setenv("PRODOPS_HOME", str(tmp_path / "new-home"))  # nothing published there yet
    empty = runner.invoke(main, ["digest"])
    assert empty.exit_code == 1 and "nothing published" in empty.output


def test_week_bounds_follow_the_reporting_time_zone():
    week = Week(dt.date(2026, 3, 29), "America/New_York")  # the week after the US clocks moved
    assert week.label == "2026-W13"
    assert week.bounds == (dt.datetime(2026, 3, 23, 4), dt.datetime(2026, 3, 30, 4))
    assert Week(dt.date(2026, 3, 29), "Europe/Berlin").bounds == (dt.datetime(2026, 3, 22, 23), dt.datetime(2026, 3, 29, 22))


def test_numbers_are_formatted_for_people():
    eur = Formats("EUR")
    assert eur.money(1_234_567) == "€1.23M" and eur.money(45_600) == "€45.6k" and eur.money(-980) == "-€980"
    assert Formats("SEK").money(500) == "SEK 500"
    assert eur.percent(0.9812) == "98.1%" and eur.change(0.95, 0.97, "rate") == "-2.0 pts"
    assert eur.change(110, 100) == "+10 (+10.0%)" and eur.change(1_000, 1_500, "money") == "-€500 (-33.3%)"
    assert eur.minutes(45) == "45 min" and eur.minutes(300) == "5.0 h" and eur.change(None, 3) == "–"


@needs_chromium
def test_a_reader_sees_every_section_and_drawn_charts_with_no_request_leaving_the_machine(published, tmp_path):
    settings, _ = published
    made = make_digest(settings)
    wide, phone = tmp_path / "digest.png", tmp_path / "digest-phone.png"
    page = open_page(made.path, tmp_path / "browser", screenshot=wide, window="1280,2400")
    open_page(made.path, tmp_path / "browser-phone", screenshot=phone, window="390,2400")
    assert page.requests == []
    for section in SECTIONS:
        assert re.search(rf'<section id="{section}">\s*<h2>\d\. ', page.dom)
    charts = re.findall(r'<figure class="chart".*?</figure>', page.dom, flags=re.S)
    assert len(charts) >= 6
    for chart in charts:  # each chart has drawn shapes, not an empty frame
        paths = re.findall(r'<path[^>]*\sd="([^"]+)"', chart)
        assert len([d for d in paths if len(d) > 20]) >= 5, chart[:200]
    assert wide.stat().st_size > 100_000 and phone.stat().st_size > 50_000


@pytest.fixture
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "tls": session.ssl is not None,
                              "login": session.authenticated, "message": email.message_from_bytes(
                                  envelope.original_content, policy=email.policy.default)})
        return "250 OK"


def _authenticator(server, session, envelope, mechanism, auth_data):
    # handled=False: aiosmtpd answers 235 or 535 itself
    return AuthResult(success=isinstance(auth_data, LoginPassword) and auth_data.login == b"digest"
                      and auth_data.password == PASSWORD.encode(), handled=False)


@pytest.fixture
def tls_certificate(tmp_path, monkeypatch):
    """A self-signed certificate for localhost that this test's clients trust (and nothing else does)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    return cert_file, key_file


@contextmanager
def smtp_server(port: int, tls_certificate=None):
    """A real SMTP server on localhost: with a certificate it offers STARTTLS and requires it before a login."""
    import ssl

    inbox = Inbox()
    options = {}
    if tls_certificate:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*map(str, tls_certificate))
        options = {"tls_context": context, "require_starttls": True, "authenticator": _authenticator,
                   "auth_require_tls": True}
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def _mail_env(monkeypatch, port: int, **extra: str) -> None:
    for name, value in {"PRODOPS_SMTP_HOST": "localhost", "PRODOPS_SMTP_PORT": str(port),
                        "PRODOPS_DIGEST_FROM": "prodops@example.com",
                        "PRODOPS_DIGEST_TO": "pm@example.com, revenue@example.com", **extra}.items():
        monkeypatch.setenv(name, value)


def test_send_uses_starttls_and_the_login_and_carries_png_charts_and_a_text_part(published, free_port, tls_certificate, monkeypatch):
    settings, _ = published
    _mail_env(monkeypatch, free_port, PRODOPS_SMTP_USER="digest", PRODOPS_SMTP_PASSWORD=PASSWORD)
    with smtp_server(free_port, tls_certificate) as inbox:
        result = CliRunner().invoke(main, ["digest", "--send"])
    assert result.exit_code == 0, result.output
    assert "Sent to pm@example.com, revenue@example.com" in result.output and PASSWORD not in result.output
    [received] = inbox.messages
    assert received["tls"] and received["login"]
    assert received["to"] == ["pm@example.com", "revenue@example.com"]
    mail = received["message"]
    assert mail.get_content_type() == "multipart/alternative" and mail["Subject"].startswith("Product-ops digest ")
    text = mail.get_body(("plain",)).get_content()
    assert "1. HEADLINES" in text and "5. SUPPORT AND QUALITY" in text
    related = mail.get_body(("related",))
    html = related.get_body(("html",)).get_content()
    assert "<svg" not in html  # mail clients strip SVG: the charts travel as PNG parts
    images = [part for part in related.iter_parts() if part.get_content_type() == "image/png"]
    assert len(images) >= 6
    for image in images:
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html
    week = re.search(r"digest (\d{4}-W\d{2})", mail["Subject"])[1]
    assert sent_record(Settings.from_env())[week]["to"] == ["pm@example.com", "revenue@example.com"]
    assert PASSWORD not in (settings.home / "published" / "digests" / "sent.json").read_text()


def test_a_failed_send_names_the_server_and_the_reason_and_keeps_the_file(published, free_port, tls_certificate, monkeypatch):
    settings, _ = published
    _mail_env(monkeypatch, free_port, PRODOPS_SMTP_USER="digest", PRODOPS_SMTP_PASSWORD="wrong-password")
    with smtp_server(free_port, tls_certificate) as inbox:
        refused = CliRunner().invoke(main, ["digest", "--send"])
    assert refused.exit_code == 1 and inbox.messages == []
    assert f"not sent: localhost:{free_port} refused the login of 'digest' (535" in refused.output
    assert "wrong-password" not in refused.output and "Traceback" not in refused.output
    kept = re.search(r"the digest is kept at (\S+\.html)", refused.output.replace("\n", ""))[1]
    assert (settings.digests / kept.rsplit("/", 1)[1]).exists()
    nobody = CliRunner().invoke(main, ["digest", "--send"])  # the server is gone
    assert nobody.exit_code == 1 and f"not sent: cannot talk to localhost:{free_port} (Connection refused)" in nobody.output


def _materialize_digest(send: bool) -> dg.ExecuteInProcessResult:
    return dg.materialize([weekly_digest], resources={"settings": PipelineSettings.from_env()},
                          run_config={"ops": {"weekly_digest": {"config": {"send": send}}}}, raise_on_error=False)


def test_the_weekly_asset_reports_a_failed_mail_without_failing_and_mails_a_week_once(published, free_port, monkeypatch):
    settings, _ = published
    _mail_env(monkeypatch, free_port)
    failed = _materialize_digest(send=True)  # no server listening
    assert failed.success
    [check] = failed.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert f"not sent: cannot talk to localhost:{free_port}" in check.description and "the digest is kept at" in check.description
    materialization = failed.asset_materializations_for_node("weekly_digest")[0]
    assert (settings.digests / f"digest-{materialization.metadata['week'].value}.html").exists()
    with smtp_server(free_port) as inbox:
        sent = _materialize_digest(send=True)
        again = _materialize_digest(send=True)
    assert sent.get_asset_check_evaluations()[0].passed and len(inbox.messages) == 1
    assert "was already sent at" in again.get_asset_check_evaluations()[0].description


def test_the_schedule_runs_mondays_at_seven_in_the_reporting_zone_and_a_catch_up_makes_a_missed_digest(published, monkeypatch):
    settings, _ = published
    monkeypatch.setenv("PRODOPS_TIMEZONE", "Europe/Berlin")
    berlin = Settings.from_env()
    schedule = digest_schedule(berlin)
    assert schedule.cron_schedule == "0 7 * * 1" and schedule.execution_timezone == "Europe/Berlin"
    [request] = schedule.evaluate_tick(dg.build_schedule_context()).run_requests
    assert request.run_config == {"ops": {"weekly_digest": {"config": {"send": False}}}}  # no recipients set
    sunday = _last_complete_week(settings)
    due = due_at(berlin, sunday)
    assert due == dt.datetime.combine(sunday + dt.timedelta(days=1), dt.time(7), ZoneInfo("Europe/Berlin"))
    assert missed_week(berlin, due - dt.timedelta(minutes=1)) is None  # the schedule has not come yet
    late = due + dt.timedelta(days=3)
    year, week, _ = sunday.isocalendar()
    shutil.rmtree(berlin.digests, ignore_errors=True)  # none made yet
    assert missed_week(berlin, late) == f"{year}-W{week:02d}"
    make_digest(berlin)
    assert missed_week(berlin, late) is None


def test_the_refresh_leaves_the_digest_to_its_schedule():
    from prodops_pipeline.definitions import defs

    graph = defs.resolve_asset_graph()
    refresh = defs.resolve_job_def("refresh").asset_layer.selected_asset_keys
    digest = defs.resolve_job_def("digest").asset_layer.selected_asset_keys
    assert dg.AssetKey("weekly_digest") not in refresh and digest == {dg.AssetKey("weekly_digest")}
    assert refresh == graph.get_all_asset_keys() - digest  # the refresh runs everything else
    assert graph.get(dg.AssetKey("weekly_digest")).group_name == "publish"
    assert dg.AssetKey("analyst_database") in graph.get(dg.AssetKey("weekly_digest")).parent_keys
    assert {s.name for s in defs.sensors} >= {"digest_after_catch_up"}


def test_mail_settings_are_checked_and_the_password_is_never_shown(monkeypatch):
    monkeypatch.setenv("PRODOPS_SMTP_PASSWORD", PASSWORD)
    settings = Settings.from_env()
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings.model_dump())
    resource = PipelineSettings.from_env()  # Dagster resolves it when a run starts and never shows it
    assert PASSWORD not in repr(resource) and "smtp_password='PRODOPS_SMTP_PASSWORD'" in repr(resource)  # the name only
    seen = []

    @dg.asset
    def reads_the_password(settings: PipelineSettings) -> None:
        seen.append(settings.get().smtp_password.get_secret_value())

    assert dg.materialize([reads_the_password], resources={"settings": resource}).success and seen == [PASSWORD]
    with pytest.raises(SettingsError) as bad:
        Settings.from_env({"PRODOPS_DIGEST_TO": "pm@example.com, revenue team", "PRODOPS_SMTP_PORT": "70000"})
    assert str(bad.value).splitlines() == [
        "PRODOPS_SMTP_PORT='70000' must be a TCP port (1 to 65535)",
        "PRODOPS_DIGEST_TO='pm@example.com, revenue team': 'revenue team' is not an e-mail address"]


def test_comments_are_escaped_in_the_page_and_kept_as_written_in_the_text_part(published):
    from prodops_pipeline.digest.figures import digest_week, read_figures
    from prodops_pipeline.digest.render import render
    from prodops_pipeline.marts import analyst_reader

    settings, _ = published
    with analyst_reader(settings) as query:
        figures = read_figures(query, settings, digest_week(query, settings, None))
    comment = "We can't export & it's <b>slow</b>"
    figures.voice["verbatims"] = pd.DataFrame([{"responded_at": pd.Timestamp("2026-06-01 10:00"), "score": 2,
                                                "channel": "email", "plan": "growth", "comment": comment}])
    rendered = render(figures, dt.datetime.now(dt.timezone.utc))
    assert f'"{comment}"' in rendered.text
    assert "We can&#39;t export &amp; it&#39;s &lt;b&gt;slow&lt;/b&gt;" in rendered.html and comment not in rendered.html


class RefusingInbox(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_send_says_which_settings_it_lacks_and_which_recipients_were_refused(published, free_port, monkeypatch):
    lacking = CliRunner().invoke(main, ["digest", "--send"])
    assert lacking.exit_code == 1
    assert "--send needs PRODOPS_SMTP_HOST, PRODOPS_DIGEST_FROM, PRODOPS_DIGEST_TO" in lacking.output
    inbox = RefusingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port)
    controller.start()
    try:
        _mail_env(monkeypatch, free_port, PRODOPS_DIGEST_TO="nobody@example.com")
        refused = CliRunner().invoke(main, ["digest", "--send"])
        _mail_env(monkeypatch, free_port, PRODOPS_DIGEST_TO="pm@example.com, nobody@example.com")
        partly = CliRunner().invoke(main, ["digest", "--send"])
    finally:
        controller.stop()
    assert refused.exit_code == 1
    assert f"not sent: localhost:{free_port} refused every recipient (nobody@example.com: 550 5.1.1 no such mailbox)" in refused.output
    assert partly.exit_code == 1 and len(inbox.messages) == 1 and inbox.messages[0]["to"] == ["pm@example.com"]
    assert f"sent, but localhost:{free_port} refused some recipients (nobody@example.com: 550" in partly.output.replace("\n", "")
