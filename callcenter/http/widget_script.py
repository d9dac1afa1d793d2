"""What a site's page loads from the daemon for the click-to-call widget: ``/widget.js``
(the widget itself, in a shadow root), ``/widget/jssip.js`` (the SIP library, installed by
``make setup`` from the npm registry with its lockfile — never committed, never loaded
from anywhere else) and ``/widget/sip``, the SIP-over-WebSocket path of a web call.

The SIP websocket is a proxy to Asterisk's own (which stays on loopback). It opens only
for a session :meth:`~callcenter.services.widgets.Widgets.admit_call` admitted, from that
session's origin. Every SIP request the browser sends gets two headers — and loses any
it sent of that name: ``X-CC-Web`` (a generated secret: the only thing that makes
Asterisk take the request for the web-call endpoint) and ``X-CC-Web-Session``. A browser
can thus place the one call it was admitted for, into the widget's queue, and nothing else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
from pathlib import Path

import aiohttp
from aiohttp import web

from callcenter.http.api_widgets import SIP_WEBSOCKET
from callcenter.services.widgets import Widgets

log = logging.getLogger(__name__)

WIDGET_JS = Path(__file__).resolve().parents[2] / "web" / "dist" / "widget.js"
MAX_SIP_MESSAGE = 64 * 1024
CRLF = "\r\n"
_REQUEST_LINE = re.compile(r"^[A-Z]{3,12} sip:[^\s]{1,300} SIP/2\.0\r\n")
_OUR_HEADERS = re.compile(r"^x-cc-[a-z-]*\s*:.*\r\n", re.IGNORECASE | re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class WebCallBridge:
    """Where Asterisk's SIP websocket is, and what it trusts."""

    url: str  # ws://127.0.0.1:<http port>/ws
    secret: str
    max_seconds: float = 1800.0
    jssip: Path | None = None  # the installed library (None: "call now" is not offered)


WEB_CALL_BRIDGE: web.AppKey[WebCallBridge] = web.AppKey("web_call_bridge")
WIDGETS_APP: web.AppKey[Widgets] = web.AppKey("widgets_app")


def stamp(message: str, secret: str, session: str) -> str | None:
    """The browser's SIP ``message`` as Asterisk gets it: requests carry our two headers
    (the browser's own X-CC-* removed), responses pass as they are; None for what is no
    SIP message."""
    if _REQUEST_LINE.match(message):
        line, _, rest = message.partition("\r\n")
        head, sep, body = rest.partition("\r\n\r\n")
        head = _OUR_HEADERS.sub("", head + "\r\n")
        ours = f"X-CC-Web: {secret}\r\nX-CC-Web-Session: {session}\r\n"
        return f"{line}\r\n{ours}{head.removesuffix(CRLF)}{sep}{body}"
    if message.startswith("SIP/2.0 "):
        return message
    return None


async def widget_js(_request: web.Request) -> web.StreamResponse:
    """The widget, built by `make setup` from web/src/widget (TypeScript, en/ru/zh)."""
    if not WIDGET_JS.is_file():
        raise web.HTTPServiceUnavailable(text=f"the widget is not built ({WIDGET_JS}): make setup")
    return web.FileResponse(
        WIDGET_JS,
        headers={"Content-Type": "text/javascript", "Cache-Control": "max-age=300"},
    )


async def jssip_js(request: web.Request) -> web.StreamResponse:
    bridge = request.app.get(WEB_CALL_BRIDGE)
    if bridge is None or bridge.jssip is None or not bridge.jssip.is_file():
        raise web.HTTPNotFound(text="web calls are not installed (make setup installs JsSIP)")
    # Imported as a module by pages of other origins: CORS, and nothing private in it.
    return web.FileResponse(
        bridge.jssip,
        headers={
            "Content-Type": "text/javascript",
            "Cache-Control": "max-age=3600",
            "Access-Control-Allow-Origin": "*",
        },
    )


async def sip_socket(request: web.Request) -> web.StreamResponse:
    bridge, widgets = request.app.get(WEB_CALL_BRIDGE), request.app[WIDGETS_APP]
    session = request.query.get("session", "")
    call = widgets.web_call(session)
    origin = request.headers.get("Origin", "")
    if bridge is None or call is None or origin != call.origin:
        log.warning("SIP websocket refused: session %r from %r", session[:20], origin)
        raise web.HTTPForbidden(text="no admitted web call for this session and origin")
    browser = web.WebSocketResponse(protocols=("sip",), max_msg_size=MAX_SIP_MESSAGE)
    await browser.prepare(request)
    log.info("web call %s: SIP websocket open (widget %s)", session, call.widget.id)
    widgets.lines.opened(session)
    try:
        await _carry(browser, bridge, session)
    finally:
        widgets.lines.closed(session)
    log.info("web call %s: SIP websocket closed", session)
    return browser


async def _carry(browser: web.WebSocketResponse, bridge: WebCallBridge, session: str) -> None:
    """SIP both ways between the browser and Asterisk's websocket, until either closes."""
    async with aiohttp.ClientSession() as client:
        try:
            asterisk = await client.ws_connect(
                bridge.url, protocols=("sip",), max_msg_size=MAX_SIP_MESSAGE
            )
        except aiohttp.ClientError as exc:
            log.error("web call %s: Asterisk's websocket unreachable: %s", session, exc)
            await browser.close(code=1011, message=b"telephony unavailable")
            return
        up = asyncio.create_task(_browser_to_asterisk(browser, asterisk, bridge, session))
        down = asyncio.create_task(_asterisk_to_browser(asterisk, browser, session))
        _done, pending = await asyncio.wait(
            {up, down}, timeout=bridge.max_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for task in pending:
            task.cancel()
        await asterisk.close()
        await browser.close()


async def _browser_to_asterisk(
    browser: web.WebSocketResponse,
    asterisk: aiohttp.ClientWebSocketResponse,
    bridge: WebCallBridge,
    session: str,
) -> None:
    async for message in browser:
        if message.type is not aiohttp.WSMsgType.TEXT:
            log.warning("web call %s: the browser sent %s, closing", session, message.type.name)
            break
        stamped = stamp(message.data, bridge.secret, session)
        if stamped is None:
            log.warning("web call %s: not a SIP message, closing", session)
            break
        if stamped.startswith(("BYE ", "CANCEL ")):
            log.info("web call %s: the browser ends it (%s)", session, stamped.split(" ", 1)[0])
        await asterisk.send_str(stamped)
    log.info("web call %s: the browser's websocket ended (%s)", session, browser.close_code)


async def _asterisk_to_browser(
    asterisk: aiohttp.ClientWebSocketResponse, browser: web.WebSocketResponse, session: str
) -> None:
    async for message in asterisk:
        if message.type is not aiohttp.WSMsgType.TEXT:
            log.warning("web call %s: Asterisk sent %s, closing", session, message.type.name)
            break
        await browser.send_str(message.data)
    log.info("web call %s: Asterisk's websocket ended (%s)", session, asterisk.close_code)


def add_widget_routes(
    app: web.Application, widgets: Widgets, bridge: WebCallBridge | None = None
) -> None:
    app[WIDGETS_APP] = widgets
    if bridge is not None:
        app[WEB_CALL_BRIDGE] = bridge
    app.router.add_get("/widget.js", widget_js)
    app.router.add_get("/widget/jssip.js", jssip_js)
    app.router.add_get(SIP_WEBSOCKET, sip_socket)
