"""The database in a backup: a consistent copy taken while calls run, and put back.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the file page by page
under its own read transaction — writers wait only for a page at a time and the copy is
one moment of the database. PostgreSQL: ``pg_dump`` (custom format: one snapshot of the
whole database, taken without blocking writers), put back with ``pg_restore`` into an
empty database. Errors name the database and the tool's own message."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from callcenter.store.models.recordings import RecordingRow

SQLITE, POSTGRESQL = "sqlite", "postgresql"


class BackupError(RuntimeError):
    """A backup or restore step failed; the message names what and why."""


def kind_of(url: str) -> str:
    backend = make_url(url).get_backend_name()
    if backend not in (SQLITE, POSTGRESQL):
        raise BackupError(
            f"database.url: {backend} databases are not backed up (SQLite, PostgreSQL)"
        )
    return backend


def _libpq(url: str) -> str:
    """``postgresql+psycopg://u@h/db`` → ``postgresql://u@h/db`` (what pg_dump reads)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def dump(url: str, out: Path) -> None:
    """A consistent copy of the database at ``url`` into the file ``out``."""
    if kind_of(url) == SQLITE:
        source = make_url(url).database or ""
        if not Path(source).is_file():
            raise BackupError(f"database {source}: no such file")
        with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={out}", _libpq(url)], "pg_dump")


def load(url: str, dumped: Path) -> None:
    """Put ``dumped`` (from :func:`dump` of the same kind) into the empty database at ``url``."""
    if kind_of(url) == SQLITE:
        target = Path(make_url(url).database or "")
        if target.exists():
            raise BackupError(f"database {target} exists: restore into a fresh state directory")
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(dumped) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        return
    _run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}", str(dumped)],
        "pg_restore",
    )


def _run(argv: list[str], tool: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{tool} is not installed (Debian: postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-500:]}")


def recording_now(session: Session) -> set[str]:
    """Recordings Asterisk is still writing (their files are not whole yet)."""
    return set(session.scalars(select(RecordingRow.path).where(RecordingRow.state == "recording")))
