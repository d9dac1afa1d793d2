"""``GET /healthz``: the state of each dependency, 200 when all are up, else 503."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

HealthProbe = Callable[[], Awaitable[dict[str, bool]]]
PROBE_KEY = web.AppKey("health_probe", object)


async def healthz(request: web.Request) -> web.Response:
    probe: HealthProbe = request.app[PROBE_KEY]  # type: ignore[assignment]
    states = await probe()
    body = {name: "up" if ok else "down" for name, ok in states.items()}
    body["status"] = "ok" if all(states.values()) else "degraded"
    return web.json_response(body, status=200 if all(states.values()) else 503)
