"""The cluster page (``/cluster``): every node, whether its lease is live, how long ago it
last beat (drawn against its lease), its epoch and the callbacks it holds. Supervisors
and admins; node names come from configuration and are set as text, never HTML."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from callcenter.http.agent_desk import BOARD_ROLES, page_principal, staff_page
from callcenter.http.api_cluster import CLUSTER
from callcenter.http.page import Page

PAGE = Path(__file__).with_name("static") / "cluster.html"


async def cluster_page(request: web.Request) -> web.Response:
    await page_principal(request, BOARD_ROLES, "the cluster")
    return await staff_page(request, PAGE, {})


def add_cluster_page(app: web.Application) -> None:
    app.router.add_get("/cluster", cluster_page)


CLUSTER_PAGE = Page(CLUSTER, lambda app, _s: add_cluster_page(app))
