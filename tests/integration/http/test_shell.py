"""The staff application's shell over HTTP, with every feature's pages served: navigation
by role, a real 404/403 page with its status, the CSP on every page, the language chosen
by the account's setting else the browser's (SQLite and PostgreSQL)."""

from __future__ import annotations

import re

import pytest

from callcenter.domain.tickets import Role
from callcenter.http.shell import NAV
from callcenter.http.shell_routes import CSP
from tests.integration.http.conftest import Api
from tests.support.staff import link_token

AGENT = "1001"
PAGES = {item.key: item.path.replace("{agent}", AGENT) for item in NAV}
LEADS = {
    "board",
    "reports",
    "wallboard",
    "promises",
    "topics",
    "surveys",
    "evaluations",
    "voicemails",
    "recordings",
    "search",
    "answers",
    "articles",
    "flows",
    "queues",
    "agents",
    "widgets",
    "cluster",
}
ALLOWED = {
    Role.AGENT: {"desk", "recordings", "search", "answers", "articles", "evaluations"},
    Role.SUPERVISOR: LEADS,
    Role.ADMIN: LEADS | {"staff", "webhooks", "security"},
}


async def sign_in(api: Api, role: Role, **headers: str) -> None:
    api.client.session.cookie_jar.clear()
    token = link_token(api.sessions, role, AGENT if role is Role.AGENT else "")
    resp = await api.client.get(f"/signin/link/{token}", headers=headers)
    assert resp.status == 200, await resp.text()


def nav_paths(html: str) -> set[str]:
    header = html.split('<header class="shell">', 1)[1].split("</header>", 1)[0]
    return set(re.findall(r'<li><a href="([^"]+)"', header))


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMIN])
async def test_each_role_sees_its_pages_in_the_shell_and_is_refused_the_others(
    api: Api, role: Role
) -> None:
    await sign_in(api, role)
    for key, path in PAGES.items():
        if key == "desk" and role is not Role.AGENT:
            continue  # leads open an agent's desk from the board (not from the bar)
        resp = await api.client.get(path, allow_redirects=False)
        text = await resp.text()
        if key in ALLOWED[role]:
            assert resp.status == 200, (path, text[:300])
            assert nav_paths(text) == {PAGES[k] for k in ALLOWED[role]}, path
            assert f'<a href="{path}" aria-current="page"' in text
            assert resp.headers["Content-Security-Policy"] == CSP
            assert "<script>" not in text  # scripts come from /static/app only
            assert '<script type="module" src="/static/app/' in text
        else:
            assert resp.status == 403, (role, path)
            assert 'id="error-code">403<' in text
            assert "data-i18n" in text
            assert nav_paths(text) == {PAGES[k] for k in ALLOWED[role]}


async def test_unknown_things_answer_404_with_the_404_page(api: Api) -> None:
    await sign_in(api, Role.SUPERVISOR)
    for path in ("/tickets/999999", "/tickets/abc", "/no-such-page", "/agents/10x1/desk"):
        resp = await api.client.get(path)
        text = await resp.text()
        assert resp.status == 404, path
        assert 'id="error-code">404<' in text, path
        assert resp.headers["Content-Security-Policy"] == CSP
    api_miss = await api.client.get("/api/v1/tickets/999999")
    assert api_miss.status == 404
    assert (await api_miss.json())["error"]["id"]  # the API answers JSON, never the page


async def test_the_language_is_the_accounts_else_the_browsers(api: Api) -> None:
    await sign_in(api, Role.SUPERVISOR)
    ru = await api.client.get("/supervisor", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in await ru.text()
    assert ru.headers["Content-Language"] == "ru"
    fr = await api.client.get("/supervisor", headers={"Accept-Language": "fr, zh;q=0.3"})
    assert '<html lang="zh">' in await fr.text()
    page = await api.client.get("/supervisor")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', await page.text())
    assert csrf is not None
    refused = await api.client.post("/account/locale", data={"locale": "zh"})
    assert refused.status == 403  # no CSRF token
    bad = await api.client.post("/account/locale", data={"locale": "fr", "csrf": csrf[1]})
    assert bad.status == 400
    assert "locale 'fr'" in await bad.text()
    chosen = await api.client.post(
        "/account/locale",
        data={"locale": "zh", "csrf": csrf[1]},
        headers={"Referer": f"{api.client.make_url('/promises')}"},
        allow_redirects=False,
    )
    assert chosen.status == 303
    assert chosen.headers["Location"] == "/promises"
    mine = await api.client.get("/promises", headers={"Accept-Language": "ru"})
    assert '<html lang="zh">' in await mine.text()  # the account's setting wins


async def test_the_signin_page_speaks_the_browsers_language(api: Api) -> None:
    api.client.session.cookie_jar.clear()
    resp = await api.client.get("/signin", headers={"Accept-Language": "zh-CN"})
    text = await resp.text()
    assert resp.status == 200
    assert '<html lang="zh">' in text
    assert 'data-i18n="signin.heading"' in text
    assert resp.headers["Content-Security-Policy"] == CSP


async def test_the_built_application_is_served_with_the_csp(api: Api) -> None:
    for name in ("app.css", "desk.js", "board.js"):
        resp = await api.client.get(f"/static/app/{name}")
        assert resp.status == 200, name
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    widget = await api.client.get("/widget.js")
    assert "Content-Security-Policy" not in widget.headers  # other sites' pages load it
