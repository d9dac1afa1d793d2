"""The staff application's shell: what every staff page has around its own part.

Every page is a template in ``static/`` with ``{{head}}`` (the CSRF token, who is signed
in, their language and the centre's time zone as meta tags; the stylesheet; the page's
script, ``/static/app/<page>.js``, built from ``web/src/pages/<page>.ts``) and
``{{shell}}`` (the header: navigation by role, the signed-in user, their language, sign
out). Texts carry ``data-i18n`` keys that the page's script puts in the reader's language
from the catalogues in ``web/src/locales``; the English in the template is the fallback.

The language: the account's setting (``callcenter staff locale``, or the header's picker),
else the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

import dataclasses
import functools
import html
from pathlib import Path

from aiohttp import web

from callcenter.domain.staff import LOCALES, StaffSession
from callcenter.domain.tickets import Role

STATIC = Path(__file__).with_name("static")
STAFF_ZONE: web.AppKey[str] = web.AppKey("staff_zone", str)  # '' = the server's own
A, S, G = Role.ADMIN, Role.SUPERVISOR, Role.AGENT


@dataclasses.dataclass(frozen=True)
class NavItem:
    key: str  # the catalogues' "nav.<key>", and the English label
    path: str  # "{agent}": the signed-in agent's extension
    roles: frozenset[Role]
    label: str


NAV = (
    NavItem("desk", "/agents/{agent}/desk", frozenset({G}), "Desk"),
    NavItem("board", "/supervisor", frozenset({A, S}), "Board"),
    NavItem("wallboard", "/wallboard", frozenset({A, S}), "Wallboard"),
    NavItem("reports", "/reports", frozenset({A, S}), "Reports"),
    NavItem("promises", "/promises", frozenset({A, S}), "Promises"),
    NavItem("topics", "/topics", frozenset({A, S}), "Topics"),
    NavItem("surveys", "/surveys", frozenset({A, S}), "Surveys"),
    NavItem("evaluations", "/evaluations", frozenset({A, S, G}), "Evaluations"),
    NavItem("voicemails", "/voicemails", frozenset({A, S}), "Voicemail"),
    NavItem("recordings", "/recordings", frozenset({A, S, G}), "Recordings"),
    NavItem("search", "/search", frozenset({A, S, G}), "Search"),
    NavItem("answers", "/answers", frozenset({A, S, G}), "Answers"),
    NavItem("articles", "/articles", frozenset({A, S, G}), "Knowledge base"),
    NavItem("flows", "/flows", frozenset({A, S}), "Flows"),
    NavItem("queues", "/queues", frozenset({A, S}), "Queues"),
    NavItem("agents", "/agents", frozenset({A, S}), "Agents"),
    NavItem("staff", "/staff", frozenset({A}), "Staff"),
    NavItem("webhooks", "/webhooks", frozenset({A}), "Webhooks"),
    NavItem("widgets", "/widgets", frozenset({A, S}), "Widgets & guard"),
    NavItem("cluster", "/cluster", frozenset({A, S}), "Cluster"),
    NavItem("security", "/security", frozenset({A}), "Security"),
)


def negotiate(accept_language: str | None, account: str = "") -> str:
    """The account's language, else the first of ``Accept-Language`` (by q) we speak."""
    if account in LOCALES:
        return account
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, i, tag.strip().lower().split("-")[0]))
    for neg_q, _, lang in sorted(ranked):
        if neg_q < 0 and lang in LOCALES:
            return lang
    return "en"


def nav(role: Role, agent: str, served: frozenset[str]) -> list[tuple[NavItem, str]]:
    """The pages ``role`` may open that this instance serves, with their paths."""
    out = []
    for item in NAV:
        if role not in item.roles or (item.path.find("{agent}") >= 0 and not agent):
            continue
        if item.path.replace("{agent}", "{ext}") in served or item.path in served:
            out.append((item, item.path.replace("{agent}", agent)))
    return out


