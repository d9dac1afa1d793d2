"""The voicemail store on SQLite and PostgreSQL: a message and its audio's recording row in
one transaction, keyed (a second take finds the first), answered once, searched."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from callcenter.domain.recordings import RecordingFilter, RecordingState
from callcenter.domain.voicemails import (
    NewVoicemail,
    VoicemailFilter,
    VoicemailSource,
    VoicemailState,
    recording_key,
)
from callcenter.store.db import make_sessions
from callcenter.store.db_threads import DbThreads
from callcenter.store.recordings import SqlRecordings
from callcenter.store.voicemails import SqlVoicemails

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def voicemails(db_engine: Engine) -> SqlVoicemails:
    return SqlVoicemails(make_sessions(db_engine), DbThreads(4))


def new(key: str = "live:1796196726.0", queue: str = "support") -> NewVoicemail:
    return NewVoicemail(
        key=key,
        mailbox="100",
        queue=queue,
        caller="+79171234567",
        received_at=NOW,
        duration=8.25,
        source=VoicemailSource.LIVE,
        path="voicemail/2026/12/07/live-1796196726.0.wav",
        audio_bytes=132000,
        sha256="ab" * 32,
        call_id="1796196726.0",
        retain_until=NOW + timedelta(days=90),
    )


async def test_a_message_is_kept_once_with_its_recording(
    voicemails: SqlVoicemails, db_engine: Engine
) -> None:
    first, created = await voicemails.received(new())
    assert created
    assert first.state is VoicemailState.NEW
    assert (first.mailbox, first.queue, first.duration) == ("100", "support", 8.25)
    again, created_again = await voicemails.received(new())
    assert not created_again
    assert again.id == first.id
    # Its audio is a recording of kind voicemail: mono, complete, keyed vm:<key>.
    recordings = SqlRecordings(make_sessions(db_engine))
    audio = await recordings.get(first.recording_id or 0)
    assert audio is not None
    assert audio.kind == "voicemail"
    assert audio.call_id == recording_key(first.key)
    assert (audio.state, audio.channels, audio.bytes) == (RecordingState.COMPLETE, 1, 132000)
    calls_only = await recordings.search(RecordingFilter(kind="call"), 10, None)
    assert calls_only.items == ()


async def test_concurrent_takes_of_one_message_make_one(voicemails: SqlVoicemails) -> None:
    results = await asyncio.gather(
        *(voicemails.received(new("spool:1796196800-00000001")) for _ in range(4)),
        return_exceptions=True,
    )
    kept = [r for r in results if not isinstance(r, BaseException)]
    assert kept, results
    assert len({v.id for v, _ in kept}) == 1
    assert sum(1 for _, created in kept if created) == 1


async def test_changes_answer_and_search(voicemails: SqlVoicemails) -> None:
    a, _ = await voicemails.received(new("live:1.1", "support"))
    b, _ = await voicemails.received(new("live:1.2", "sales"))
    with pytest.raises(ValueError, match="may not change"):
        await voicemails.update(a.id, {"mailbox": "200"})
    assert await voicemails.update(999, {"note": "x"}) is None
    noted = await voicemails.update(a.id, {"note": "no callback: caller withheld"})
    assert noted is not None
    assert noted.note.startswith("no callback")
    assert [v.id for v in await voicemails.unfinished()] == [a.id, b.id]
    await voicemails.update(a.id, {"ticket_number": None})
    done = await voicemails.answer(a.id, NOW, "lead", "called back")
    assert done is not None
    assert (done.state, done.answered_by, done.note) == (
        VoicemailState.ANSWERED,
        "lead",
        "called back",
    )
    # Answered once: a second answer changes nothing.
    later = await voicemails.answer(a.id, NOW + timedelta(hours=1), "someone else", "")
    assert later is not None
    assert (later.answered_by, later.answered_at) == ("lead", NOW)
    assert [v.id for v in await voicemails.unfinished()] == [b.id]
    page = await voicemails.search(VoicemailFilter(state=VoicemailState.NEW), 10, None)
    assert [v.id for v in page.items] == [b.id]
    first = await voicemails.search(VoicemailFilter(), 1, None)
    assert first.next_cursor == str(b.id)
    rest = await voicemails.search(VoicemailFilter(), 1, int(first.next_cursor))
    assert [v.id for v in rest.items] == [a.id]
    by_queue = await voicemails.search(VoicemailFilter(queue="sales"), 10, None)
    assert [v.id for v in by_queue.items] == [b.id]
