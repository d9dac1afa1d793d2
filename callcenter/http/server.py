"""The aiohttp application and its runner (bound to the configured host and port)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from callcenter.http.agent_desk import AgentHub, add_desk_routes
from callcenter.http.api import PREFIX, build_api
from callcenter.http.api_cluster import CLUSTER
from callcenter.http.api_errors import MAX_BODY
from callcenter.http.api_widgets import WIDGETS
from callcenter.http.callbacks_page import add_promises_page
from callcenter.http.cluster_page import add_cluster_page
from callcenter.http.dial_gate import DIAL_GATE, add_dial_gate
from callcenter.http.health import PROBE_KEY, HealthProbe, healthz
from callcenter.http.recordings_page import add_recordings_page
from callcenter.http.search_page import add_search_page
from callcenter.http.staff_auth import add_signin_routes
from callcenter.http.tickets_page import add_tickets_page
from callcenter.http.voicemails_page import add_voicemails_page
from callcenter.http.widget_script import WEB_CALL_BRIDGE, add_widget_routes
from callcenter.http.widgets_page import add_widgets_page
from callcenter.services.agent_control import AgentControl
from callcenter.services.callbacks import Callbacks
from callcenter.services.ports import ApiKeys, StaffDirectory, TicketStore
from callcenter.services.recordings import Recordings
from callcenter.services.search import Search
from callcenter.services.sip_bans import SipBans
from callcenter.services.supervision import Supervision
from callcenter.services.transcripts import Transcripts
from callcenter.services.voicemails import Voicemails
from callcenter.services.webhooks import Webhooks

PAGES_JS = Path(__file__).with_name("static") / "pages.js"


async def pages_script(_request: web.Request) -> web.FileResponse:
    """What the staff pages' scripts share (no data in it: served to anyone)."""
    return web.FileResponse(PAGES_JS, headers={"Content-Type": "text/javascript"})


def build_app(
    probe: HealthProbe,
    store: TicketStore | None = None,
    keys: ApiKeys | None = None,
    hub: AgentHub | None = None,
    control: AgentControl | None = None,
    bans: SipBans | None = None,
    staff: StaffDirectory | None = None,
    session_ttl: timedelta = timedelta(hours=12),
    recordings: Recordings | None = None,
    supervision: Supervision | None = None,
    callbacks: Callbacks | None = None,
    webhooks: Webhooks | None = None,
    voicemails: Voicemails | None = None,
    transcripts: Transcripts | None = None,
    search: Search | None = None,
    services: Mapping[web.AppKey[Any], Any] | None = None,
) -> web.Application:
    """``services``: further features' services under their routes' keys (see
    :func:`~callcenter.http.api.build_api`); the widget's script and SIP websocket come
    with the widgets."""
    app = web.Application(client_max_size=MAX_BODY)
    app[PROBE_KEY] = probe
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/static/pages.js", pages_script)
    if staff is not None:
        add_signin_routes(app, staff, session_ttl)
    if store is not None and keys is not None:
        app.add_subapp(
            PREFIX,
            build_api(
                store,
                keys,
                control,
                bans,
                recordings,
                supervision,
                callbacks,
                webhooks,
                voicemails,
                transcripts,
                search,
                services,
            ),
        )
        gate = (services or {}).get(DIAL_GATE)
        if gate is not None:
            add_dial_gate(app, gate)
        if (services or {}).get(CLUSTER) is not None:
            add_cluster_page(app)
        widgets = (services or {}).get(WIDGETS)
        if widgets is not None:
            add_widget_routes(app, widgets, (services or {}).get(WEB_CALL_BRIDGE))
            add_widgets_page(app)
        if hub is not None:
            reasons = control.pause_reasons if control is not None else ()
            add_desk_routes(app, hub, keys, reasons)
        if recordings is not None:
            add_recordings_page(app)
        if callbacks is not None:
            add_promises_page(app)
        if voicemails is not None:
            add_voicemails_page(app)
        add_tickets_page(app)
        if search is not None:
            add_search_page(app)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
