"""The recordings API on a real database, with recordings adopted from files laid out as
Asterisk leaves them (tests.integration.http.conftest)."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from callcenter.http.api import PREFIX
from tests.integration.http.conftest import LIVE_CALL, Api


async def test_agents_list_only_the_calls_they_took(api: Api) -> None:
    resp = await api.client.get(f"{PREFIX}/recordings", headers=api.auth(Role.AGENT))
    items = (await resp.json())["items"]
    assert {r["agent"] for r in items} == {"1001"}  # the agent token is 1001's
    other = await api.client.get(f"{PREFIX}/recordings?agent=1002", headers=api.auth(Role.AGENT))
    assert other.status == 403


async def test_filters_and_unknown_ids(api: Api) -> None:
    lead = api.auth(Role.SUPERVISOR)
    complete = await api.client.get(f"{PREFIX}/recordings?state=complete", headers=lead)
    assert [r["id"] for r in (await complete.json())["items"]] == [api.recording_id]
    bad = await api.client.get(f"{PREFIX}/recordings?state=lost", headers=lead)
    assert bad.status == 422
    assert (await bad.json())["error"]["field"] == "state"
    assert (await api.client.get(f"{PREFIX}/recordings/999999", headers=lead)).status == 404
    audio = await api.client.get(f"{PREFIX}/recordings/999999/audio", headers=lead)
    assert audio.status == 404


async def test_audio_streams_with_range_and_a_live_call_has_none_yet(api: Api) -> None:
    lead = api.auth(Role.SUPERVISOR)
    whole = await api.client.get(f"{PREFIX}/recordings/{api.recording_id}/audio", headers=lead)
    assert whole.status == 200
    assert whole.headers["Content-Type"] == "audio/wav"
    body = await whole.read()
    assert body[:4] == b"RIFF"
    part = await api.client.get(
        f"{PREFIX}/recordings/{api.recording_id}/audio", headers={**lead, "Range": "bytes=44-"}
    )
    assert part.status == 206
    assert await part.read() == body[44:]
    items = (await (await api.client.get(f"{PREFIX}/recordings", headers=lead)).json())["items"]
    live = next(r for r in items if r["call_id"] == LIVE_CALL)
    assert (await api.client.get(live["audio_url"], headers=lead)).status == 409


async def test_pause_twice_is_one_interval_and_a_finished_call_cannot_pause(api: Api) -> None:
    agent = api.auth(Role.AGENT)
    first = await api.client.post(f"{PREFIX}/calls/{LIVE_CALL}/recording/pause", headers=agent)
    again = await api.client.post(f"{PREFIX}/calls/{LIVE_CALL}/recording/pause", headers=agent)
    assert first.status == again.status == 200
    assert len((await again.json())["pauses"]) == 1
    done = (
        await (
            await api.client.get(f"{PREFIX}/recordings/{api.recording_id}", headers=agent)
        ).json()
    )["call_id"]
    ended = await api.client.post(f"{PREFIX}/calls/{done}/recording/pause", headers=agent)
    assert ended.status == 409
    unknown = await api.client.post(f"{PREFIX}/calls/1.2/recording/pause", headers=agent)
    assert unknown.status == 404


async def test_legal_hold_needs_a_ticket_and_a_reason(api: Api) -> None:
    lead = api.auth(Role.SUPERVISOR)
    missing = await api.client.put(
        f"{PREFIX}/tickets/999999/legal-hold", json={"reason": "dispute"}, headers=lead
    )
    assert missing.status == 404
    ticket = await (
        await api.client.post(f"{PREFIX}/tickets", json={"subject": "t"}, headers=lead)
    ).json()
    path = f"{PREFIX}/tickets/{ticket['number']}/legal-hold"
    assert (await api.client.put(path, json={}, headers=lead)).status == 422
    held = await api.client.put(path, json={"reason": "dispute"}, headers=lead)
    assert (await held.json())["on_hold"] is True
    released = await api.client.delete(path, headers=lead)
    assert (await released.json())["on_hold"] is False
    agent = await api.client.put(path, json={"reason": "x"}, headers=api.auth(Role.AGENT))
    assert agent.status == 403


async def test_a_recordings_transcript_is_for_whoever_may_hear_it(api: Api) -> None:
    path = f"/api/v1/recordings/{api.recording_id}/transcript"
    waiting = await api.client.get(path, headers=api.auth(Role.AGENT))  # agent 1001's call
    assert waiting.status == 200
    body = await waiting.json()
    assert (body["state"], body["utterances"], body["text"]) == ("pending", [], "")
    other = await api.client.get(path, headers=api.auth(Role.INTEGRATION))
    assert other.status == 403


async def test_the_transcription_backlog_is_for_leads(api: Api) -> None:
    resp = await api.client.get("/api/v1/transcripts/backlog", headers=api.auth(Role.SUPERVISOR))
    assert resp.status == 200
    backlog = await resp.json()
    assert backlog["enabled"] is False  # no decoding workers in this app
    assert backlog["pending"] == {"jobs": 1, "seconds": 10.0}  # the recorded call
    assert backlog["done"] == {"jobs": 0, "seconds": 0.0}
    agent = await api.client.get("/api/v1/transcripts/backlog", headers=api.auth(Role.AGENT))
    assert agent.status == 403
