"""/api/v1/voicemails: the messages callers left (newest first, by queue, mailbox, state),
one with its audio's URL (the recordings API serves it, audited), and marking one answered
(staff). A message whose callback completed is answered already."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.voicemails import Voicemail, VoicemailFilter, VoicemailState
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj, page_of, string
from callcenter.services.voicemails import VoicemailNotFound, Voicemails

VOICEMAILS: web.AppKey[Voicemails] = web.AppKey("voicemails")
_TEXT = {"type": "string"}
_OPT_ID = {"type": ["integer", "null"]}
STATE = {"type": "string", "enum": [s.value for s in VoicemailState]}
VOICEMAIL = obj(
    {
        "id": ID,
        "mailbox": _TEXT,
        "queue": _TEXT,
        "caller": _TEXT,
        "received_at": DATETIME,
        "duration": {"type": "number"},
        "source": {"type": "string", "enum": ["live", "spool"]},
        "state": STATE,
        "call_id": _TEXT,
        "recording_id": _OPT_ID,
        "audio_url": {"type": ["string", "null"]},
        "callback_id": _OPT_ID,
        "ticket_number": _OPT_ID,
        "note": _TEXT,
        "answered_at": {"type": ["string", "null"], "format": "date-time"},
        "answered_by": _TEXT,
    },
    ("id", "mailbox", "queue", "caller", "received_at", "duration", "source", "state"),
)
ANSWER = obj({"note": string(300)}, ())


def _service(request: web.Request) -> Voicemails:
    service = request.app.get(VOICEMAILS)
    if service is None:
        raise ApiError(503, "unavailable", "voicemail is not kept by this server")
    return service


def voicemail_json(v: Voicemail) -> dict[str, Any]:
    return {
        "id": v.id,
        "mailbox": v.mailbox,
        "queue": v.queue,
        "caller": v.caller,
        "received_at": v.received_at.isoformat(),
        "duration": v.duration,
        "source": v.source.value,
        "state": v.state.value,
        "call_id": v.call_id,
        "recording_id": v.recording_id,
        "audio_url": f"/api/v1/recordings/{v.recording_id}/audio" if v.recording_id else None,
        "callback_id": v.callback_id,
        "ticket_number": v.ticket_number,
        "note": v.note,
        "answered_at": v.answered_at.isoformat() if v.answered_at else None,
        "answered_by": v.answered_by,
    }


@permission("voicemails:read")
async def list_voicemails(request: web.Request) -> web.Response:
    state = request.query.get("state")
    if state is not None and state not in {s.value for s in VoicemailState}:
        raise ApiError(422, "invalid_field", f"state: {state!r} is not new or answered", "state")
    mailbox = request.query.get("mailbox", "")
    if mailbox and not (mailbox.isascii() and mailbox.isdigit() and len(mailbox) <= 10):
        raise ApiError(422, "invalid_field", f"mailbox: {mailbox!r} is not a mailbox", "mailbox")
    where = VoicemailFilter(
        queue=request.query.get("queue", ""),
        mailbox=mailbox,
        state=VoicemailState(state) if state else None,
        since=p.timestamp(request.query.get("from"), "from"),
    )
    page = await _service(request).search(where, p.limit(request), p.id_cursor(request))
    return web.json_response(
        {"items": [voicemail_json(v) for v in page.items], "next_cursor": page.next_cursor}
    )


@permission("voicemails:read")
async def get_voicemail(request: web.Request) -> web.Response:
    voicemail_id = p.path_id(request, "voicemail_id")
    try:
        found = await _service(request).get(voicemail_id)
    except VoicemailNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(voicemail_json(found))


@permission("voicemails:answer")
async def answer_voicemail(request: web.Request) -> web.Response:
    voicemail_id = p.path_id(request, "voicemail_id")
    body = check(ANSWER, await read_json(request))
    who = principal(request)
    try:
        done = await _service(request).answered(voicemail_id, who.name, body.get("note", ""))
    except VoicemailNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(voicemail_json(done))


ROUTES = [
    Route(
        "GET",
        "/voicemails",
        list_voicemails,
        "Messages callers left, newest first (live through the daemon, or imported from"
        " VoiceMail()'s spool after it was down)",
        None,
        page_of(VOICEMAIL),
        query=("queue", "mailbox", "state", "from", "limit", "cursor"),
        also=(503,),
        query_schemas=(
            ("state", STATE),
            ("mailbox", {"type": "string", "pattern": "^[0-9]{2,10}$"}),
        ),
    ),
    Route(
        "GET",
        "/voicemails/{voicemail_id}",
        get_voicemail,
        "One message: caller, queue, length, its audio (audited), callback and ticket",
        None,
        VOICEMAIL,
        also=(503,),
    ),
    Route(
        "POST",
        "/voicemails/{voicemail_id}/answered",
        answer_voicemail,
        "Mark a message answered (one whose callback completed already is)",
        ANSWER,
        VOICEMAIL,
        also=(503,),
    ),
]
