"""The recordings service on real files (a temporary directory laid out as Asterisk leaves
it) and a real SQLite store; Asterisk's mute and the ticket store are fakes behind ports."""

from __future__ import annotations

import os
import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callcenter.asterisk.recording_files import RecordingFiles
from callcenter.domain.recordings import BYTES_PER_SECOND, RecordingFilter, RecordingState
from callcenter.domain.tickets import Direction, Interaction, InteractionKind, Role
from callcenter.services.ports import ApiPrincipal, TelephonyError
from callcenter.services.recordings import (
    RecordingNotFound,
    RecordingPolicy,
    RecordingRefused,
    Recordings,
)
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.models import CustomerRow, TicketRow
from callcenter.store.recordings import SqlRecordings

START = 1_764_669_600  # 2025-12-02 10:00 UTC
CALL = f"{START}.7"
RAW = f"2025/12/02/{CALL}.raw"
AGENT = ApiPrincipal(0, "anna", Role.AGENT, "1001")
OTHER = ApiPrincipal(0, "boris", Role.AGENT, "1002")
LEAD = ApiPrincipal(0, "sue", Role.SUPERVISOR, "")


class Clock:
    def __init__(self) -> None:
        self.at = datetime.fromtimestamp(START, UTC)

    def now(self) -> datetime:
        return self.at


class Mute:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []
        self.down = False

    async def mute(self, call_id: str, muted: bool) -> None:
        if self.down:
            raise TelephonyError("MixMonitorMute: AMI is not connected")
        self.calls.append((call_id, muted))


class Calls:
    def __init__(self) -> None:
        self.notes: dict[str, dict[str, Any]] = {}
        self.on_ticket = True  # False: the call has not reached its ticket yet

    async def update_call(self, call_id: str, changes: dict[str, Any]) -> Interaction | None:
        if not self.on_ticket:
            return None
        self.notes.setdefault(call_id, {}).update(changes)
        return Interaction(
            1,
            42,
            5,
            InteractionKind.CALL,
            Direction.INBOUND,
            self_now(),
            source_id=call_id,
            data={"queue": "sales", "agent": "1001", **self.notes[call_id]},
        )


def self_now() -> datetime:
    return datetime.fromtimestamp(START, UTC)


class World:
    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'cc.sqlite3'}"
        upgrade(url)
        self.engine = make_engine(url)
        sessions = make_sessions(self.engine)
        self.store = SqlRecordings(sessions)
        with sessions.begin() as s:  # the call's ticket (42) and customer (5)
            s.add(CustomerRow(id=5, name="Ivan", created_at=self_now()))
            s.flush()
            s.add(
                TicketRow(
                    id=42,
                    subject="call",
                    status="open",
                    priority="normal",
                    channel="phone",
                    customer_id=5,
                    created_at=self_now(),
                    updated_at=self_now(),
                )
            )
        self.root, self.markers = tmp / "recordings", tmp / "spool"
        self.root.mkdir()
        self.markers.mkdir()
        self.files = RecordingFiles(self.root, self.markers)
        self.mute, self.calls, self.clock = Mute(), Calls(), Clock()
        self.alarms: list[Any] = []
        self.service = Recordings(
            self.store,
            self.files,
            self.mute,
            self.calls,
            RecordingPolicy(lambda q: {"sales": 30}.get(q, 90), slack=3, stale=60),
            self.clock,
            on_alarm=self.alarms.append,
        )

    def asterisk_records(
        self, seconds: float, marker: bool = True, ended: float | None = None
    ) -> None:
        """What MixMonitor leaves: the raw file, then (closed) the marker."""
        raw = self.root / RAW
        raw.parent.mkdir(parents=True, exist_ok=True)
        frames = int(seconds * 8000)
        raw.write_bytes(b"\x01\x00\xff\xff" * frames)  # left 1, right -1
        end = ended if ended is not None else START + seconds
        os.utime(raw, (end, end))
        if marker:
            done = self.markers / f"{CALL}.done"
            done.write_text(f"{START} {RAW}\n")
            os.utime(done, (end, end))


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path)
    yield w
    w.engine.dispose()


