"""The caller's side of leaving a message, over a scripted fake of our Telephony port: each
prompt ends (or the caller presses a digit during it), each recording ends with a WAV of
the length the script says (or the caller hangs up during it)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from callcenter.asterisk.voicemail_files import VoicemailFiles
from callcenter.domain.calls import (
    CallEntered,
    CallOutcome,
    CallRecord,
)
from callcenter.domain.promises import ALWAYS_OPEN, Promise, PromiseKind
from callcenter.domain.voicemails import Voicemail, VoicemailSource
from callcenter.services.call_session import CallSession
from callcenter.services.voicemail_intake import IntakePolicy, VoicemailIntake
from callcenter.services.voicemails import Arrived, VoicemailAnswer
from tests.support.fakes import FakeTelephony, FixedClock, MemoryCallLog, ScriptedCaller

NOW = FixedClock().now()


class Keeper:
    def __init__(self, queue: str = "support") -> None:
        self.kept: list[tuple[Arrived, Path]] = []
        self.queue = queue

    async def received(self, arrived: Arrived, source: Path) -> VoicemailAnswer:
        self.kept.append((arrived, source))
        voicemail = Voicemail(
            1,
            arrived.key,
            arrived.mailbox,
            self.queue,
            arrived.caller,
            NOW,
            5.0,
            VoicemailSource.LIVE,
        )
        promise = Promise(3, PromiseKind.CALLBACK, 7, self.queue, NOW, NOW + timedelta(hours=1))
        return VoicemailAnswer(voicemail, promise if self.queue else None)


def setup(
    tmp_path: Path, review: bool = True
) -> tuple[VoicemailIntake, ScriptedCaller, Keeper, CallSession]:
    tel, keeper = ScriptedCaller(tmp_path), Keeper()
    log = MemoryCallLog()
    log.records["c1"] = CallRecord("c1", "c1", "79171234567", "7000", NOW)
    session = CallSession(CallEntered("c1", "c1", "79171234567", "7000", ("inbound",)), tel, log)
    tel.session = session
    files = VoicemailFiles(tmp_path / "recordings", tmp_path / "spool")
    files.live_dir = tmp_path  # where the scripted Asterisk writes its WAVs
    intake = VoicemailIntake(
        keeper,
        files,
        lambda _queue: ALWAYS_OPEN,
        FixedClock(),
        IntakePolicy(review=review, min_seconds=1.0),
    )
    return intake, tel, keeper, session


def played(tel: FakeTelephony) -> list[str]:
    return [c[2] for c in tel.commands if c[0] == "play"]


async def test_a_kept_message_is_stored_and_the_caller_hears_when_we_call_back(
    tmp_path: Path,
) -> None:
    intake, tel, keeper, session = setup(tmp_path)
    tel.takes = [6.0]
    tel.digits = {"sound:vm-review": ["1"]}
    assert await intake.take(session, "100") is CallOutcome.VOICEMAIL
    [(arrived, source)] = keeper.kept
    assert (arrived.key, arrived.mailbox, arrived.call_id) == ("live:c1", "100", "c1")
    assert source == tmp_path / "callcenter-vm-c1.wav"
    heard = played(tel)
    assert heard[:2] == ["sound:vm-intro", "sound:vm-review"]
    assert heard[2:4] == ["sound:vm-msgsaved", "sound:auth-thankyou"]
    assert any(m.startswith("digits/") or m.startswith("sound:digits/") for m in heard)
    assert heard[-1] == "sound:vm-goodbye"
    assert tel.commands[-1] == ("hangup", "c1")


async def test_listen_then_record_again_keeps_the_second_take(tmp_path: Path) -> None:
    intake, tel, keeper, session = setup(tmp_path)
    tel.takes = [4.0, 7.0]
    tel.digits = {"sound:vm-review": ["2", "3", "1"]}
    await intake.take(session, "100")
    assert [c[0] for c in tel.commands].count("record") == 2
    assert "recording:callcenter-vm-c1" in played(tel)  # heard what they said
    assert len(keeper.kept) == 1


async def test_without_review_and_too_short_messages(tmp_path: Path) -> None:
    intake, tel, keeper, session = setup(tmp_path, review=False)
    tel.takes = [0.4]  # said nothing
    await intake.take(session, "100")
    assert keeper.kept == []
    assert "sound:vm-review" not in played(tel)
    assert tel.commands[-1] == ("hangup", "c1")


async def test_a_caller_who_hangs_up_while_recording_leaves_the_message(tmp_path: Path) -> None:
    intake, tel, keeper, session = setup(tmp_path)
    tel.takes = ["hangup"]
    assert await intake.take(session, "100") is CallOutcome.VOICEMAIL
    assert len(keeper.kept) == 1
    assert ("hangup", "c1") not in tel.commands


async def test_asterisk_unable_to_record_hands_the_call_to_voicemail_in_the_dialplan(
    tmp_path: Path,
) -> None:
    intake, tel, keeper, session = setup(tmp_path)
    tel.takes = ["fail"]
    await intake.take(session, "100")
    assert keeper.kept == []
    assert ("set", "c1", "CC_TARGET", "100") in tel.commands
    assert tel.commands[-1] == ("continue", "c1", "callcenter-voicemail", "s")


@pytest.mark.parametrize("queue", ["", "support"])
async def test_no_due_time_is_told_without_a_callback(tmp_path: Path, queue: str) -> None:
    intake, tel, keeper, session = setup(tmp_path)
    keeper.queue = queue
    tel.takes = [5.0]
    tel.digits = {"sound:vm-review": ["1"]}
    await intake.take(session, "100")
    assert ("sound:auth-thankyou" in played(tel)) is bool(queue)
