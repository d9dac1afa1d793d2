from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from callcenter.domain.queue_defs import QueueDef, QueueDefError, staffed
from callcenter.domain.queue_defs_parse import parse_queue_defs

QUEUES = ("sales", "support")
SHIPPED = Path(__file__).resolve().parents[3] / "queues.yaml"


def test_the_shipped_file_is_valid() -> None:
    defs = parse_queue_defs(yaml.safe_load(SHIPPED.read_text()), "queues.yaml", QUEUES)
    assert defs["sales"].overflow == "support"
    assert defs["support"].max_wait == 900


def test_queues_not_in_the_file_get_defaults() -> None:
    defs = parse_queue_defs({"spec_version": 1, "queues": {"sales": {"wrap_up": 10}}}, "q", QUEUES)
    assert defs["sales"] == QueueDef("sales", wrap_up=10)
    assert defs["support"] == QueueDef("support")


def test_every_issue_is_listed_with_its_path() -> None:
    data = {
        "spec_version": 2,
        "queues": {
            "sales": {"strategy": "fastest", "max_length": -1, "colour": "red", "overflow": "vip"},
            "billing": {},
        },
    }
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(data, "queues.yaml", QUEUES)
    issues = caught.value.issues
    assert "queues.yaml: spec_version: must be 1" in issues
    assert any(
        i.startswith("queues.yaml: queues.sales.strategy: 'fastest' is not one of") for i in issues
    )
    assert "queues.yaml: queues.sales.max_length: must be a whole number 0-10000" in issues
    assert "queues.yaml: queues.sales.colour: unknown key" in issues
    assert "queues.yaml: queues.sales.overflow: no such queue 'vip'" in issues
    assert any(i.startswith("queues.yaml: queues.billing: no such queue") for i in issues)


def test_callback_digit_and_calendar() -> None:
    data = {
        "spec_version": 1,
        "queues": {"sales": {"callback_digit": 1, "calendar": "main.office"}},
    }
    sales = parse_queue_defs(data, "queues.yaml", QUEUES)["sales"]
    assert (sales.callback_digit, sales.calendar) == ("1", "main.office")
    bad = {"spec_version": 1, "queues": {"sales": {"callback_digit": "12", "calendar": "office"}}}
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(bad, "queues.yaml", QUEUES)
    assert "queues.yaml: queues.sales.callback_digit: '12' is not one digit 0-9" in (
        caught.value.issues
    )
    assert any(
        "queues.sales.calendar: 'office' is not FLOW.CALENDAR" in i for i in caught.value.issues
    )


def test_staffing_is_a_roster_by_day_and_time() -> None:
    data = {
        "spec_version": 1,
        "queues": {
            "sales": {
                "staffing": {
                    "mon-fri": {"09:00-13:00": 3, "14:00-18:00": 2},
                    "sat,sun": {"10:00-12:00": 1},
                }
            }
        },
    }
    sales = parse_queue_defs(data, "queues.yaml", QUEUES)["sales"]
    assert staffed(sales, 0, 9 * 60) == 3  # Monday 09:00
    assert staffed(sales, 4, 13 * 60 + 30) == 0  # Friday lunch
    assert staffed(sales, 6, 11 * 60) == 1  # Sunday
    assert staffed(parse_queue_defs(None, "q", QUEUES)["sales"], 0, 600) is None
    bad = {
        "spec_version": 1,
        "queues": {"sales": {"staffing": {"fri-mon": {"9-17": 2}, "mon": {"18:00-09:00": 1}}}},
    }
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(bad, "queues.yaml", QUEUES)
    issues = caught.value.issues
    assert any("queues.sales.staffing.fri-mon: days are mon" in i for i in issues)
    assert any("queues.sales.staffing.mon.18:00-09:00: not a time range" in i for i in issues)


def test_overflow_loops_are_refused() -> None:
    data = {
        "spec_version": 1,
        "queues": {"sales": {"overflow": "support"}, "support": {"overflow": "sales"}},
    }
    with pytest.raises(QueueDefError, match="loops back"):
        parse_queue_defs(data, "q", QUEUES)


def test_skills_map_to_penalties() -> None:
    data = {"spec_version": 1, "queues": {"sales": {"skills": {"sales": 0, "billing": 3}}}}
    defs = parse_queue_defs(data, "q", QUEUES)
    assert defs["sales"].skills == {"sales": 0, "billing": 3}
    assert defs["support"].skills == {}