async def test_a_finished_recording_becomes_a_checked_wav_on_the_ticket(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    await world.service.agent_answered(CALL, "1001", "sales")
    world.asterisk_records(62.0)
    await world.service.sweep()

    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.state is RecordingState.COMPLETE, rec
    assert (rec.agent, rec.queue, rec.ticket_number, rec.customer_id) == ("1001", "sales", 42, 5)
    assert rec.duration == pytest.approx(62.0)
    assert rec.retain_until == rec.ended_at + timedelta(days=30)  # sales keeps 30 days
    with wave.open(str(world.root / rec.path)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getnframes()) == (2, 8000, 62 * 8000)
    assert not (world.root / RAW).exists()
    assert not list(world.markers.iterdir())  # the marker is consumed
    assert world.calls.notes[CALL]["recording_state"] == "complete"
    assert world.alarms == []


async def test_recorded_while_the_daemon_was_down_is_adopted(world: World) -> None:
    world.asterisk_records(10.0)  # no UserEvent ever arrived: only the marker
    await world.service.sweep()
    await world.service.sweep()  # twice: nothing changes
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.state is RecordingState.COMPLETE
    page = await world.store.search(RecordingFilter(), 10, None)
    assert len(page.items) == 1


async def test_a_truncated_file_raises_the_alarm_on_the_interaction(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    world.asterisk_records(20.0, ended=START + 60)  # 20 s of audio for a 60 s call
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.state is RecordingState.MISSING
    assert rec.problem.startswith("truncated")
    assert [a.id for a in world.alarms] == [rec.id]
    assert world.calls.notes[CALL]["recording_problem"].startswith("truncated")


async def test_no_file_at_all_is_missing_after_the_stale_time(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    await world.service.sweep()
    assert world.alarms == []  # the call may still be going on
    world.clock.at += timedelta(seconds=61)
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.state is RecordingState.MISSING
    assert "no recording file" in rec.problem


async def test_a_file_that_stopped_growing_without_a_marker_is_adopted(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    world.asterisk_records(30.0, marker=False)  # Asterisk died: no post-process
    world.clock.at = datetime.fromtimestamp(START + 30 + 61, UTC)
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.state is RecordingState.COMPLETE, rec.problem


async def test_pci_pause_mutes_and_stores_the_interval(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    await world.service.agent_answered(CALL, "1001", "sales")
    world.clock.at += timedelta(seconds=42)
    await world.service.pause(CALL, AGENT)
    await world.service.pause(CALL, AGENT)  # twice: one interval, one mute
    world.clock.at += timedelta(seconds=28)
    rec = await world.service.resume(CALL, LEAD)
    assert world.mute.calls == [(CALL, True), (CALL, False)]
    assert [(p.start, p.end) for p in rec.pauses] == [(42.0, 70.0)]
    with pytest.raises(RecordingRefused, match="boris"):
        await world.service.pause(CALL, OTHER)
    with pytest.raises(RecordingNotFound):
        await world.service.pause("1.2", AGENT)


async def test_a_pause_asterisk_refused_is_not_stored(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    await world.service.agent_answered(CALL, "1001", "sales")
    world.mute.down = True
    with pytest.raises(TelephonyError):
        await world.service.pause(CALL, AGENT)
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.pauses == ()


async def test_listening_is_audited_and_checked(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    await world.service.agent_answered(CALL, "1001", "sales")
    world.asterisk_records(5.0)
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert (await world.service.for_listening(rec.id, LEAD, "127.0.0.1")).id == rec.id
    with pytest.raises(RecordingRefused):
        await world.service.for_listening(rec.id, OTHER, "127.0.0.9")
    with pytest.raises(RecordingNotFound):
        await world.service.for_listening(rec.id + 1, LEAD, "127.0.0.1")
    audit = await world.store.listens(rec.id)
    assert [(a.who, a.allowed) for a in audit] == [("boris", False), ("sue", True)]

    (world.root / rec.path).unlink()  # deleted behind our back
    missing = await world.service.for_listening(rec.id, LEAD, "127.0.0.1")
    assert missing.state is RecordingState.MISSING
    assert "behind our back" in missing.problem
    assert world.alarms


async def test_retention_deletes_unless_the_ticket_is_on_hold(world: World) -> None:
    await world.service.started(CALL, RAW, START, "sales")
    world.asterisk_records(5.0)
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.ticket_number == 42
    await world.store.hold(42, "dispute", "sue", world.clock.now())
    world.clock.at += timedelta(days=31)
    await world.service.sweep()
    held = await world.store.by_call(CALL)
    assert held is not None
    assert held.state is RecordingState.COMPLETE
    await world.store.release(42)
    await world.service.sweep()
    gone = await world.store.by_call(CALL)
    assert gone is not None
    assert gone.state is RecordingState.DELETED
    assert gone.problem.startswith("retention ended")
    assert not (world.root / rec.path).exists()


def test_wav_bytes_per_second() -> None:
    assert BYTES_PER_SECOND == 32000


async def test_a_raw_nobody_heard_of_is_found_and_settled(world: World) -> None:
    # Daemon and Asterisk both died: no UserEvent, no marker — only the file.
    world.asterisk_records(30.0, marker=False)
    assert await world.service.reconcile() == 1
    assert await world.service.reconcile() == 0  # known now
    world.clock.at = datetime.fromtimestamp(START + 30 + 61, UTC)
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.state is RecordingState.COMPLETE, rec.problem
    assert rec.started_at == datetime.fromtimestamp(START, UTC)


async def test_a_recording_that_ended_before_its_ticket_is_linked_later(world: World) -> None:
    world.calls.on_ticket = False  # a fallback call, imported from the spool a little later
    world.asterisk_records(10.0)
    world.clock.at = datetime.fromtimestamp(START + 12, UTC)
    await world.service.sweep()
    rec = await world.store.by_call(CALL)
    assert rec is not None
    assert rec.ticket_number is None
    world.calls.on_ticket = True
    await world.service.sweep()
    linked = await world.store.by_call(CALL)
    assert linked is not None
    assert (linked.ticket_number, linked.agent, linked.queue) == (42, "1001", "sales")
    assert world.calls.notes[CALL]["recording_state"] == "complete"
