"""Recordings on real calls: MixMonitor in the dialplan records a queue call with the two
speakers on two channels, the agent's PCI pause writes silence, the daemon adopts and
checks the file, and supervisors play it in the browser — real Asterisk, SIPp legs saying
tones of their own, headless Chromium."""

from __future__ import annotations

import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.recordings import recording_audio, recording_of
from tests.support.rtp_audio import channels, peak, rtp_pcap, tone_levels, tone_pcap
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import desk_connected, sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

CALLER_HZ, AGENT_HZ = 440.0, 1000.0


def test_a_queue_call_is_recorded_per_speaker_with_a_silent_pci_pause(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path, browser: Any
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    agent_token = api_token(instance, Role.AGENT, "1001")
    caller_says = tone_pcap(sipp.work_dir / "caller.pcap", CALLER_HZ, 40)
    agent_says = tone_pcap(sipp.work_dir / "agent.pcap", AGENT_HZ, 40)
    # The agent's desk is open: its button pauses the recording.
    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    browser.get(f"{daemon.url}/agents/1001/desk")
    until(lambda: desk_connected(browser), 10, what="the desk")
    agent = sipp.agent_phone(
        "1001", instance.secrets.agent_passwords["1001"], talk_until_bye=60, audio=str(agent_says)
    )
    caller = new_caller()
    call = sipp.call(
        instance.config.dialplan.virtual_number,
        caller,
        digits=DEMO_TO_SUPPORT,
        hangup_after=16,
        audio=str(caller_says),
    )
    live = until(
        lambda: recording_of(daemon, lead, "1001", "recording", t0),
        30,
        what="the agent on a recorded call",
    )
    call_id = live["call_id"]
    until(lambda: "on call" in browser.find_element(By.ID, "state").text, 10, what="answered")
    time.sleep(3)  # talk before the card number
    browser.find_element(By.ID, "rec-pause").click()
    until(
        lambda: browser.find_element(By.ID, "rec-state").text == "recording paused",
        10,
        what="the desk's pause",
    )
    paused = api_call(daemon, lead, "GET", f"/recordings/{live['id']}")
    assert paused["pauses"][0]["end"] is None
    assert paused["pauses"][0]["by"].startswith("agent-")  # the desk's signed-in agent
    time.sleep(4)  # the card number: silence
    resumed = api_call(daemon, agent_token, "POST", f"/calls/{call_id}/recording/resume")
    (pause,) = resumed["pauses"]
    assert 3.5 <= pause["end"] - pause["start"] <= 6
    # Somebody else's agent may not pause it.
    other = api_token(instance, Role.AGENT, "1002")
    assert api_status(daemon, other, "POST", f"/calls/{call_id}/recording/pause")[0] == 403
    call.assert_ok(60)
    agent.assert_ok(60)

    rec = until(
        lambda: recording_of(daemon, lead, "1001", "complete", t0), 30, what="the recording adopted"
    )
    assert rec["call_id"] == call_id
    assert rec["ticket_number"]
    assert rec["queue"] == "support"
    assert rec["channels"] == 2
    assert rec["sha256"]

    status, headers, wav = recording_audio(daemon, lead, rec["id"])
    assert status == 200
    assert headers["Content-Type"] == "audio/wav"
    assert "no-store" in headers["Cache-Control"]
    (tmp_path / "call.wav").write_bytes(wav)
    left, right = channels(tmp_path / "call.wav")
    assert abs(len(left) / 8000 - rec["duration"]) < 0.1
    start, end = pause["start"], pause["end"]

    def window(samples: list[int], a: float, b: float) -> list[int]:
        return samples[int(a * 8000) : int(b * 8000)]

    # In the pause: silence on both channels (MixMonitorMute writes zeros).
    assert peak(window(left, start + 0.3, end - 0.3)) == 0
    assert peak(window(right, start + 0.3, end - 0.3)) == 0
    # Around it: the caller on the left, the agent on the right, each on their own.
    before_left = tone_levels(window(left, start - 2.0, start - 0.2), CALLER_HZ)
    before_right = tone_levels(window(right, start - 2.0, start - 0.2), AGENT_HZ)
    after_left = tone_levels(window(left, end + 0.3, end + 2.0), CALLER_HZ)
    assert min(before_left + after_left) > 2000, (before_left, after_left)
    assert min(before_right) > 2000, before_right
    assert max(tone_levels(window(left, start - 2.0, start - 0.2), AGENT_HZ)) < 500

    # Range: the browser's player seeks.
    status, headers, part = recording_audio(daemon, lead, rec["id"], "bytes=0-99")
    assert status == 206
    assert len(part) == 100
    assert part[:4] == b"RIFF"
    # The agent who took it may hear it; another agent may not — and both are audited.
    assert recording_audio(daemon, agent_token, rec["id"])[0] == 200
    assert recording_audio(daemon, other, rec["id"])[0] == 403
    admin = api_token(instance, Role.ADMIN)
    listens = api_call(daemon, admin, "GET", f"/recordings/{rec['id']}")["listens"]
    assert [(x["role"], x["allowed"]) for x in listens][:3] == [
        ("agent", False),
        ("agent", True),
        ("supervisor", True),
    ]
    # On the ticket's timeline, with the call.
    ticket = api_call(daemon, lead, "GET", f"/tickets/{rec['ticket_number']}")
    data = next(i["data"] for i in ticket["timeline"] if i["source_id"] == call_id)
    assert (data["recording_id"], data["recording_state"]) == (rec["id"], "complete")

    # The supervisor's page plays it: currentTime advances, duration is the stored one.
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/recordings?id={rec['id']}")
    until(lambda: browser.find_elements(By.ID, f"recording-{rec['id']}"), 10, what="the list")
    until(lambda: "paused" in browser.find_element(By.ID, "pauses").text, 10, what="the pauses")
    duration = until(
        lambda: browser.execute_script(
            "const a = document.getElementById('player'); return a.readyState >= 1 && a.duration"
        ),
        10,
        what="the player's metadata",
    )
    assert abs(duration - rec["duration"]) < 0.2
    # Solo the caller: the player routes the left channel to both ears (Web Audio).
    browser.find_element(By.CSS_SELECTOR, "input[name=solo][value=caller]").click()
    until(
        lambda: browser.execute_script("return document.body.dataset.solo") == "caller",
        5,
        what="the caller soloed",
    )
    started = browser.execute_async_script(
        "const done = arguments[0];"
        "document.getElementById('player').play()"
        ".then(() => done('playing'), (e) => done(String(e)));"
    )
    assert started == "playing"
    until(
        lambda: (
            browser.execute_script("return document.getElementById('player').currentTime") > 0.5
        ),
        10,
        what="the player to play",
    )


def _silence(samples: list[int], seconds: float = 0.5) -> list[tuple[float, float]]:
    """Stretches of exact silence (MixMonitorMute's zeros) at least ``seconds`` long."""
    runs, start = [], None
    for i, x in enumerate([*samples, 1]):
        if x == 0 and start is None:
            start = i
        elif x != 0 and start is not None:
            if i - start >= seconds * 8000:
                runs.append((start / 8000, i / 8000))
            start = None
    return runs


def test_the_agent_pauses_the_recording_from_the_phone(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    # The agent talks, presses *1 (card number: silence), *2, and talks on: one RTP stream.
    agent_says = rtp_pcap(
        sipp.work_dir / "agent-pci.pcap",
        [
            ("tone", AGENT_HZ, 3.0),
            ("digit", "*", 0),
            ("tone", AGENT_HZ, 0.3),
            ("digit", "1", 0),
            ("tone", AGENT_HZ, 4.0),
            ("digit", "*", 0),
            ("tone", AGENT_HZ, 0.3),
            ("digit", "2", 0),
            ("tone", AGENT_HZ, 20.0),
        ],
    )
    caller_says = tone_pcap(sipp.work_dir / "caller-pci.pcap", CALLER_HZ, 40)
    agent = sipp.agent_phone(
        "1001", instance.secrets.agent_passwords["1001"], talk_until_bye=60, audio=str(agent_says)
    )
    call = sipp.call(
        instance.config.dialplan.virtual_number,
        new_caller(),
        digits=DEMO_TO_SUPPORT,
        hangup_after=16,
        audio=str(caller_says),
    )
    call.assert_ok(60)
    agent.assert_ok(60)
    rec = until(
        lambda: recording_of(daemon, lead, "1001", "complete", t0), 30, what="the recording adopted"
    )
    (pause,) = rec["pauses"]
    assert pause["by"] == "phone 1001"
    assert 3.0 <= pause["end"] - pause["start"] <= 6.0
    path = sipp.work_dir / "pci.wav"
    path.write_bytes(recording_audio(daemon, lead, rec["id"])[2])
    left, right = channels(path)
    (quiet,) = _silence(left, 2.0)
    (quiet_right,) = _silence(right, 2.0)  # both speakers muted together (give or take a
    assert abs(quiet_right[0] - quiet[0]) < 0.3  # frame or two of jitter buffer)
    assert abs(quiet_right[1] - quiet[1]) < 0.3
    # The stored interval is where the audio is silent (within the AMI round trip).
    assert abs(quiet[0] - pause["start"]) < 0.6, (quiet, pause)
    assert abs(quiet[1] - pause["end"]) < 0.6, (quiet, pause)


def test_a_recording_made_while_the_daemon_was_dead_is_adopted(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    # Both say something: a call with no audio at all leaves an empty file (an alarm).
    agent = sipp.agent_phone(
        "1001",
        instance.secrets.agent_passwords["1001"],
        talk_until_bye=60,
        audio=str(tone_pcap(sipp.work_dir / "agent-kill.pcap", AGENT_HZ, 30)),
    )
    call = sipp.call(
        instance.config.dialplan.virtual_number,
        new_caller(),
        digits=DEMO_TO_SUPPORT,
        hangup_after=8,
        audio=str(tone_pcap(sipp.work_dir / "caller-kill.pcap", CALLER_HZ, 30)),
    )
    live = until(
        lambda: recording_of(daemon, lead, "1001", "recording", t0), 30, what="the recorded call"
    )
    daemon.kill()  # SIGKILL mid-call: the recording runs in Asterisk and goes on
    call.assert_ok(60)
    agent.assert_ok(60)
    daemon.start()
    rec = until(
        lambda: recording_of(daemon, lead, "1001", "complete", t0), 30, what="the recording adopted"
    )
    assert rec["call_id"] == live["call_id"]
    assert rec["duration"] > 5


def test_a_recording_the_disk_refuses_raises_the_alarm_on_the_board(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    # Today's directory exists and Asterisk may not write in it (as with a full disk, the
    # file cannot be written): the call goes on unrecorded, and nobody is left unaware.
    day = (
        instance.config.state_dir
        / "asterisk"
        / "recordings"
        / time.strftime("%Y/%m/%d", time.gmtime())
    )
    day.mkdir(parents=True, exist_ok=True)
    day.chmod(0o555)
    try:
        agent = sipp.agent_phone(
            "1002", instance.secrets.agent_passwords["1002"], talk_until_bye=60
        )
        call = sipp.call(
            instance.config.dialplan.virtual_number,
            new_caller(),
            digits=DEMO_TO_SUPPORT,
            hangup_after=5,
        )
        call.assert_ok(60)  # the call itself is not hurt
        agent.assert_ok(60)
        missing = until(
            lambda: recording_of(daemon, lead, "1002", "missing", t0),
            30,
            what="the missing-recording alarm",
        )
    finally:
        day.chmod(0o755)
    assert missing["problem"] == "no recording file"
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/supervisor")
    alarm = until(
        lambda: browser.find_elements(By.ID, f"alarm-{missing['id']}"), 10, what="the board's alarm"
    )
    assert missing["call_id"] in alarm[0].text
    metrics = urllib.request.urlopen(f"{daemon.url}/metrics", timeout=10).read().decode()  # noqa: S310
    assert "callcenter_recordings_missing_total 1.0" in metrics


def test_with_recordings_ivr_a_call_is_recorded_from_its_start(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    # recordings.ivr = true renders this global; set at run time on the shared Asterisk.
    instance.asterisk_cli("dialplan set global RECORD_IVR 1")
    try:
        caller = new_caller()
        call = sipp.call(instance.config.dialplan.virtual_number, caller, hangup_after=4)
        call.assert_ok(30)  # hung up in the IVR: this call never reaches a queue
    finally:
        instance.asterisk_cli("dialplan set global RECORD_IVR 0")
    rec = until(lambda: recording_of(daemon, lead, "", "complete", t0), 30, what="its recording")
    assert (rec["queue"], rec["agent"]) == ("", "")
    assert 3 <= rec["duration"] <= 6
