"""Transcripts of real calls: a SIPp caller says espeak-ng speech into a queue, a SIPp
agent answers and says their own; MixMonitor records both channels, the daemon (with
transcription on, the Korean vosk model from PyPI in worker processes) writes the call
down per speaker onto the call's interaction; search finds it; the ticket page shows
"Caller" and "Agent" lines in headless Chromium, and a click on a line seeks the player.

Korean espeak speech is hard for the model to get right, so the assertions are about
what is stable (both speakers, times inside the call, the same lines in every place)."""

from __future__ import annotations

import array
import asyncio
import contextlib
import re
import subprocess
import threading
import time
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest
from selenium.webdriver.common.by import By

from callcenter.app.recordings import recordings_dir
from callcenter.domain.tickets import Role
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.recordings import SqlRecordings
from callcenter.store.transcripts import SqlTranscripts
from tests.integration.transcription.test_transcripts import recorded, speech, stereo
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.recordings import recording_of
from tests.support.rtp_audio import rtp_pcap, to_8khz
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.staff import desk_connected, sign_in, sign_in_url
from tests.support.until import until

pytestmark = pytest.mark.asterisk


def speech_pcap(text: str, path: Path, silence_before: float, total: float = 30.0) -> Path:
    """espeak-ng's Korean for ``text`` (22050 Hz) as 8 kHz RTP/PCMU after a silence, and
    silence after it up to ``total`` seconds (RTP all along: MixMonitor writes what
    arrives, and a leg that falls quiet on the wire would make the file look cut short)."""
    wav = path.with_suffix(".wav")
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
        rate = w.getframerate()
    speech = to_8khz(samples, rate)
    after = max(1.0, total - silence_before - len(speech) / 8000)
    return rtp_pcap(path, [("tone", 0.0, silence_before), ("pcm", speech, 0), ("tone", 0.0, after)])


class WatchedDesk:
    """A supervisor watching agent ``agent``'s desk: its websocket, held open in a thread
    of its own, keeping the live lines it gets."""

    def __init__(self, sign_in_link: str, ws_url: str) -> None:
        self.lines: list[dict[str, Any]] = []
        self._link, self._url = sign_in_link, ws_url
        self._ready, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            (await http.get(self._link)).raise_for_status()
            async with http.ws_connect(self._url) as ws:
                self._ready.set()
                while not self._stop.is_set():
                    with contextlib.suppress(TimeoutError):
                        msg = await asyncio.wait_for(ws.receive_json(), 0.2)
                        if msg["kind"] == "transcript":
                            self.lines.append(msg["line"])

    def __enter__(self) -> WatchedDesk:
        self._thread.start()
        assert self._ready.wait(10), "the supervisor's desk socket did not open"
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


@pytest.fixture
def watched(instance: Instance, transcribing: DaemonProcess) -> Iterator[WatchedDesk]:
    """A supervisor watching agent 1001's desk."""
    link = sign_in_url(instance, transcribing, Role.SUPERVISOR)
    with WatchedDesk(link, transcribing.url.replace("http", "ws") + "/agents/1001/ws") as desk:
        yield desk


