"""What the shell adds to every page of the site: its security headers (a
Content-Security-Policy that runs scripts from this site only, never inline), a real 404
and 403 page in the reader's language with the right status, the staff application's
built files (``/static/app/``) and the header's language picker (``POST /account/locale``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from aiohttp import web

from callcenter.domain.staff import StaffError, safe_next
from callcenter.http.api import PREFIX
from callcenter.http.api_errors import Handler
from callcenter.http.shell import STATIC, render
from callcenter.http.staff_auth import STAFF, csrf_ok, signin_url, staff_session

log = logging.getLogger(__name__)

# What `make setup` builds from web/ (npm run build): one script per page, their chunks, CSS.
APP_DIST = Path(__file__).resolve().parents[2] / "web" / "dist" / "app"
ERROR_PAGE = STATIC / "error.html"

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# The widget's script and library are loaded by other sites' pages: no frame/CSP rules of
# ours apply to them, but nosniff does.
CROSS_SITE = ("/widget.js", "/widget/")


@web.middleware
async def shell_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer; a 403/404 for a page (not the API) as the shell's
    error page with that status."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status not in (403, 404) or not _is_page(request):
            raise
        response = await error_page(request, exc.status, exc.text or "")
    if not response.prepared:
        for name, value in HEADERS.items():
            if name not in response.headers and not (
                name == "Content-Security-Policy" and request.path.startswith(CROSS_SITE)
            ):
                response.headers[name] = value
    return response


def _is_page(request: web.Request) -> bool:
    return request.method in ("GET", "HEAD") and not request.path.startswith(
        (PREFIX + "/", "/static/", "/healthz", "/metrics", *CROSS_SITE)
    )


async def error_page(request: web.Request, status: int, detail: str) -> web.Response:
    """The 404 or 403 page: what happened in the reader's language and the way on."""
    session = await staff_session(request) if STAFF in request.config_dict else None
    what = "not_found" if status == 404 else "forbidden"
    log.info("%s %s: %d (%s)", request.method, request.path, status, detail)
    title, heading, advice = ERROR_TEXTS[what]
    values = {"what": what, "code": str(status), "title": title, "heading": heading}
    values |= {"advice": advice, "detail": detail}
    return render(request, session, ERROR_PAGE, values, status=status)


# The English of the error page (the catalogues' error.* keys translate it).
ERROR_TEXTS = {
    "not_found": (
        "Not found — callcenter",
        "There is nothing here",
        "The address may be mistyped, or what it pointed to (a ticket, an agent) does not exist.",
    ),
    "forbidden": (
        "Not allowed — callcenter",
        "Your role cannot open this page",
        "Ask an admin if you need it; the pages your role can open are in the bar above.",
    ),
}


async def set_locale(request: web.Request) -> web.StreamResponse:
    """The header's language picker: the account's language, then back to the page."""
    session = await staff_session(request)
    if session is None:
        raise web.HTTPSeeOther(signin_url("/"))
    form = await request.post()
    if not csrf_ok(request, session, str(form.get("csrf", ""))):
        raise web.HTTPForbidden(text="a language change without this session's CSRF token")
    locale = str(form.get("locale", ""))[:8]
    try:
        await request.app[STAFF].set_locale(session.user.username, locale)
    except StaffError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    referer = request.headers.get("Referer", "")
    origin = f"{request.scheme}://{request.host}"
    back = referer[len(origin) :] if referer.startswith(origin + "/") else "/"
    raise web.HTTPSeeOther(safe_next(back, "/"))


async def not_built(_request: web.Request) -> web.Response:
    return web.Response(
        status=503, text=f"the staff application is not built ({APP_DIST}): run `make setup`"
    )


def add_shell_routes(app: web.Application) -> None:
    if (APP_DIST / "app.css").is_file():
        app.router.add_static("/static/app/", APP_DIST, append_version=False)
    else:
        log.error("the staff application is not built (%s): run `make setup`", APP_DIST)
        app.router.add_get("/static/app/{name:.+}", not_built)
    app.router.add_post("/account/locale", set_locale)
