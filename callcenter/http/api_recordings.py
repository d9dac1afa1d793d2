"""/api/v1/recordings (list, one, its audio with HTTP Range), the PCI pause of a live call's
recording, and legal holds on tickets.

Recordings are found by id only: no path ever comes from the client. Supervisors and
admins hear every recording, an agent only the calls they took; every fetch of audio is
audited, refusals too (admins see the audit on the recording).
"""

from __future__ import annotations

import re
from datetime import datetime

from aiohttp import web

from callcenter.domain.recordings import Recording, RecordingFilter, RecordingState, may_listen
from callcenter.domain.tickets import NotFound, Role
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_recordings_json import HOLD, HOLD_STATE, RECORDING, recording_json
from callcenter.http.api_routes import STORE, Route
from callcenter.http.api_schemas import check, page_of
from callcenter.services.ports import TelephonyError
from callcenter.services.recordings import RecordingNotFound, RecordingRefused, Recordings

RECORDINGS: web.AppKey[Recordings] = web.AppKey("recordings")
CALL_ID = re.compile(r"(?:[a-z0-9-]{1,32}-)?[0-9]{1,20}\.[0-9]{1,10}")  # see domain


def _service(request: web.Request) -> Recordings:
    service = request.app.get(RECORDINGS)
    if service is None:
        raise ApiError(503, "unavailable", "recordings are not kept by this server")
    return service


def _when(request: web.Request, name: str) -> datetime | None:
    return p.timestamp(request.query.get(name), name)


@permission("recordings:read")
async def list_recordings(request: web.Request) -> web.Response:
    who = principal(request)
    agent = request.query.get("agent", "")
    if agent and not p.is_extension(agent):
        raise ApiError(422, "invalid_field", f"agent: {agent!r} is not an extension", "agent")
    if who.role is Role.AGENT:  # an agent lists the calls they took, nobody else's
        if agent and agent != who.agent:
            raise ApiError(403, "forbidden", f"agent {who.agent} may not list {agent}'s calls")
        agent = who.agent
    state = request.query.get("state")
    if state is not None and state not in {s.value for s in RecordingState}:
        raise ApiError(422, "invalid_field", f"state: {state!r} is not a recording state", "state")
    where = RecordingFilter(
        queue=request.query.get("queue", ""),
        agent=agent,
        customer_id=p.optional_int(request, "customer"),
        ticket_number=p.optional_int(request, "ticket"),
        since=_when(request, "from"),
        until=_when(request, "to"),
        state=RecordingState(state) if state else None,
    )
    page = await _service(request).search(where, p.limit(request), p.id_cursor(request))
    return web.json_response(
        {"items": [recording_json(r) for r in page.items], "next_cursor": page.next_cursor}
    )


async def _listenable(request: web.Request) -> Recording:
    who = principal(request)
    address = request.remote or ""
    try:
        return await _service(request).for_listening(
            p.path_id(request, "recording_id"), who, address
        )
    except RecordingNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except RecordingRefused as exc:
        raise ApiError(403, "forbidden", str(exc)) from None


@permission("recordings:read")
async def get_recording(request: web.Request) -> web.Response:
    recording = await listenable_meta(request)
    listens = None
    if principal(request).role is Role.ADMIN:
        listens = await _service(request).listens(recording.id)
    return web.json_response(recording_json(recording, listens))


async def listenable_meta(request: web.Request) -> Recording:
    """The recording's row for someone who may hear it (not audited: no audio leaves)."""
    recording = await _service(request).get(p.path_id(request, "recording_id"))
    if recording is None:
        raise ApiError(404, "not_found", f"no recording {request.match_info['recording_id']}")
    who = principal(request)
    if not may_listen(who.role, who.agent, recording):
        raise ApiError(
            403, "forbidden", f"role {who.role.value} may not see recording {recording.id}"
        )
    return recording


