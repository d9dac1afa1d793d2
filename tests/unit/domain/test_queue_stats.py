from __future__ import annotations

import pytest

from callcenter.domain.queue_stats import QueueCall, estimated_wait, kpis


def test_kpis_of_a_morning() -> None:
    calls = [
        QueueCall(wait=5, answered=True, talk=100, wrap_up=20),
        QueueCall(wait=30, answered=True, talk=200, wrap_up=0),
        QueueCall(wait=2, answered=False),  # hung up at once: not in the service level
        QueueCall(wait=60, answered=False),
    ]
    k = kpis(calls, threshold=20)
    # The caller who hung up at once is a short abandon: counted apart, out of the rates.
    assert (k.offered, k.answered, k.abandoned, k.short_abandoned) == (4, 2, 1, 1)
    assert k.service_level == pytest.approx(1 / 3)
    assert k.average_speed_of_answer == pytest.approx(17.5)
    assert k.abandonment_rate == pytest.approx(1 / 3)
    assert k.average_handle_time == pytest.approx(160)


def test_calls_sent_on_to_the_overflow_count_against_the_service_level_not_as_abandoned() -> None:
    calls = [
        QueueCall(wait=10, answered=True, talk=60),
        QueueCall(wait=300, answered=False, left="timeout"),
        QueueCall(wait=0, answered=False, left="full"),
        QueueCall(wait=40, answered=False),
    ]
    k = kpis(calls, threshold=20)
    assert (k.offered, k.answered, k.abandoned, k.timed_out) == (4, 1, 1, 2)
    assert k.service_level == pytest.approx(1 / 4)
    assert k.abandonment_rate == pytest.approx(1 / 4)


def test_no_calls_no_figures() -> None:
    k = kpis([])
    assert k.service_level is None
    assert k.average_handle_time is None


def test_estimated_wait_counts_rounds_of_handle_time() -> None:
    assert estimated_wait(1, 2, 120) == 0
    assert estimated_wait(3, 2, 120) == 120
    assert estimated_wait(5, 2, 120) == 240


def test_busy_agents_shorten_the_first_round() -> None:
    assert estimated_wait(1, 2, 120, busy_for=[100, 30]) == 20
    assert estimated_wait(2, 2, 120, busy_for=[100, 30]) == 90


def test_no_agents_no_estimate() -> None:
    assert estimated_wait(1, 0, 120) is None
