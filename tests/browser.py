"""Headless Chromium as a reader's browser: the page's DOM after its scripts ran, a screenshot, and every
request the page itself made (from Chromium's network log; the browser's own background calls are not
the page's and are left out)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it where apt-get can)")


@dataclass
class Page:
    dom: str
    requests: list[str]  # URLs the page asked for, other than its own files


def _flags(profile: Path, window: str) -> list[str]:
    # every host name resolves to nothing: a page that needed the network would miss what it fetched
    return [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
            "--virtual-time-budget=5000", f"--window-size={window}"]


def open_page(path: Path, work: Path, screenshot: Path | None = None, window: str = "1280,900") -> Page:
    work.mkdir(parents=True, exist_ok=True)
    net_log = work / "net-log.json"
    flags = _flags(work / "profile", window)
    dom = subprocess.run([*flags, f"--log-net-log={net_log}", "--dump-dom", path.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    if screenshot is not None:
        subprocess.run([*flags, f"--screenshot={screenshot}", path.as_uri()], capture_output=True, timeout=120)
    return Page(dom, _page_requests(net_log))


def _page_requests(net_log: Path) -> list[str]:
    log = json.loads(net_log.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [event["params"]["url"] for event in log["events"]
            if event["type"] == start and "file://" in event["params"].get("network_isolation_key", "")
            and not event["params"]["url"].startswith(("file:", "data:"))]
