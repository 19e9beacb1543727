"""Making a week's digest file and sending it: what the command and the weekly asset share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from ..ingest.raw_zone import read_json, write_json_atomically, write_text_atomically
from ..marts import analyst_reader
from ..settings import Settings
from .figures import Week, digest_week, read_figures
from .mail import message, send
from .render import Rendered, render

SENT_RECORD = "sent.json"  # week -> when and to whom its digest was e-mailed


@dataclass
class Digest:
    week: Week
    path: Path
    build_id: str
    rendered: Rendered

    @property
    def subject(self) -> str:
        return f"Product-ops digest {self.week.label}"


def file_name(week: Week) -> str:
    return f"digest-{week.label}.html"


def make_digest(settings: Settings, sunday: date | None = None, out: Path | None = None) -> Digest:
    """Write the digest of the ISO week ending on `sunday` (default: the last complete one) into `out`."""
    with analyst_reader(settings) as query:
        week = digest_week(query, settings, sunday)
        figures = read_figures(query, settings, week)
    rendered = render(figures, datetime.now(timezone.utc))
    folder = out or settings.digests
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(week)
    write_text_atomically(path, rendered.html)
    return Digest(week, path, figures.build["build_id"], rendered)


def send_digest(settings: Settings, digest: Digest) -> None:
    """E-mail the digest (raises SendFailed naming the server and the reason) and record it as sent."""
    send(settings, message(digest.rendered, digest.subject, settings.digest_from or "", settings.digest_to))
    record = sent_record(settings)
    record[digest.week.label] = {"sent_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                 "to": list(settings.digest_to), "build_id": digest.build_id}
    settings.digests.mkdir(parents=True, exist_ok=True)
    write_json_atomically(settings.digests / SENT_RECORD, record)


def sent_record(settings: Settings) -> dict:
    return read_json(settings.digests / SENT_RECORD) or {}
