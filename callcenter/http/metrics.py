"""``GET /metrics``: the daemon's Prometheus exposition (text format).

Unauthenticated like ``/healthz`` (a scraper has no token), and it holds no customer data:
counts, states and latencies only. The HTTP server listens on loopback by default.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from callcenter.http.page import Page

Render = Callable[[], tuple[bytes, str]]
RENDER_KEY = web.AppKey("metrics_render", object)


async def metrics(request: web.Request) -> web.Response:
    render: Render = request.app[RENDER_KEY]  # type: ignore[assignment]
    body, content_type = render()
    response = web.Response(body=body)
    response.headers["Content-Type"] = content_type  # carries version= and charset=
    return response


def add_metrics_route(app: web.Application, render: Render) -> None:
    app[RENDER_KEY] = render
    app.router.add_get("/metrics", metrics)


METRICS = Page(RENDER_KEY, lambda app, s: add_metrics_route(app, s[RENDER_KEY]), needs_api=False)
