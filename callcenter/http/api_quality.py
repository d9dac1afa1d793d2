"""/api/v1 quality review: scorecards (versioned forms), a recorded call's review (its
transcript, the checks that need no person, the forms, the evaluations and the graders'
spread), evaluations submitted and superseded (never edited), an agent's acknowledgement
or dispute of their own, and the calls drawn for review."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.evaluations import Evaluation
from callcenter.domain.review_sampling import SamplingRule
from callcenter.domain.scorecards import Form, ScorecardError, sections_json
from callcenter.domain.tickets import Role
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_recordings_json import RECORDING, recording_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj, string
from callcenter.http.api_transcripts import UTTERANCE
from callcenter.services.quality import EvaluationNotFound, Quality, checks_json

QUALITY: web.AppKey[Quality] = web.AppKey("quality")
_ANY = {"type": "object", "additionalProperties": True}
_LIST = {"type": "array", "items": _ANY}
CRITERION = obj(
    {"id": {"type": "string"}, "text": {"type": "string"},
     "kind": {"type": "string", "enum": ["yes_no", "scale"]}, "weight": {"type": "number"},
     "scale": {"type": "integer"}, "allows_na": {"type": "boolean"}, "auto": {"type": "string"}},
    ("id", "text", "kind", "weight", "scale", "allows_na", "auto"),
)  # fmt: skip
SECTION = obj({"title": {"type": "string"}, "criteria": {"type": "array", "items": CRITERION}},
              ("title", "criteria"))  # fmt: skip
FORM = obj({"id": ID, "name": {"type": "string"}, "version": {"type": "integer"},
            "sections": {"type": "array", "items": SECTION}},
           ("id", "name", "version", "sections"))  # fmt: skip
FORMS = obj({"items": {"type": "array", "items": FORM}}, ("items",))
FORM_WRITE = obj({"name": string(80, 1), "sections": {"type": "array", "minItems": 1,
                  "maxItems": 20, "items": _ANY}}, ("name", "sections"))  # fmt: skip
EVALUATION = obj(
    {"id": ID, "recording_id": ID, "agent": {"type": "string"}, "scorecard_id": ID,
     "grader": {"type": "string"}, "answers": _ANY, "comments": _LIST,
     "score": {"type": ["number", "null"]}, "submitted_at": DATETIME,
     "supersedes": {"type": ["integer", "null"]}, "superseded_by": {"type": ["integer", "null"]},
     "reason": {"type": "string"}, "response": {"type": "string"},
     "dispute": {"type": "string"}},
    ("id", "recording_id", "agent", "scorecard_id", "answers", "comments", "score"),
)  # fmt: skip
EVALUATIONS = obj({"items": {"type": "array", "items": EVALUATION}}, ("items",))
_COMMENTS = {"type": "array", "maxItems": 200, "items": obj(
    {"at": {"type": "number", "minimum": 0}, "text": string(2000, 1)}, ("at", "text"))}  # fmt: skip
SUBMIT = obj({"recording_id": ID, "scorecard_id": ID, "answers": _ANY, "comments": _COMMENTS},
             ("recording_id", "scorecard_id", "answers"))  # fmt: skip
SUPERSEDE = obj({"answers": _ANY, "comments": _COMMENTS, "reason": string(2000, 1),
                 "scorecard_id": ID}, ("answers", "reason"))  # fmt: skip
CHECK = obj({"passed": {"type": "boolean"}, "found": {"type": "string"}}, ("passed", "found"))
DISPUTE = obj({"reason": string(2000, 1)}, ("reason",))
REVIEW = obj(
    {"recording": RECORDING, "transcript": {"type": "array", "items": UTTERANCE},
     "checks": {"type": "object", "additionalProperties": CHECK},
     "forms": {"type": "array", "items": FORM},
     "evaluations": {"type": "array", "items": EVALUATION},
     "spread": {"type": "object", "additionalProperties": {"type": ["number", "null"]}}},
    ("recording", "transcript", "checks", "forms", "evaluations", "spread"),
)  # fmt: skip
SAMPLE = obj({"items": {"type": "array", "items": obj(
    {"recording_id": ID, "agent": {"type": "string"}, "reason": {"type": "string"}},
    ("recording_id", "agent", "reason"))}}, ("items",))  # fmt: skip


def form_json(f: Form) -> dict[str, Any]:
    return {"id": f.id, "name": f.name, "version": f.version, "sections": sections_json(f.sections)}


def evaluation_json(e: Evaluation) -> dict[str, Any]:
    return {
        "id": e.id, "recording_id": e.recording_id, "agent": e.agent,
        "scorecard_id": e.scorecard_id, "grader": e.grader, "answers": e.answers,
        "comments": e.comments, "score": e.score, "submitted_at": e.submitted_at.isoformat(),
        "supersedes": e.supersedes, "superseded_by": e.superseded_by, "reason": e.reason,
        "response": e.response, "dispute": e.dispute,
    }  # fmt: skip


def issues_json(exc: ScorecardError) -> list[dict[str, str]]:
    """Every problem of a form or an evaluation, each with its path."""
    return [dict(zip(("path", "message"), i.split(": ", 1), strict=False)) for i in exc.issues]


def _invalid(exc: ScorecardError) -> ApiError:
    return ApiError(422, "invalid_field", str(exc), exc.field, extra={"issues": issues_json(exc)})


@permission("quality:read")
async def list_scorecards(request: web.Request) -> web.Response:
    every = request.query.get("versions") == "all"
    forms = await request.app[QUALITY].forms(every_version=every)
    return web.json_response({"items": [form_json(f) for f in forms]})


@permission("quality:review")
async def define_scorecard(request: web.Request) -> web.Response:
    body = check(FORM_WRITE, await read_json(request))
    try:
        form = await request.app[QUALITY].define_form(
            body["name"], body["sections"], principal(request).name
        )
    except ScorecardError as exc:
        raise _invalid(exc) from None
    return web.json_response(form_json(form), status=201)


@permission("quality:review")
async def recording_review(request: web.Request) -> web.Response:
    try:
        r = await request.app[QUALITY].review(p.path_id(request, "recording_id"))
    except EvaluationNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response({
        "recording": recording_json(r.recording), "transcript": r.utterances,
        "checks": checks_json(r.checks), "forms": [form_json(f) for f in r.forms],
        "evaluations": [evaluation_json(e) for e in r.evaluations], "spread": r.spread,
    })  # fmt: skip


@permission("quality:review")
async def submit_evaluation(request: web.Request) -> web.Response:
    body = check(SUBMIT, await read_json(request))
    try:
        e = await request.app[QUALITY].submit(
            body["recording_id"], body["scorecard_id"], body["answers"], body.get("comments", []),
            principal(request).name,
        )  # fmt: skip
    except EvaluationNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except ScorecardError as exc:
        raise _invalid(exc) from None
    return web.json_response(evaluation_json(e), status=201)


@permission("quality:review")
async def supersede_evaluation(request: web.Request) -> web.Response:
    body = check(SUPERSEDE, await read_json(request))
    try:
        e = await request.app[QUALITY].supersede(
            p.path_id(request, "evaluation_id"), body["answers"], body.get("comments", []),
            body["reason"], principal(request).name, body.get("scorecard_id"),
        )  # fmt: skip
    except EvaluationNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except ScorecardError as exc:
        status = 409 if exc.field == "evaluation_id" else 422
        raise ApiError(status, "conflict" if status == 409 else "invalid_field", str(exc),
                       exc.field, extra={"issues": issues_json(exc)}) from None  # fmt: skip
    return web.json_response(evaluation_json(e), status=201)


@permission("quality:read")
async def list_evaluations(request: web.Request) -> web.Response:
    who = principal(request)
    agent = who.agent if who.role is Role.AGENT else request.query.get("agent", "")
    days = p.optional_int(request, "days") or 30
    found = await request.app[QUALITY].evaluations(agent, days)
    return web.json_response({"items": [evaluation_json(e) for e in found]})


async def _respond(request: web.Request, dispute: str | None) -> web.Response:
    who = principal(request)
    try:
        e = await request.app[QUALITY].respond(
            p.path_id(request, "evaluation_id"), who.agent, dispute
        )
    except EvaluationNotFound as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except ScorecardError as exc:
        raise _invalid(exc) from None
    return web.json_response(evaluation_json(e))


@permission("quality:respond")
async def acknowledge_evaluation(request: web.Request) -> web.Response:
    return await _respond(request, None)


@permission("quality:respond")
async def dispute_evaluation(request: web.Request) -> web.Response:
    body = check(DISPUTE, await read_json(request))
    return await _respond(request, body["reason"])


@permission("quality:review")
async def review_sample(request: web.Request) -> web.Response:
    rule = SamplingRule(per_agent=p.optional_int(request, "per_agent") or 2)
    picks = await request.app[QUALITY].sample(rule, p.optional_int(request, "days") or 7)
    return web.json_response(
        {
            "items": [
                {"recording_id": x.recording_id, "agent": x.agent, "reason": x.reason}
                for x in picks
            ]
        }
    )


_DAYS = ("days", {"type": "integer", "minimum": 1, "maximum": 366})
ROUTES = [
    Route("GET", "/scorecards", list_scorecards,
          "Quality scorecards (the latest version of each; versions=all: every version)",
          None, FORMS, query=("versions",),
          query_schemas=(("versions", {"type": "string", "enum": ["all"]}),)),
    Route("POST", "/scorecards", define_scorecard,
          "A scorecard, or the next version of one: sections of weighted criteria (yes_no, "
          "scale; n/a where allowed; auto: a check from the transcript pre-fills it)",
          FORM_WRITE, FORM, status=201),
    Route("GET", "/recordings/{recording_id}/review", recording_review,
          "What a reviewer needs for a recorded call: its transcript, the checks that need no "
          "person, the scorecards, its evaluations and the graders' spread per criterion",
          None, REVIEW),
    Route("POST", "/evaluations", submit_evaluation,
          "Submit an evaluation of a recorded call (never edited afterwards)", SUBMIT,
          EVALUATION, status=201),
    Route("POST", "/evaluations/{evaluation_id}/supersede", supersede_evaluation,
          "Supersede an evaluation with a new one, saying why (the old one is kept)",
          SUPERSEDE, EVALUATION, status=201, also=(409,)),
    Route("GET", "/evaluations", list_evaluations,
          "Evaluations, newest first (an agent's token: their own only)", None, EVALUATIONS,
          query=("agent", "days"), query_schemas=(_DAYS,)),
    Route("POST", "/evaluations/{evaluation_id}/acknowledge", acknowledge_evaluation,
          "The evaluated agent acknowledges it", None, EVALUATION),
    Route("POST", "/evaluations/{evaluation_id}/dispute", dispute_evaluation,
          "The evaluated agent disputes it, saying why", DISPUTE, EVALUATION),
    Route("GET", "/evaluations/sample", review_sample,
          "The calls to review, drawn so reviewers do not choose: per agent at random (stable "
          "for the week), plus low CSAT and long calls", None, SAMPLE,
          query=("days", "per_agent"),
          query_schemas=(_DAYS, ("per_agent", {"type": "integer", "minimum": 1, "maximum": 20}))),
]  # fmt: skip