def _served(request: web.Request) -> frozenset[str]:
    return frozenset(r.canonical for r in request.app.router.resources())


def head(request: web.Request, session: StaffSession | None, page: str) -> str:
    """The page's head: who reads it, in which language and zone, its style and script."""
    user = session.user if session else None
    values = {
        "csrf-token": session.csrf if session else "",
        "cc-user": user.username if user else "",
        "cc-role": user.role.value if user else "",
        "cc-agent": user.agent if user else "",
        "cc-timezone": request.config_dict.get(STAFF_ZONE, ""),
    }
    metas = "".join(
        f'<meta name="{n}" content="{html.escape(v, quote=True)}">\n' for n, v in values.items()
    )
    return (
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
        f'initial-scale=1">\n{metas}<link rel="stylesheet" href="/static/app/app.css">\n'
        f'<link rel="stylesheet" href="/static/app/{page}.css">\n'
        f'<script type="module" src="/static/app/{page}.js"></script>'
    )


def header(request: web.Request, session: StaffSession | None, locale: str) -> str:
    """The shell's header: navigation by role (the current page marked), user, language."""
    if session is None:
        return '<header class="shell"><a class="brand" href="/">callcenter</a></header>'
    user = session.user
    links = []
    for item, path in nav(user.role, user.agent, _served(request)):
        current = ' aria-current="page"' if request.path == path else ""
        links.append(
            f'<li><a href="{html.escape(path, quote=True)}"{current} '
            f'data-i18n="nav.{item.key}">{html.escape(item.label)}</a></li>'
        )
    options = "".join(
        f'<option value="{code}"{" selected" if code == locale else ""}>{LANGUAGE_NAMES[code]}'
        "</option>"
        for code in LOCALES
    )
    csrf = html.escape(session.csrf, quote=True)
    return f"""<header class="shell">
<a class="brand" href="/">callcenter</a>
<nav aria-label="Pages" data-i18n-aria-label="shell.pages"><ul>{"".join(links)}</ul></nav>
<div class="account">
<form id="locale-form" method="post" action="/account/locale">
<input type="hidden" name="csrf" value="{csrf}">
<label for="shell-locale" class="visually-hidden" data-i18n="shell.language">Language</label>
<select id="shell-locale" name="locale">{options}</select>
<button type="submit" class="visually-hidden" data-i18n="shell.apply">Apply</button>
</form>
<form id="signout-form" method="post" action="/signout">
<input type="hidden" name="csrf" value="{csrf}">
<span class="who"><span id="shell-user">{html.escape(user.username)}</span>
<span class="role" data-i18n="role.{user.role.value}">{user.role.value}</span></span>
<button id="signout" type="submit" data-i18n="shell.signout">Sign out</button>
</form>
</div>
</header>"""


LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "zh": "中文"}


@functools.cache
def template(page: Path) -> str:
    """A page's HTML, read once (the files ship with the package)."""
    return page.read_text(encoding="utf-8")


def locale_of(request: web.Request, session: StaffSession | None) -> str:
    account = session.user.locale if session else ""
    return negotiate(request.headers.get("Accept-Language"), account)


def render(
    request: web.Request,
    session: StaffSession | None,
    page: Path,
    replacements: dict[str, str],
    status: int = 200,
) -> web.Response:
    """``page`` in the shell, its ``{{name}}`` placeholders replaced by ``replacements``
    (every value HTML-escaped) and by who reads it."""
    locale = locale_of(request, session)
    text = template(page)
    text = text.replace("{{head}}", head(request, session, page.stem))
    text = text.replace("{{shell}}", header(request, session, locale))
    user = session.user if session else None
    values = {
        "lang": locale,
        "csrf": session.csrf if session else "",
        "username": user.username if user else "",
        **replacements,
    }
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", html.escape(value, quote=True))
    response = web.Response(text=text, content_type="text/html", status=status)
    response.headers["Content-Language"] = locale
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
