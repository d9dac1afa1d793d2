"""/api/v1/surveys: callers' answers after the call (supervisors see each; an agent sees
a caller's score only once a supervisor has), CSAT per queue, agent, team, flow, number
or hour, CSAT against the wait, transfers and repeat calls, and survey links for calls the
dialplan did not survey (the chat side sends them); /api/v1/survey-links/{token}: the
link's public side (one answer, until it expires)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol

from aiohttp import web

from callcenter.domain import survey_reports as reports
from callcenter.domain.surveys import CALL_ID, SCALE, Csat, SurveyError
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj, string
from callcenter.services.surveys import Surveys, survey_json


class FactsReader(Protocol):
    """The store's side: each survey with what the centre did on its call."""

    async def facts(self, since: datetime, until: datetime) -> Sequence[reports.Facts]: ...


@dataclasses.dataclass(frozen=True)
class SurveysApi:
    surveys: Surveys
    facts: FactsReader
    zone: tzinfo  # the centre's: hours of the day


SURVEYS: web.AppKey[SurveysApi] = web.AppKey("surveys")
MAX_DAYS = 366
_SCORE = {"type": "integer", "minimum": SCALE[0], "maximum": SCALE[1]}
_NUM = {"type": ["number", "null"]}
_INT = {"type": "integer", "minimum": 0}
SURVEY = obj(
    {
        "id": ID, "call_id": {"type": "string"},
        "channel": {"type": "string", "enum": ["phone", "link"]},
        "outcome": {"type": "string", "enum": ["answered", "no_answer", "pending"]},
        "queue": {"type": "string"}, "agent": {"type": "string"},
        "scores": {"type": "array", "items": _SCORE}, "comment": {"type": "boolean"},
        "comment_text": {"type": "string"}, "created_at": {**DATETIME, "type": ["string", "null"]},
        "answered_at": {**DATETIME, "type": ["string", "null"]}, "reviewed": {"type": "boolean"},
        "reviewed_by": {"type": "string"}, "ticket_number": {"type": ["integer", "null"]},
    },
    ("id", "call_id", "channel", "outcome", "scores", "reviewed"),
)  # fmt: skip
SURVEYS_LIST = obj({"items": {"type": "array", "items": SURVEY}}, ("items",))
CSAT = obj(
    {"key": {"type": "string"}, "answered": _INT, "no_answer": _INT, "csat": _NUM,
     "mean": _NUM, "response_rate": _NUM},
    ("key", "answered", "no_answer", "csat", "mean", "response_rate"),
)  # fmt: skip
CSAT_REPORT = obj(
    {"by": {"type": "string", "enum": list(reports.DIMENSIONS)}, "since": DATETIME,
     "items": {"type": "array", "items": CSAT}},
    ("by", "since", "items"),
)  # fmt: skip
DRIVERS = obj(
    {"since": DATETIME,
     "drivers": obj({d: {"type": "array", "items": CSAT} for d in reports.DRIVERS},
                    reports.DRIVERS)},
    ("since", "drivers"),
)  # fmt: skip
LINK_ASK = obj(
    {"call_id": {"type": "string", "pattern": CALL_ID.pattern}, "queue": string(64),
     "agent": {"type": "string", "pattern": "^[0-9]{0,15}$"}, "ticket_number": ID},
    ("call_id",),
)  # fmt: skip
LINK = obj(
    {"id": ID, "token": {"type": "string"}, "url": {"type": "string"}, "expires_in": _INT},
    ("id", "token", "url", "expires_in"),
)  # fmt: skip
ANSWER = obj({"scores": {"type": "array", "items": _SCORE, "minItems": 1, "maxItems": 2}},
             ("scores",))  # fmt: skip
PENDING = obj({"id": ID, "questions": {"type": "integer", "minimum": 1, "maximum": 2}},
              ("id", "questions"))  # fmt: skip
_DAYS = ("days", {"type": "integer", "minimum": 1, "maximum": MAX_DAYS})
_BY = ("by", {"type": "string", "enum": list(reports.DIMENSIONS)})


def csat_json(key: str, c: Csat) -> dict[str, Any]:
    return {"key": key, "answered": c.answered, "no_answer": c.no_answer, "csat": c.csat,
            "mean": c.mean, "response_rate": c.response_rate}  # fmt: skip


def _since(request: web.Request) -> datetime:
    return datetime.now(UTC) - timedelta(days=p.optional_int(request, "days") or 30)


@permission("surveys:read")
async def list_surveys(request: web.Request) -> web.Response:
    api, q = request.app[SURVEYS], request.query
    items = await api.surveys.between(
        _since(request), datetime.now(UTC), q.get("queue", ""), q.get("agent", ""), p.limit(request)
    )
    return web.json_response({"items": [survey_json(s) for s in items]})


