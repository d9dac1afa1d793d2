"""/api/v1/search: words found in call transcripts, voicemail transcripts, chat messages,
emails, notes and knowledge base articles alike — each hit with its ticket, interaction,
speaker and second in the recording (an article's: the article). Whoever may read tickets
may search them (the chat side included: a customer never repeats what they said on the
phone)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.search import MAX_QUERY, SearchError, SearchHit
from callcenter.domain.tickets import InteractionKind
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, obj
from callcenter.services.search import Search

SEARCH: web.AppKey[Search] = web.AppKey("search")
_KINDS = [*(k.value for k in InteractionKind), "article"]
HIT = obj(
    {
        "ticket_number": {**ID, "type": ["integer", "null"]},
        "interaction_id": {**ID, "type": ["integer", "null"]},
        "article_id": {**ID, "type": ["integer", "null"]},
        "kind": {"type": "string", "enum": _KINDS},
        "speaker": {"type": "string"},
        "text": {"type": "string"},
        "occurred_at": DATETIME,
        "start": {"type": ["number", "null"]},
        "recording_id": {"type": ["integer", "null"]},
        "audio_url": {"type": ["string", "null"]},
    },
    ("ticket_number", "interaction_id", "kind", "speaker", "text", "occurred_at"),
)
RESULTS = obj({"items": {"type": "array", "items": HIT}}, ("items",))


def hit_json(hit: SearchHit) -> dict[str, Any]:
    audio = None
    if hit.recording_id is not None:
        # The recordings API checks who may listen; #t= seeks the player to the line.
        audio = f"/api/v1/recordings/{hit.recording_id}/audio#t={hit.start or 0:.1f}"
    return {
        "ticket_number": hit.ticket_number,
        "interaction_id": hit.interaction_id,
        "kind": hit.kind,
        "speaker": hit.speaker,
        "text": hit.text,
        "occurred_at": hit.occurred_at.isoformat(),
        "start": hit.start,
        "recording_id": hit.recording_id,
        "audio_url": audio,
        "article_id": hit.article_id,
    }


@permission("tickets:read")
async def search(request: web.Request) -> web.Response:
    service = request.app.get(SEARCH)
    if service is None:
        raise ApiError(503, "unavailable", "search is not offered by this server")
    kinds = [k for k in request.query.get("kind", "").split(",") if k]
    if any(k not in _KINDS for k in kinds):
        raise ApiError(422, "invalid_field", f"kind: one of {', '.join(_KINDS)}", "kind")
    try:
        hits = await service.find(
            request.query.get("q", ""),
            p.limit(request),
            kinds,
            p.optional_int(request, "ticket"),
        )
    except SearchError as exc:
        raise ApiError(422, "invalid_field", str(exc), exc.field) from None
    return web.json_response({"items": [hit_json(h) for h in hits]})


ROUTES = [
    Route(
        "GET",
        "/search",
        search,
        "Words in call and voicemail transcripts, chat messages, emails and notes — every"
        " word must be there (`word*`: a prefix); each hit with its ticket and second",
        None,
        RESULTS,
        query=("q", "kind", "ticket", "limit"),
        required_query=("q",),
        also=(503,),
        query_schemas=(
            ("q", {"type": "string", "minLength": 1, "maxLength": MAX_QUERY}),
            (
                "kind",
                {"type": "string", "pattern": f"^({'|'.join(_KINDS)})(,({'|'.join(_KINDS)}))*$"},
            ),
        ),
    ),
]
