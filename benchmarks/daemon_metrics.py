"""Reading the daemon's ``/metrics`` around a benchmark step: counters as deltas, the
event-loop lag histogram of the step, and the text bars the reports draw."""

from __future__ import annotations

import dataclasses
import math
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

LAG = "callcenter_event_loop_lag_seconds"


def scrape(base_url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics``: (name, sorted labels) → value."""
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=5) as resp:  # noqa: S310
        text = resp.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


@dataclasses.dataclass
class StepMetrics:
    """What the daemon counted between two scrapes."""

    delta: dict[tuple[str, tuple[tuple[str, str], ...]], float]

    @classmethod
    def between(cls, before: dict, after: dict) -> StepMetrics:  # type: ignore[type-arg]
        return cls({k: v - before.get(k, 0.0) for k, v in after.items()})

    def total(self, name: str) -> float:
        return sum(v for (n, _), v in self.delta.items() if n == name)

    def by_label(self, name: str, label: str) -> dict[str, float]:
        return {
            dict(labels)[label]: v
            for (n, labels), v in self.delta.items()
            if n == name and label in dict(labels) and v
        }

    def lag_buckets(self) -> list[tuple[float, float]]:
        """(upper bound in seconds, samples in that bucket alone), ascending."""
        cumulative = sorted(
            (float(dict(labels)["le"]), v)
            for (n, labels), v in self.delta.items()
            if n == f"{LAG}_bucket"
        )
        out, below = [], 0.0
        for bound, count in cumulative:
            out.append((bound, count - below))
            below = count
        return out

    def lag_quantile(self, q: float) -> float:
        """The upper bound of the bucket holding quantile ``q`` (an upper estimate)."""
        buckets = self.lag_buckets()
        total = sum(c for _, c in buckets)
        if not total:
            return math.nan
        seen = 0.0
        for bound, count in buckets:
            seen += count
            if seen >= q * total:
                return bound
        return math.inf

    def lag_max_bucket(self) -> float:
        nonempty = [b for b, c in self.lag_buckets() if c]
        return nonempty[-1] if nonempty else math.nan


def bars(buckets: list[tuple[float, float]], width: int = 40) -> list[str]:
    """A text histogram: one line per bucket, bar length log-scaled so rare slow ticks
    still show."""
    top = max((c for _, c in buckets), default=0.0)
    lines = []
    low = 0.0
    for bound, count in buckets:
        label = (
            f"{low * 1000:>6.0f}-{bound * 1000:<6.0f}ms"
            if math.isfinite(bound)
            else (f"{low * 1000:>6.0f}+      ms")
        )
        size = 0 if not count else max(1, round(width * math.log1p(count) / math.log1p(top)))
        lines.append(f"  {label} {'█' * size} {int(count)}")
        low = bound
    return lines
