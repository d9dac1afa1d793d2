"""Voicemail on real calls: a SIPp caller leaves a message through the daemon (ARI: prompt,
beep, recording ended by #, review, the promise told) and another with the daemon down
(Asterisk's own VoiceMail(), imported when it is back) — both land on the caller's ticket
with their audio and a callback in the queue that answers the mailbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from callcenter.domain.tickets import Role
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.recordings import recording_audio
from tests.support.rtp_audio import heard_levels, rtp_pcap, tone_pcap
from tests.support.sipp import Sipp
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

TONE_HZ = 440.0


def caller(prefix: str) -> str:
    """A fresh Russian mobile (the test router: 7917… voicemail, 7918… the messages queue)."""
    return prefix + new_caller()[-7:]


def message_of(daemon: DaemonProcess, token: str, number: str) -> dict[str, Any] | None:
    items = api_call(daemon, token, "GET", "/voicemails?mailbox=100&limit=50")["items"]
    return next((v for v in items if v["caller"].lstrip("+") == number), None)


def log_since(instance: Instance, offset: int) -> str:
    with (instance.sandbox.instance_dir / "log" / "messages.log").open("rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def log_size(instance: Instance) -> int:
    return (instance.sandbox.instance_dir / "log" / "messages.log").stat().st_size


def message_audio(daemon: DaemonProcess, token: str, recording_id: int, into: Path) -> Path:
    """The message's audio as the API serves it (audited), written to ``into``."""
    recording = api_call(daemon, token, "GET", f"/recordings/{recording_id}")
    assert recording["kind"] == "voicemail"
    assert recording["channels"] == 1
    status, headers, wav = recording_audio(daemon, token, recording_id)
    assert status == 200, status
    assert headers["Content-Type"] == "audio/wav"
    into.write_bytes(wav)
    return into


def cancel_callback(daemon: DaemonProcess, token: str, callback_id: int | None) -> None:
    """The messages queue must not keep a placeholder for the next test."""
    if callback_id is not None:
        api_call(daemon, token, "DELETE", f"/callbacks/{callback_id}")


def test_a_message_left_through_the_daemon_is_on_the_ticket_with_its_promise(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, browser: Any
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = caller("7917")
    heard_from = log_size(instance)
    # Silent through the greeting (5.7 s), then 6 s of tone, # to end, 1 to keep it.
    says = rtp_pcap(
        sipp.work_dir / "message.pcap",
        [
            ("tone", 0, 8),
            ("tone", TONE_HZ, 6),
            ("digit", "#", 0),
            ("tone", 0, 3),
            ("digit", "1", 0),
        ],
    )
    call = sipp.call(
        instance.config.dialplan.virtual_number, number, audio=str(says), bye_timeout=60
    )
    call.assert_ok(70)  # Asterisk hung up after "message saved … goodbye"
    message = until(lambda: message_of(daemon, lead, number), 15, what="the voicemail")
    try:
        assert message["source"] == "live"
        assert message["state"] == "new"
        assert message["queue"] == "messages"
        assert 6.0 <= message["duration"] <= 10.5, message  # from the beep to the #
        # The audio is in the recordings store, the caller's tone in it.
        # An agent may hear it too: messages are left for the agents who call back.
        agent = api_token(instance, Role.AGENT, "1001")
        wav = message_audio(daemon, agent, message["recording_id"], sipp.work_dir / "vm.wav")
        levels = heard_levels(wav, TONE_HZ)
        assert sum(1 for level in levels if level > 1000) >= 8, levels  # >= 4 s of the tone
        # A callback in the queue that answers the mailbox, with the promise the caller heard.
        callback = api_call(daemon, lead, "GET", f"/callbacks/{message['callback_id']}")
        assert callback["queue"] == "messages"
        assert callback["source"] == "voicemail"
        assert callback["number"] == f"+{number}"
        assert callback["promise"]["state"] == "open"
        heard = log_since(instance, heard_from)
        assert re.search(r"Playing 'vm-intro\.", heard)
        assert re.search(r"Playing 'vm-review\.", heard)
        assert re.search(r"Playing 'vm-msgsaved\.", heard)
        assert re.search(r"Playing 'digits/(today|tomorrow)\.", heard)
        # On the caller's ticket: the voicemail interaction with its recording and due time.
        ticket = until(
            lambda: api_call(daemon, lead, "GET", f"/voicemails/{message['id']}")["ticket_number"],
            10,
            what="the message on a ticket",
        )
        timeline = api_call(daemon, lead, "GET", f"/tickets/{ticket}")["timeline"]
        left = [i for i in timeline if i["kind"] == "voicemail"]
        assert len(left) == 1
        assert left[0]["data"]["recording_id"] == message["recording_id"]
        assert left[0]["data"]["due_at"] == callback["promise"]["due_at"]
        # The supervisor's page lists it, plays it, and marks it answered.
        sign_in(browser, instance, daemon, Role.SUPERVISOR)
        browser.get(f"{daemon.url}/voicemails")
        row = until(
            lambda: browser.find_elements(By.ID, f"voicemail-{message['id']}"), 10, what="row"
        )[0]
        assert f"+{number}" in row.text
        audio = row.find_element(By.TAG_NAME, "audio")
        assert audio.get_attribute("src").endswith(
            f"/api/v1/recordings/{message['recording_id']}/audio"
        )
        row.find_element(By.CLASS_NAME, "answered").click()
        until(
            lambda: (
                api_call(daemon, lead, "GET", f"/voicemails/{message['id']}")["state"] == "answered"
            ),
            10,
            what="answered from the page",
        )
    finally:
        cancel_callback(daemon, lead, message.get("callback_id"))


def test_a_message_left_while_the_daemon_is_down_is_imported_when_it_is_back(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp
) -> None:
    lead = api_token(instance, Role.SUPERVISOR)
    number = caller("7918")
    says = tone_pcap(sipp.work_dir / "long-message.pcap", TONE_HZ, 40)
    # Into the messages queue (10 s at most), the daemon dies meanwhile: at the queue's
    # limit Asterisk's VoiceMail() takes the message; the caller hangs up after 34 s.
    call = sipp.call(
        instance.config.dialplan.virtual_number, number, audio=str(says), hangup_after=34
    )
    until(
        lambda: "has 1 calls" in instance.asterisk_cli("queue show messages"),
        15,
        what="the caller in the messages queue",
    )
    daemon.stop()
    spool = instance.config.state_dir / "asterisk" / "spool" / "voicemail" / "default" / "100"
    call.assert_ok(60)
    until(lambda: list(spool.glob("INBOX/msg*.txt")), 15, what="VoiceMail()'s message")
    daemon.start()
    message = until(lambda: message_of(daemon, lead, number), 20, what="the imported message")
    try:
        assert message["source"] == "spool"
        assert message["queue"] == "messages"
        assert message["duration"] >= 3, message
        wav = message_audio(daemon, lead, message["recording_id"], sipp.work_dir / "vm.wav")
        assert sum(1 for level in heard_levels(wav, TONE_HZ) if level > 1000) >= 4
        until(lambda: not list(spool.glob("INBOX/msg*")), 10, what="the spool emptied")
        found = until(
            lambda: (
                (v := api_call(daemon, lead, "GET", f"/voicemails/{message['id']}"))[
                    "ticket_number"
                ]
                and v
            ),
            10,
            what="the imported message on a ticket",
        )
        assert found["callback_id"] is not None
    finally:
        cancel_callback(daemon, lead, message.get("callback_id"))
