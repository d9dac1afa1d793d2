"""Recordings on real calls: MixMonitor in the dialplan records a queue call with the two
speakers on two channels, the agent's PCI pause writes silence, the daemon adopts and
checks the file, and supervisors play it in the browser — real Asterisk, SIPp legs saying
tones of their own, headless Chromium."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.rtp_audio import channels, peak, tone_levels, tone_pcap
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

CALLER_HZ, AGENT_HZ = 440.0, 1000.0


def _recording(daemon: DaemonProcess, token: str, agent: str, state: str) -> dict[str, Any] | None:
    items = api_call(daemon, token, "GET", f"/recordings?agent={agent}&limit=5")["items"]
    return next((r for r in items if r["state"] == state), None)


def _audio(
    daemon: DaemonProcess, token: str, rec_id: int, range_: str = ""
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Authorization": f"Bearer {token}"}
    if range_:
        headers["Range"] = range_
    url = f"{daemon.url}/api/v1/recordings/{rec_id}/audio"
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read()


def test_a_queue_call_is_recorded_per_speaker_with_a_silent_pci_pause(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, tmp_path: Path, browser: Any
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    agent_token = api_token(instance, Role.AGENT, "1001")
    caller_says = tone_pcap(sipp.work_dir / "caller.pcap", CALLER_HZ, 40)
    agent_says = tone_pcap(sipp.work_dir / "agent.pcap", AGENT_HZ, 40)
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
        lambda: _recording(daemon, lead, "1001", "recording"),
        30,
        what="the agent on a recorded call",
    )
    call_id = live["call_id"]
    time.sleep(3)  # talk before the card number
    paused = api_call(daemon, agent_token, "POST", f"/calls/{call_id}/recording/pause")
    assert paused["pauses"][0]["end"] is None
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
        lambda: _recording(daemon, lead, "1001", "complete"), 30, what="the recording adopted"
    )
    assert rec["call_id"] == call_id
    assert rec["ticket_number"]
    assert rec["queue"] == "support"
    assert rec["channels"] == 2
    assert rec["sha256"]

    status, headers, wav = _audio(daemon, lead, rec["id"])
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
    status, headers, part = _audio(daemon, lead, rec["id"], "bytes=0-99")
    assert status == 206
    assert len(part) == 100
    assert part[:4] == b"RIFF"
    # The agent who took it may hear it; another agent may not — and both are audited.
    assert _audio(daemon, agent_token, rec["id"])[0] == 200
    assert _audio(daemon, other, rec["id"])[0] == 403
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
    until(lambda: browser.find_element(By.ID, f"recording-{rec['id']}"), 10, what="the list")
    until(lambda: "paused" in browser.find_element(By.ID, "pauses").text, 10, what="the pauses")
    duration = until(
        lambda: browser.execute_script(
            "const a = document.getElementById('player'); return a.readyState >= 1 && a.duration"
        ),
        10,
        what="the player's metadata",
    )
    assert abs(duration - rec["duration"]) < 0.2
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
