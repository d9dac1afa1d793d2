"""The voicemails use case on a real SQLite store and real files (our own adapter, in a
temporary directory); the callbacks and the ticket store are fakes behind their ports."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callcenter.asterisk.voicemail_files import VoicemailFiles
from callcenter.domain.callbacks import Callback, CallbackError, CallbackState
from callcenter.domain.promises import Promise, PromiseKind, PromiseState
from callcenter.domain.tickets import Direction, Interaction, InteractionKind, VoicemailSummary
from callcenter.domain.voicemails import (
    VoicemailFilter,
    VoicemailSource,
    VoicemailState,
    live_key,
)
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from callcenter.services.voicemails import (
    Arrived,
    VoicemailNotFound,
    VoicemailPolicy,
    Voicemails,
)
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.models import CallbackRow, TicketRow
from callcenter.store.voicemails import SqlVoicemails
from tests.support.fakes import FixedClock

NOW = FixedClock().now()


def write_wav(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x10\x00" * int(8000 * seconds))
    return path


class Requests:
    """Callbacks behind the CallbackRequester port: one open per number (merged)."""

    def __init__(self) -> None:
        self.asked: list[CallbackRequest] = []
        self.refuse: str = ""

    async def request(self, req: CallbackRequest) -> CallbackAnswer:
        if self.refuse:
            raise CallbackError(self.refuse)
        self.asked.append(req)
        callback = Callback(
            id=7,
            queue=req.queue,
            number="+79171234567",
            state=CallbackState.WAITING,
            requested_at=NOW,
            joined_at=NOW,
            source=req.source,
        )
        promise = Promise(
            id=3,
            kind=PromiseKind.CALLBACK,
            subject_id=7,
            queue=req.queue,
            made_at=NOW,
            due_at=NOW + timedelta(minutes=30),
            state=PromiseState.OPEN,
        )
        return CallbackAnswer(callback, promise, len(self.asked) == 1)


class Tickets:
    def __init__(self) -> None:
        self.written: dict[str, VoicemailSummary] = {}
        self.fail = False

    async def record_voicemail(self, message: VoicemailSummary) -> Interaction:
        if self.fail:
            raise OSError("database is gone")
        self.written.setdefault(message.key, message)
        return Interaction(
            id=1,
            ticket_number=42,
            customer_id=None,
            kind=InteractionKind.VOICEMAIL,
            direction=Direction.INBOUND,
            occurred_at=message.received_at,
            source="voicemail",
            source_id=message.key,
        )


@pytest.fixture
def setup(
    tmp_path: Path,
) -> Iterator[tuple[Voicemails, Requests, Tickets, VoicemailFiles, list[str]]]:
    url = f"sqlite:///{tmp_path / 'vm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessions(engine).begin() as s:  # what the fakes name: ticket 42, callback 7
        s.add(
            TicketRow(
                id=42,
                subject="call",
                status="open",
                priority="normal",
                channel="phone",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        s.add(
            CallbackRow(
                id=7,
                queue="support",
                number="+79171234567",
                state="waiting",
                requested_at=NOW,
                joined_at=NOW,
            )
        )
    files = VoicemailFiles(tmp_path / "recordings", tmp_path / "spool")
    requests, tickets, events = Requests(), Tickets(), []
    owners = {"100": "support"}
    service = Voicemails(
        SqlVoicemails(make_sessions(engine)),
        files,
        tickets,
        requests,
        VoicemailPolicy(
            queue_of=lambda box: owners.get(box, ""),
            retention_days=lambda _q: 90,
            number_of=lambda raw: "+" + raw if raw.isdigit() else "",
        ),
        FixedClock(),
        on_event=lambda kind, _data: events.append(kind),
    )
    yield service, requests, tickets, files, events
    engine.dispose()


def arrived(
    call_id: str = "1796196726.0", caller: str = "79171234567", box: str = "100"
) -> Arrived:
    return Arrived(live_key(call_id), box, caller, NOW, VoicemailSource.LIVE, call_id)


async def test_a_message_is_kept_asks_a_callback_and_lands_on_the_ticket(setup: Any) -> None:
    service, requests, tickets, files, events = setup
    source = write_wav(files.live_source("callcenter-vm-1796196726.0"), 6.5)
    answer = await service.received(arrived(), source)
    vm = answer.voicemail
    assert (vm.queue, vm.caller, vm.state, vm.duration) == (
        "support",
        "+79171234567",
        VoicemailState.NEW,
        6.5,
    )
    assert vm.callback_id == 7
    assert vm.ticket_number == 42
    assert answer.promise is not None
    assert answer.promise.due_at == NOW + timedelta(minutes=30)
    assert [(r.queue, r.source, r.joined_at) for r in requests.asked] == [
        ("support", "voicemail", NOW)
    ]
    written = tickets.written[vm.key]
    assert written.data["recording_id"] == vm.recording_id
    assert written.data["due_at"] == answer.promise.due_at.isoformat()
    assert events == ["voicemail.received"]
    # The audio moved into the recordings store; Asterisk's copy is gone.
    assert not source.exists()
    kept = files.root / f"voicemail/{NOW:%Y/%m/%d}/live-1796196726.0.wav"
    assert kept.is_file()


async def test_taking_the_same_message_again_changes_nothing(setup: Any) -> None:
    service, requests, _tickets, files, events = setup
    first = await service.received(arrived(), write_wav(files.live_source("a"), 3))
    again = await service.received(arrived(), write_wav(files.live_source("a"), 3))
    assert again.voicemail.id == first.voicemail.id
    assert len(requests.asked) == 1  # no second callback
    assert events == ["voicemail.received"]  # told once


async def test_no_callback_when_the_number_may_not_be_dialled_or_no_queue_answers(
    setup: Any,
) -> None:
    service, requests, _tickets, files, _events = setup
    requests.refuse = "caller id: +7809… is premium rate"
    refused = await service.received(arrived("1.1"), write_wav(files.live_source("b"), 2))
    assert refused.promise is None
    assert refused.voicemail.note == "no callback: caller id: +7809… is premium rate"
    assert refused.voicemail.ticket_number == 42  # kept and on the ticket all the same
    requests.refuse = ""
    withheld = await service.received(
        arrived("1.2", caller="anonymous"), write_wav(files.live_source("c"), 2)
    )
    assert withheld.voicemail.note == "no callback: caller withheld"
    nobody = await service.received(arrived("1.3", box="200"), write_wav(files.live_source("d"), 2))
    assert nobody.voicemail.note == "no callback: no queue answers this mailbox"
    assert requests.asked == []


async def test_a_crash_before_the_ticket_is_finished_at_start(setup: Any) -> None:
    service, requests, tickets, files, events = setup
    tickets.fail = True
    source = write_wav(files.live_source("e"), 2)
    with pytest.raises(OSError, match="database is gone"):
        await service.received(arrived("2.1"), source)
    assert source.exists()  # the audio stays where it was until the message is whole
    assert events == []
    tickets.fail = False
    await service.resume()
    page = await service.search(VoicemailFilter(), 10, None)
    assert [v.ticket_number for v in page.items] == [42]
    assert len(requests.asked) == 1
    assert events == ["voicemail.received"]


async def test_the_spool_is_imported_once_and_emptied(setup: Any) -> None:
    service, _requests, tickets, files, _events = setup
    inbox = files.spool_dir / "100" / "INBOX"
    write_wav(inbox / "msg0000.wav", 4)
    (inbox / "msg0000.txt").write_text(
        ";\n; Message Information file\n;\n[message]\norigmailbox=100\n"
        'callerid="Caller" <79171234567>\norigtime=1796196800\nmsg_id=1796196800-00000000\n'
        "flag=\nduration=4\n"
    )
    write_wav(inbox / "msg0001.wav", 1)
    (inbox / "msg0001.txt").write_text("[message]\norigtime=soon\nmsg_id=x\n")  # broken
    assert await service.import_spool() == 1
    assert sorted(p.name for p in inbox.iterdir()) == ["msg0001.bad", "msg0001.wav"]
    page = await service.search(VoicemailFilter(), 10, None)
    [vm] = page.items
    assert (vm.source, vm.key, vm.caller) == (
        VoicemailSource.SPOOL,
        "spool:1796196800-00000000",
        "+79171234567",
    )
    assert vm.received_at == datetime.fromtimestamp(1796196800, UTC)
    assert list(tickets.written) == ["spool:1796196800-00000000"]
    assert await service.import_spool() == 0


async def test_answered_by_staff_or_by_its_completed_callback(setup: Any) -> None:
    service, _requests, _tickets, files, _events = setup
    a = (await service.received(arrived("3.1"), write_wav(files.live_source("f"), 2))).voicemail
    await service.callback_completed(7, "1001")
    done = await service.get(a.id)
    assert (done.state, done.answered_by) == (VoicemailState.ANSWERED, "agent 1001")
    with pytest.raises(VoicemailNotFound):
        await service.answered(999, "lead")
    with pytest.raises(VoicemailNotFound):
        await service.get(999)
