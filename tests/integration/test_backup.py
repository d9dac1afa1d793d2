"""A backup taken while a caller waits in a queue (their recording still being written)
restores into a fresh state directory, and the restored instance — its own Asterisk and
daemon — serves the same tickets, recordings and flows. A damaged archive restores
nothing."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from callcenter.app.assembly import ticket_store
from callcenter.cli import main
from callcenter.domain.tickets import Role
from callcenter.store.db import make_engine, make_sessions
from tests.support.calls import call_on_ticket, new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance, instance_env
from tests.support.recordings import recorded_queue_call, recording_audio
from tests.support.sipp import Sipp
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def ticket_number(instance: Instance, call_id: str) -> int:
    engine = make_engine(instance.config.database_url)
    try:
        number = asyncio.run(
            ticket_store(instance.config, make_sessions(engine)).call_ticket(call_id)
        )
    finally:
        engine.dispose()
    assert number is not None
    return number


def cli(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    state = tmp_path / "restored"
    return state, instance_env(state)


def test_a_backup_during_a_call_restores_into_a_fresh_instance(
    instance: Instance,
    daemon: DaemonProcess,
    sipp: Sipp,
    tmp_path: Path,
    fresh: tuple[Path, dict[str, str]],
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    # A call answered and recorded, finished before the backup.
    record, done = recorded_queue_call(instance, daemon, sipp, lead)
    until(lambda: call_on_ticket(instance, record.call_id), 15, what="the call on its ticket")
    number = ticket_number(instance, record.call_id)
    _, _, audio = recording_audio(daemon, lead, done["id"])
    # A caller waiting in a queue nobody answers: their recording is being written.
    waiting = new_caller("7918")
    call = sipp.call(instance.config.dialplan.virtual_number, waiting, hangup_after=7)
    live = until(
        lambda: next(
            (
                r
                for r in api_call(daemon, lead, "GET", "/recordings?limit=10")["items"]
                if r["state"] == "recording" and r["started_at"] >= t0.isoformat()
            ),
            None,
        ),
        15,
        what="the waiting caller's recording",
    )
    before = api_call(daemon, lead, "GET", f"/tickets/{number}")
    archive = tmp_path / "backup.tar.gz"
    taken = cli(instance.env, "backup", "--out", str(archive))
    assert taken.exit_code == 0, taken.output
    left_out = [ln for ln in taken.output.splitlines() if ln.startswith("left out")]
    assert any(live["call_id"] in ln for ln in left_out), taken.output
    assert archive.stat().st_mode & 0o077 == 0  # it holds the secrets
    call.assert_ok(30)

    state, env = fresh
    restored = cli(env, "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    again = cli(env, "restore", str(archive))  # never over an instance
    assert again.exit_code != 0
    assert "fresh state directory" in again.output
    other = Instance.create(state)
    other.sandbox.up()
    twin = DaemonProcess(other, tmp_path / "restored.log")
    try:
        twin.start()
        lead2 = api_token(other, Role.SUPERVISOR)
        after = api_call(twin, lead2, "GET", f"/tickets/{number}")
        assert after == before  # the ticket as it was when the backup was taken
        status, _, copy = recording_audio(twin, lead2, done["id"])
        assert status == 200
        assert hashlib.sha256(copy).digest() == hashlib.sha256(audio).digest()
        flows = Path(instance.config.daemon.flows_dir)
        for path in flows.glob("*.yaml"):
            assert (Path(other.config.daemon.flows_dir) / path.name).read_text() == path.read_text()
        assert other.secrets.ami_password == instance.secrets.ami_password
    finally:
        twin.stop()
        other.sandbox.down()


def test_a_damaged_archive_restores_nothing(
    instance: Instance, daemon: DaemonProcess, tmp_path: Path, fresh: tuple[Path, dict[str, str]]
) -> None:
    archive = tmp_path / "backup.tar.gz"
    assert cli(instance.env, "backup", "--out", str(archive)).exit_code == 0
    raw = bytearray(gzip.decompress(archive.read_bytes()))
    with tarfile.open(fileobj=io.BytesIO(bytes(raw))) as tar:
        at = tar.getmember("database").offset_data
    raw[at + 100] ^= 0xFF  # a byte of the database copy's body
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(gzip.compress(bytes(raw)))
    state, env = fresh
    result = cli(env, "restore", str(damaged))
    assert result.exit_code != 0
    assert "damaged" in result.output
    assert not (state / "secrets.json").exists()
    assert not (state / "callcenter.sqlite3").exists()
