"""The knowledge base over HTTP on a real SQLite/PostgreSQL store: an article written,
changed (a version each time), restored; found by the one search beside a chat message
with the same words; its Markdown rendered safely; bad input named, a slug taken 409."""

from __future__ import annotations

from typing import Any

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api

V1 = "/api/v1"
RESET = {
    "slug": "router-reset",
    "title": "Resetting the router",
    "body": "Unplug the **router** for ten seconds.\n\n<script>alert(1)</script> "
    "[evil](javascript:alert(1)) [guide](https://example.org/guide)",
    "category": "Internet",
}


async def call(api: Api, method: str, path: str, role: Role, body: Any = None) -> tuple[int, Any]:
    resp = await api.client.request(method, V1 + path, json=body, headers=api.auth(role))
    return resp.status, await resp.json()


async def test_an_article_is_versioned_restored_and_found_by_the_one_search(api: Api) -> None:
    status, made = await call(api, "POST", "/articles", Role.SUPERVISOR, RESET)
    assert status == 201, made
    assert (made["version"], made["visibility"], made["language"]) == (1, "internal", "en")
    assert "&lt;script&gt;" in made["html"]  # raw HTML is text
    assert "javascript:" not in made["html"].split("<a ", 1)[-1].split(">")[0]
    assert (
        '<a rel="noopener noreferrer nofollow" target="_blank" href="https://example.org/guide">'
        in made["html"]
    )
    links = [n for p in made["tree"] for n in p.get("children", []) if n.get("tag") == "a"]
    assert [n["href"] for n in links] == ["https://example.org/guide"]

    changed = {**RESET, "body": "Unplug the router for thirty seconds.", "note": "longer"}
    status, v2 = await call(api, "PUT", f"/articles/{made['id']}", Role.ADMIN, changed)
    assert (status, v2["version"]) == (200, 2)
    _, versions = await call(api, "GET", f"/articles/{made['id']}/versions", Role.AGENT)
    assert [(v["version"], v["note"]) for v in versions["items"]] == [(2, "longer"), (1, "")]

    # One index: the chat message and the article are found by the same query.
    _, customer = await call(api, "POST", "/customers", Role.ADMIN, {"name": "c"})
    _, ticket = await call(
        api, "POST", "/tickets", Role.ADMIN, {"subject": "s", "customer_id": customer["id"]}
    )
    message = {
        "kind": "chat_message",
        "body": "my router blinks",
        "source": "chat",
        "source_id": "a1",
    }
    await call(api, "POST", f"/tickets/{ticket['number']}/interactions", Role.INTEGRATION, message)
    _, found = await call(api, "GET", "/search?q=router", Role.INTEGRATION)
    assert {(h["kind"], h["article_id"] is not None) for h in found["items"]} == {
        ("chat_message", False),
        ("article", True),
    }
    _, only = await call(api, "GET", "/search?q=thirty&kind=article", Role.AGENT)
    assert [h["article_id"] for h in only["items"]] == [made["id"]]
    _, old = await call(api, "GET", "/search?q=ten&kind=article", Role.AGENT)
    assert old["items"] == []  # the index holds what it says now

    status, v3 = await call(
        api, "POST", f"/articles/{made['id']}/restore", Role.SUPERVISOR, {"version": 1}
    )
    assert (status, v3["version"], v3["note"]) == (200, 3, "restored version 1")
    assert "ten seconds" in v3["body"]
    _, back = await call(api, "GET", "/search?q=ten&kind=article", Role.AGENT)
    assert [h["article_id"] for h in back["items"]] == [made["id"]]

    assert (await call(api, "DELETE", f"/articles/{made['id']}", Role.SUPERVISOR))[0] == 200
    _, gone = await call(api, "GET", "/search?q=router&kind=article", Role.AGENT)
    assert gone["items"] == []


async def test_bad_input_is_named_and_a_taken_slug_refused(api: Api) -> None:
    assert (await call(api, "POST", "/articles", Role.AGENT, RESET))[0] == 403
    status, error = await call(
        api, "POST", "/articles", Role.SUPERVISOR, {**RESET, "slug": "Bad Slug"}
    )
    assert (status, error["error"]["field"]) == (422, "slug")
    status, error = await call(
        api, "POST", "/articles", Role.SUPERVISOR, {**RESET, "body": "a\x00b"}
    )
    assert status == 422, error
    assert (await call(api, "POST", "/articles", Role.SUPERVISOR, RESET))[0] == 201
    status, error = await call(api, "POST", "/articles", Role.SUPERVISOR, RESET)
    assert (status, error["error"]["field"]) == (409, "slug")
    assert (await call(api, "POST", "/articles", Role.SUPERVISOR, {**RESET, "language": "ru"}))[
        0
    ] == 201
    status, _ = await call(api, "POST", "/articles/999/restore", Role.SUPERVISOR, {"version": 1})
    assert status == 404
    _, ru = await call(api, "GET", "/articles?language=ru", Role.INTEGRATION)
    assert [a["language"] for a in ru["items"]] == ["ru"]


async def test_suggestions_rank_the_articles_for_the_call_and_follow_changes(api: Api) -> None:
    _, reset = await call(api, "POST", "/articles", Role.SUPERVISOR, RESET)
    parcel = {
        "slug": "lost-parcel",
        "title": "A parcel that did not arrive",
        "body": "Ask the courier.",
    }
    _, lost = await call(api, "POST", "/articles", Role.SUPERVISOR, parcel)
    status, found = await call(api, "GET", "/suggestions?q=the+router+keeps+blinking", Role.AGENT)
    assert status == 200, found
    assert [a["id"] for a in found["items"]] == [reset["id"]]
    _, tagged = await call(
        api, "GET", "/suggestions?q=hello&tags=parcel&language=ru", Role.INTEGRATION
    )
    assert [a["id"] for a in tagged["items"]] == [lost["id"]]  # none in ru: every language's
    # A change is seen at the next suggestion (the index keys on the articles' fingerprint).
    await call(
        api,
        "PUT",
        f"/articles/{lost['id']}",
        Role.SUPERVISOR,
        {**parcel, "body": "Reset the router."},
    )
    _, after = await call(api, "GET", "/suggestions?q=router", Role.AGENT)
    assert {a["id"] for a in after["items"]} == {reset["id"], lost["id"]}


async def test_the_public_help_page_shows_public_articles_only_as_text(api: Api) -> None:
    public = {**RESET, "visibility": "public"}
    assert (await call(api, "POST", "/articles", Role.SUPERVISOR, public))[0] == 201
    secret = {
        "slug": "escalation-rules",
        "title": "Internal: escalation rules",
        "body": "Call the boss.",
    }
    assert (await call(api, "POST", "/articles", Role.SUPERVISOR, secret))[0] == 201
    index = await api.client.get("/help?lang=en")  # no sign-in
    text = await index.text()
    assert index.status == 200, text
    assert "Content-Security-Policy" in index.headers
    assert '<a href="/help/router-reset?lang=en">Resetting the router</a>' in text
    assert "escalation" not in text
    page = await api.client.get("/help/router-reset?lang=en")
    body = await page.text()
    assert page.status == 200, body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script" not in body
    assert 'href="javascript' not in body
    assert (await api.client.get("/help/escalation-rules")).status == 404
    russian = await (await api.client.get("/help", headers={"Accept-Language": "ru"})).text()
    assert "<h1>Помощь</h1>" in russian
