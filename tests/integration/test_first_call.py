"""Real SIP calls through the real Asterisk sandbox to the daemon (and around it)."""

from __future__ import annotations

import asyncio
import itertools
import signal
from pathlib import Path

import pytest

from callcenter.domain.calls import CallOutcome, CallRecord
from callcenter.store.call_log import SqlCallLog
from callcenter.store.db import make_engine, make_sessions
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp, write_tone_wav
from tests.support.until import until

pytestmark = pytest.mark.asterisk
_numbers = itertools.count(14155550100)


def new_caller() -> str:
    return str(next(_numbers))


def call_record(instance: Instance, caller: str) -> CallRecord | None:
    engine = make_engine(instance.config.database_url)
    try:
        records = asyncio.run(SqlCallLog(make_sessions(engine)).recent(200))
    finally:
        engine.dispose()
    return next((r for r in records if r.caller == caller), None)


def asterisk_log(instance: Instance) -> str:
    path = Path(instance.sandbox.instance_dir) / "log" / "messages.log"
    return path.read_text(errors="replace")


def test_daemon_answers_plays_prompt_and_records_the_digit(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    caller = new_caller()
    played_before = asterisk_log(instance).count("Playing 'demo-congrats")
    call = sipp.call(instance.config.dialplan.virtual_number, caller, digits=[(1.5, "5")])
    call.assert_ok(30)  # the daemon hung up on us after the digit: we got its BYE

    record = until(lambda: call_record(instance, caller), 5, what="the call in the call log")
    record = until(
        lambda: (r := call_record(instance, caller)) and r.outcome and r, 5, what="call end"
    )
    assert record.digits == "5"
    assert record.outcome is CallOutcome.COMPLETED
    assert record.dialed == instance.config.dialplan.virtual_number
    assert record.linked_id  # Asterisk's Linkedid arrived through ARI channelvars
    # Asterisk itself says it played the prompt to a caller.
    assert asterisk_log(instance).count("Playing 'demo-congrats") > played_before
    assert f"call={record.call_id}" in daemon.log()  # the call id is on the daemon's lines


def test_no_digit_times_out_and_is_recorded_without_digits(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path
) -> None:
    caller = new_caller()
    # The caller talks (RTP from a WAV) and presses nothing, then hangs up first.
    tone = write_tone_wav(sipp.work_dir / "voice.wav", seconds=2)
    call = sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=3, audio=tone)
    call.assert_ok(30)
    record = until(
        lambda: (r := call_record(instance, caller)) and r.outcome and r, 10, what="call end"
    )
    assert record.digits == ""
    assert record.outcome is CallOutcome.ABANDONED


def test_with_the_daemon_stopped_the_fallback_queue_answers(
    instance: Instance, daemon_process: DaemonProcess, sipp: Sipp
) -> None:
    instance.sandbox.up()
    daemon_process.stop()
    agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"])
    caller = new_caller()
    call = sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=5)
    agent.assert_ok(40)  # app_queue rang the agent, the agent answered, then got the BYE
    call.assert_ok(40)
    assert call_record(instance, caller) is None  # the daemon never saw it


def test_killed_daemon_mid_call_the_call_survives_and_goes_to_fallback(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"])
    caller = new_caller()
    call = sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=15)
    record = until(lambda: call_record(instance, caller), 10, what="the call in the IVR")

    daemon.kill()  # SIGKILL: no chance to clean up
    assert call.process.poll() is None, "the call must survive the daemon's death"
    daemon.start()  # reconciles: the orphaned call is released to the fallback queue

    agent.assert_ok(40)
    call.assert_ok(40)
    ended = until(
        lambda: (r := call_record(instance, caller)) and r.outcome and r, 10, what="call end"
    )
    assert ended.call_id == record.call_id
    assert ended.outcome is CallOutcome.FALLBACK


def test_sigterm_hands_live_calls_to_fallback_and_exits_cleanly(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"])
    caller = new_caller()
    call = sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=8)
    until(lambda: call_record(instance, caller), 10, what="the call in the IVR")

    assert daemon.stop(signal.SIGTERM) == 0
    agent.assert_ok(40)
    call.assert_ok(40)
    record = call_record(instance, caller)
    assert record is not None
    assert record.outcome is CallOutcome.FALLBACK


def test_healthz_follows_asterisk_without_restarting_the_daemon(
    instance: Instance, daemon: DaemonProcess
) -> None:
    assert daemon.health() == (200, {"ami": "up", "ari": "up", "db": "up", "status": "ok"})
    pid = daemon.process.pid if daemon.process else None

    instance.sandbox.down()
    _, body = until(lambda: (h := daemon.health())[0] == 503 and h, 15, what="/healthz to turn 503")
    assert body["ari"] == "down"
    assert body["ami"] == "down"
    assert body["db"] == "up"

    instance.sandbox.up()
    until(lambda: daemon.health()[0] == 200, 30, what="/healthz back to 200")
    assert daemon.process is not None
    assert daemon.process.pid == pid
