from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from callcenter.http.health import LAG_KEY, STALLS_KEY
from callcenter.http.metrics import add_metrics_route
from callcenter.http.server import build_app
from callcenter.metrics.registry import DaemonMetrics


async def _up() -> dict[str, bool]:
    return {"ami": True}


async def test_metrics_are_served_in_the_prometheus_text_format() -> None:
    app = build_app(_up)
    metrics = DaemonMetrics()
    metrics.loop_lag.observe(0.002)
    add_metrics_route(app, metrics.render)
    async with TestClient(TestServer(app)) as client:
        resp = await client.get("/metrics")
        text = await resp.text()
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/plain; version=")
    assert "callcenter_event_loop_lag_seconds_count 1.0" in text


async def test_healthz_reports_the_loop_lag_of_the_last_minute() -> None:
    app = build_app(_up)
    app[LAG_KEY] = lambda: {"p50": 0.0004, "p99": 0.0031, "max": 0.012, "samples": 3000.0}
    async with TestClient(TestServer(app)) as client:
        body = await (await client.get("/healthz")).json()
    assert body["loop_lag_ms"] == {"p50": 0.4, "p99": 3.1, "max": 12.0}


async def test_healthz_keeps_the_stall_catchers_last_records() -> None:
    record = {"ms": 75.0, "where": "render (pages.py:12)", "task": "call-1.2", "gc": []}
    app = build_app(_up, {STALLS_KEY: lambda: [record]})
    async with TestClient(TestServer(app)) as client:
        body = await (await client.get("/healthz")).json()
    assert body["loop_stalls"] == [record]
