"""The aiohttp application and its runner (bound to the configured host and port)."""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from callcenter.http.api import PREFIX, build_api
from callcenter.http.api_auth import KEYS
from callcenter.http.api_errors import MAX_BODY
from callcenter.http.api_routes import STORE, Route
from callcenter.http.health import LAG_KEY, PROBE_KEY, STALLS_KEY, HealthProbe, healthz
from callcenter.http.page import Page, Services
from callcenter.http.shell import STAFF_ZONE
from callcenter.http.shell_routes import add_shell_routes, shell_middleware

# Keys read from the application itself (not the API's sub-application).
APP_KEYS = (LAG_KEY, STALLS_KEY)


def build_app(
    probe: HealthProbe,
    services: Services | None = None,
    routes: Sequence[Route] = (),
    pages: Sequence[Page] = (),
) -> web.Application:
    """The application from the assembled features: their services under their keys, the
    API's ``routes`` (mounted when the ticket store and API keys are there) and their
    ``pages`` — each page shown when the service under its key is there."""
    s = dict(services or {})
    app = web.Application(client_max_size=MAX_BODY, middlewares=[shell_middleware])
    app[PROBE_KEY] = probe
    app[STAFF_ZONE] = s.get(STAFF_ZONE, "")
    app.router.add_get("/healthz", healthz)
    for key in APP_KEYS:
        if key in s:
            app[key] = s[key]
    api = STORE in s and KEYS in s
    if api:
        app.add_subapp(PREFIX, build_api(s, routes))
    for page in pages:
        if page.key in s and (api or not page.needs_api):
            page.add(app, s)
    add_shell_routes(app)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
