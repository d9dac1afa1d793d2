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

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from callcenter.domain import recordings as rules
from callcenter.domain.recordings import (
    Listen,
    Marker,
    Recording,
    RecordingFilter,
    RecordingState,
)
from callcenter.domain.tickets import Interaction, Page
from callcenter.logs import call_id_var
from callcenter.services.lanes import Lanes
from callcenter.services.ports import ApiPrincipal, Clock

log = logging.getLogger(__name__)


# How long after its end a recording waits for its call to reach a ticket.
LINK_WINDOW = timedelta(hours=1)


class RecordingNotFound(LookupError):
    """No such recording (or none for that call)."""


class RecordingRefused(PermissionError):
    """The principal may not do this to that recording; the message says why."""


class RecordingFilesPort(Protocol):
    async def markers(self) -> list[Marker]: ...
    async def drop_marker(self, marker: Marker) -> None: ...
    async def finish(self, raw_path: str) -> Any: ...  # FileFacts
    async def raw_facts(self, raw_path: str) -> Any: ...  # RawFacts | None
    async def exists(self, relative: str) -> bool: ...
    async def raw_files(self, days: int) -> list[tuple[str, Any]]: ...
    async def delete(self, relative: str) -> bool: ...
    def absolute(self, relative: str) -> Path: ...


class RecordingMute(Protocol):
    async def mute(self, call_id: str, muted: bool) -> None: ...


class CallInteractions(Protocol):
    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction | None: ...


class RecordingStorePort(Protocol):
    async def started(self, call_id: str, path: str, at: datetime, queue: str) -> Recording: ...
    async def update(self, call_id: str, changes: dict[str, Any]) -> Recording | None: ...
    async def get(self, recording_id: int) -> Recording | None: ...
    async def by_call(self, call_id: str) -> Recording | None: ...
    async def in_state(self, state: RecordingState, limit: int = 1000) -> list[Recording]: ...
    async def due(self, now: datetime, limit: int = 500) -> list[Recording]: ...
    async def unlinked(self, ended_since: datetime, limit: int = 100) -> list[Recording]: ...
    async def audit(self, recording_id: int, listen: Listen) -> None: ...
    async def listens(self, recording_id: int, limit: int = 200) -> list[Listen]: ...
    async def search(
        self, where: RecordingFilter, limit: int, before: int | None
    ) -> Page[Recording]: ...
    async def hold(self, ticket_number: int, reason: str, by: str, at: datetime) -> bool: ...
    async def release(self, ticket_number: int) -> bool: ...


@dataclasses.dataclass(frozen=True)
class RecordingPolicy:
    retention_days: Callable[[str], int]  # queue → days (0: for ever)
    slack: float = 3.0
    stale: float = 120.0


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
        self.alarms: list[Recording] = []  # the newest last; the board shows them
        self._lanes = Lanes()  # one call's events applied in the order they came

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
            self._alarm(closed)
        else:
            log.info(
                "recording %d complete: %.1f s, %d bytes", closed.id, duration, facts.file_bytes
            )

    def _alarm(self, recording: Recording) -> None:
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
            self._alarm(recording)
        return recording


@dataclasses.dataclass(frozen=True)
class _NoFile:
    path: str
    audio_bytes: int | None = None
    file_bytes: int = 0
    sha256: str = ""


def _listen(who: ApiPrincipal, address: str, at: datetime, allowed: bool) -> Listen:
    return Listen(who.name, who.role.value, address, at, allowed)


def retention_lookup(days: dict[str, int], default: int) -> Callable[[str], int]:
    """Days a queue's recordings are kept: the queue's own, else the default."""
    return lambda queue: days.get(queue) or default
