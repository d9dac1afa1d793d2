"""The OpenAPI document is valid, covers every route, and describes what the API returns."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from callcenter.domain.tickets import Role
from callcenter.http.api import PREFIX
from tests.integration.http.conftest import Api


async def _document(api: Api) -> dict[str, Any]:
    resp = await api.client.get(f"{PREFIX}/openapi.json")  # public: no token needed
    assert resp.status == 200
    doc: dict[str, Any] = await resp.json()
    return doc


async def test_the_document_is_valid_openapi(api: Api) -> None:
    validate(await _document(api))


async def test_every_api_route_is_documented_and_nothing_else(api: Api) -> None:
    doc = await _document(api)
    documented = {(m.upper(), p) for p, ops in doc["paths"].items() for m in ops}
    served = set()
    for resource in api.client.app.router.resources():  # type: ignore[union-attr]
        info = resource.get_info()
        prefix = info.get("prefix")
        if prefix != PREFIX:
            continue
        for sub in info["app"].router.resources():
            path = sub.canonical
            for route in sub:
                if route.method != "HEAD" and not path.endswith("/openapi.json"):
                    served.add((route.method, path))
    assert served == documented


async def test_responses_match_their_documented_schema(api: Api) -> None:
    doc = await _document(api)
    headers = api.auth(Role.ADMIN)
    c = await (
        await api.client.post(
            f"{PREFIX}/customers", json={"name": "A", "phones": ["89123456789"]}, headers=headers
        )
    ).json()
    t = await (
        await api.client.post(
            f"{PREFIX}/tickets", json={"subject": "s", "customer_id": c["id"]}, headers=headers
        )
    ).json()
    await api.client.post(
        f"{PREFIX}/tickets/{t['number']}/handoff-notes",
        json={"body": "b", "author": "a"},
        headers=headers,
    )
    checks = {
        "/customers/{customer_id}": f"/customers/{c['id']}",
        "/customers": "/customers",
        "/customers/lookup": "/customers/lookup?phone=89123456789",
        "/tickets": "/tickets",
        "/tickets/{number}": f"/tickets/{t['number']}",
        "/handoffs": "/handoffs",
    }
    for template, url in checks.items():
        resp = await api.client.get(PREFIX + url, headers=headers)
        schema = doc["paths"][PREFIX + template]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"]
        errors = list(Draft202012Validator(schema).iter_errors(await resp.json()))
        assert not errors, f"{url}: {errors[0].message}"
