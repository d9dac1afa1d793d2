"""The caller's side of a callback request over a scripted caller (our Telephony port):
the number read back and confirmed, and "call me at 15:00" keyed in from the IVR."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.domain.business_hours import Calendar
from callcenter.domain.callbacks import Callback, CallbackError, CallbackState, NumberPolicy
from callcenter.domain.calls import CallEntered, CallOutcome, CallRecord, FallbackCall
from callcenter.domain.promises import Promise, PromiseKind
from callcenter.services.call_session import CallSession
from callcenter.services.callback_intake import CallbackIntake
from callcenter.services.callback_ports import CallbackAnswer, CallbackRequest
from tests.support.fakes import FixedClock, MemoryCallLog, ScriptedCaller

NOW = FixedClock().now()  # 2026-11-23 12:00 UTC, a Monday: 15:00 in Moscow
MOSCOW = ZoneInfo("Europe/Moscow")
OFFICE = Calendar("Europe/Moscow", {"mon": ((540, 1080),), "tue": ((540, 1080),)}, frozenset())
ASK_TIME = ["sound:dir-pls-enter"]
READ_BACK = "sound:to-call-this-number"


class Requests:
    def __init__(self) -> None:
        self.asked: list[CallbackRequest] = []

    async def request(self, req: CallbackRequest) -> CallbackAnswer:
        if req.at is not None and req.at.astimezone(MOSCOW).hour >= 18:
            raise CallbackError("at: outside business hours")
        self.asked.append(req)
        due = (req.at or NOW + timedelta(minutes=45)) + timedelta(minutes=15)
        callback = Callback(7, req.queue, "+79161234567", CallbackState.WAITING, NOW, NOW)
        return CallbackAnswer(
            callback, Promise(3, PromiseKind.CALLBACK, 7, req.queue, NOW, due), True
        )


def setup(tmp_path: Path) -> tuple[CallbackIntake, ScriptedCaller, Requests, CallSession]:
    tel, requests = ScriptedCaller(tmp_path), Requests()
    log = MemoryCallLog()
    log.records["c1"] = CallRecord("c1", "c1", "79161234567", "7000", NOW)
    session = CallSession(CallEntered("c1", "c1", "79161234567", "7000", ("inbound",)), tel, log)
    tel.session = session
    intake = CallbackIntake(
        requests,  # type: ignore[arg-type]
        NumberPolicy(region="RU", countries=frozenset({"RU"})),
        lambda _queue: OFFICE,
        FixedClock(),
    )
    return intake, tel, requests, session


def played(tel: ScriptedCaller) -> list[str]:
    return [c[2] for c in tel.commands if c[0] == "play"]


async def test_call_me_at_a_time_keyed_in_is_scheduled_then(tmp_path: Path) -> None:
    intake, tel, requests, session = setup(tmp_path)
    tel.digits = {READ_BACK: ["1"], ASK_TIME[0]: ["1630#"]}
    outcome = await intake.take(session, "support", None, 0, "ivr", ask_time=ASK_TIME)
    assert outcome is CallOutcome.CALLBACK
    [req] = requests.asked
    assert req.number == "+79161234567"
    assert req.at == datetime(2026, 11, 23, 16, 30, tzinfo=MOSCOW)
    heard = played(tel)
    assert heard[-1] == "sound:vm-goodbye"
    assert "sound:auth-thankyou" in heard
    assert "digits/today" in " ".join(heard)  # "today at 4 45 p-m": the promise


async def test_pound_alone_or_silence_is_as_soon_as_possible(tmp_path: Path) -> None:
    intake, tel, requests, session = setup(tmp_path)
    tel.digits = {READ_BACK: ["1"], ASK_TIME[0]: ["#"]}
    await intake.take(session, "support", None, 0, "ivr", ask_time=ASK_TIME)
    assert requests.asked[0].at is None


async def test_a_closed_or_impossible_time_is_asked_again_then_as_soon_as_possible(
    tmp_path: Path,
) -> None:
    intake, tel, requests, session = setup(tmp_path)
    # 07:00 is before the office opens; 2599 is no time at all.
    tel.digits = {READ_BACK: ["1"], ASK_TIME[0]: ["0700#", "2599#"]}
    await intake.take(session, "support", None, 0, "ivr", ask_time=ASK_TIME)
    assert played(tel).count("sound:im-sorry") == 2
    assert requests.asked[0].at is None


async def test_without_ask_time_nothing_is_asked(tmp_path: Path) -> None:
    intake, tel, requests, session = setup(tmp_path)
    tel.digits = {READ_BACK: ["1"]}
    await intake.take(session, "support", None, 0, "queue")
    assert ASK_TIME[0] not in played(tel)
    assert requests.asked[0].at is None


async def test_from_the_queue_the_due_time_is_said_in_the_calls_language(tmp_path: Path) -> None:
    """The queue's callback digit sends the call here with no language in its arguments:
    the channel's (the IVR set it) is what the caller hears the due time in."""
    intake, tel, _requests, _ = setup(tmp_path)
    log = MemoryCallLog()
    log.records["c2"] = CallRecord("c2", "c2", "79161234567", "7000", NOW)
    args = ("callback", "support", "", "0")
    session = CallSession(CallEntered("c2", "c2", "79161234567", "7000", args, "ru"), tel, log)
    tel.session = session
    tel.digits = {READ_BACK: ["1"]}
    await intake.handle(session)
    said = {lang for media, lang in tel.languages if media.startswith("sound:digits/")}
    assert said == {"ru"}


async def test_the_capacity_spool_requests_a_callback_at_the_caller_id(tmp_path: Path) -> None:
    intake, _tel, requests, _ = setup(tmp_path)
    call = FallbackCall("c4", "c4", NOW, "79161234567", "support")
    assert await intake.from_spool(call) is CallOutcome.CALLBACK
    [asked] = requests.asked
    assert asked.reason == "offered at capacity (admission)"
    assert (asked.queue, asked.number, asked.source, asked.joined_at) == (
        "support",
        "+79161234567",
        "capacity",
        NOW,
    )
    # A withheld or foreign caller id: nothing requested, nothing raised.
    assert await intake.from_spool(FallbackCall("c5", "c5", NOW, "", "support")) is (
        CallOutcome.COMPLETED
    )
    assert await intake.from_spool(FallbackCall("c6", "c6", NOW, "12025550100", "support")) is (
        CallOutcome.COMPLETED
    )
    assert len(requests.asked) == 1
