from __future__ import annotations

from callcenter.domain.queue_defs import QueueDef
from callcenter.domain.queue_membership import Join, Leave, Repenalize, plan, wanted_queues

DEFS = {
    "billing": QueueDef("billing", skills={"billing": 0, "sales": 2}),
    "tech": QueueDef("tech", skills={"tech": 0}),
    "general": QueueDef("general"),  # no skills named: every agent
}


def test_an_agent_joins_every_queue_wanting_one_of_their_skills() -> None:
    assert wanted_queues(("billing",), DEFS) == {"billing": 0, "general": 0}
    assert wanted_queues(("tech", "sales"), DEFS) == {"billing": 2, "tech": 0, "general": 0}


def test_the_lowest_penalty_among_matching_skills_wins() -> None:
    assert wanted_queues(("sales", "billing"), DEFS)["billing"] == 0


def test_an_agent_without_skills_only_joins_queues_that_name_none() -> None:
    assert wanted_queues((), DEFS) == {"general": 0}


def test_plan_joins_leaves_and_fixes_penalties() -> None:
    wanted = {"billing": 2, "general": 0, "tech": 0}
    actual = {"billing": 0, "general": 0, "old": 1}
    assert plan("1001", wanted, actual) == [
        Repenalize("1001", "billing", 2),
        Leave("1001", "old"),
        Join("1001", "tech", 0),
    ]


def test_nothing_to_do_when_asterisk_already_agrees() -> None:
    assert plan("1001", {"a": 1}, {"a": 1}) == []


def test_logging_out_is_leaving_everything() -> None:
    assert plan("1001", {}, {"a": 0, "b": 3}) == [Leave("1001", "a"), Leave("1001", "b")]
