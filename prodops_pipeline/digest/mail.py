"""Sending the digest by e-mail with the standard library.

Mail clients strip inline SVG and `data:` images, so the message is multipart/alternative: a plain-text
part, and an HTML part related to one PNG per chart, referenced by `cid:`. STARTTLS is used whenever the
server offers it; the password is read from the settings only at login and never written anywhere.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..settings import Settings
from .render import Rendered

TIMEOUT_SECONDS = 30


class SendFailed(RuntimeError):
    """The digest could not be sent; the message names the server and the reason."""


def message(rendered: Rendered, subject: str, sender: str, recipients: tuple[str, ...]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = subject
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(rendered.text)
    mail.add_alternative(rendered.mail_html, subtype="html")
    html = mail.get_payload()[1]
    for chart in rendered.charts:
        html.add_related(chart.png, maintype="image", subtype="png", cid=f"<{chart.name}>",
                         filename=f"{chart.name}.png", disposition="inline")
    return mail


def missing_settings(settings: Settings) -> list[str]:
    return [name for name, value in (("PRODOPS_SMTP_HOST", settings.smtp_host), ("PRODOPS_DIGEST_FROM", settings.digest_from),
                                     ("PRODOPS_DIGEST_TO", settings.digest_to)) if not value]


def send(settings: Settings, mail: EmailMessage) -> None:
    missing = missing_settings(settings)
    if missing:
        raise SendFailed(f"not sent: {', '.join(missing)} not set")
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            refused = smtp.send_message(mail, from_addr=settings.digest_from, to_addrs=list(settings.digest_to))
    except smtplib.SMTPAuthenticationError as exc:
        raise SendFailed(f"not sent: {server} refused the login of {settings.smtp_user!r} ({_said(exc)})") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendFailed(f"not sent: {server} does not support {exc}: it offers no login (unset PRODOPS_SMTP_USER) "
                         "or wants STARTTLS first") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendFailed(f"not sent: {server} refused every recipient ({_refusals(exc.recipients)})") from None
    except smtplib.SMTPResponseException as exc:
        raise SendFailed(f"not sent: {server} answered {_said(exc)}") from None
    except ssl.SSLError as exc:
        raise SendFailed(f"not sent: STARTTLS with {server} failed ({exc.reason or exc})") from None
    except OSError as exc:  # refused, unreachable, timed out, disconnected
        raise SendFailed(f"not sent: cannot talk to {server} ({exc.strerror or exc})") from None
    if refused:
        raise SendFailed(f"sent, but {server} refused some recipients ({_refusals(refused)})")


def _said(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {text}".strip()


def _refusals(recipients: dict) -> str:
    return "; ".join(f"{address}: {code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason}"
                     for address, (code, reason) in recipients.items())
