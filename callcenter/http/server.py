"""The aiohttp application and its runner (bound to the configured host and port)."""

from __future__ import annotations

from aiohttp import web

from callcenter.http.health import PROBE_KEY, HealthProbe, healthz


def build_app(probe: HealthProbe) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[PROBE_KEY] = probe
    app.router.add_get("/healthz", healthz)
    return app


async def start_http(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
