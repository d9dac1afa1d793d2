"""/api/v1/articles: the knowledge base — staff and the chat side read the articles (each
with its Markdown and its safe HTML), supervisors and admins write them; every change is a
version (``/versions``), an old one can be made the newest again (``/restore``). Articles
are found by ``GET /search?kind=article`` with transcripts and chat: one index."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.domain.articles import (
    CATEGORY,
    LANGUAGE,
    MAX_BODY,
    MAX_TITLE,
    SLUG,
    Article,
    ArticleError,
    Visibility,
)
from callcenter.domain.suggest import CallContext
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import DATETIME, ID, check, obj
from callcenter.http.article_render import render, tree
from callcenter.services.articles import Articles
from callcenter.services.suggestions import Suggestions

ARTICLES: web.AppKey[Articles] = web.AppKey("articles")
SUGGESTIONS: web.AppKey[Suggestions] = web.AppKey("suggestions")
_TEXT = {"type": "string"}
_VISIBILITY = {"type": "string", "enum": [v.value for v in Visibility]}
ARTICLE = obj(
    {
        "id": ID,
        "slug": _TEXT,
        "title": _TEXT,
        "body": {**_TEXT, "description": "Markdown"},
        "html": {**_TEXT, "description": "the body rendered: no raw HTML, http(s) links only"},
        "tree": {
            "type": "array",
            "items": {"type": "object"},
            "description": "the body as nodes to build with DOM calls: {tag, children[, href]} "
            "or {text}",
        },
        "category": _TEXT,
        "language": _TEXT,
        "visibility": _VISIBILITY,
        "version": {"type": "integer", "minimum": 1},
        "updated_at": {**DATETIME, "type": ["string", "null"]},
        "updated_by": _TEXT,
        "note": _TEXT,
    },
    (
        "id",
        "slug",
        "title",
        "body",
        "html",
        "tree",
        "category",
        "language",
        "visibility",
        "version",
        "updated_at",
        "updated_by",
        "note",
    ),
)
ARTICLE_WRITE = obj(
    {
        "slug": {"type": "string", "pattern": f"^{SLUG.pattern}$"},
        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
        "body": {"type": "string", "minLength": 1, "maxLength": MAX_BODY},
        "category": {"type": "string", "pattern": f"^{CATEGORY.pattern}$", "default": "General"},
        "language": {"type": "string", "pattern": f"^{LANGUAGE.pattern}$", "default": "en"},
        "visibility": {**_VISIBILITY, "default": "internal"},
        "note": {"type": "string", "maxLength": 500, "description": "why this version"},
    },
    ("slug", "title", "body"),
)
LIST = obj({"items": {"type": "array", "items": ARTICLE}}, ("items",))
RESTORE = obj({"version": {"type": "integer", "minimum": 1}}, ("version",))


def article_json(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "slug": a.slug,
        "title": a.title,
        "body": a.body,
        "html": render(a.body),
        "tree": tree(a.body),
        "category": a.category,
        "language": a.language,
        "visibility": a.visibility.value,
        "version": a.version,
        "updated_at": a.updated_at.isoformat() if a.updated_at else None,
        "updated_by": a.updated_by,
        "note": a.note,
    }


def _service(request: web.Request) -> Articles:
    return request.app[ARTICLES]


def _id(request: web.Request) -> int:
    return p.path_id(request, "article_id")


@permission("articles:read")
async def list_articles(request: web.Request) -> web.Response:
    q = request.query
    visibility = Visibility(q["visibility"]) if q.get("visibility") in set(Visibility) else None
    found = await _service(request).listed(q.get("category", ""), q.get("language", ""), visibility)
    return web.json_response({"items": [article_json(a) for a in found]})


@permission("articles:read")
async def get_article(request: web.Request) -> web.Response:
    try:
        return web.json_response(article_json(await _service(request).get(_id(request))))
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None


async def _define(request: web.Request, article_id: int) -> web.Response:
    body = check(ARTICLE_WRITE, await read_json(request))
    new = Article(
        article_id,
        body["slug"],
        body["title"],
        body["body"],
        body.get("category", "General"),
        body.get("language", "en"),
        Visibility(body.get("visibility", "internal")),
        note=body.get("note", ""),
    )
    try:
        saved = await _service(request).define(new, principal(request).name)
    except ArticleError as exc:
        status = 409 if "is taken" in str(exc) else 422
        error = "conflict" if status == 409 else "invalid_field"
        raise ApiError(status, error, str(exc), str(exc).split(":", 1)[0]) from None
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(article_json(saved), status=200 if article_id else 201)


@permission("articles:write")
async def create_article(request: web.Request) -> web.Response:
    return await _define(request, 0)


@permission("articles:write")
async def replace_article(request: web.Request) -> web.Response:
    return await _define(request, _id(request))


@permission("articles:write")
async def delete_article(request: web.Request) -> web.Response:
    if not await _service(request).remove(_id(request)):
        raise ApiError(404, "not_found", f"no article {_id(request)}")
    return web.json_response({"id": _id(request), "removed": True})


@permission("articles:read")
async def article_versions(request: web.Request) -> web.Response:
    try:
        versions = await _service(request).versions(_id(request))
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response({"items": [article_json(v) for v in versions]})


@permission("articles:write")
async def restore_article(request: web.Request) -> web.Response:
    body = check(RESTORE, await read_json(request))
    try:
        saved = await _service(request).restore(
            _id(request), body["version"], principal(request).name
        )
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(article_json(saved))


@permission("articles:read")
async def suggest_articles(request: web.Request) -> web.Response:
    q = request.query
    context = CallContext(
        q.get("q", ""),
        tuple(t for t in q.get("tags", "").split(",") if t),
        tuple(i for i in q.get("ivr", "").split(",") if i),
    )
    found = await request.app[SUGGESTIONS].suggest(
        context, q.get("language", ""), min(p.limit(request), 10)
    )
    items = [
        {"id": a.id, "slug": a.slug, "title": a.title, "category": a.category, "score": score}
        for a, score in found
    ]
    return web.json_response({"items": items})


SUGGESTED = obj(
    {
        "items": {
            "type": "array",
            "items": obj(
                {
                    "id": ID,
                    "slug": _TEXT,
                    "title": _TEXT,
                    "category": _TEXT,
                    "score": {"type": "number"},
                },
                ("id", "slug", "title", "category", "score"),
            ),
        }
    },
    ("items",),
)
_QUERY = (
    ("category", {"type": "string", "pattern": f"^{CATEGORY.pattern}$"}),
    ("language", {"type": "string", "pattern": f"^{LANGUAGE.pattern}$"}),
    ("visibility", _VISIBILITY),
)
ROUTES = [
    Route("GET", "/suggestions", suggest_articles,
          "Articles for the call at hand, best first: from what was said (q), the ticket's "
          "tags and the IVR path (comma-separated)", None, SUGGESTED,
          query=("q", "tags", "ivr", "language", "limit"),
          query_schemas=(("q", {"type": "string", "maxLength": 4000}),
                         ("tags", {"type": "string", "maxLength": 1000}),
                         ("ivr", {"type": "string", "maxLength": 1000}), _QUERY[1])),
    Route("GET", "/articles", list_articles,
          "Knowledge base articles (by category, language, visibility), each with its HTML",
          None, LIST, query=("category", "language", "visibility"), query_schemas=_QUERY),
    Route("POST", "/articles", create_article, "Write an article (version 1)", ARTICLE_WRITE,
          ARTICLE, status=201, also=(409,)),
    Route("GET", "/articles/{article_id}", get_article, "An article as it reads now", None,
          ARTICLE),
    Route("PUT", "/articles/{article_id}", replace_article,
          "Change an article: its next version (the old ones kept)", ARTICLE_WRITE, ARTICLE,
          also=(409,)),
    Route("DELETE", "/articles/{article_id}", delete_article,
          "Remove an article and its versions", None,
          obj({"id": ID, "removed": {"type": "boolean"}}, ("id", "removed"))),
    Route("GET", "/articles/{article_id}/versions", article_versions,
          "Every version of an article, newest first", None, LIST),
    Route("POST", "/articles/{article_id}/restore", restore_article,
          "Make an old version the newest again (a new version: nothing lost)", RESTORE,
          ARTICLE),
]  # fmt: skip
