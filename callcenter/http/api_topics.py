"""/api/v1/topics: tags counted over time (per hour or day, for a queue or channel), the
tags spiking now against their own history, and the tickets behind a tag — for
supervisors (the board's banner links a spike to them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp import web

from callcenter.domain.topic_tags import TAG as TAG_NAME
from callcenter.domain.topic_tags import TopicTag, TopicTagError
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj
from callcenter.services.topics import Topics

TOPICS: web.AppKey[Topics] = web.AppKey("topics")
MAX_DAYS = 92
_INT = {"type": "integer", "minimum": 0}
TREND = obj(
    {
        "since": DATETIME,
        "interval": {"type": "string", "enum": ["hour", "day"]},
        "tags": {"type": "object", "additionalProperties": {"type": "array", "items": _INT}},
    },
    ("since", "interval", "tags"),
)
SPIKES = obj(
    {
        "items": {
            "type": "array",
            "items": obj(
                {
                    "tag": {"type": "string"},
                    "count": _INT,
                    "expected": {"type": "number"},
                    "threshold": _INT,
                    "at": DATETIME,
                },
                ("tag", "count", "expected", "threshold", "at"),
            ),
        }
    },
    ("items",),
)
TICKETS = obj(
    {
        "items": {
            "type": "array",
            "items": obj(
                {"number": ID, "subject": {"type": "string"}, "at": DATETIME},
                ("number", "subject", "at"),
            ),
        }
    },
    ("items",),
)


@permission("reports:read")
async def topic_trend(request: web.Request) -> web.Response:
    now = datetime.now(UTC)
    until = p.timestamp(request.query.get("until"), "until") or now
    since = p.timestamp(request.query.get("since"), "since") or until - timedelta(days=14)
    if not since < until or until - since > timedelta(days=MAX_DAYS):
        raise ApiError(
            422, "invalid_field", f"since: before until, at most {MAX_DAYS} days", "since"
        )
    daily = request.query.get("interval", "day") == "day"
    if daily:
        since = since.replace(hour=0, minute=0, second=0, microsecond=0)
    q = request.query
    tags = await request.app[TOPICS].trend(
        since, until, q.get("queue", ""), q.get("channel", ""), daily
    )
    return web.json_response(
        {"since": since.isoformat(), "interval": "day" if daily else "hour", "tags": tags}
    )


@permission("reports:read")
async def topic_spikes(request: web.Request) -> web.Response:
    found = await request.app[TOPICS].spikes()
    items = [
        {
            "tag": s.tag,
            "count": s.count,
            "expected": s.expected,
            "threshold": s.threshold,
            "at": s.at.isoformat(),
        }
        for s in found
    ]
    return web.json_response({"items": items})


@permission("reports:read")
async def topic_tickets(request: web.Request) -> web.Response:
    tag = request.query.get("tag", "").strip().lower()
    if not TAG_NAME.fullmatch(tag):
        raise ApiError(422, "invalid_field", f"tag: {tag!r} is not a tag", "tag")
    hours = p.optional_int(request, "hours") or 24
    found = await request.app[TOPICS].tickets(tag, min(hours, 24 * MAX_DAYS))
    items = [{"number": n, "subject": s, "at": at.isoformat()} for n, s, at in found]
    return web.json_response({"items": items})


_TAG_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 64},
    "category": {"type": "string", "maxLength": 60},
    "colour": {"type": "string", "maxLength": 7, "description": "#rrggbb, or empty"},
    "merged_into": {"type": ["string", "null"], "maxLength": 64, "description": "a synonym of"},
    "retired": {"type": "boolean"},
}
TAG_WRITE = obj(_TAG_FIELDS, ("name",))
TAG = obj(
    {**_TAG_FIELDS, "uses": _INT, "updated_by": {"type": "string"}},
    ("name", "category", "colour", "merged_into", "retired", "uses"),
)
TAGS = obj({"items": {"type": "array", "items": TAG}}, ("items",))


def tag_json(t: TopicTag) -> dict[str, object]:
    return {
        "name": t.name,
        "category": t.category,
        "colour": t.colour,
        "merged_into": t.merged_into,
        "retired": t.retired,
        "uses": t.uses,
        "updated_by": t.updated_by,
    }


@permission("reports:read")
async def topic_tags(request: web.Request) -> web.Response:
    found = await request.app[TOPICS].tags()
    return web.json_response({"items": [tag_json(t) for t in found]})


@permission("topics:manage")
async def define_topic_tag(request: web.Request) -> web.Response:
    body = check(TAG_WRITE, await read_json(request))
    tag = TopicTag(
        body["name"],
        body.get("category", ""),
        body.get("colour", ""),
        body.get("merged_into"),
        bool(body.get("retired", False)),
    )
    try:
        saved = await request.app[TOPICS].define_tag(tag, principal(request).name)
    except TopicTagError as exc:
        raise ApiError(422, "invalid_field", str(exc), str(exc).split(":", 1)[0]) from None
    return web.json_response(tag_json(saved))


@permission("tickets:read")
async def suggest_topic_tags(request: web.Request) -> web.Response:
    found = await request.app[TOPICS].suggest_tags(request.query.get("q", ""))
    return web.json_response({"items": [tag_json(t) for t in found]})


ROUTES = [
    Route("GET", "/topics/suggest", suggest_topic_tags,
          "Tags the words of q (a call's transcript) name, for an agent to accept in wrap-up: "
          "every word of a tag said, a synonym as the tag it means, never a retired one", None,
          TAGS, query=("q",), query_schemas=(("q", {"type": "string", "maxLength": 8000}),)),
    Route("GET", "/topics/tags", topic_tags,
          "Every tag: its category, colour, the tag it was merged into, retired, and its uses "
          "in 30 days", None, TAGS),
    Route("PUT", "/topics/tags", define_topic_tag,
          "Define a tag: category, colour, merged into another (a synonym: putting it puts "
          "that one), retired (no longer put; its history kept)", TAG_WRITE, TAG),
    Route("GET", "/topics/trend", topic_trend,
          "Tags put on tickets, counted per day (or hour) from since (default: 14 days ago), "
          "for a queue or channel", None, TREND,
          query=("since", "until", "interval", "queue", "channel"),
          query_schemas=(("until", {"type": "string", "format": "date-time"}),
                         ("interval", {"type": "string", "enum": ["hour", "day"]}),
                         ("channel", {"type": "string", "maxLength": 16}))),
    Route("GET", "/topics/spikes", topic_spikes,
          "Tags whose count in the last hour is far above what their own history predicts "
          "for that hour and weekday", None, SPIKES),
    Route("GET", "/topics/tickets", topic_tickets,
          "The tickets a tag was put on in the last hours (default 24)", None, TICKETS,
          query=("tag", "hours"), required_query=("tag",),
          query_schemas=(("hours", {"type": "integer", "minimum": 1, "maximum": 24 * MAX_DAYS}),)),
]  # fmt: skip
