"""Listen, whisper, barge on a real call: the agent is baresip (it says 440 Hz and keeps
what it hears), the caller and the supervisor are SIPp legs saying tones of their own; the
call's recording keeps what the caller heard (its right channel)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.domain.tickets import Role
from tests.support.baresip import start_softphone
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import SUPERVISOR, DaemonProcess, Instance
from tests.support.recordings import recording_audio, recording_of
from tests.support.rtp_audio import channels, heard_levels, tone_levels, tone_pcap
from tests.support.sipp import Sipp, SippRun
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.until import until

pytestmark = pytest.mark.asterisk

AGENT_HZ, CALLER_HZ, SUPERVISOR_HZ = 440.0, 600.0, 1000.0  # baresip's ausine says 440


def _agent_softphone(instance: Instance, work: Path) -> Any:
    a = instance.config.asterisk
    settings = {
        "server": a.sip_bind,
        "port": str(a.sip_port),
        "transport": "udp",
        "user": "1001",
        "password": instance.secrets.agent_passwords["1001"],
    }
    phone = start_softphone(instance.runtime, work, settings)
    phone.wait_for("200 OK", 15)  # registered
    return phone


def _caller_heard(daemon: DaemonProcess, token: str, work: Path, since: datetime) -> list[int]:
    rec = until(
        lambda: recording_of(daemon, token, "1001", "complete", since), 30, what="the recording"
    )
    (work / "call.wav").write_bytes(recording_audio(daemon, token, rec["id"])[2])
    return channels(work / "call.wav")[1]  # right: what the caller heard


def _call_the_agent(
    instance: Instance,
    daemon: DaemonProcess,
    sipp: Sipp,
    lead: str,
    since: datetime,
    hangup_after: float,
) -> SippRun:
    """A caller saying their tone, through the IVR to agent 1001, who has answered."""
    caller = sipp.call(
        instance.config.dialplan.virtual_number,
        new_caller(),
        digits=DEMO_TO_SUPPORT,
        hangup_after=hangup_after,
        audio=str(tone_pcap(sipp.work_dir / "caller.pcap", CALLER_HZ, 40)),
    )
    until(
        lambda: recording_of(daemon, lead, "1001", "recording", since), 30, what="the agent's call"
    )
    return caller


def test_a_whisper_reaches_the_agent_only_and_only_supervisors_may(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    phone = _agent_softphone(instance, tmp_path / "agent")
    try:
        caller = _call_the_agent(instance, daemon, sipp, lead, t0, hangup_after=22)
        says = str(tone_pcap(sipp.work_dir / "supervisor.pcap", SUPERVISOR_HZ, 20))
        # An agent's phone may not barge: the dialplan checks the endpoint, not a caller id.
        intruder = sipp.call(
            "*2241001",
            "1002",
            auth=("1002", instance.secrets.agent_passwords["1002"]),
            bye_timeout=15,
            audio=says,
        )
        intruder.assert_ok(30)  # refused: told so, hung up on
        whisper = sipp.call(
            "*2231001",
            SUPERVISOR,
            auth=(SUPERVISOR, instance.secrets.agent_passwords[SUPERVISOR]),
            hangup_after=8,
            audio=says,
        )
        whisper.assert_ok(40)
        caller.assert_ok(60)
    finally:
        phone.stop()
    heard_by_agent = heard_levels(tmp_path / "agent" / "heard.wav", SUPERVISOR_HZ)
    assert max(heard_by_agent) > 2000, heard_by_agent  # the agent heard the supervisor
    assert max(heard_levels(tmp_path / "agent" / "heard.wav", CALLER_HZ)) > 2000
    heard_by_caller = _caller_heard(daemon, lead, tmp_path, t0)
    assert max(tone_levels(heard_by_caller, AGENT_HZ)) > 2000  # the caller heard the agent…
    assert max(tone_levels(heard_by_caller, SUPERVISOR_HZ)) < 300  # …never the supervisor


def test_a_supervisor_barges_in_from_the_board(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    phone = _agent_softphone(instance, tmp_path / "agent")
    try:
        caller = _call_the_agent(instance, daemon, sipp, lead, t0, hangup_after=16)
        # The board's button: Asterisk rings the supervisor's phone into the call.
        supervisor_phone = sipp.agent_phone(
            SUPERVISOR,
            instance.secrets.agent_passwords[SUPERVISOR],
            talk_until_bye=40,
            audio=str(tone_pcap(sipp.work_dir / "supervisor.pcap", SUPERVISOR_HZ, 30)),
        )
        answer = api_call(
            daemon, lead, "POST", "/agents/1001/listen", {"mode": "barge", "phone": SUPERVISOR}
        )
        assert answer["dialled"] == "*2241001"
        caller.assert_ok(60)
        supervisor_phone.assert_ok(60)  # ChanSpy ended with the agent's call (E)
    finally:
        phone.stop()
    assert max(heard_levels(tmp_path / "agent" / "heard.wav", SUPERVISOR_HZ)) > 2000
    heard_by_caller = _caller_heard(daemon, lead, tmp_path, t0)
    assert max(tone_levels(heard_by_caller, SUPERVISOR_HZ)) > 2000  # barge: the caller too
