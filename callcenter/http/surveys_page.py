"""The surveys pages: ``/surveys`` (supervisors and admins: callers' answers, CSAT per
queue, agent, team, flow, number or hour, and CSAT against the wait, transfers and repeat
calls, drawn), and the public ``/survey/{token}`` a survey link opens — a plain form, no
script, in the visitor's language; one answer, then the link is spent."""

from __future__ import annotations

import html

from aiohttp import web

from callcenter.domain.surveys import SCALE, SurveyError
from callcenter.domain.tickets import Role
from callcenter.http.agent_desk import page_principal, staff_page
from callcenter.http.api_surveys import SURVEYS, SurveysApi
from callcenter.http.help_page import public_page, visitor_language, words
from callcenter.http.page import Page
from callcenter.http.shell import STATIC

PAGE = STATIC / "surveys.html"
LEADS = frozenset({Role.ADMIN, Role.SUPERVISOR})
FORMS: web.AppKey[SurveysApi] = web.AppKey("survey_forms")
TOKEN = "{token:[0-9]{1,12}[.][0-9]{1,12}[.][A-Za-z0-9_-]{1,40}}"  # noqa: S105 (a route)


async def surveys_page(request: web.Request) -> web.Response:
    await page_principal(request, LEADS, "the surveys")
    return await staff_page(request, PAGE, {})


def _page(language: str, body: str, status: int = 200) -> web.Response:
    """A public page of the survey's (never cached: a link is spent once answered)."""
    response = public_page(language, words(language, "survey.title"), body)
    response.headers["Cache-Control"] = "no-store"
    response.set_status(status)
    return response


def _question(language: str, n: int) -> str:
    choices = "".join(
        f'<label><input type="radio" name="q{n}" value="{v}" required> {v}</label> '
        for v in range(SCALE[0], SCALE[1] + 1)
    )
    legend = words(language, f"survey.question{n}")
    return f"<fieldset><legend>{legend}</legend>{choices}</fieldset>"


def _spent(language: str, exc: SurveyError) -> web.Response:
    body = f"<h1>{words(language, 'survey.title')}</h1><p>{html.escape(str(exc))}</p>"
    return _page(language, body, 410)


async def survey_form(request: web.Request) -> web.Response:
    language, token = visitor_language(request), request.match_info["token"]
    surveys = request.app[FORMS].surveys
    try:
        await surveys.pending(token)
    except SurveyError as exc:
        return _spent(language, exc)
    questions = "".join(_question(language, n) for n in range(1, surveys.questions + 1))
    body = (
        f"<h1>{words(language, 'survey.title')}</h1>"
        f"<p>{words(language, 'survey.intro')}</p>"
        f'<form method="post" action="/survey/{html.escape(token)}">{questions}'
        f'<button type="submit">{words(language, "survey.send")}</button></form>'
    )
    return _page(language, body)


async def survey_answer(request: web.Request) -> web.Response:
    language, token = visitor_language(request), request.match_info["token"]
    surveys = request.app[FORMS].surveys
    form = await request.post()
    scores: list[object] = []
    for n in range(1, surveys.questions + 1):
        raw = str(form.get(f"q{n}", ""))
        scores.append(int(raw) if raw.isdigit() and len(raw) == 1 else raw)
    try:
        await surveys.answer(token, scores)
    except SurveyError as exc:
        if exc.field == "token":
            return _spent(language, exc)
        body = f"<h1>{words(language, 'survey.title')}</h1><p>{html.escape(str(exc))}</p>"
        return _page(language, body, 422)
    body = f"<h1>{words(language, 'survey.title')}</h1><p>{words(language, 'survey.thanks')}</p>"
    return _page(language, body)


def add_survey_pages(app: web.Application, api: SurveysApi) -> None:
    app[FORMS] = api
    app.router.add_get("/surveys", surveys_page)
    app.router.add_get(f"/survey/{TOKEN}", survey_form)
    app.router.add_post(f"/survey/{TOKEN}", survey_answer)


SURVEY_PAGES = (Page(SURVEYS, lambda app, s: add_survey_pages(app, s[SURVEYS])),)
