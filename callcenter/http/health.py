"""``GET /healthz``: the state of each dependency, 200 when all are up, else 503."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

HealthProbe = Callable[[], Awaitable[dict[str, bool]]]
LagSummary = Callable[[], dict[str, float]]
PROBE_KEY = web.AppKey("health_probe", object)
LAG_KEY = web.AppKey("loop_lag", object)
STALLS_KEY = web.AppKey("loop_stalls", object)


async def healthz(request: web.Request) -> web.Response:
    probe: HealthProbe = request.app[PROBE_KEY]  # type: ignore[assignment]
    states = await probe()
    body = {name: "up" if ok else "down" for name, ok in states.items()}
    body["status"] = "ok" if all(states.values()) else "degraded"
    lag: LagSummary | None = request.app.get(LAG_KEY)  # type: ignore[assignment]
    if lag is not None:
        summary = lag()
        # The event loop's lag over the last minute (a busy loop delays every call).
        body["loop_lag_ms"] = {  # type: ignore[assignment]
            k: round(v * 1000, 2) for k, v in summary.items() if k != "samples"
        }
    stalls: Callable[[], list[dict[str, object]]] | None = request.app.get(STALLS_KEY)  # type: ignore[assignment]
    if stalls is not None:
        # The stall catcher's last records: what the loop was doing when it ran late.
        body["loop_stalls"] = stalls()  # type: ignore[assignment]
    return web.json_response(body, status=200 if all(states.values()) else 503)
