"""Listen, whisper, barge on a real call. The caller and the agent are baresip softphones,
each saying a tone of its own and keeping what it hears; the supervisor is a SIPp leg
saying a third tone. Who heard whom is read out of what each phone played — and what the
caller heard, barge included, out of the call's recording."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.domain.tickets import Role
from tests.support.baresip import Softphone, start_softphone
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import SUPERVISOR, DaemonProcess, Instance
from tests.support.recordings import recording_audio, recording_of
from tests.support.rtp_audio import channels, heard_levels, tone_levels, tone_pcap
from tests.support.sipp import TRUNK_IP, Sipp
from tests.support.until import until

pytestmark = pytest.mark.asterisk

CALLER_HZ, AGENT_HZ, SUPERVISOR_HZ = 600, 440, 1000
DIRECT = "7997"  # the support queue with no IVR in front (added for these tests)
LOUD, QUIET = 1000.0, 150.0


@pytest.fixture
def straight_to_support(instance: Instance) -> Iterator[str]:
    """An extension of the trunk's context that goes straight into the support queue (the
    softphone caller dials no IVR digits); the same queue path, recording included."""
    context = "from-trunk"
    instance.asterisk_cli(f"dialplan add extension {DIRECT},1,Set(CC_QUEUE=support) into {context}")
    instance.asterisk_cli(
        f"dialplan add extension {DIRECT},2,Goto(callcenter-queue,s,1) into {context}"
    )
    yield DIRECT
    instance.asterisk_cli(f"dialplan remove extension {DIRECT}@{context}")


def _phone(instance: Instance, work: Path, tone: int, dial: str = "") -> Softphone:
    a = instance.config.asterisk
    user = "caller" if dial else "1001"
    settings = {
        "server": a.sip_bind,
        "port": str(a.sip_port),
        "transport": "udp",
        "user": user,
        "password": instance.secrets.agent_passwords.get(user, ""),
    }
    phone = start_softphone(
        instance.runtime,
        work,
        settings,
        tone=tone,
        listen_ip=TRUNK_IP if dial else "127.0.0.1",
        dial=dial,
    )
    if not dial:
        phone.wait_for("200 OK", 15)  # registered
    return phone


def _on_a_call(
    instance: Instance, daemon: DaemonProcess, work: Path, exten: str
) -> tuple[Softphone, Softphone]:
    """Agent 1001 (baresip) answers a caller (baresip) from the support queue."""
    since = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    agent = _phone(instance, work / "agent", AGENT_HZ)
    a = instance.config.asterisk
    caller = _phone(instance, work / "caller", CALLER_HZ, f"sip:{exten}@{a.sip_bind}:{a.sip_port}")
    until(lambda: recording_of(daemon, lead, "1001", "recording", since), 30, what="the call")
    return agent, caller


def _heard(phone: Softphone, tone: int) -> float:
    return max(heard_levels(phone.log.parent / "heard.wav", tone), default=0.0)


def _hang_up(*phones: Softphone) -> None:
    for phone in phones:
        phone.stop()  # baresip hangs up and closes the WAV of what it heard


def test_a_whisper_reaches_the_agent_only_and_only_supervisors_may(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path, straight_to_support: str
) -> None:
    agent, caller = _on_a_call(instance, daemon, tmp_path, straight_to_support)
    try:
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
            hangup_after=6,
            audio=says,
        )
        whisper.assert_ok(40)
    finally:
        _hang_up(caller, agent)
    assert _heard(agent, CALLER_HZ) > LOUD  # the call itself: both ways
    assert _heard(caller, AGENT_HZ) > LOUD
    assert _heard(agent, SUPERVISOR_HZ) > LOUD  # the whisper reached the agent…
    assert _heard(caller, SUPERVISOR_HZ) < QUIET  # …and neither it nor the intruder the caller


def test_a_supervisor_barges_in_from_the_board(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path, straight_to_support: str
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    since = datetime.now(UTC)
    agent, caller = _on_a_call(instance, daemon, tmp_path, straight_to_support)
    try:
        # The board's button: Asterisk rings the supervisor's phone into the call.
        supervisor_phone = sipp.agent_phone(
            SUPERVISOR,
            instance.secrets.agent_passwords[SUPERVISOR],
            talk_until_bye=30,
            audio=str(tone_pcap(sipp.work_dir / "supervisor.pcap", SUPERVISOR_HZ, 30)),
        )
        answer: dict[str, Any] = api_call(
            daemon, lead, "POST", "/agents/1001/listen", {"mode": "barge", "phone": SUPERVISOR}
        )
        assert answer["dialled"] == "*2241001"
        until(
            lambda: "ChanSpy" in instance.asterisk_cli("core show channels concise"),
            20,
            what="the supervisor's phone in the call",
        )
        played = _played(caller)
        until(lambda: _played(caller) > played + 4.0, 20, what="4 s of the barge played")
    finally:
        _hang_up(caller, agent)
    supervisor_phone.assert_ok(40)  # ChanSpy ended with the agent's call (E)
    assert _heard(agent, SUPERVISOR_HZ) > LOUD
    assert _heard(caller, SUPERVISOR_HZ) > LOUD  # barge: the caller hears them too
    # …and so does the call's recording: what the caller hears (right) holds the barge,
    # what the caller says (left) does not.
    done = until(
        lambda: recording_of(daemon, lead, "1001", "complete", since), 30, what="recording"
    )
    status, _headers, audio = recording_audio(daemon, lead, done["id"])
    assert status == 200
    (tmp_path / "recorded.wav").write_bytes(audio)
    left, right = channels(tmp_path / "recorded.wav")
    assert max(tone_levels(right, SUPERVISOR_HZ)) > LOUD
    assert max(tone_levels(left, SUPERVISOR_HZ)) < QUIET
    assert max(tone_levels(right, AGENT_HZ)) > LOUD  # the agent is still there


def _played(phone: Softphone) -> float:
    """Seconds baresip has played so far (it writes its WAV as it plays, 8 kHz 16-bit)."""
    path = phone.log.parent / "heard.wav"
    return path.stat().st_size / 16000 if path.exists() else 0.0
