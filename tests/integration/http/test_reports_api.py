"""/api/v1/reports: bad input refused naming the parameter, the calls behind a figure,
CSV exports whose cells a spreadsheet would run are quoted."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.domain.event_log import LoggedEvent
from callcenter.domain.tickets import Role
from callcenter.store.event_log import SqlEventLog
from tests.integration.http.conftest import Api

HOSTILE = '=HYPERLINK("http://x","y")'


async def _seed(api: Api) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    log = SqlEventLog(api.sessions, zone=UTC)
    events = []
    for n, (caller, wait, answered) in enumerate(
        [("+79161112233", 4.0, True), (HOSTILE, 30.0, False), ("+79164445566", 2.0, False)]
    ):
        at, cid = now - timedelta(minutes=10 - n), f"1700.{n}"
        events.append(LoggedEvent("call.queued", at, cid, "support", data={"caller": caller}))
        end = at + timedelta(seconds=wait)
        if answered:
            events.append(LoggedEvent("call.answered", end, cid, "support", "1001", {"wait": wait}))
        else:
            events.append(LoggedEvent("call.abandoned", end, cid, "support", data={"wait": wait}))
    await log.append(events)


@pytest.mark.parametrize(
    ("query", "field", "says"),
    [
        ("from=2026-13-01", "from", "is not a day"),
        ("from=yesterday", "from", "is not a day"),
        ("from=2026-12-05&to=2026-12-01", "to", "is before from"),
        ("interval=fortnight", "interval", "is not one of"),
        ("group=colour", "group", "is not one of"),
        ("queue=nosuch", "queue", "no queue 'nosuch'"),
        ("agent=4242", "agent", "no agent '4242'"),
        ("from=2026-01-01&to=2026-03-01&interval=15m", "to", "at most 7 days of 15m"),
        ("from=2020-01-01&to=2026-12-01&interval=day", "to", "at most 366 days"),
    ],
)
async def test_bad_input_is_refused_naming_the_parameter(
    api: Api, query: str, field: str, says: str
) -> None:
    resp = await api.client.get(
        f"/api/v1/reports/queues?{query}", headers=api.auth(Role.SUPERVISOR)
    )
    body = await resp.json()
    assert resp.status == 422, body
    assert body["error"]["field"] == field
    assert says in body["error"]["message"]


async def test_an_unknown_outcome_is_refused(api: Api) -> None:
    resp = await api.client.get("/api/v1/reports/calls?outcome=lost", headers=api.auth(Role.ADMIN))
    assert resp.status == 422
    assert (await resp.json())["error"]["field"] == "outcome"


async def test_agents_are_refused_the_reports(api: Api) -> None:
    for path in ("/reports/queues", "/reports/calls/csv", "/reports/alerts", "/reports/verify"):
        resp = await api.client.get(f"/api/v1{path}", headers=api.auth(Role.AGENT))
        assert resp.status == 403, path


async def test_the_figures_the_calls_behind_them_and_their_export(api: Api) -> None:
    await _seed(api)
    lead = api.auth(Role.SUPERVISOR)
    resp = await api.client.get("/api/v1/reports/queues?group=none&interval=day", headers=lead)
    report = await resp.json()
    assert resp.status == 200, report
    total = report["total"]
    assert (total["offered"], total["answered"], total["abandoned"]) == (3, 1, 1)
    assert total["short_abandoned"] == 1
    assert total["service_level"] == pytest.approx(0.5)
    resp = await api.client.get("/api/v1/reports/calls?outcome=abandoned", headers=lead)
    assert [c["caller"] for c in (await resp.json())["items"]] == [HOSTILE]
    resp = await api.client.get("/api/v1/reports/calls/csv", headers=lead)
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert "'" + HOSTILE in {r["caller"] for r in rows}  # never run as a formula
    resp = await api.client.get("/api/v1/reports/queues/csv?group=none", headers=lead)
    rows = list(csv.DictReader(io.StringIO(await resp.text())))
    assert sum(int(r["figures.offered"]) for r in rows) == 3
    resp = await api.client.get("/api/v1/reports/alerts", headers=lead)
    assert (await resp.json()) == {"items": []}
