"""Staff sign in to the pages: a session cookie instead of tokens in URLs.

* ``GET /signin`` is the form; ``POST /signin`` checks the password and sets the cookie
  (HttpOnly, SameSite=Lax, Secure under HTTPS), then sends the browser to ``next`` (a
  path of this site only).
* ``GET /signin/link/{token}``: a one-time link the CLI prints (``callcenter staff
  link``), spent on first use.
* ``POST /signout`` ends the session. ``GET /`` sends a signed-in user to their page.
* Every change made with the cookie (a POST, PATCH, PUT or DELETE, pages and API alike)
  must carry the session's CSRF token (``X-CSRF-Token``, or the form field ``csrf``) and,
  when the browser says where it comes from, an ``Origin`` of this site.
"""

from __future__ import annotations

import hmac
import logging
import urllib.parse
from datetime import UTC, datetime, timedelta

from aiohttp import web

from callcenter.domain.staff import StaffSession, StaffUser, landing, safe_next
from callcenter.http.page import Page, Services
from callcenter.http.shell import STATIC, render
from callcenter.services.ports import StaffDirectory

log = logging.getLogger(__name__)

COOKIE = "cc_session"
STAFF: web.AppKey[StaffDirectory] = web.AppKey("staff")
SESSION_TTL: web.AppKey[timedelta] = web.AppKey("session_ttl")
SESSION: web.RequestKey[StaffSession] = web.RequestKey("staff_session", StaffSession)
SIGNIN_PAGE = STATIC / "signin.html"
CHANGES = frozenset({"POST", "PATCH", "PUT", "DELETE"})


async def staff_session(request: web.Request) -> StaffSession | None:
    """The session of the request's cookie (None: none, unknown, ended or expired)."""
    if SESSION in request:
        return request[SESSION]
    token = request.cookies.get(COOKIE)
    directory = request.config_dict.get(STAFF)
    if not token or directory is None:
        return None
    session = await directory.session(token, datetime.now(UTC))
    if session is not None:
        request[SESSION] = session
    return session


def same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # not sent (same-origin navigations, older clients): the token decides
    return origin == f"{request.scheme}://{request.host}"


def csrf_ok(request: web.Request, session: StaffSession, sent: str | None) -> bool:
    return same_origin(request) and hmac.compare_digest(sent or "", session.csrf)


MESSAGES = {
    "signin.wrong": "Wrong username or password.",
    "signin.link_spent": "That sign-in link is used or expired: ask for a new one.",
}


def _form_page(
    request: web.Request, message: str = "", next_path: str = "/", username: str = ""
) -> web.Response:
    """The form; ``message`` (a key of :data:`MESSAGES`) says why it is shown again."""
    values = {
        "message": MESSAGES.get(message, ""),
        "message_key": message,
        "next": next_path,
        "username": username,
    }
    return render(request, None, SIGNIN_PAGE, values, status=401 if message else 200)


async def signin_form(request: web.Request) -> web.Response:
    return _form_page(request, next_path=safe_next(request.query.get("next"), "/"))


async def signin(request: web.Request) -> web.StreamResponse:
    if not same_origin(request):
        raise web.HTTPForbidden(text="sign-in from another site refused")
    form = await request.post()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "")), "")
    user = await request.app[STAFF].authenticate(username[:40], password[:200])
    if user is None:
        log.warning("sign-in refused for %r from %s", username[:40], request.remote)
        return _form_page(request, "signin.wrong", next_path or "/", username[:40])
    return await _signed_in(request, user, next_path or landing(user))


async def signin_link(request: web.Request) -> web.StreamResponse:
    user = await request.app[STAFF].redeem_link(request.match_info["token"], datetime.now(UTC))
    if user is None:
        return _form_page(request, "signin.link_spent")
    return await _signed_in(request, user, safe_next(request.query.get("next"), landing(user)))


async def _signed_in(request: web.Request, user: StaffUser, target: str) -> web.StreamResponse:
    ttl = request.app[SESSION_TTL]
    token = await request.app[STAFF].start_session(user, datetime.now(UTC), ttl)
    log.info("%s (%s) signed in from %s", user.username, user.role.value, request.remote)
    response = _see_other(target)
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        path="/",
        httponly=True,
        samesite="Lax",
        secure=request.secure,
    )
    return response


async def signout(request: web.Request) -> web.StreamResponse:
    session = await staff_session(request)
    if session is not None:
        form = await request.post()
        sent = request.headers.get("X-CSRF-Token") or str(form.get("csrf", ""))
        if not csrf_ok(request, session, sent):
            raise web.HTTPForbidden(text="sign-out without this session's CSRF token refused")
        await request.app[STAFF].end_session(request.cookies[COOKIE], datetime.now(UTC))
        log.info("%s signed out", session.user.username)
    response = _see_other("/signin")
    response.del_cookie(COOKIE, path="/")
    return response


def _see_other(target: str) -> web.Response:
    """A 303 to ``target`` that can carry a cookie (a raised HTTPSeeOther cannot)."""
    return web.Response(status=303, headers={"Location": target})


async def home(request: web.Request) -> web.StreamResponse:
    session = await staff_session(request)
    raise web.HTTPSeeOther(landing(session.user) if session else "/signin")


def signin_url(path: str) -> str:
    return "/signin?" + urllib.parse.urlencode({"next": path})


def add_signin_routes(app: web.Application, staff: StaffDirectory, ttl: timedelta) -> None:
    app[STAFF] = staff
    app[SESSION_TTL] = ttl
    app.router.add_get("/", home)
    app.router.add_get("/signin", signin_form)
    app.router.add_post("/signin", signin)
    app.router.add_get("/signin/link/{token}", signin_link)
    app.router.add_post("/signout", signout)


def _signin(app: web.Application, s: Services) -> None:
    add_signin_routes(app, s[STAFF], s.get(SESSION_TTL, timedelta(hours=12)))


SIGNIN = Page(STAFF, _signin, needs_api=False)
