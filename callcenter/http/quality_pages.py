"""The quality pages: ``/recordings/{id}/review`` (supervisors and admins: the recording's
player and transcript beside a scorecard, comments pinned to the moment being heard,
evaluations submitted, superseded with a reason, and the graders' spread), and
``/evaluations`` (an agent: their own evaluations to acknowledge or dispute; leads:
everyone's, and the calls drawn for review)."""

from __future__ import annotations

from aiohttp import web

from callcenter.domain.tickets import Role
from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_quality import QUALITY
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

REVIEW = STATIC / "review.html"
EVALUATIONS = STATIC / "evaluations.html"
LEADS = frozenset({Role.ADMIN, Role.SUPERVISOR})
STAFF = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AGENT})


async def review_page(request: web.Request) -> web.Response:
    await page_principal(request, LEADS, "the review of a recording")
    recording = request.match_info["recording_id"]
    return await staff_page(request, REVIEW, {"recording": recording})


async def evaluations_page(request: web.Request) -> web.Response:
    await page_principal(request, STAFF, "the evaluations")
    return await staff_page(request, EVALUATIONS, {})


def add_quality_pages(app: web.Application) -> None:
    app.router.add_get("/recordings/{recording_id:[0-9]{1,10}}/review", review_page)
    app.router.add_get("/evaluations", evaluations_page)


QUALITY_PAGES = (Page(QUALITY, lambda app, _s: add_quality_pages(app)),)
