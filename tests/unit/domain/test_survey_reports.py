"""CSAT cut by what the centre did: per dimension (hours in the centre's zone), and
against the wait, transfers and repeat calls, every band present."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from callcenter.domain.survey_reports import against, band_order, csat_per, wait_band


@dataclasses.dataclass(frozen=True)
class F:
    score: int | None
    at: datetime = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    queue: str = "support"
    agent: str = "1001"
    team: str = ""
    flow: str = "main"
    number: str = "7000"
    wait: float = 10.0
    legs: int = 1
    repeat: bool = False
    promise: str = "none"
    load: int = 1


def test_wait_bands() -> None:
    assert [wait_band(s) for s in (0, 29.9, 30, 119, 120, 300, 9999)] == [
        "0-30", "0-30", "30-120", "30-120", "120-300", "300+", "300+",
    ]  # fmt: skip
    assert band_order("wait") == ["0-30", "30-120", "120-300", "300+"]


def test_csat_per_hour_is_the_centres_hour_and_an_empty_value_is_a_dash() -> None:
    per = csat_per([F(5), F(1, team="")], "hour", ZoneInfo("Europe/Moscow"))
    assert list(per) == ["09"]
    assert per["09"].csat == 50.0
    assert list(csat_per([F(5)], "team", UTC)) == ["-"]
    with pytest.raises(ValueError, match="by"):
        csat_per([F(5)], "colour", UTC)


def test_against_the_wait_transfers_and_repeats() -> None:
    facts = [F(5, wait=5), F(2, wait=400, legs=2, repeat=True), F(None, wait=400)]
    wait = dict(against(facts, "wait"))
    assert wait["0-30"].csat == 100.0
    assert wait["300+"].answered == 1
    assert wait["300+"].no_answer == 1
    assert wait["30-120"].answered == 0  # every band, empty ones too
    assert dict(against(facts, "transfers"))["transferred"].mean == 2.0
    assert dict(against(facts, "repeat"))["repeat call"].csat == 0.0


def test_against_the_promise_and_the_agents_load() -> None:
    facts = [F(5, promise="kept"), F(1, promise="broken", load=4), F(4, load=2)]
    promise = dict(against(facts, "promise"))
    assert list(promise) == ["none", "kept", "repromised", "at_risk", "broken"]
    assert (promise["kept"].csat, promise["broken"].csat) == (100.0, 0.0)
    load = dict(against(facts, "load"))
    assert (load["1"].answered, load["2"].answered, load["3+"].answered) == (1, 1, 1)
