"""Tag spikes on a simulated month: tags put on tickets at rates that follow the day (busy
afternoons, quiet nights and weekends), four weeks of history, then a month looked at
hour by hour with spikes injected (a tag at 3-8 times its rate for 1-3 hours). Reported:
spikes found (seen in any of their hours), missed, and false alarms per week — with the
detector as shipped (callcenter.domain.topics) and a naive baseline in the same run
(alarm when the hour's count is over twice the tag's mean hour).

    .venv/bin/python -m benchmarks.tag_spikes --seeds 1,2,3
"""

from __future__ import annotations

import argparse
import math
import random
from datetime import UTC, datetime, timedelta

from callcenter.domain.topics import HOUR, WEEK, SpikePolicy, spikes

START = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
TAGS = {"billing": 3.0, "delivery": 4.0, "refund": 1.5, "router": 2.0, "password": 1.0,
        "roaming": 0.6, "outage": 0.3, "invoice": 0.8, "tariff": 0.5, "damaged": 0.4}  # fmt: skip


def profile(hour: datetime) -> float:
    """How busy an hour is: 0 at night, 1 at the afternoon peak, weekends a third."""
    h = hour.hour
    day = 0.0 if h < 8 or h >= 21 else math.sin(math.pi * (h - 8) / 13)
    return day * (0.35 if hour.weekday() >= 5 else 1.0)


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def simulate(seed: int, weeks: int = 8, injected_per_week: int = 3):  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    hours = weeks * 7 * 24
    injected: list[tuple[str, int, int]] = []  # (tag, first hour, last hour)
    for week in range(4, weeks):  # spikes only in the month looked at
        for _ in range(injected_per_week):
            tag = rng.choice(list(TAGS))
            first = week * 168 + rng.randrange(168)
            while profile(START + first * HOUR) < 0.3:  # spikes come when people call
                first = week * 168 + rng.randrange(168)
            injected.append((tag, first, first + rng.randint(0, 2)))
    uses: list[tuple[str, datetime]] = []
    for h in range(hours):
        hour = START + h * HOUR
        for tag, rate in TAGS.items():
            boost = next((rng.uniform(3, 8) for t, a, b in injected if t == tag and a <= h <= b), 1)
            for _ in range(poisson(rng, rate * profile(hour) * boost)):
                uses.append((tag, hour + timedelta(seconds=rng.randrange(1, 3600))))
    return uses, injected


def run(seed: int) -> tuple[int, int, float, float, int]:
    uses, injected = simulate(seed)
    uses.sort(key=lambda u: u[1])
    ours: set[tuple[str, int]] = set()
    naive: set[tuple[str, int]] = set()
    policy = SpikePolicy()
    for h in range(4 * 168 + 1, 8 * 168 + 1):
        now = START + h * HOUR
        window = [u for u in uses if now - HOUR - policy.weeks * WEEK < u[1] <= now]
        ours |= {(s.tag, h - 1) for s in spikes(window, now, policy)}
        counts: dict[str, int] = {}
        totals: dict[str, int] = {}
        for tag, at in window:
            if at > now - HOUR:
                counts[tag] = counts.get(tag, 0) + 1
            else:
                totals[tag] = totals.get(tag, 0) + 1
        mean = {t: n / (policy.weeks * 168) for t, n in totals.items()}
        naive |= {(t, h - 1) for t, n in counts.items() if n >= 5 and n > 2 * mean.get(t, 0)}
    in_spike = {(t, h) for t, a, b in injected for h in range(a, b + 1)}
    found = sum(any((t, h) in ours for h in range(a, b + 1)) for t, a, b in injected)
    false = len(ours - in_spike) / 4
    naive_false = len(naive - in_spike) / 4
    naive_found = sum(any((t, h) in naive for h in range(a, b + 1)) for t, a, b in injected)
    return found, len(injected) - found, false, naive_false, naive_found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    args = parser.parse_args()
    print(f"{'seed':>4} {'injected':>9} {'found':>6} {'missed':>7} {'false/week':>11}  "
          f"{'naive found':>11} {'naive false/week':>17}")  # fmt: skip
    for seed in (int(s) for s in args.seeds.split(",")):
        found, missed, false, naive_false, naive_found = run(seed)
        print(f"{seed:>4} {found + missed:>9} {found:>6} {missed:>7} {false:>11.2f}  "
              f"{naive_found:>11} {naive_false:>17.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
