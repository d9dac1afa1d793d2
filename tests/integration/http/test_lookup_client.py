"""The lookup client against a real HTTP server on loopback: the query and the token go
out; a redirect, an error status, an oversized, non-JSON or non-object answer and a closed
port each come back as a failure naming what went wrong (never the token); a slow endpoint
costs the node's timeout, not more."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiohttp import web

from callcenter.config_lookups import LookupConfig
from callcenter.flows.session import Lookup
from callcenter.http.lookup_client import AiohttpLookups
from callcenter.services.flow_lookups import LookupFailed, look_up
from tests.support.ports import free_port

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SEEN: web.AppKey[list[tuple[dict[str, str], str | None]]] = web.AppKey("seen", list)


async def _order(request: web.Request) -> web.StreamResponse:
    request.app[SEEN].append((dict(request.query), request.headers.get("Authorization")))
    return web.json_response({"status": "shipped", "order": request.query.get("order")})


def _app() -> web.Application:
    app = web.Application()
    app[SEEN] = []

    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({})

    async def moved(_request: web.Request) -> web.Response:
        raise web.HTTPFound("http://127.0.0.2:9/elsewhere")

    def answer(response: web.Response) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def handler(_request: web.Request) -> web.Response:
            return response

        return handler

    app.router.add_get("/orders", _order)
    app.router.add_get("/slow", slow)
    app.router.add_get("/moved", moved)
    app.router.add_get("/fail", answer(web.json_response({"e": 1}, status=503)))
    app.router.add_get("/big", answer(web.json_response({"x": "y" * 5000})))
    app.router.add_get("/html", answer(web.Response(text="<p>hi</p>", content_type="text/html")))
    app.router.add_get("/list", answer(web.json_response([1, 2])))
    return app


@pytest.fixture
async def shop() -> AsyncIterator[tuple[str, web.Application]]:
    app = _app()
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", app
    await runner.cleanup()


def client(base: str, **paths: str) -> AiohttpLookups:
    return AiohttpLookups(
        [
            LookupConfig(name, base + path, timeout_ms=1000, max_bytes=1024)
            for name, path in paths.items()
        ],
        {"orders": "t0ken"},
    )


async def test_the_query_and_the_token_go_to_the_configured_url(
    shop: tuple[str, web.Application],
) -> None:
    base, app = shop
    lookups = client(base, orders="/orders")
    try:
        answer = await lookups.fetch("orders", {"order": "1234", "from": "+7495"})
    finally:
        await lookups.close()
    assert answer == {"status": "shipped", "order": "1234"}
    assert app[SEEN] == [({"order": "1234", "from": "+7495"}, "Bearer t0ken")]
    assert lookups.limit("orders") == 1.0
    assert lookups.limit("nope") is None


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/moved", "answered 302"),  # never followed to another host
        ("/fail", "answered 503"),
        ("/big", "answered more than 1024 bytes"),
        ("/html", "answered no JSON"),
        ("/list", "answered JSON that is not an object"),
        ("/missing", "answered 404"),
    ],
)
async def test_every_bad_answer_is_a_failure_that_names_it(
    shop: tuple[str, web.Application], path: str, why: str
) -> None:
    base, _ = shop
    lookups = client(base, orders=path)
    try:
        with pytest.raises(LookupFailed, match=why) as caught:
            await lookups.fetch("orders", {})
    finally:
        await lookups.close()
    assert "t0ken" not in str(caught.value)


async def test_a_closed_port_and_an_unknown_endpoint_fail_without_raising() -> None:
    lookups = client(f"http://127.0.0.1:{free_port()}", orders="/orders")
    try:
        down = await look_up(lookups, Lookup("orders", {}), NOW)
        unknown = await look_up(lookups, Lookup("stock", {}), NOW)
    finally:
        await lookups.close()
    assert down.error.startswith("127.0.0.1:")
    assert "Connect" in down.error
    assert unknown.error == "endpoint 'stock' is not configured"


async def test_a_slow_endpoint_costs_the_nodes_timeout(shop: tuple[str, web.Application]) -> None:
    base, _ = shop
    lookups = client(base, orders="/slow")
    started = time.monotonic()
    try:
        done = await look_up(lookups, Lookup("orders", {}, seconds=0.3), NOW)
    finally:
        await lookups.close()
    assert done.error == "no answer within 0.3s"
    assert 0.3 <= time.monotonic() - started < 0.4
