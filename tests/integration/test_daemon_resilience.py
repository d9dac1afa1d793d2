"""The daemon's faults with real calls: down, killed, stopped, and Asterisk restarting."""

from __future__ import annotations

import signal

import pytest

from callcenter.domain.calls import CallOutcome
from callcenter.domain.tickets import Role
from tests.support.calls import call_record, ended_call, new_caller, queue_call_on_ticket
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.until import until

pytestmark = pytest.mark.asterisk


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
    ended = ended_call(instance, caller)
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
    assert record.hung_up_at is None  # it hung up while no daemon listened
    daemon.start()  # settles with Asterisk: the call is gone, so it hung up (not lost)
    settled = until(lambda: (r := call_record(instance, caller)) and r.hung_up_at and r, 20)
    assert settled.lost == ""


def test_healthz_follows_asterisk_without_restarting_the_daemon(
    instance: Instance, daemon: DaemonProcess
) -> None:
    up = {"ami": "up", "queues": "up", "ari": "up", "db": "up", "status": "ok"}
    status, body = daemon.health()
    assert status == 200
    lag = body.pop("loop_lag_ms")
    stalls = body.pop("loop_stalls")
    assert body == up
    assert set(lag) == {"p50", "p99", "max"}
    assert isinstance(stalls, list)  # the stall catcher's last records (none expected here)
    pid = daemon.process.pid if daemon.process else None

    instance.sandbox.down()
    _, body = until(lambda: (h := daemon.health())[0] == 503 and h, 15, what="/healthz to turn 503")
    assert body["ari"] == "down"
    assert body["ami"] == "down"
    assert body["queues"] == "down"
    assert body["db"] == "up"

    instance.sandbox.up()
    until(lambda: daemon.health()[0] == 200, 30, what="/healthz back to 200")
    # The restarted Asterisk has its members again (astdb, then the daemon's resync).
    assert "PJSIP/1001" in instance.asterisk_cli("queue show support")
    assert daemon.process is not None
    assert daemon.process.pid == pid


def test_an_agent_complete_ami_never_delivered_is_recovered_from_the_queue_log(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    """AMI loses app_queue's AgentComplete (here the daemon's AMI user stops letting it
    through): once the caller has hung up, the daemon finds the call's COMPLETECALLER line
    in Asterisk's queue_log and delivers the event it missed — the talk reaches the ticket
    and the agent is free again, without waiting for a member resync."""
    manager = instance.sandbox.instance_dir / "etc" / "manager.conf"
    shipped = manager.read_text()
    assert "eventfilter(name(AgentComplete)) =\n" in shipped
    daemon.stop()
    manager.write_text(shipped.replace("eventfilter(name(AgentComplete)) =\n", ""))
    instance.asterisk_cli("manager reload")
    try:
        daemon.start()
        agent = sipp.agent_phone("1001", instance.secrets.agent_passwords["1001"])
        caller = new_caller()
        number = instance.config.dialplan.virtual_number
        call = sipp.call(number, caller, digits=DEMO_TO_SUPPORT, hangup_after=6)
        call.assert_ok(40)
        agent.assert_ok(40)
        answered = queue_call_on_ticket(instance, caller, "answered")
        assert (answered["agent"], answered["ended_by"]) == ("1001", "caller")
        assert answered["talk"] >= 1
        assert "never came over AMI; recovered from the queue_log (agent 1001" in daemon.log()
        supervisor = api_token(instance, Role.SUPERVISOR)

        def state_of_1001() -> str:
            board = api_call(daemon, supervisor, "GET", "/queues/live")
            return str(next(a for a in board["agents"] if a["agent"] == "1001")["state"])

        until(lambda: state_of_1001() != "on_call", 10, what="1001 free again")
    finally:
        daemon.stop()
        manager.write_text(shipped)
        instance.asterisk_cli("manager reload")
        daemon.start()
