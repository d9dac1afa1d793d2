"""The recordings' sweep: recordings Asterisk left that we never heard of adopted, open
ones settled against their files (finished, truncated, missing: an alarm), tickets linked,
and the expired deleted. (Split from :mod:`callcenter.services.recordings` by role.)"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from callcenter.domain import recordings as rules
from callcenter.domain.recordings import (
    Marker,
    Recording,
    RecordingPending,
    RecordingState,
)
from callcenter.logs import call_id_var
from callcenter.services.lanes import Lanes
from callcenter.services.ports import Clock
from callcenter.services.recording_ports import (
    CallInteractions,
    RecordingFilesPort,
    RecordingPolicy,
    RecordingStorePort,
)

log = logging.getLogger(__name__)


# How long after its end a recording waits for its call to reach a ticket.
LINK_WINDOW = timedelta(hours=1)


class RecordingSweeper:
    def __init__(
        self,
        store: RecordingStorePort,
        files: RecordingFilesPort,
        calls: CallInteractions,
        policy: RecordingPolicy,
        clock: Clock,
        lanes: Lanes,
        on_alarm: Callable[[Recording], None],
    ) -> None:
        self._store, self._files, self._calls = store, files, calls
        self._policy, self._clock, self._lanes, self._on_alarm = policy, clock, lanes, on_alarm
        self.alarms: list[Recording] = []  # the newest last; the board shows them

    # -- the sweep --------------------------------------------------------------------
    async def reconcile(self, days: int = 7) -> int:
        """Rows for recordings Asterisk left in the directory that we never heard of (the
        daemon down at their start, and no marker: Asterisk died too). They then settle
        like any open recording. Returns how many were adopted."""
        adopted = 0
        for raw_path, facts in await self._files.raw_files(days):
            call_id = raw_path.rsplit("/", 1)[1][: -len(".raw")]
            if await self._store.by_call(call_id) is not None:
                continue
            start = facts.mtime - rules.audio_seconds(facts.size)
            await self._store.started(call_id, raw_path, datetime.fromtimestamp(start, UTC), "")
            log.warning("recording of call %s found in the directory: adopted", call_id)
            adopted += 1
        return adopted

    async def sweep(self) -> None:
        """Adopt what Asterisk finished, settle what it never will, delete what expired."""
        for marker in await self._files.markers():
            token = call_id_var.set(marker.call_id)
            try:
                await self._lanes.run(marker.call_id, self._adopt(marker))
                await self._files.drop_marker(marker)
            except RecordingPending as exc:
                log.info("%s: adopted at a later sweep", exc)
            except Exception:
                log.exception("recording not adopted; the marker stays for the next sweep")
            finally:
                call_id_var.reset(token)
        await self._settle_open()
        await self._link_to_tickets()
        await self._expire()

    async def _link_to_tickets(self) -> None:
        """Recordings that ended before their call reached a ticket (a fallback call is
        imported from the spool every few seconds): linked as soon as it is there."""
        since = self._clock.now() - LINK_WINDOW
        for recording in await self._store.unlinked(since):
            note = {"recording_id": recording.id, "recording_state": recording.state.value}
            if recording.problem:
                note["recording_problem"] = recording.problem
            interaction = await self._calls.update_call(recording.call_id, note)
            if interaction is None:
                continue
            changes: dict[str, Any] = {
                "ticket_number": interaction.ticket_number,
                "customer_id": interaction.customer_id,
            }
            if not recording.agent and interaction.data.get("agent"):
                changes["agent"] = str(interaction.data["agent"])
            if not recording.queue and interaction.data.get("queue"):
                changes["queue"] = str(interaction.data["queue"])
            await self._store.update(recording.call_id, changes)
            log.info("recording %d linked to ticket #%d", recording.id, interaction.ticket_number)

    async def _adopt(self, marker: Marker) -> None:
        at = datetime.fromtimestamp(marker.started_epoch, UTC)
        recording = await self._store.started(marker.call_id, marker.raw_path, at, "")
        if recording.state is not RecordingState.RECORDING:
            return  # adopted before (a marker left by a crash between the two steps)
        facts = await self._files.finish(marker.raw_path)
        problem = rules.check(
            facts.audio_bytes, marker.started_epoch, marker.ended_epoch, self._policy.slack
        )
        await self._close(
            recording, facts, problem, datetime.fromtimestamp(marker.ended_epoch, UTC)
        )

    async def _close(self, recording: Recording, facts: Any, problem: str, ended: datetime) -> None:
        duration = rules.audio_seconds(facts.audio_bytes or 0)
        state = RecordingState.MISSING if problem else RecordingState.COMPLETE
        note: dict[str, Any] = {"recording_id": recording.id, "recording_state": state.value}
        if problem:
            note["recording_problem"] = problem
        interaction = await self._calls.update_call(recording.call_id, note)
        data = interaction.data if interaction is not None else {}
        queue = recording.queue or str(data.get("queue", ""))
        changes: dict[str, Any] = {
            "state": state,
            "path": facts.path,
            "ended_at": ended,
            "duration": round(duration, 2),
            "bytes": facts.file_bytes,
            "sha256": facts.sha256,
            "problem": problem,
            "queue": queue,
            "agent": recording.agent or str(data.get("agent", "")),
            "pauses": rules.close_pauses(recording.pauses, duration),
            "retain_until": rules.retain_until(ended, self._policy.retention_days(queue)),
        }
        if interaction is not None:
            changes["ticket_number"] = interaction.ticket_number
            changes["customer_id"] = interaction.customer_id
        closed = await self._store.update(recording.call_id, changes) or recording
        if problem:
            self.alarm(closed)
        else:
            log.info(
                "recording %d complete: %.1f s, %d bytes", closed.id, duration, facts.file_bytes
            )

    def alarm(self, recording: Recording) -> None:
        log.error(
            "MISSING RECORDING %d (call %s): %s", recording.id, recording.call_id, recording.problem
        )
        self.alarms = [*self.alarms[-99:], recording]
        self._on_alarm(recording)

    async def _settle_open(self) -> None:
        """Recordings still open whose file stopped growing (or never appeared)."""
        now = self._clock.now()
        for recording in await self._store.in_state(RecordingState.RECORDING):
            facts = await self._files.raw_facts(recording.path)
            if facts is not None:
                idle = now.timestamp() - facts.mtime
                if idle < self._policy.stale:
                    continue
                token = call_id_var.set(recording.call_id)
                try:
                    log.warning(
                        "recording %d ended without a marker (idle %.0f s)", recording.id, idle
                    )
                    finished = await self._files.finish(recording.path)
                    ended = datetime.fromtimestamp(facts.mtime, UTC)
                    problem = rules.check(
                        finished.audio_bytes,
                        recording.started_at.timestamp(),
                        facts.mtime,
                        self._policy.slack,
                    )
                    await self._close(recording, finished, problem, ended)
                finally:
                    call_id_var.reset(token)
            elif (now - recording.started_at).total_seconds() > self._policy.stale:
                if await self._files.exists(rules.wav_path(recording.path)):
                    continue  # finished by a sweep that stopped before the row
                facts_none = _NoFile(rules.wav_path(recording.path))
                await self._close(recording, facts_none, "no recording file (disk full?)", now)

    async def _expire(self) -> None:
        now = self._clock.now()
        for recording in await self._store.due(now):
            await self.delete(recording, f"retention ended {recording.retain_until:%Y-%m-%d}")

    async def delete(self, recording: Recording, why: str) -> None:
        removed = await self._files.delete(recording.path)
        await self._store.update(
            recording.call_id, {"state": RecordingState.DELETED, "problem": why[:300]}
        )
        log.warning(
            "recording %d (call %s) deleted: %s%s",
            recording.id,
            recording.call_id,
            why,
            "" if removed else " (the file was already gone)",
        )


@dataclasses.dataclass(frozen=True)
class _NoFile:
    path: str
    audio_bytes: int | None = None
    file_bytes: int = 0
    sha256: str = ""
