"""Reports as JSON (the API's answers, which the CSV exports flatten)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from callcenter.domain.reports import GroupBy, Interval
from callcenter.services.reports import AgentRow, QueueReport


def queue_report_json(
    report: QueueReport, days: tuple[date, date], interval: Interval, group: GroupBy, zone: str
) -> dict[str, Any]:
    c = report.calls
    return {
        "from": days[0].isoformat(),
        "to": days[1].isoformat(),
        "interval": interval.value,
        "group": group.value,
        "timezone": zone,
        "rows": [
            {
                "start": r.start.isoformat(),
                "group": r.group,
                "figures": dataclasses.asdict(r.figures),
            }
            for r in report.rows
        ],
        "total": dataclasses.asdict(report.total),
        "calls": {
            **dataclasses.asdict(c),
            "containment": c.containment,
            "repeat_rate_24h": c.repeat_rate_24h,
            "repeat_rate_72h": c.repeat_rate_72h,
        },
        "counts": report.counts,
    }


def agent_rows(rows: list[AgentRow]) -> list[dict[str, Any]]:
    return [
        {
            "agent": r.time.agent,
            "logged_in": round(r.time.logged_in, 1),
            "paused": round(r.time.paused, 1),
            "pause_by_reason": {k: round(v, 1) for k, v in r.time.by_reason.items()},
            "ringing": round(r.time.ringing, 1),
            "talk": round(r.time.talk, 1),
            "wrap_up": round(r.time.wrap_up, 1),
            "logins": r.time.logins,
            "answered": r.answered,
            "handle_time": round(r.handle_time, 1),
            "occupancy": r.time.occupancy,
        }
        for r in rows
    ]


def call_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "entered_at": r["entered_at"].isoformat()} for r in rows]
