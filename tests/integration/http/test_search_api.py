"""Search across phone and chat over HTTP, on a real SQLite/PostgreSQL store: a
voicemail's transcript and a chat message the chat side posted are found by one query,
each hit pointing at its ticket and its second in the recording; bad queries name q."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api, leave_message


async def test_one_query_finds_a_voicemail_transcript_and_a_chat_message(api: Api) -> None:
    voicemail_id = await leave_message(api, "1764669600.7")
    message = await (
        await api.client.get(f"/api/v1/voicemails/{voicemail_id}", headers=api.auth(Role.AGENT))
    ).json()
    said = {"speaker": "caller", "start": 1.5, "end": 3.0, "text": "my router is broken"}
    await api.store.update_voicemail(
        "live:1764669600.7",
        {"transcript": {"recording_id": message["recording_id"], "utterances": [said]}},
    )
    number = message["ticket_number"]
    posted = await api.client.post(
        f"/api/v1/tickets/{number}/interactions",
        json={
            "kind": "chat_message",
            "direction": "inbound",
            "body": "Hello <b>again</b>, the ROUTER still blinks",
            "source": "chat",
            "source_id": "conv-9/msg-1",
        },
        headers=api.auth(Role.INTEGRATION),
    )
    assert posted.status == 201, await posted.text()

    resp = await api.client.get("/api/v1/search?q=router", headers=api.auth(Role.INTEGRATION))
    assert resp.status == 200, await resp.text()
    hits = (await resp.json())["items"]
    assert [(h["kind"], h["speaker"]) for h in hits] == [
        ("chat_message", "customer"),
        ("voicemail", "caller"),
    ] or [(h["kind"], h["speaker"]) for h in hits] == [
        ("voicemail", "caller"),
        ("chat_message", "customer"),
    ]
    heard = next(h for h in hits if h["kind"] == "voicemail")
    assert heard["ticket_number"] == number
    assert heard["start"] == 1.5
    assert heard["audio_url"] == f"/api/v1/recordings/{message['recording_id']}/audio#t=1.5"
    written = next(h for h in hits if h["kind"] == "chat_message")
    assert written["text"] == "Hello <b>again</b>, the ROUTER still blinks"  # as written
    assert written["recording_id"] is None

    only = await api.client.get(
        "/api/v1/search?q=rout*&kind=voicemail", headers=api.auth(Role.AGENT)
    )
    assert [h["kind"] for h in (await only.json())["items"]] == ["voicemail"]
    elsewhere = await api.client.get(
        f"/api/v1/search?q=router&ticket={number + 1}", headers=api.auth(Role.AGENT)
    )
    assert (await elsewhere.json())["items"] == []


async def test_a_query_without_words_or_with_a_bad_kind_is_refused_naming_it(api: Api) -> None:
    for query, field in (
        ("q=%21%21%21", "q"),
        ("", "q"),
        ("q=" + "w" * 201, "q"),
        ("q=" + "+".join(f"w{n}" for n in range(9)), "q"),
        ("q=router&kind=fax", "kind"),
    ):
        resp = await api.client.get(f"/api/v1/search?{query}", headers=api.auth(Role.AGENT))
        assert resp.status == 422, query
        assert (await resp.json())["error"]["field"] == field, query
    stranger = await api.client.get("/api/v1/search?q=router")
    assert stranger.status == 401


async def test_the_document_says_q_is_required(api: Api) -> None:
    doc = await (await api.client.get("/api/v1/openapi.json")).json()
    params = {p["name"]: p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert params["q"]["required"] is True
    assert params["kind"]["required"] is False
