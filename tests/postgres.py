"""A real PostgreSQL 15 server for one test: started in a temporary folder, stopped afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
needs_postgres = pytest.mark.skipif(not (PG_BIN / "initdb").exists(),
                                    reason=f"PostgreSQL 15 is not installed ({PG_BIN} has no initdb)")


def _as_server_user() -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the `postgres` system user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the URL of a fresh server (trust authentication on 127.0.0.1, database `postgres`)."""
    root = Path(tempfile.mkdtemp(prefix="prodops-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    run = _as_server_user()
    try:
        subprocess.run([*run, str(PG_BIN / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres"],
                       check=True, capture_output=True)
        subprocess.run([*run, str(PG_BIN / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
                        "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True)
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run, str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
