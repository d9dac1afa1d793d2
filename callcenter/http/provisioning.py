"""``GET /agents/{ext}/provisioning.xml?token=…``: the agent's Linphone configuration.

The token is per agent (``callcenter agents add`` prints the URL); a wrong token is 404,
so the URL space tells nothing about which extensions exist.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from callcenter.domain.softphones import SoftphoneAccount, linphone_xml
from callcenter.http.page import Page


class Softphones(Protocol):
    def account(self, ext: str, token: str) -> SoftphoneAccount | None:
        """The agent's account if ``token`` is theirs, else None."""
        ...


SOFTPHONES = web.AppKey("softphones", Softphones)


async def provisioning(request: web.Request) -> web.Response:
    ext = request.match_info["ext"]
    account = request.app[SOFTPHONES].account(ext, request.query.get("token", ""))
    if account is None:
        raise web.HTTPNotFound(text="no such provisioning document")
    return web.Response(
        text=linphone_xml(account),
        content_type="application/xml",
        headers={"Cache-Control": "no-store"},
    )


def add_provisioning_route(app: web.Application, softphones: Softphones) -> None:
    app[SOFTPHONES] = softphones
    app.router.add_get("/agents/{ext}/provisioning.xml", provisioning)


PROVISIONING = Page(
    SOFTPHONES, lambda app, s: add_provisioning_route(app, s[SOFTPHONES]), needs_api=False
)