@permission("recordings:read")
async def recording_audio(request: web.Request) -> web.StreamResponse:
    recording = await _listenable(request)
    if recording.state is not RecordingState.COMPLETE:
        raise ApiError(
            409,
            "no_audio",
            f"recording {recording.id} is {recording.state.value}: {recording.problem}",
        )
    path = _service(request).audio_file(recording)
    response = web.FileResponse(path, headers={"Cache-Control": "private, no-store"})
    response.content_type = "audio/wav"
    return response


async def _pause(request: web.Request, paused: bool) -> web.Response:
    call_id = request.match_info["call_id"]
    if CALL_ID.fullmatch(call_id) is None:
        raise ApiError(404, "not_found", f"call_id: no such call {call_id!r}")
    service, who = _service(request), principal(request)
    try:
        if paused:
            recording = await service.pause(call_id, who)
        else:
            recording = await service.resume(call_id, who)
    except RecordingNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except RecordingRefused as exc:
        status = 409 if "ended" in str(exc) else 403
        raise ApiError(status, "forbidden" if status == 403 else "ended", str(exc)) from None
    except TelephonyError as exc:
        raise ApiError(503, "telephony_unavailable", str(exc)) from None
    return web.json_response(recording_json(recording))


@permission("recordings:pause")
async def pause_recording(request: web.Request) -> web.Response:
    return await _pause(request, True)


@permission("recordings:pause")
async def resume_recording(request: web.Request) -> web.Response:
    return await _pause(request, False)


@permission("recordings:hold")
async def hold_ticket(request: web.Request) -> web.Response:
    number = p.path_id(request, "number")
    body = check(HOLD, await read_json(request))
    who = principal(request)
    await _ticket_exists(request, number)
    await _service(request).hold(number, body["reason"], who.name)
    return web.json_response({"ticket_number": number, "on_hold": True})


@permission("recordings:hold")
async def release_ticket(request: web.Request) -> web.Response:
    number = p.path_id(request, "number")
    await _ticket_exists(request, number)
    await _service(request).release(number, principal(request).name)
    return web.json_response({"ticket_number": number, "on_hold": False})


async def _ticket_exists(request: web.Request, number: int) -> None:
    try:
        await request.app[STORE].get_ticket(number)
    except NotFound:
        raise ApiError(404, "not_found", f"number: no ticket {number}") from None


ROUTES = [
    Route(
        "GET",
        "/recordings",
        list_recordings,
        "Recordings, newest first (agents: the calls they took)",
        None,
        page_of(RECORDING),
        query=("queue", "agent", "customer", "ticket", "from", "to", "state", "limit", "cursor"),
        also=(503,),
    ),
    Route(
        "GET",
        "/recordings/{recording_id}",
        get_recording,
        "One recording: its call, pauses, retention (admins: who listened)",
        None,
        RECORDING,
        also=(503,),
    ),
    Route(
        "GET",
        "/recordings/{recording_id}/audio",
        recording_audio,
        "The recording as WAV (8 kHz, caller left, agent right); HTTP Range for seeking. Audited.",
        None,
        {"type": "string", "format": "binary"},
        media="audio/wav",
        also=(206, 409, 416, 503),
    ),
    Route(
        "POST",
        "/calls/{call_id}/recording/pause",
        pause_recording,
        "PCI pause: the live call's recording writes silence until resumed",
        None,
        RECORDING,
        also=(409, 503),
    ),
    Route(
        "POST",
        "/calls/{call_id}/recording/resume",
        resume_recording,
        "Resume the live call's recording after a PCI pause",
        None,
        RECORDING,
        also=(409, 503),
    ),
    Route(
        "PUT",
        "/tickets/{number}/legal-hold",
        hold_ticket,
        "Legal hold: the ticket's recordings outlive their retention date",
        HOLD,
        HOLD_STATE,
        also=(503,),
    ),
    Route(
        "DELETE",
        "/tickets/{number}/legal-hold",
        release_ticket,
        "Release a legal hold: retention applies again",
        None,
        HOLD_STATE,
        also=(503,),
    ),
]
