from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from callcenter.http.server import build_app


async def _get(states: dict[str, bool]) -> tuple[int, dict[str, str]]:
    async def probe() -> dict[str, bool]:
        return states

    async with TestClient(TestServer(build_app(probe))) as client:
        resp = await client.get("/healthz")
        return resp.status, await resp.json()


async def test_all_up_is_200() -> None:
    status, body = await _get({"ami": True, "ari": True, "db": True})
    assert status == 200
    assert body == {"ami": "up", "ari": "up", "db": "up", "status": "ok"}


async def test_any_down_is_503_naming_it() -> None:
    status, body = await _get({"ami": True, "ari": False, "db": True})
    assert status == 503
    assert body["ari"] == "down"
    assert body["status"] == "degraded"
