"""``POST /internal/callbacks/{id}/{attempt}/take``: the dial gate the dialplan asks
(func_curl) before it dials a callback's customer.

Contract: only from loopback (Asterisk runs next to its daemon), only with the generated
key in ``X-CC-Gate`` (compared in constant time), only for this node (``node`` in the
form). The answer is plain text for the dialplan: ``dial`` exactly once per attempt,
``no`` otherwise (403 without the key or from elsewhere; a malformed path is 404). Not
part of the API (no token, no OpenAPI entry): nothing outside the node may reach it.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Protocol

from aiohttp import web

from callcenter.http.page import Page

log = logging.getLogger(__name__)


class CallbackGate(Protocol):
    node: str
    key: str

    async def take(self, callback_id: int, attempt: int, agent: str) -> bool: ...


CALLBACK_GATE: web.AppKey[CallbackGate] = web.AppKey("dial_gate")
PATH = "/internal/callbacks/{callback_id:[0-9]{1,12}}/{attempt:[0-9]{1,3}}/take"


def _from_loopback(request: web.Request) -> bool:
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        return False


async def take(request: web.Request) -> web.Response:
    gate = request.app[CALLBACK_GATE]
    given = request.headers.get("X-CC-Gate", "")
    if not _from_loopback(request) or not hmac.compare_digest(given, gate.key):
        log.warning("dial gate: refused a request from %s (not loopback or no key)", request.remote)
        return web.Response(status=403, text="no")
    form = await request.post()
    node = str(form.get("node", ""))
    if node != gate.node:
        log.error("dial gate: asked for node %r, this is %r: not dialling", node, gate.node)
        return web.Response(text="no")
    callback_id = int(request.match_info["callback_id"])
    attempt = int(request.match_info["attempt"])
    granted = await gate.take(callback_id, attempt, "")
    return web.Response(text="dial" if granted else "no")


def add_callback_gate(app: web.Application, gate: CallbackGate) -> None:
    app[CALLBACK_GATE] = gate
    app.router.add_post(PATH, take)


CALLBACK_GATE_ROUTE = Page(CALLBACK_GATE, lambda app, s: add_callback_gate(app, s[CALLBACK_GATE]))
