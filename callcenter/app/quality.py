"""Wiring of quality review: scorecards and evaluations in the store, the recordings and
their transcripts they are made of, the agents' names (the greeting check), every Hold /
Unhold of a call written to the event log (the hold check), the API and the pages.
(Composition root.)"""

from __future__ import annotations

from datetime import UTC, datetime

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.domain.event_log import LoggedEvent
from callcenter.domain.quality_checks import HoldChanged
from callcenter.http import api_quality
from callcenter.http.api_quality import QUALITY
from callcenter.http.quality_pages import QUALITY_PAGES
from callcenter.services.quality import Quality
from callcenter.store.quality import SqlQuality
from callcenter.store.transcripts import SqlTranscripts


def _plug(parts: Parts, plug: Plug) -> None:
    sessions, threads, tickets = (
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.TICKETS],
    )

    async def agent_name(ext: str) -> str:
        return next((a.name for a in await tickets.list_agents() if a.extension == ext), "")

    events = parts[slots.EVENT_LOG]

    async def holds(call_id: str) -> list[tuple[datetime, bool]]:
        return [(e["at"], e["kind"] == "call.hold") for e in await events.log.events(call_id)
                if e["kind"] in ("call.hold", "call.unhold")]  # fmt: skip

    def hold_changed(event: HoldChanged, _received: float) -> None:
        """Every Hold / Unhold of a call's channels into the event log (hold shares)."""
        at = datetime.now(UTC)
        kind = "call.hold" if event.held else "call.unhold"
        key = f"{kind}:{event.call_id}:{at.isoformat(timespec='milliseconds')}"
        events.writer.add(LoggedEvent(kind, at, event.call_id, key=key))

    quality = Quality(
        SqlQuality(sessions, threads),
        parts[slots.RECORDINGS].service,
        SqlTranscripts(sessions, threads),
        agent_name,
        SystemClock(),
        holds,
    )
    plug.on_ami(HoldChanged, hold_changed)
    plug.serve(QUALITY, quality)


FEATURE = Feature(
    "quality",
    needs=(slots.SESSIONS, slots.DB_THREADS, slots.TICKETS, slots.RECORDINGS, slots.EVENT_LOG),
    provides=(),
    build=_plug,
    routes=tuple(api_quality.ROUTES),
    pages=QUALITY_PAGES,
)
