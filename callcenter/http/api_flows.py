"""/api/v1/flows: the IVR flows' files as the editor sees them — each file's text, a draft
checked (every problem at its line and column), simulated and drawn, publishing (admins;
atomic, recorded, run at once), each file's versions, the difference between two, and a
rollback to one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from callcenter.domain.flow_versions import FlowVersion, FlowVersionError
from callcenter.flows.loader import FlowIssue
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission, principal
from callcenter.http.api_errors import ApiError, read_json
from callcenter.http.api_flows_schemas import (
    DIFF,
    DRAFT,
    FILE,
    FILES,
    HISTORY,
    ISSUES,
    PUBLISH,
    SIMULATE,
    SIMULATION,
    VERSION,
)
from callcenter.http.api_routes import Route
from callcenter.http.api_schemas import ID, check
from callcenter.services.flow_editor import FILE_NAME, FlowDraftError, FlowEditor

FLOW_EDITOR: web.AppKey[FlowEditor] = web.AppKey("flow_editor")


def _file(request: web.Request) -> str:
    """The path's file name, as the document's pattern says (``main.yaml``)."""
    file = request.match_info["file"]
    if FILE_NAME.fullmatch(file) is None:
        raise ApiError(422, "invalid_field", f"file {file!r}: a name like main.yaml", "file")
    return file


def _unicode(body: dict[str, Any]) -> dict[str, Any]:
    """The body's texts, refused (naming the field) where they are no valid Unicode (a lone
    surrogate cannot be written to a file or hashed)."""
    for field, value in body.items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    raise ApiError(
                        422, "invalid_field", f"{field}: not valid Unicode text", field
                    ) from None
    return body


def _editor(request: web.Request) -> FlowEditor:
    editor = request.app.get(FLOW_EDITOR)
    if editor is None:
        raise ApiError(503, "unavailable", "flows are not edited on this server")
    return editor


def issue_json(i: FlowIssue) -> dict[str, Any]:
    return {
        "file": i.source,
        "line": i.line,
        "column": i.column,
        "path": i.path,
        "code": i.code,
        "message": i.message,
    }


def version_json(v: FlowVersion, content: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": v.id,
        "file": v.file,
        "digest": v.digest[:12],
        "published_at": v.published_at.isoformat(),
        "published_by": v.published_by,
        "note": v.note,
    }
    return out | ({"content": v.content} if content else {})


def _refused(exc: FlowDraftError) -> ApiError:
    issues = {"issues": [issue_json(i) for i in exc.issues]}
    return ApiError(422, "invalid_flow", str(exc), "text", extra=issues)


@permission("flows:read")
async def list_flows(request: web.Request) -> web.Response:
    files = _editor(request).files()
    return web.json_response(
        {"items": [{"file": f.file, "flows": list(f.flows), "text": f.text} for f in files]}
    )


@permission("flows:read")
async def check_flow(request: web.Request) -> web.Response:
    body = _unicode(check(DRAFT, await read_json(request)))
    editor, file, text = _editor(request), body["file"], body["text"]
    try:  # parsing and checking every file is CPU work: off the event loop
        _, issues = await asyncio.to_thread(editor.check, file, text)
    except FlowDraftError as exc:
        raise ApiError(422, "invalid_field", str(exc), "file") from None
    graph = await asyncio.to_thread(editor.graph, file, text) if not issues else []
    return web.json_response({"issues": [issue_json(i) for i in issues], "graph": graph})


@permission("flows:read")
async def simulate_flow(request: web.Request) -> web.Response:
    body = _unicode(check(SIMULATE, await read_json(request)))
    at = p.timestamp(body.get("at"), "at") or datetime.now(UTC)
    try:
        lines = await asyncio.to_thread(
            _editor(request).simulate,
            body["file"],
            body["text"],
            body["flow"],
            body.get("digits", []),
            body.get("caller", ""),
            at,
            body.get("stubs", {}),
        )
    except FlowDraftError as exc:
        raise _refused(exc) from None
    return web.json_response({"lines": lines})


@permission("flows:publish")
async def publish_flow(request: web.Request) -> web.Response:
    file = _file(request)
    body = _unicode(check(PUBLISH, await read_json(request)))
    try:
        version = await _editor(request).publish(
            file, body["text"], principal(request).name, body.get("note", "")
        )
    except FlowDraftError as exc:
        raise _refused(exc) from None
    return web.json_response(version_json(version), status=201)


@permission("flows:read")
async def flow_history(request: web.Request) -> web.Response:
    items = await _editor(request).history(_file(request))
    return web.json_response({"items": [version_json(v) for v in items]})


@permission("flows:read")
async def flow_version(request: web.Request) -> web.Response:
    try:
        v = await _editor(request).version(_file(request), p.path_id(request, "version_id"))
    except FlowVersionError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response(version_json(v, content=True))


@permission("flows:read")
async def flow_diff(request: web.Request) -> web.Response:
    old, new = p.optional_int(request, "from"), p.optional_int(request, "to")
    if old is None or new is None:
        raise ApiError(422, "invalid_field", "from and to: the two versions to compare", "from")
    try:
        lines = await _editor(request).diff(_file(request), old, new)
    except FlowVersionError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    return web.json_response({"lines": lines})


@permission("flows:publish")
async def rollback_flow(request: web.Request) -> web.Response:
    file, version_id = _file(request), p.path_id(request, "version_id")
    try:
        v = await _editor(request).rollback(file, version_id, principal(request).name)
    except FlowVersionError as exc:
        raise ApiError(404, "not_found", str(exc)) from None
    except FlowDraftError as exc:
        raise _refused(exc) from None
    return web.json_response(version_json(v), status=201)


ROUTES = [
    Route("GET", "/flows", list_flows, "The IVR flows' files: their text and flows", None, FILES),
    Route(
        "POST",
        "/flows/check",
        check_flow,
        "Check a draft of one file with the others (every problem at its line and column),"
        " and its flows as nodes and edges",
        DRAFT,
        ISSUES,
    ),
    Route(
        "POST",
        "/flows/simulate",
        simulate_flow,
        "Run a draft's flow without Asterisk: digits pressed, caller, time of day",
        SIMULATE,
        SIMULATION,
    ),
    Route(
        "POST",
        "/flows/{file}/versions",
        publish_flow,
        "Publish a file (checked, written atomically, recorded, run at once; calls in"
        " progress keep their version)",
        PUBLISH,
        VERSION,
        status=201,
    ),
    Route(
        "GET",
        "/flows/{file}/versions",
        flow_history,
        "A file's versions, newest first",
        None,
        HISTORY,
    ),
    Route(
        "GET",
        "/flows/{file}/versions/{version_id}",
        flow_version,
        "One version of a file, with its text",
        None,
        FILE,
    ),
    Route(
        "GET",
        "/flows/{file}/diff",
        flow_diff,
        "The difference between two versions of a file (unified, line by line)",
        None,
        DIFF,
        query=("from", "to"),
        required_query=("from", "to"),
        query_schemas=(("from", ID), ("to", ID)),
    ),
    Route(
        "POST",
        "/flows/{file}/versions/{version_id}/rollback",
        rollback_flow,
        "Publish an earlier version's text again, as a new version",
        None,
        VERSION,
        status=201,
    ),
]