@permission("surveys:read")
async def review_survey(request: web.Request) -> web.Response:
    survey = await request.app[SURVEYS].surveys.review(
        p.path_id(request, "survey_id"), principal(request).name
    )
    if survey is None:
        raise ApiError(404, "not_found", f"no survey {request.match_info['survey_id']}")
    return web.json_response(survey_json(survey))


@permission("surveys:read")
async def survey_csat(request: web.Request) -> web.Response:
    api, since, by = request.app[SURVEYS], _since(request), request.query.get("by", "queue")
    facts = await api.facts.facts(since, datetime.now(UTC))
    per = reports.csat_per(facts, by, api.zone)
    items = [csat_json(key, c) for key, c in per.items()]
    return web.json_response({"by": by, "since": since.isoformat(), "items": items})


@permission("surveys:read")
async def survey_drivers(request: web.Request) -> web.Response:
    api, since = request.app[SURVEYS], _since(request)
    facts = await api.facts.facts(since, datetime.now(UTC))
    drivers = {d: [csat_json(band, c) for band, c in reports.against(facts, d)]
               for d in reports.DRIVERS}  # fmt: skip
    return web.json_response({"since": since.isoformat(), "drivers": drivers})


@permission("surveys:link")
async def create_survey_link(request: web.Request) -> web.Response:
    api = request.app[SURVEYS]
    body = check(LINK_ASK, await read_json(request))
    try:
        survey, token = await api.surveys.link(
            body["call_id"], body.get("queue", ""), body.get("agent", ""),
            body.get("ticket_number"),
        )  # fmt: skip
    except SurveyError as exc:
        raise ApiError(409, "conflict", str(exc), exc.field) from None
    hours = api.surveys.link_hours
    return web.json_response(
        {"id": survey.id, "token": token, "url": f"{request.scheme}://{request.host}/survey/{token}",
         "expires_in": int(hours * 3600)},
        status=201,
    )  # fmt: skip


TOKEN = re.compile(r"^[0-9]{1,12}[.][0-9]{1,12}[.][A-Za-z0-9_-]{1,40}$")


def _token(request: web.Request) -> str:
    token = request.match_info["token"]
    if TOKEN.fullmatch(token) is None:
        raise ApiError(422, "invalid_field", "token: not the shape of a survey link's", "token")
    return token


def _refused(exc: SurveyError) -> ApiError:
    status = 410 if exc.field == "token" else 422
    return ApiError(status, "gone" if status == 410 else "invalid_field", str(exc), exc.field)


async def survey_link(request: web.Request) -> web.Response:
    surveys = request.app[SURVEYS].surveys
    try:
        survey = await surveys.pending(_token(request))
    except SurveyError as exc:
        raise _refused(exc) from None
    return web.json_response({"id": survey.id, "questions": surveys.questions})


async def answer_survey_link(request: web.Request) -> web.Response:
    token, body = _token(request), check(ANSWER, await read_json(request))
    try:
        survey = await request.app[SURVEYS].surveys.answer(token, body["scores"])
    except SurveyError as exc:
        raise _refused(exc) from None
    return web.json_response({"id": survey.id, "questions": len(survey.scores)})


_PUBLIC = "Public: the link's token is the credential (single use; 410 once used or expired)."
ROUTES = [
    Route("GET", "/surveys", list_surveys,
          "Callers' answers, newest first (days: how far back, default 30)", None,
          SURVEYS_LIST, query=("days", "queue", "agent", "limit"), query_schemas=(_DAYS,)),
    Route("POST", "/surveys/{survey_id}/review", review_survey,
          "A supervisor saw this answer: from now on its agent may too", None, SURVEY),
    Route("GET", "/surveys/csat", survey_csat,
          "CSAT (share of 4-5), mean and response rate per queue, agent, team, flow, number "
          "or hour of the day", None, CSAT_REPORT, query=("by", "days"),
          query_schemas=(_BY, _DAYS)),
    Route("GET", "/surveys/drivers", survey_drivers,
          "CSAT against the wait (bands of seconds), transfers and repeat calls", None,
          DRIVERS, query=("days",), query_schemas=(_DAYS,)),
    Route("POST", "/surveys/links", create_survey_link,
          "A survey link for a call the dialplan did not survey (a web callback, a chat-side "
          "call): signed, good once, until it expires", LINK_ASK, LINK, status=201,
          also=(409,)),
    Route("GET", "/survey-links/{token}", survey_link,
          f"What a survey link asks (how many questions). {_PUBLIC}", None, PENDING,
          also=(410,)),
    Route("POST", "/survey-links/{token}", answer_survey_link,
          f"Answer a survey link: one or two scores 1-5. {_PUBLIC}", ANSWER, PENDING,
          also=(410,)),
]  # fmt: skip
