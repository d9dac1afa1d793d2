"""Recordings: adopted when Asterisk closes them, checked against the call, paused for card
numbers, listened to under audit, deleted when their retention ends.

Contract:
* :meth:`started` then :meth:`agent_answered` of one call apply in the order they are
  called (a lane per call): the agent is never written before the row exists.
* :meth:`started` (the dialplan's UserEvent) and a marker found by :meth:`sweep` both name
  the call by Asterisk's Uniqueid: whichever comes first creates the row, the other changes
  nothing. A recording made while the daemon was down is adopted at the next sweep.
* Each finished recording is checked (file present, not empty, as long as the time
  MixMonitor ran, give or take ``slack``); anything else is a *missing-recording alarm*:
  logged, counted, shown on the board, marked on the call's interaction. Never silent.
* A recording whose file stopped growing ``stale`` seconds ago without a marker (Asterisk
  died mid-call) is adopted as it is; one with no file at all after ``stale`` is missing.
  :meth:`reconcile` (at start and after every AMI login) gives a row to any ``.raw`` in the
  directory the table does not know, so those settle the same way.
* Pause/resume mute both directions (silence is written, the two channels stay aligned)
  and store the interval in seconds from the recording's start.
* Every fetch of audio is audited, refused ones too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from callcenter.domain import recordings as rules
from callcenter.domain.recordings import (
    Listen,
    Recording,
    RecordingFilter,
    RecordingState,
)
from callcenter.domain.tickets import Page
from callcenter.services.lanes import Lanes
from callcenter.services.ports import ApiPrincipal, Clock
from callcenter.services.recording_ports import (
    CallInteractions,
    RecordingFilesPort,
    RecordingMute,
    RecordingNotFound,
    RecordingPolicy,
    RecordingRefused,
    RecordingStorePort,
    retention_lookup,
)
from callcenter.services.recording_sweeper import RecordingSweeper

log = logging.getLogger(__name__)


__all__ = [
    "RecordingNotFound",
    "RecordingPolicy",
    "RecordingRefused",
    "Recordings",
    "retention_lookup",
]


class Recordings:
    def __init__(
        self,
        store: RecordingStorePort,
        files: RecordingFilesPort,
        mute: RecordingMute,
        calls: CallInteractions,
        policy: RecordingPolicy,
        clock: Clock,
        on_alarm: Callable[[Recording], None] = lambda r: None,
    ) -> None:
        self._store, self._files, self._mute, self._calls = store, files, mute, calls
        self._policy, self._clock, self._on_alarm = policy, clock, on_alarm
        self._lanes = Lanes()  # one call's events applied in the order they came
        self._sweeper = RecordingSweeper(store, files, calls, policy, clock, self._lanes, on_alarm)
        self.alarms = self._sweeper.alarms  # the newest last; the board shows them

    # -- the call's life --------------------------------------------------------------
    async def started(self, call_id: str, raw_path: str, start_epoch: float, queue: str) -> None:
        await self._lanes.run(call_id, self._started(call_id, raw_path, start_epoch, queue))

    async def _started(self, call_id: str, raw_path: str, start_epoch: float, queue: str) -> None:
        if rules.RAW_PATH.fullmatch(raw_path) is None or not raw_path.endswith(f"/{call_id}.raw"):
            log.error("recording start names %r: not a path of ours, ignored", raw_path)
            return
        at = datetime.fromtimestamp(start_epoch, UTC)
        recording = await self._store.started(call_id, raw_path, at, queue)
        log.info("recording %d started in queue %s: %s", recording.id, queue, raw_path)

    async def agent_answered(self, call_id: str, agent: str, queue: str) -> None:
        """After :meth:`started` of the same call (one lane per call, in arrival order)."""
        update = self._store.update(call_id, {"agent": agent, "queue": queue})
        if await self._lanes.run(call_id, update) is not None:
            log.info("recording: agent %s answered in %s", agent, queue)

    async def pause(self, call_id: str, who: ApiPrincipal) -> Recording:
        return await self._pause(call_id, who, paused=True)

    async def resume(self, call_id: str, who: ApiPrincipal) -> Recording:
        return await self._pause(call_id, who, paused=False)

    async def _pause(self, call_id: str, who: ApiPrincipal, paused: bool) -> Recording:
        return await self._lanes.run(call_id, self._pause_now(call_id, who, paused))

    async def _pause_now(self, call_id: str, who: ApiPrincipal, paused: bool) -> Recording:
        recording = await self._store.by_call(call_id)
        if recording is None:
            raise RecordingNotFound(f"call {call_id!r} has no recording")
        if not rules.may_pause(who.role, who.agent, recording):
            raise RecordingRefused(f"{who.name} is not on call {call_id} (agent {recording.agent})")
        if recording.state is not RecordingState.RECORDING:
            raise RecordingRefused(f"the recording of call {call_id} has ended")
        if recording.paused == paused:
            return recording  # already so: idempotent
        await self._mute.mute(call_id, paused)  # TelephonyError: nothing stored
        at = (self._clock.now() - recording.started_at).total_seconds()
        pauses = (
            rules.pause_started(recording.pauses, at, who.name)
            if paused
            else rules.pause_ended(recording.pauses, at)
        )
        updated = await self._store.update(call_id, {"pauses": pauses})
        log.info("recording %s by %s at %.1f s", "paused" if paused else "resumed", who.name, at)
        return updated or recording

    # -- the sweep (RecordingSweeper) ------------------------------------------------
    async def reconcile(self, days: int = 7) -> int:
        return await self._sweeper.reconcile(days)

    async def sweep(self) -> None:
        await self._sweeper.sweep()

    async def delete(self, recording: Recording, why: str) -> None:
        await self._sweeper.delete(recording, why)

    # -- reading, legal holds ---------------------------------------------------------
    async def search(
        self, where: RecordingFilter, limit: int, before: int | None
    ) -> Page[Recording]:
        return await self._store.search(where, limit, before)

    async def get(self, recording_id: int) -> Recording | None:
        return await self._store.get(recording_id)

    async def listens(self, recording_id: int) -> list[Listen]:
        return await self._store.listens(recording_id)

    async def hold(self, ticket_number: int, reason: str, by: str) -> bool:
        """Put a ticket on legal hold (False: it was already); logged with who and why."""
        new = await self._store.hold(ticket_number, reason, by, self._clock.now())
        log.warning("ticket #%d on legal hold by %s: %s", ticket_number, by, reason)
        return new

    async def release(self, ticket_number: int, by: str) -> bool:
        released = await self._store.release(ticket_number)
        if released:
            log.warning("ticket #%d: legal hold released by %s", ticket_number, by)
        return released

    # -- listening --------------------------------------------------------------------
    def audio_file(self, recording: Recording) -> Path:
        """The file of a complete recording (from its row: a client never names one)."""
        return self._files.absolute(recording.path)

    async def for_listening(self, recording_id: int, who: ApiPrincipal, address: str) -> Recording:
        """The recording ``who`` may hear (audited, refusals too); its file is checked: a
        file deleted behind our back turns the row missing."""
        recording = await self._store.get(recording_id)
        if recording is None:
            raise RecordingNotFound(f"no recording {recording_id}")
        allowed = rules.may_listen(who.role, who.agent, recording)
        await self._store.audit(recording.id, _listen(who, address, self._clock.now(), allowed))
        if not allowed:
            log.warning("recording %d: %s (%s) may not listen", recording.id, who.name, who.role)
            raise RecordingRefused(f"role {who.role.value} may not hear recording {recording.id}")
        if recording.state is RecordingState.COMPLETE and not await self._files.exists(
            recording.path
        ):
            await self._store.update(
                recording.call_id,
                {
                    "state": RecordingState.MISSING,
                    "problem": "the file was deleted behind our back",
                },
            )
            recording = await self._store.get(recording_id) or recording
            self._sweeper.alarm(recording)
        return recording


def _listen(who: ApiPrincipal, address: str, at: datetime, allowed: bool) -> Listen:
    return Listen(who.name, who.role.value, address, at, allowed)
