from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from callcenter.asterisk.ami_callbacks import CallbackReport
from callcenter.asterisk.ami_events import USED_EVENTS
from callcenter.asterisk.ami_router import AmiRouter, CallerHungUp, translate_message
from callcenter.asterisk.ami_trunks import registration_details
from callcenter.domain.bans import AuthFailure
from callcenter.domain.quality_checks import HoldChanged
from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    CallerLeftQueue,
    MemberPaused,
    MemberReachable,
)
from callcenter.domain.trunks import NumberRefused, RegistrationSeen, TrunkFailover
from callcenter.logs import call_id_var

CONNECT = {
    "Event": "AgentConnect",
    "Uniqueid": "1795464029.7",
    "Linkedid": "1795464029.7",
    "Queue": "support",
    "Interface": "PJSIP/1002",
    "HoldTime": "12",
    "RingTime": "3",
}


def test_each_raw_message_becomes_the_typed_events_it_carries() -> None:
    assert translate_message(CONNECT) == [
        AgentAnswered("1795464029.7", "support", "1002", 12.0, 3.0)
    ]
    left = {
        "Event": "UserEvent",
        "UserEvent": "CallcenterQueue",
        "Uniqueid": "1795464029.7",
        "Queue": "support",
        "Status": "TIMEOUT",
        "Wait": "8",
    }
    assert translate_message(left) == [CallerLeftQueue("1795464029.7", "support", "timeout", 8.0)]
    report = {"Event": "UserEvent", "UserEvent": "CallcenterCallback", "Id": "4"}
    report |= {"Attempt": "1", "State": "dialed", "Status": "ANSWER", "Talk": "30"}
    assert translate_message(report) == [CallbackReport(4, 1, "dialed", "ANSWER", 30.0)]
    paused = {"Event": "QueueMemberPause", "Interface": "PJSIP/1001", "Queue": "support"}
    paused |= {"Paused": "1", "PausedReason": "lunch"}
    assert translate_message(paused) == [MemberPaused("1001", "support", True, "lunch")]
    gone = {"Event": "QueueMemberStatus", "Interface": "PJSIP/1001", "Status": "5"}
    assert translate_message(gone) == [MemberReachable("1001", False)]
    back = {"Event": "QueueMemberStatus", "Interface": "PJSIP/1001", "Status": "1"}
    assert translate_message(back) == [MemberReachable("1001", True)]
    added = {"Event": "QueueMemberAdded", "Interface": "PJSIP/1002", "Status": "5"}
    assert translate_message(added) == [MemberReachable("1002", False)]


def test_only_the_callers_hangup_is_a_caller_hangup() -> None:
    caller = {"Event": "Hangup", "Uniqueid": "1.1", "Linkedid": "1.1"}
    agent_leg = {"Event": "Hangup", "Uniqueid": "1.2", "Linkedid": "1.1"}
    assert translate_message(caller) == [CallerHungUp("1.1")]
    assert translate_message(agent_leg) == []


def test_hold_and_unhold_of_any_leg_are_the_conversations() -> None:
    held = {"Event": "Hold", "Uniqueid": "1.2", "Linkedid": "1.1", "MusicClass": "default"}
    assert translate_message(held) == [HoldChanged("1.1", True)]
    assert translate_message({**held, "Event": "Unhold"}) == [HoldChanged("1.1", False)]
    assert translate_message({"Event": "Hold", "Uniqueid": "1.2"}) == []


def test_a_security_event_is_an_auth_failure_at_the_time_given() -> None:
    at = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    event = {
        "Event": "ChallengeResponseFailed",
        "RemoteAddress": "IPV4/UDP/192.0.2.7/5060",
        "AccountID": "1001",
        "Service": "PJSIP",
    }
    failures = translate_message(event, at)
    assert len(failures) == 1
    assert isinstance(failures[0], AuthFailure)
    assert failures[0].address == "192.0.2.7"
    assert failures[0].at == at


