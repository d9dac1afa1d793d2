"""The toll-fraud guard's rules, one at a time, with the clock as an argument."""

from __future__ import annotations

import pytest

from callcenter.domain.callbacks import NumberPolicy
from callcenter.domain.dial_guard import (
    DialAttempt,
    GuardLimits,
    GuardState,
    Refusal,
    Rule,
    Windows,
    decide,
    give_back,
)

NUMBERS = NumberPolicy(region="RU", countries=frozenset({"RU"}), deny=frozenset({"+7495111"}))
LIMITS = GuardLimits(
    per_number_day=2, per_client=3, client_window_seconds=60, per_widget_hour=4, budget_hour=5
)
MOBILE = "+79161234567"


def attempt(
    number: str = MOBILE, client: str = "198.51.100.7", widget: str = "shop"
) -> DialAttempt:
    return DialAttempt("web", number, client, widget)


def refused(state: GuardState, a: DialAttempt, now: float) -> Refusal:
    with pytest.raises(Refusal) as caught:
        decide(a, NUMBERS, LIMITS, state, now)
    return caught.value


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("+78091234567", "premium_rate"),  # premium rate (Russia's 809)
        ("+19005550100", "in US"),  # another country (and premium rate)
        ("+442079460018", "in GB"),
        ("+88160000000", "not a valid number"),  # an international network, invalid
        ("+74951112233", "deny list (+7495111)"),  # a denied prefix
        ("12;Dial(PJSIP/x)", "not a phone number"),
        ("", "not a phone number"),
    ],
)
def test_numbers_that_may_not_be_dialled_name_their_reason(number: str, why: str) -> None:
    refusal = refused(GuardState(), attempt(number), 0.0)
    assert refusal.rule is Rule.NUMBER
    assert why in refusal.message
    assert refusal.status == 422


def test_a_number_is_dialled_a_few_times_a_day_then_refused_until_the_oldest_ages_out() -> None:
    state = GuardState()
    assert decide(attempt(client="a"), NUMBERS, LIMITS, state, 0.0) == MOBILE
    assert decide(attempt(client="b"), NUMBERS, LIMITS, state, 10.0) == MOBILE
    refusal = refused(state, attempt(client="c"), 20.0)
    assert refusal.rule is Rule.PER_NUMBER
    assert refusal.retry_after == 86400 - 20
    assert decide(attempt(client="d"), NUMBERS, LIMITS, state, 86400.5) == MOBILE


def test_a_burst_from_one_address_is_cut_at_the_limit_whatever_it_asks() -> None:
    state = GuardState()
    outcomes = []
    for i in range(5):
        try:
            decide(
                attempt("+78091234567" if i % 2 else f"+7916123450{i}"), NUMBERS, LIMITS, state, i
            )
            outcomes.append("ok")
        except Refusal as refusal:
            outcomes.append(refusal.rule.value)
    assert outcomes == ["ok", "number", "ok", "per_client", "per_client"]
    assert refused(state, attempt("+79160000001"), 10.0).retry_after == 50
    # Another address is not held up by it.
    assert decide(attempt("+79160000001", client="other"), NUMBERS, LIMITS, state, 10.0)


def test_the_widget_budget_and_the_breaker() -> None:
    state = GuardState()
    for i in range(4):
        decide(attempt(f"+7916000000{i}", client=f"c{i}"), NUMBERS, LIMITS, state, float(i))
    assert refused(state, attempt("+79160000009", client="x"), 5.0).rule is Rule.PER_WIDGET
    # Another widget still passes until the global hourly budget (5) is used up …
    decide(attempt("+79160000010", client="y", widget="other"), NUMBERS, LIMITS, state, 6.0)
    trip = refused(state, attempt("+79160000011", client="z", widget="third"), 7.0)
    assert trip.rule is Rule.BUDGET
    # … which opens the breaker: everything is refused for breaker_minutes.
    later = refused(state, attempt("+79160000012", client="w", widget="fourth"), 8.0)
    assert later.rule is Rule.BREAKER
    assert later.retry_after == LIMITS.breaker_minutes * 60 - 1
    assert later.status == 429


def test_a_request_that_dialled_nothing_gives_its_counts_back() -> None:
    state = GuardState()
    a = attempt(client="a")
    number = decide(a, NUMBERS, LIMITS, state, 0.0)
    give_back(number, a, state)
    assert state.numbers.count(MOBILE, 1.0, 86400) == 0
    assert state.budget.count("all", 1.0, 3600) == 0
    assert state.clients.count("a", 1.0, 60) == 1  # the asking still counts


def test_a_web_call_has_no_number_and_passes_the_rate_rules_only() -> None:
    state = GuardState()
    web = DialAttempt("webcall", "", "198.51.100.9", "shop")
    assert decide(web, NUMBERS, LIMITS, state, 0.0) == ""
    assert len(state.numbers) == 0


def test_windows_forget_what_left_them() -> None:
    w = Windows()
    for t in (0.0, 1.0, 2.0):
        w.add("k", t)
    assert w.count("k", 2.5, 2.0) == 2
    assert w.count("k", 10.0, 2.0) == 0
    assert len(w) == 0
