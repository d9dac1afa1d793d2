"""Which calls are reviewed: drawn per agent (stable for the week), plus low CSAT and long
calls, never one already evaluated."""

from __future__ import annotations

from callcenter.domain.review_sampling import Candidate, SamplingRule, sample

CALLS = [Candidate(n, "1001" if n % 2 else "1002", talk=60.0 + n, csat=1 if n == 7 else None)
         for n in range(1, 21)]  # fmt: skip


def test_two_per_agent_the_same_all_week_and_another_week_others() -> None:
    picks = sample(CALLS, set(), SamplingRule(extra_low_csat=0, extra_long=0), "2026-W49")
    assert sorted(p.agent for p in picks) == ["1001", "1001", "1002", "1002"]
    again = sample(CALLS, set(), SamplingRule(extra_low_csat=0, extra_long=0), "2026-W49")
    assert again == picks
    other = sample(CALLS, set(), SamplingRule(extra_low_csat=0, extra_long=0), "2026-W50")
    assert {p.recording_id for p in other} != {p.recording_id for p in picks}


def test_low_csat_and_long_calls_are_added_and_reviewed_ones_never_drawn() -> None:
    picks = sample(CALLS, {20}, SamplingRule(per_agent=0), "2026-W49")
    assert ("low_csat", 7) in {(p.reason, p.recording_id) for p in picks}
    longest = {p.recording_id for p in picks if p.reason == "long"}
    assert longest == {19, 18}  # each agent's longest; 20 was evaluated already
    assert all(p.recording_id != 20 for p in picks)
