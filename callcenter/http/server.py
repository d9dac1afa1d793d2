"""The aiohttp application and its runner (bound to the configured host and port)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from callcenter.http.agent_desk import HUB, add_desk_routes
from callcenter.http.api import PREFIX, build_api
from callcenter.http.api_auth import KEYS
from callcenter.http.api_cluster import CLUSTER
from callcenter.http.api_errors import MAX_BODY
from callcenter.http.api_promises import PROMISES
from callcenter.http.api_recordings import RECORDINGS
from callcenter.http.api_routes import CONTROL, STORE
from callcenter.http.api_search import SEARCH
from callcenter.http.api_voicemails import VOICEMAILS
from callcenter.http.api_widgets import WIDGETS
from callcenter.http.callback_gate import CALLBACK_GATE, add_callback_gate
from callcenter.http.cluster_page import add_cluster_page
from callcenter.http.health import LAG_KEY, PROBE_KEY, STALLS_KEY, HealthProbe, healthz
from callcenter.http.metrics import RENDER_KEY, add_metrics_route
from callcenter.http.promises_page import add_promises_page
from callcenter.http.provisioning import SOFTPHONES, add_provisioning_route
from callcenter.http.recordings_page import add_recordings_page
from callcenter.http.search_page import add_search_page
from callcenter.http.staff_auth import SESSION_TTL, STAFF, add_signin_routes
from callcenter.http.tickets_page import add_tickets_page
from callcenter.http.voicemails_page import add_voicemails_page
from callcenter.http.widget_script import WEB_CALL_BRIDGE, add_widget_routes
from callcenter.http.widgets_page import add_widgets_page

PAGES_JS = Path(__file__).with_name("static") / "pages.js"


async def pages_script(_request: web.Request) -> web.FileResponse:
    """What the staff pages' scripts share (no data in it: served to anyone)."""
    return web.FileResponse(PAGES_JS, headers={"Content-Type": "text/javascript"})


Services = Mapping[web.AppKey[Any], Any]


def _signin(app: web.Application, s: Services) -> None:
    add_signin_routes(app, s[STAFF], s.get(SESSION_TTL, timedelta(hours=12)))


def _desk(app: web.Application, s: Services) -> None:
    control = s.get(CONTROL)
    add_desk_routes(app, s[HUB], s[KEYS], control.pause_reasons if control else ())


def _widgets(app: web.Application, s: Services) -> None:
    add_widget_routes(app, s[WIDGETS], s.get(WEB_CALL_BRIDGE))
    add_widgets_page(app)


# Pages and routes outside the API, each shown when the service under its key is there:
# a feature that serves the key gets them (the API's routes are in api.ROUTES).
PAGES: tuple[tuple[web.AppKey[Any], Callable[[web.Application, Services], None]], ...] = (
    (STAFF, _signin),
    (RENDER_KEY, lambda app, s: add_metrics_route(app, s[RENDER_KEY])),
    (SOFTPHONES, lambda app, s: add_provisioning_route(app, s[SOFTPHONES])),
    (CALLBACK_GATE, lambda app, s: add_callback_gate(app, s[CALLBACK_GATE])),
    (CLUSTER, lambda app, _s: add_cluster_page(app)),
    (WIDGETS, _widgets),
    (HUB, _desk),
    (RECORDINGS, lambda app, _s: add_recordings_page(app)),
    (PROMISES, lambda app, _s: add_promises_page(app)),
    (VOICEMAILS, lambda app, _s: add_voicemails_page(app)),
    (STORE, lambda app, _s: add_tickets_page(app)),
    (SEARCH, lambda app, _s: add_search_page(app)),
)
# Keys read from the application itself (not the API's sub-application).
APP_KEYS = (LAG_KEY, STALLS_KEY)


def build_app(probe: HealthProbe, services: Services | None = None) -> web.Application:
    """The application from the features' services under their keys: the API (mounted
    when the ticket store and API keys are there) and every page whose service is given."""
    s = dict(services or {})
    app = web.Application(client_max_size=MAX_BODY)
    app[PROBE_KEY] = probe
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/static/pages.js", pages_script)
    for key in APP_KEYS:
        if key in s:
            app[key] = s[key]
    api = STORE in s and KEYS in s
    if api:
        app.add_subapp(PREFIX, build_api(s))
    for key, add in PAGES:
        if key in s and (api or key in (STAFF, RENDER_KEY, SOFTPHONES)):
            add(app, s)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