def test_unknown_or_malformed_messages_carry_nothing() -> None:
    assert translate_message({"Event": "Newexten"}) == []
    assert translate_message({"Event": "AgentConnect"}) == []  # no call, no queue
    assert translate_message({"Event": "UserEvent", "UserEvent": "Other"}) == []


def test_handlers_run_in_the_order_stated_each_with_the_call_id() -> None:
    router = AmiRouter()
    seen: list[tuple[str, str]] = []
    router.subscribe("agents", AgentAnswered, lambda e, _r: seen.append(("agents", e.agent)))
    router.subscribe(
        "recordings", AgentAnswered, lambda _e, _r: seen.append(("recordings", call_id_var.get()))
    )
    router.subscribe("presence", AgentCallEnded, lambda _e, _r: seen.append(("presence", "")))
    router.on_message(None, CONNECT)
    assert seen == [("agents", "1002"), ("recordings", "1795464029.7")]
    assert call_id_var.get() == "-"  # set around each handler only


def test_a_handler_that_raises_is_logged_with_the_call_and_never_stops_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    router = AmiRouter()
    seen: list[str] = []

    def broken(_event: AgentAnswered, _received: float) -> None:
        raise RuntimeError("boom")

    router.subscribe("callbacks", AgentAnswered, broken)
    router.subscribe("live_transcripts", AgentAnswered, lambda e, _r: seen.append(e.call_id))
    with caplog.at_level(logging.ERROR):
        router.on_message(None, CONNECT)
    assert seen == ["1795464029.7"]
    failure = next(r for r in caplog.records if "not handled" in r.getMessage())
    assert failure.getMessage() == "callbacks: AgentAnswered of call 1795464029.7 not handled"


def test_a_type_that_is_not_an_ami_event_is_refused_naming_the_feature() -> None:
    with pytest.raises(ValueError, match="feature 'x': str is not an AMI event type"):
        AmiRouter().subscribe("x", str, lambda _e, _r: None)


def test_the_table_lists_every_type_and_who_listens() -> None:
    router = AmiRouter()
    router.subscribe("agents", AgentAnswered, lambda _e, _r: None)
    table = dict(router.table())
    assert table["AgentAnswered"] == ["agents"]
    assert table["CallerHungUp"] == []
    assert router.ami_events() == USED_EVENTS


def test_trunk_news_becomes_typed_events() -> None:
    registry = {
        "Event": "Registry",
        "ChannelType": "PJSIP",
        "Username": "sip:u@sip.example.net",
        "Domain": "sip:sip.example.net",
        "Status": "Registered",
    }
    assert translate_message(registry) == [RegistrationSeen("sip:u@sip.example.net", "registered")]
    assert translate_message({**registry, "ChannelType": "IAX2"}) == []
    refused = {
        "Event": "UserEvent",
        "UserEvent": "CallcenterRefused",
        "Number": "74959999",
        "Caller": "79161234567",
        "Trunk": "carrier",
    }
    assert translate_message(refused) == [NumberRefused("74959999", "79161234567", "carrier")]
    failover = {
        "Event": "UserEvent",
        "UserEvent": "CallcenterTrunk",
        "Trunk": "busy",
        "State": "failover",
        "Status": "CONGESTION",
    }
    assert translate_message(failover) == [TrunkFailover("busy", "CONGESTION")]


def test_the_registrations_listing_is_read_by_name() -> None:
    reply = [
        {"Response": "Success", "EventList": "start"},
        {
            "Event": "OutboundRegistrationDetail",
            "ObjectName": "carrier",
            "ClientUri": "sip:u@x",
            "Status": "Rejected",
            "NextReg": "12",
        },
        {"Event": "AuthDetail", "ObjectName": "carrier-auth"},
        {"Event": "OutboundRegistrationDetailComplete", "EventList": "Complete"},
    ]
    (detail,) = registration_details(reply)
    assert (detail.name, detail.status, detail.next_seconds) == ("carrier", "rejected", 12)
