"""/api/v1/reports: queue figures by interval and group, agents' time, the calls behind a
figure (JSON and CSV), the alerts now, and a day checked against Asterisk's queue_log."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from datetime import date
from typing import Any, Protocol

from aiohttp import web

from callcenter.domain.reconcile import Difference
from callcenter.domain.reports import GroupBy, Interval, ReportError, csv_cell
from callcenter.http import api_params as p
from callcenter.http.api_auth import permission
from callcenter.http.api_errors import ApiError
from callcenter.http.api_reports_json import agent_rows, call_rows, queue_report_json
from callcenter.http.api_reports_params import choice as _choice
from callcenter.http.api_reports_params import day as _day
from callcenter.http.api_reports_params import days as _days
from callcenter.http.api_reports_params import filters as _filters
from callcenter.http.api_reports_schemas import (
    AGENT_REPORT,
    ALERTS,
    CALLS,
    CSV,
    QUERY,
    QUEUE_REPORT,
    VERIFY,
)
from callcenter.http.api_routes import Route
from callcenter.services.alerts import Alerts, alert_json
from callcenter.services.reports import OUTCOMES, Reports


class ReportsService(Protocol):
    reports: Reports
    alerts: Alerts
    queues: Sequence[str]

    async def known_agents(self) -> set[str]: ...

    async def verify(self, day: date) -> tuple[int, int, list[Difference]]: ...


REPORTS: web.AppKey[ReportsService] = web.AppKey("reports")


def _service(request: web.Request) -> ReportsService:
    service = request.app.get(REPORTS)
    if service is None:
        raise ApiError(503, "unavailable", "reports are not kept on this server")
    return service


def _refused(exc: ReportError) -> ApiError:
    return ApiError(422, "invalid_field", str(exc), exc.field)


async def _queue_report(request: web.Request) -> dict[str, Any]:
    service = _service(request)
    days = _days(request, service)
    interval = _choice(request, "interval", Interval, Interval.HOUR)
    group = _choice(request, "group", GroupBy, GroupBy.QUEUE)
    queues, agents = await _filters(request, service)
    try:
        report = await service.reports.queue_report(days, interval, group, queues, agents)
    except ReportError as exc:
        raise _refused(exc) from None
    return queue_report_json(report, days, interval, group, str(service.reports.zone))


async def _agent_report(request: web.Request) -> dict[str, Any]:
    service = _service(request)
    days = _days(request, service)
    _queues, agents = await _filters(request, service)
    try:
        rows = await service.reports.agent_report(days, agents)
    except ReportError as exc:
        raise _refused(exc) from None
    return {"from": days[0].isoformat(), "to": days[1].isoformat(), "agents": agent_rows(rows)}


async def _calls(request: web.Request) -> dict[str, Any]:
    service = _service(request)
    days = _days(request, service)
    queues, agents = await _filters(request, service)
    outcome = request.query.get("outcome", "")
    if outcome and outcome not in OUTCOMES:
        raise ApiError(
            422,
            "invalid_field",
            f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}",
            "outcome",
        )
    limit, cursor = p.limit(request), p.id_cursor(request)
    try:
        rows = await service.reports.calls(days, queues, agents, outcome, limit, cursor)
    except ReportError as exc:
        raise _refused(exc) from None
    items = call_rows(rows)
    return {"items": items, "next_cursor": str(rows[-1]["id"]) if len(rows) == limit else None}


@permission("reports:read")
async def queue_report(request: web.Request) -> web.Response:
    return web.json_response(await _queue_report(request))


@permission("reports:read")
async def agent_report(request: web.Request) -> web.Response:
    return web.json_response(await _agent_report(request))


@permission("reports:read")
async def report_calls(request: web.Request) -> web.Response:
    return web.json_response(await _calls(request))


def _csv(rows: list[dict[str, Any]], name: str) -> web.Response:
    out = io.StringIO()
    if rows:
        writer = csv.writer(out)
        writer.writerow(list(rows[0]))
        for row in rows:
            writer.writerow([csv_cell(v) for v in row.values()])
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[prefix + k] = v
    return out


@permission("reports:read")
async def queue_report_csv(request: web.Request) -> web.Response:
    report = await _queue_report(request)
    return _csv([_flat(r) for r in report["rows"]], "queues")


@permission("reports:read")
async def agent_report_csv(request: web.Request) -> web.Response:
    report = await _agent_report(request)
    return _csv([_flat(r) for r in report["agents"]], "agents")


@permission("reports:read")
async def report_calls_csv(request: web.Request) -> web.Response:
    return _csv((await _calls(request))["items"], "calls")


@permission("reports:read")
async def report_alerts(request: web.Request) -> web.Response:
    alerts = _service(request).alerts.active()
    return web.json_response({"items": [alert_json(a) for a in alerts]})


@permission("reports:read")
async def verify_report(request: web.Request) -> web.Response:
    service = _service(request)
    day = _day(request, "day", service.reports.today())
    ours, theirs, differences = await service.verify(day)
    return web.json_response(
        {
            "day": day.isoformat(),
            "ours": ours,
            "queue_log": theirs,
            "differences": [dataclasses.asdict(d) for d in differences],
        }
    )


_RANGE = ("from", "to", "queue", "agent")
ROUTES = [
    Route(
        "GET",
        "/reports/queues",
        queue_report,
        "Queue figures by interval and group",
        None,
        QUEUE_REPORT,
        query=(*_RANGE, "interval", "group"),
        query_schemas=QUERY,
    ),
    Route(
        "GET",
        "/reports/queues/csv",
        queue_report_csv,
        "The queue figures as CSV",
        None,
        CSV,
        query=(*_RANGE, "interval", "group"),
        query_schemas=QUERY,
        media="text/csv",
    ),
    Route(
        "GET",
        "/reports/agents",
        agent_report,
        "Agents' time: logged in, paused by reason, talk, wrap-up, occupancy",
        None,
        AGENT_REPORT,
        query=_RANGE,
        query_schemas=QUERY,
    ),
    Route(
        "GET",
        "/reports/agents/csv",
        agent_report_csv,
        "Agents' time as CSV",
        None,
        CSV,
        query=_RANGE,
        query_schemas=QUERY,
        media="text/csv",
    ),
    Route(
        "GET",
        "/reports/calls",
        report_calls,
        "The calls behind a figure",
        None,
        CALLS,
        query=(*_RANGE, "outcome", "limit", "cursor"),
        query_schemas=QUERY,
    ),
    Route(
        "GET",
        "/reports/calls/csv",
        report_calls_csv,
        "The calls behind a figure as CSV",
        None,
        CSV,
        query=(*_RANGE, "outcome", "limit", "cursor"),
        query_schemas=QUERY,
        media="text/csv",
    ),
    Route("GET", "/reports/alerts", report_alerts, "Targets breached now", None, ALERTS),
    Route(
        "GET",
        "/reports/verify",
        verify_report,
        "A day's legs against Asterisk's queue_log",
        None,
        VERIFY,
        query=("day",),
        query_schemas=QUERY,
    ),
]