def test_bad_skills_are_named() -> None:
    data = {
        "spec_version": 1,
        "queues": {
            "sales": {"skills": {"Sales!": 0, "billing": 101, "tech": "high"}},
            "support": {"skills": []},
        },
    }
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(data, "q", QUEUES)
    issues = caught.value.issues
    assert any(i.startswith("q: queues.sales.skills.Sales!: a skill starts with") for i in issues)
    assert "q: queues.sales.skills.billing: penalty must be a whole number 0-100" in issues
    assert "q: queues.sales.skills.tech: penalty must be a whole number 0-100" in issues
    assert any(i.startswith("q: queues.support.skills: must map skills") for i in issues)


def test_overflow_to_a_flow_node() -> None:
    data = {"spec_version": 1, "queues": {"sales": {"overflow_node": "demo.leave_message"}}}
    assert parse_queue_defs(data, "q", QUEUES)["sales"].overflow_target == (
        "demo",
        "leave_message",
    )
    data["queues"]["support"] = {"overflow_node": "leave_message"}
    data["queues"]["sales"]["overflow"] = "support"
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(data, "q", QUEUES)
    assert "q: queues.support.overflow_node: 'leave_message' is not FLOW.NODE" in str(caught.value)
    assert "q: queues.sales: overflow and overflow_node: choose one" in caught.value.issues


def test_announce_wait_is_true_or_false() -> None:
    data = {"spec_version": 1, "queues": {"sales": {"announce_wait": True}}}
    assert parse_queue_defs(data, "q", QUEUES)["sales"].announce_wait
    data = {"spec_version": 1, "queues": {"sales": {"announce_wait": "yes"}}}
    with pytest.raises(QueueDefError, match=r"queues\.sales\.announce_wait: must be true"):
        parse_queue_defs(data, "q", QUEUES)


def test_periodic_announcements_need_room_and_announce_wait() -> None:
    data = {"spec_version": 1, "queues": {"sales": {"announce_wait_every": 5}}}
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(data, "q", QUEUES)
    assert any("0 (on entry only) or at least 15 s" in i for i in caught.value.issues)
    assert "q: queues.sales.announce_wait_every: needs announce_wait: true" in caught.value.issues


def test_a_queue_answers_one_mailbox_that_exists() -> None:
    data = {"spec_version": 1, "queues": {"sales": {"mailbox": "100"}, "support": {"mailbox": 200}}}
    defs = parse_queue_defs(data, "queues.yaml", QUEUES, ("100", "200"))
    assert (defs["sales"].mailbox, defs["support"].mailbox) == ("100", "200")
    unknown = {"spec_version": 1, "queues": {"sales": {"mailbox": "300"}}}
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(unknown, "queues.yaml", QUEUES, ("100",))
    assert caught.value.issues == [
        "queues.yaml: queues.sales.mailbox: no mailbox '300' (dialplan.mailboxes)"
    ]
    shared = {
        "spec_version": 1,
        "queues": {"sales": {"mailbox": "100"}, "support": {"mailbox": "100"}},
    }
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(shared, "queues.yaml", QUEUES, ("100",))
    assert caught.value.issues == [
        "queues.yaml: queues.support.mailbox: mailbox '100' is answered by sales already"
    ]
    for bad in ("1", "abc", True, "12345678901"):
        with pytest.raises(QueueDefError, match=r"queues.sales.mailbox: .* is not a mailbox"):
            parse_queue_defs(
                {"spec_version": 1, "queues": {"sales": {"mailbox": bad}}}, "q", QUEUES
            )


@pytest.mark.parametrize(
    ("key", "value", "limits"),
    [
        ("service_level_seconds", 4000, "0-3600"),
        ("service_level_target", 101, "0-100"),
        ("short_abandon", -1, "0-300"),
        ("alert_waiting", "many", "0-10000"),
        ("alert_wait", 1.5, "0-86400"),
        ("alert_abandon_rate", 150, "0-100"),
    ],
)
def test_a_queues_report_targets_are_whole_numbers_in_their_range(
    key: str, value: object, limits: str
) -> None:
    data = {"spec_version": 1, "queues": {"sales": {key: value}}}
    with pytest.raises(QueueDefError) as caught:
        parse_queue_defs(data, "queues.yaml", QUEUES)
    assert caught.value.issues == [
        f"queues.yaml: queues.sales.{key}: must be a whole number {limits}"
    ]
