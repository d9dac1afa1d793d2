from __future__ import annotations

from callcenter.asterisk.ami_queues import snapshots

EVENTS = [
    {"Event": "QueueParams", "Queue": "support", "Calls": "1"},
    {
        "Event": "QueueMember",
        "Queue": "support",
        "Location": "PJSIP/1002",
        "Status": "1",
        "Paused": "0",
        "InCall": "0",
        "CallsTaken": "3",
        "Penalty": "2",
        "Membership": "dynamic",
        "LastCall": "1795464000",
    },
    {
        "Event": "QueueMember",
        "Queue": "support",
        "Location": "PJSIP/1001",
        "Status": "1",
        "Paused": "1",
        "PausedReason": "lunch",
        "LastPause": "1795464100",
        "InCall": "0",
        "Membership": "static",
    },
    {
        "Event": "QueueEntry",
        "Queue": "support",
        "Position": "1",
        "Uniqueid": "1.7",
        "CallerIDNum": "8916",
        "Wait": "42",
    },
    {
        "Event": "QueueMember",
        "Queue": "sales",
        "Location": "PJSIP/1001",
        "Status": "2",
        "Paused": "0",
        "InCall": "1",
    },
    {"Event": "QueueStatusComplete"},
]


def test_queue_status_events_become_snapshots() -> None:
    sales, support = snapshots(EVENTS)
    assert (sales.queue, support.queue) == ("sales", "support")
    assert [m.state for m in sales.members] == ["on_call"]
    assert [(m.agent, m.state, m.pause_reason) for m in support.members] == [
        ("1001", "paused", "lunch"),
        ("1002", "available", ""),
    ]
    assert support.members[1].calls_taken == 3
    assert support.longest_wait == 42.0
    assert support.waiting[0].call_id == "1.7"
    one, two = support.members
    assert (two.penalty, two.dynamic, two.last_call) == (2, True, 1795464000.0)
    assert (one.dynamic, one.last_pause) == (False, 1795464100.0)
