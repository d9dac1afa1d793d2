"""/api/v1/recordings/{id}/transcript: what was said on a recording, per speaker, redacted
— for whoever may hear the recording (the same rule as its audio)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.transcripts import JobState, TranscriptJob, as_json
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_recordings import listenable_meta
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import ID, obj
from callcenter.services.transcripts import Transcripts

TRANSCRIPTS: web.AppKey[Transcripts] = web.AppKey("transcripts")
_NUM = {"type": "number"}
WORD = obj(
    {"word": {"type": "string"}, "start": _NUM, "end": _NUM, "conf": _NUM},
    ("word", "start", "end", "conf"),
)
UTTERANCE = obj(
    {
        "speaker": {"type": "string", "enum": ["caller", "agent"]},
        "start": _NUM,
        "end": _NUM,
        "text": {"type": "string"},
        "confidence": _NUM,
        "words": {"type": "array", "items": WORD},
    },
    ("speaker", "start", "end", "text", "confidence", "words"),
)
TRANSCRIPT = obj(
    {
        "recording_id": ID,
        "state": {"type": "string", "enum": [s.value for s in JobState]},
        "language": {"type": "string"},
        "attempts": {"type": "integer"},
        "error": {"type": "string"},
        "audio_seconds": _NUM,
        "utterances": {"type": "array", "items": UTTERANCE},
        "text": {"type": "string"},
    },
    ("recording_id", "state", "utterances", "text"),
)


def transcript_json(job: TranscriptJob) -> dict[str, Any]:
    return {
        "recording_id": job.recording_id,
        "state": job.state.value,
        "language": job.language,
        "attempts": job.attempts,
        "error": job.error,
        "audio_seconds": job.audio_seconds,
        "utterances": [as_json(u) for u in job.utterances],
        "text": job.text,
    }


@permission("recordings:read")
async def get_transcript(request: web.Request) -> web.Response:
    recording = await listenable_meta(request)
    service = request.app.get(TRANSCRIPTS)
    if service is None:
        raise ApiError(503, "unavailable", "transcripts are not kept by this server")
    job = await service.for_recording(recording.id)
    if job is None:
        raise ApiError(404, "not_found", f"recording {recording.id} has no transcript (yet)")
    return web.json_response(transcript_json(job))


_COUNT = obj({"jobs": {"type": "integer"}, "seconds": _NUM}, ("jobs", "seconds"))
BACKLOG = obj(
    {
        "enabled": {"type": "boolean"},
        **{state.value: _COUNT for state in JobState},
    },
    ("enabled", *(state.value for state in JobState)),
)


@permission("queues:read")
async def get_backlog(request: web.Request) -> web.Response:
    service = request.app.get(TRANSCRIPTS)
    if service is None:
        raise ApiError(503, "unavailable", "transcripts are not kept by this server")
    backlog = await service.backlog()
    counts = {
        state.value: {"jobs": n, "seconds": round(seconds, 1)}
        for state in JobState
        for n, seconds in [backlog.get(state.value, (0, 0.0))]
    }
    return web.json_response({"enabled": service.decoding, **counts})


ROUTES = [
    Route(
        "GET",
        "/transcripts/backlog",
        get_backlog,
        "Recordings to write down: jobs and seconds of audio per state (the board draws it)",
        None,
        BACKLOG,
        also=(503,),
    ),
    Route(
        "GET",
        "/recordings/{recording_id}/transcript",
        get_transcript,
        "What was said, per speaker (caller, agent), redacted; pending until it is decoded",
        None,
        TRANSCRIPT,
        also=(503,),
    ),
]