def test_a_queue_call_is_written_down_per_speaker_on_its_ticket_and_found(
    instance: Instance,
    transcribing: DaemonProcess,
    sipp: Sipp,
    browser: Any,
    watched: WatchedDesk,
) -> None:
    daemon = transcribing
    t0 = datetime.now(UTC)
    lead = api_token(instance, Role.SUPERVISOR)
    caller_says = speech_pcap(
        "안녕하세요 택배가 아직 안 왔어요 확인해 주세요", sipp.work_dir / "caller.pcap", 2.0
    )
    agent_says = speech_pcap(
        "네 고객님 주문 번호를 알려 주시겠어요", sipp.work_dir / "agent.pcap", 7.0
    )
    # The agent's desk is open, and a supervisor watches it: live lines reach both while
    # the call runs.
    sign_in(browser, instance, daemon, Role.AGENT, "1001")
    browser.get(f"{daemon.url}/agents/1001/desk")
    until(lambda: desk_connected(browser), 10, what="the desk")
    agent = sipp.agent_phone(
        "1001", instance.secrets.agent_passwords["1001"], talk_until_bye=60, audio=str(agent_says)
    )
    call = sipp.call(
        instance.config.dialplan.virtual_number,
        new_caller(),
        digits=DEMO_TO_SUPPORT,
        # Long enough for a live line to come while it is up with the whole suite on the
        # same two cores (this daemon decodes the session's backlog meanwhile).
        hangup_after=24,
        audio=str(caller_says),
    )
    live = until(
        lambda: [
            li.text
            for li in browser.find_elements(By.CSS_SELECTOR, "#live li.live-line")
            if li.text.startswith("Caller: ")
        ],
        30,
        what=f"a live line of the caller on the desk ({daemon.log_path})",
    )
    assert call.process.poll() is None, "the live line came after the call"
    assert all(line.removeprefix("Caller: ").strip() for line in live)
    until(lambda: {x["speaker"] for x in watched.lines} == {"caller", "agent"}, 30, what="both")
    until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#live li.live-line.speaker-agent"),
        30,
        what="a live line of the agent",
    )
    call.assert_ok(60)
    agent.assert_ok(60)
    rec = until(
        lambda: recording_of(daemon, lead, "1001", "complete", t0), 30, what="the recording"
    )

    def transcript() -> dict[str, Any] | None:
        status, body = api_status(daemon, lead, "GET", f"/recordings/{rec['id']}/transcript")
        return body if status == 200 and body["state"] in ("done", "failed") else None

    done = until(transcript, 120, what=f"the transcript ({daemon.log_path})")
    assert done["state"] == "done", done["error"]
    assert done["language"] == "en"  # the IVR's language (no en model: the default's)
    lines = done["utterances"]
    assert {u["speaker"] for u in lines} == {"caller", "agent"}, lines
    assert [u["start"] for u in lines] == sorted(u["start"] for u in lines)
    assert all(0 <= u["start"] < u["end"] <= rec["duration"] + 0.5 for u in lines)
    assert all(u["text"].strip() for u in lines)
    first_agent = next(u for u in lines if u["speaker"] == "agent")
    first_caller = next(u for u in lines if u["speaker"] == "caller")
    assert first_caller["start"] < first_agent["start"]  # the agent waits 7 s to speak

    # On the call's interaction, where the ticket timeline shows it (attached as soon as
    # the call is on its ticket, which may come after the transcript).
    def on_its_ticket() -> dict[str, Any] | None:
        ticket = api_call(daemon, lead, "GET", f"/tickets/{rec['ticket_number']}")
        (call,) = [i for i in ticket["timeline"] if i["source_id"] == rec["call_id"]]
        return call if call["data"].get("transcript") else None

    phoned = until(on_its_ticket, 30, what="the transcript on the call's interaction")
    assert phoned["data"]["transcript"]["utterances"] == lines
    # Found by what the agent said, pointing at the second.
    # The first word as the index has it (the model may write a token such as "[4]").
    word = re.findall(r"\w+", first_agent["text"])[0]
    hits = api_call(daemon, lead, "GET", f"/search?q={quote(word)}&kind=call")["items"]
    hit = next(h for h in hits if h["interaction_id"] == phoned["id"])
    assert (hit["ticket_number"], hit["recording_id"]) == (rec["ticket_number"], rec["id"])
    assert hit["speaker"] in ("caller", "agent")

    # The chat side writes on the same ticket; what the customer typed stays text.
    chat = api_token(instance, Role.INTEGRATION)
    typed = '<img id="pwn" src="x" onerror="document.title=1">still no parcel'
    body = {
        "kind": "chat_message",
        "direction": "inbound",
        "body": typed,
        "source": "chat",
        "source_id": f"conv-{rec['call_id']}/1",
    }
    api_call(daemon, chat, "POST", f"/tickets/{rec['ticket_number']}/interactions", body)
    # The ticket page: both speakers' lines; a click on the agent's plays from there.
    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/tickets/{rec['ticket_number']}#interaction-{phoned['id']}")
    items = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, f"#interaction-{phoned['id']} .utterance"),
        10,
        what="the transcript lines",
    )
    assert len(items) == len(lines)
    bodies = [b.text for b in browser.find_elements(By.CSS_SELECTOR, ".timeline .body")]
    assert typed in bodies
    assert browser.find_elements(By.ID, "pwn") == []
    said = [i.text for i in items]
    assert any(s.startswith("Caller ") for s in said)
    assert any(s.startswith("Agent ") for s in said)
    until(
        lambda: browser.execute_script(
            f"return document.getElementById('audio-{phoned['id']}').readyState >= 1"
        ),
        10,
        what="the player's metadata",
    )
    agent_line = next(i for i in items if i.text.startswith("Agent "))
    agent_line.click()
    at = until(
        lambda: browser.execute_script(
            f"const a = document.getElementById('audio-{phoned['id']}');"
            "return a.currentTime > 0 && a.currentTime;"
        ),
        10,
        what="the player seeking",
    )
    assert at >= first_agent["start"] - 0.1
    # The search page links to that moment.
    browser.get(f"{daemon.url}/search?q={quote(word)}&kind=call")
    row = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, "#hits tr.hit"), 10, what="the hits"
    )[0]
    assert row.find_element(By.TAG_NAME, "mark").text.lower() == word.lower()
    link = row.find_element(By.TAG_NAME, "a").get_attribute("href")
    assert f"/tickets/{rec['ticket_number']}?t=" in link


def test_a_restart_mid_backlog_loses_no_job_and_repeats_none(
    instance: Instance, transcribing: DaemonProcess, tmp_path: Path
) -> None:
    daemon = transcribing
    sessions = make_sessions(make_engine(instance.config.database_url))
    recordings, jobs = SqlRecordings(sessions), SqlTranscripts(sessions)
    root = recordings_dir(instance.config)
    caller = speech("안녕하세요 택배가 안 왔어요", tmp_path / "caller.wav")
    agent = speech("네 확인해 드리겠습니다", tmp_path / "agent.wav")
    base = f"{int(time.time())}"
    ids = []
    for n in range(3):
        path = f"restart/{base}-{n}.wav"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        stereo(caller, agent, 3.5, root / path, seconds=20.0)
        ids.append(asyncio.run(recorded(recordings, f"{base}.{n}", path, 20.0)))

    def states() -> list[str]:
        return [
            job.state.value if job else "none" for job in (jobs.for_recording_sync(i) for i in ids)
        ]

    # Stopped as soon as the first is written down: the others are still to do.
    until(lambda: "done" in states(), 120, what=f"a first transcript ({daemon.log_path})")
    daemon.stop()
    stopped = states()
    assert "running" not in stopped, stopped  # handed back on the way out
    assert stopped.count("done") < len(ids), stopped
    daemon.start()
    until(lambda: states() == ["done"] * len(ids), 180, what="every transcript")
    finished = [jobs.for_recording_sync(i) for i in ids]
    assert [job.attempts for job in finished if job] == [1] * len(ids)
    log = daemon.log()
    for recording_id in ids:
        assert log.count(f"recording {recording_id} transcribed:") == 1
    assert "another worker took it" not in log
