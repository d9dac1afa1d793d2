"""The voicemail API on a real SQLite/PostgreSQL store: a message taken live (its audio in
the recordings store, a callback asked for it), listed, read, heard, marked answered."""

from __future__ import annotations

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api, leave_message


async def test_list_read_hear_and_mark_answered(api: Api) -> None:
    voicemail_id = await leave_message(api, "1764669600.9")
    listed = await api.client.get("/api/v1/voicemails?state=new", headers=api.auth(Role.AGENT))
    assert listed.status == 200
    (message,) = (await listed.json())["items"]
    assert message["id"] == voicemail_id
    assert (message["caller"], message["queue"], message["source"]) == (
        "+79171234567",
        "support",
        "live",
    )
    assert message["duration"] == 3.0
    assert message["callback_id"] is not None
    assert message["ticket_number"] is not None
    # The callback it asked for, with the promise the caller was told.
    callback = await (
        await api.client.get(
            f"/api/v1/callbacks/{message['callback_id']}", headers=api.auth(Role.SUPERVISOR)
        )
    ).json()
    assert callback["source"] == "voicemail"
    assert callback["promise"]["state"] == "open"
    # On the caller's ticket, as a voicemail interaction.
    ticket = await (
        await api.client.get(
            f"/api/v1/tickets/{message['ticket_number']}", headers=api.auth(Role.SUPERVISOR)
        )
    ).json()
    (left,) = [i for i in ticket["timeline"] if i["kind"] == "voicemail"]
    assert left["data"]["due_at"] == callback["promise"]["due_at"]
    # An agent may hear it (the audio is served, audited, by the recordings API).
    audio = await api.client.get(message["audio_url"], headers=api.auth(Role.AGENT))
    assert audio.status == 200
    assert audio.headers["Content-Type"] == "audio/wav"
    assert len(await audio.read()) == 44 + 2 * 8000 * 3
    done = await api.client.post(
        f"/api/v1/voicemails/{message['id']}/answered",
        json={"note": "called back"},
        headers=api.auth(Role.AGENT),
    )
    assert done.status == 200
    answered = await done.json()
    assert (answered["state"], answered["note"]) == ("answered", "called back")
    assert answered["answered_by"].startswith("test-agent")
    empty = await api.client.get("/api/v1/voicemails?state=new", headers=api.auth(Role.AGENT))
    assert (await empty.json())["items"] == []


async def test_refusals(api: Api) -> None:
    voicemail_id = await leave_message(api, "1764669600.8")
    for path, status in (
        ("/api/v1/voicemails", 403),
        (f"/api/v1/voicemails/{voicemail_id}", 403),
    ):
        resp = await api.client.get(path, headers=api.auth(Role.INTEGRATION))
        assert resp.status == status
    missing = await api.client.get("/api/v1/voicemails/999", headers=api.auth(Role.ADMIN))
    assert missing.status == 404
    bad = await api.client.get("/api/v1/voicemails?state=heard", headers=api.auth(Role.ADMIN))
    assert bad.status == 422
    assert (await bad.json())["error"]["field"] == "state"
    box = await api.client.get("/api/v1/voicemails?mailbox=x", headers=api.auth(Role.ADMIN))
    assert box.status == 422
