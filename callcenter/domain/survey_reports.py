"""CSAT cut by what the centre did: per queue, agent, team, flow, number or hour, and
against the wait, transfers, repeat calls, the promise the caller had (kept, re-promised,
at risk, broken) and the agent's concurrent load — the relationships the seeds claim,
measured on our own surveys. Pure rules (no I/O)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Protocol

from callcenter.domain.surveys import Csat, csat_by

DIMENSIONS = ("queue", "agent", "team", "flow", "number", "hour")
# Upper ends of the wait bands, in seconds (the last band is open).
WAIT_BANDS = (30, 120, 300)
DRIVERS = ("wait", "transfers", "repeat", "promise", "load")
PROMISE_BANDS = ("none", "kept", "repromised", "at_risk", "broken")
LOAD_BANDS = ("1", "2", "3+")


class Facts(Protocol):
    @property
    def score(self) -> int | None: ...
    @property
    def at(self) -> datetime: ...
    @property
    def queue(self) -> str: ...
    @property
    def agent(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def flow(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def wait(self) -> float: ...
    @property
    def legs(self) -> int: ...
    @property
    def repeat(self) -> bool: ...
    @property
    def promise(self) -> str: ...
    @property
    def load(self) -> int: ...


def wait_band(seconds: float) -> str:
    """The band a wait falls in: "0-30", "30-120", "120-300", "300+"."""
    low = 0
    for high in WAIT_BANDS:
        if seconds < high:
            return f"{low}-{high}"
        low = high
    return f"{low}+"


def _key(dimension: str, zone: tzinfo) -> Callable[[Facts], str]:
    if dimension == "hour":
        return lambda f: f"{f.at.astimezone(zone).hour:02d}"
    if dimension not in DIMENSIONS:
        raise ValueError(f"by: {dimension!r} is not one of {list(DIMENSIONS)}")
    return lambda f: str(getattr(f, dimension)) or "-"


def csat_per(facts: Iterable[Facts], dimension: str, zone: tzinfo) -> Mapping[str, Csat]:
    """CSAT per value of ``dimension`` (an hour of the centre's day: "09")."""
    key = _key(dimension, zone)
    return csat_by((key(f), f.score) for f in facts)


def _driver(driver: str) -> Callable[[Facts], str]:
    if driver == "wait":
        return lambda f: wait_band(f.wait)
    if driver == "transfers":
        return lambda f: "transferred" if f.legs > 1 else "one queue"
    if driver == "repeat":
        return lambda f: "repeat call" if f.repeat else "first call"
    if driver == "promise":
        return lambda f: f.promise if f.promise in PROMISE_BANDS else "none"
    if driver == "load":
        return lambda f: str(f.load) if f.load < 3 else "3+"
    raise ValueError(f"driver: {driver!r} is not one of {list(DRIVERS)}")


def band_order(driver: str) -> Sequence[str]:
    """The bands of a driver in the order a chart draws them."""
    if driver == "wait":
        edges = (0, *WAIT_BANDS)
        return [*(f"{a}-{b}" for a, b in itertools.pairwise(edges)), f"{edges[-1]}+"]
    fixed = {
        "transfers": ["one queue", "transferred"],
        "repeat": ["first call", "repeat call"],
        "promise": list(PROMISE_BANDS),
        "load": list(LOAD_BANDS),
    }
    return fixed[driver]


def against(facts: Sequence[Facts], driver: str) -> list[tuple[str, Csat]]:
    """CSAT per band of ``driver``, every band (an empty one with no answers)."""
    found = csat_by((_driver(driver)(f), f.score) for f in facts)
    empty = Csat(0, 0, 0, None)
    return [(band, found.get(band, empty)) for band in band_order(driver)]
