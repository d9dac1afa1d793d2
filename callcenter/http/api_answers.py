"""/api/v1/answers: canned answers — the same list for the desk, the ticket page and the
chat product (``GET /answers?q=&language=&team=``), filled from a ticket on
``POST /answers/{answer_id}/fill`` (which counts the use); supervisors and admins write
them. A body with an unknown placeholder is refused naming it."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.answers import (
    LANGUAGE,
    MAX_BODY,
    MAX_TITLE,
    PLACEHOLDERS,
    SHORTCUT,
    TEAM,
    AnswerError,
    CannedAnswer,
    Filled,
)
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj
from callcenter.services.answers import Answers

ANSWERS: web.AppKey[Answers] = web.AppKey("answers")
_TEXT = {"type": "string"}
ANSWER = obj(
    {
        "id": ID,
        "shortcut": _TEXT,
        "title": _TEXT,
        "body": _TEXT,
        "language": _TEXT,
        "team": _TEXT,
        "uses": {"type": "integer", "minimum": 0},
        "updated_at": {**DATETIME, "type": ["string", "null"]},
        "updated_by": _TEXT,
    },
    ("id", "shortcut", "title", "body", "language", "team", "uses", "updated_at", "updated_by"),
)
ANSWER_WRITE = obj(
    {
        "shortcut": {"type": "string", "pattern": f"^{SHORTCUT.pattern}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
        "body": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_BODY,
            "description": "placeholders: " + ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
        },
        "language": {"type": "string", "pattern": f"^{LANGUAGE.pattern}$", "default": "en"},
        "team": {"type": "string", "pattern": f"^{TEAM.pattern}$", "default": ""},
    },
    ("shortcut", "title", "body"),
)
FILL = obj({"ticket_number": {**ID, "description": "fill from this ticket"}}, ())
FILLED = obj(
    {"answer": ANSWER, "text": _TEXT, "missing": {"type": "array", "items": _TEXT}},
    ("answer", "text", "missing"),
)
LIST = obj({"items": {"type": "array", "items": ANSWER}}, ("items",))


def answer_json(a: CannedAnswer) -> dict[str, Any]:
    return {
        "id": a.id,
        "shortcut": a.shortcut,
        "title": a.title,
        "body": a.body,
        "language": a.language,
        "team": a.team,
        "uses": a.uses,
        "updated_at": a.updated_at.isoformat() if a.updated_at else None,
        "updated_by": a.updated_by,
    }


def _service(request: web.Request) -> Answers:
    return request.app[ANSWERS]


@permission("answers:read")
async def list_answers(request: web.Request) -> web.Response:
    q, service, who = request.query, _service(request), principal(request)
    team = q.get("team")
    if team is None and who.agent:  # an agent's desk: their team's own, then everyone's
        team = await service.team_of(who.agent)
    found = await service.find(q.get("q", ""), q.get("language", ""), team or "", p.limit(request))
    return web.json_response({"items": [answer_json(a) for a in found]})


async def _define(request: web.Request, answer_id: int) -> web.Response:
    body = check(ANSWER_WRITE, await read_json(request))
    new = CannedAnswer(
        answer_id,
        body["shortcut"],
        body["title"],
        body["body"],
        body.get("language", "en"),
        body.get("team", ""),
    )
    try:
        saved = await _service(request).define(new, principal(request).name)
    except AnswerError as exc:
        field = str(exc).split(":", 1)[0]
        status = 409 if "is taken" in str(exc) else 422
        raise ApiError(
            status, "conflict" if status == 409 else "invalid_field", str(exc), field
        ) from None
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(answer_json(saved), status=200 if answer_id else 201)


@permission("answers:write")
async def create_answer(request: web.Request) -> web.Response:
    return await _define(request, 0)


@permission("answers:write")
async def replace_answer(request: web.Request) -> web.Response:
    return await _define(request, p.path_id(request, "answer_id"))


@permission("answers:write")
async def delete_answer(request: web.Request) -> web.Response:
    answer_id = p.path_id(request, "answer_id")
    if not await _service(request).remove(answer_id):
        raise ApiError(404, "not_found", f"no canned answer {answer_id}")
    return web.json_response({"id": answer_id, "removed": True})


@permission("answers:read")
async def fill_answer(request: web.Request) -> web.Response:
    body = check(FILL, await read_json(request))
    try:
        filled = await _service(request).fill(
            p.path_id(request, "answer_id"), body.get("ticket_number"), principal(request).name
        )
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(filled_json(filled))


def filled_json(f: Filled) -> dict[str, Any]:
    return {"answer": answer_json(f.answer), "text": f.text, "missing": list(f.missing)}


_QUERY = (
    ("language", {"type": "string", "pattern": f"^{LANGUAGE.pattern}$"}),
    ("team", {"type": "string", "pattern": f"^{TEAM.pattern}$"}),
)
ROUTES = [
    Route("GET", "/answers", list_answers,
          "Canned answers matching q (words, or /shortcut) for a team (an agent's token: "
          "their own team unless given) and language — the team's own first, then the most "
          "used", None, LIST,
          query=("q", "language", "team", "limit"), query_schemas=_QUERY),
    Route("POST", "/answers", create_answer, "Write a canned answer", ANSWER_WRITE, ANSWER,
          status=201, also=(409,)),
    Route("PUT", "/answers/{answer_id}", replace_answer, "Change a canned answer (its uses kept)",
          ANSWER_WRITE, ANSWER, also=(409,)),
    Route("DELETE", "/answers/{answer_id}", delete_answer, "Remove a canned answer", None,
          obj({"id": ID, "removed": {"type": "boolean"}}, ("id", "removed"))),
    Route("POST", "/answers/{answer_id}/fill", fill_answer,
          "The answer filled from a ticket and the caller's name (a use counted); "
          "placeholders without a value are left out and named in missing", FILL, FILLED),
]  # fmt: skip
