from __future__ import annotations

from callcenter.asterisk.ami_events import (
    AgentRequest,
    agent_extension,
    agent_request,
    member_paused,
    translate,
)
from callcenter.domain.queue_events import (
    AgentAnswered,
    AgentCallEnded,
    AgentRinging,
    AgentRingStopped,
    CallerAbandoned,
    CallerLeftQueue,
    MemberPaused,
)

BASE = {"Uniqueid": "1795464029.7", "Linkedid": "1795464029.7", "Queue": "support"}


def test_agent_called_is_ringing_with_the_callers_ids() -> None:
    event = {
        **BASE,
        "Event": "AgentCalled",
        "CallerIDNum": "89161234567",
        "DestUniqueid": "1795464031.9",
        "Interface": "PJSIP/1001",
        "MemberName": "Agent 1001",
    }
    assert translate(event) == AgentRinging(
        "1795464029.7", "1795464029.7", "support", "1001", "89161234567"
    )


def test_connect_complete_no_answer_and_abandon() -> None:
    member = {**BASE, "Interface": "PJSIP/1002"}
    connect = translate({**member, "Event": "AgentConnect", "HoldTime": "12", "RingTime": "3"})
    assert connect == AgentAnswered("1795464029.7", "support", "1002", 12.0, 3.0)
    done = translate(
        {**member, "Event": "AgentComplete", "HoldTime": "12", "TalkTime": "95", "Reason": "caller"}
    )
    assert done == AgentCallEnded("1795464029.7", "support", "1002", 12.0, 95.0, "caller")
    assert translate({**member, "Event": "AgentRingNoAnswer"}) == AgentRingStopped(
        "1795464029.7", "support", "1002"
    )
    gone = translate({**BASE, "Event": "QueueCallerAbandon", "Position": "2", "HoldTime": "40"})
    assert gone == CallerAbandoned("1795464029.7", "support", 2, 40.0)


def test_the_dialplans_report_of_an_unanswered_leg() -> None:
    left = {**BASE, "Event": "UserEvent", "UserEvent": "CallcenterQueue", "Wait": "8"}
    assert translate({**left, "Status": "TIMEOUT"}) == CallerLeftQueue(
        "1795464029.7", "support", "timeout", 8.0
    )
    assert translate({**left, "Status": "JOINEMPTY"}) == CallerLeftQueue(
        "1795464029.7", "support", "no_agents", 8.0
    )
    assert translate({**left, "Status": "CONTINUE"}) is None
    assert translate({**left, "UserEvent": "CallcenterAgent", "Status": "FULL"}) is None


def test_a_members_pause_in_one_queue() -> None:
    event = {"Event": "QueueMemberPause", "Queue": "sales", "Interface": "PJSIP/1002"}
    assert member_paused({**event, "Paused": "1", "PausedReason": "lunch"}) == MemberPaused(
        "1002", "sales", True, "lunch"
    )
    assert member_paused({**event, "Paused": "0"}) == MemberPaused("1002", "sales", False, "")
    assert member_paused({**event, "Interface": "Local/x@y"}) is None


def test_other_or_incomplete_events_are_ignored() -> None:
    assert translate({**BASE, "Event": "Newexten"}) is None
    assert translate({"Event": "AgentCalled", "Queue": "support"}) is None
    assert translate({**BASE, "Event": "AgentConnect", "HoldTime": "n/a"}) == AgentAnswered(
        "1795464029.7", "support", "", 0.0, 0.0
    )


def test_agent_extension_from_interface_or_member_name() -> None:
    assert agent_extension({"Interface": "PJSIP/1001"}) == "1001"
    assert agent_extension({"MemberName": "1002"}) == "1002"


def test_a_feature_code_request_names_the_endpoint_of_its_channel() -> None:
    event = {
        "Event": "UserEvent",
        "UserEvent": "CallcenterAgent",
        "Request": "login",
        "Channel": "PJSIP/1002-0000001a",
    }
    assert agent_request(event) == AgentRequest("1002", "login", "PJSIP/1002-0000001a")
    assert agent_request({**event, "UserEvent": "Other"}) is None
    assert agent_request({**event, "Channel": "Local/1002@agents-0001;1"}) is None
    assert agent_request({**event, "Channel": "PJSIP/trunk-0001"}) is None
