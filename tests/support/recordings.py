"""The daemon's recordings as a test client sees them (the REST API, a role's token)."""

from __future__ import annotations

import array
import urllib.error
import urllib.request
import wave
from datetime import datetime
from pathlib import Path
from typing import Any

from callcenter.domain.calls import CallRecord
from tests.support.calls import ended_call, new_caller
from tests.support.daemon_api import api_call
from tests.support.instance import DaemonProcess, Instance
from tests.support.rtp_audio import tone_pcap
from tests.support.sipp import Sipp
from tests.support.sipp_scenarios import DEMO_TO_SUPPORT
from tests.support.until import until


def recording_of(
    daemon: DaemonProcess,
    token: str,
    agent: str,
    state: str,
    since: datetime | None = None,
    call_id: str = "",
) -> dict[str, Any] | None:
    """The agent's newest recording in ``state``: of ``call_id`` if given, else one that
    started after ``since`` (the session's Asterisk keeps every test's recordings)."""
    query = f"agent={agent}&limit=5" if agent else "limit=5"
    items = api_call(daemon, token, "GET", f"/recordings?{query}")["items"]
    for r in items:
        if r["state"] != state or (call_id and r["call_id"] != call_id):
            continue
        if since is None or datetime.fromisoformat(r["started_at"]) >= since:
            return r  # type: ignore[no-any-return]
    return None


def recording_audio(
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


def channel_levels(wav_bytes: bytes, tmp: Path) -> tuple[float, float]:
    """Mean absolute sample of the left (caller) and right (agent) channels."""
    path = tmp / "rec.wav"
    path.write_bytes(wav_bytes)
    with wave.open(str(path)) as w:
        assert w.getnchannels() == 2
        frames = w.readframes(w.getnframes())
    samples = array.array("h", frames)
    left, right = samples[0::2], samples[1::2]
    return (
        sum(abs(s) for s in left) / max(1, len(left)),
        sum(abs(s) for s in right) / max(1, len(right)),
    )


def recorded_queue_call(
    instance: Instance, daemon: DaemonProcess, sipp: Sipp, token: str
) -> tuple[CallRecord, dict[str, Any]]:
    """A caller into the support queue answered by agent 1001 and hung up 8 s in, each
    saying a tone (MixMonitor writes what arrives: silence on both sides leaves an empty
    file); the call's record and its complete recording."""
    agent = sipp.agent_phone(
        "1001",
        instance.secrets.agent_passwords["1001"],
        talk_until_bye=30,
        audio=str(tone_pcap(sipp.work_dir / "agent.pcap", 1000.0, 20)),
    )
    caller = new_caller()
    sipp.call(
        instance.config.dialplan.virtual_number,
        caller,
        digits=DEMO_TO_SUPPORT,
        hangup_after=8,
        audio=str(tone_pcap(sipp.work_dir / "caller.pcap", 440.0, 20)),
    ).assert_ok(40)
    agent.assert_ok(30)
    record = ended_call(instance, caller)
    done = until(
        lambda: recording_of(daemon, token, "1001", "complete", call_id=record.call_id),
        30,
        what="the answered call's recording",
    )
    return record, done
