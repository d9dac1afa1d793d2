"""The daemon's Prometheus registry (``prometheus_client``, its text exposition format).

Contract: one :class:`DaemonMetrics` per daemon (no global registry: tests and several
daemons in one process never share counters). Histograms are observed as things happen;
everything else is read at scrape time from callables the composition root registers, so
the edges that own a number (the AMI client's byte count, the supervisor's live calls)
keep owning it and import nothing from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# A value, or values by label tuple (in the order of the metric's label names).
Reading = float | Mapping[tuple[str, ...], float]
LAG_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
STALL_BUCKETS = (0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)
STORE_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
ENTRY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class _Read:
    def __init__(
        self, kind: str, name: str, doc: str, labels: tuple[str, ...], read: Callable[[], Reading]
    ) -> None:
        self.kind, self.name, self.doc, self.labels, self.read = kind, name, doc, labels, read

    def family(self) -> Metric:
        cls = CounterMetricFamily if self.kind == "counter" else GaugeMetricFamily
        family = cls(self.name, self.doc, labels=self.labels)
        value = self.read()
        if isinstance(value, Mapping):
            for key, v in sorted(value.items()):
                family.add_metric(list(key), v)
        else:
            family.add_metric([], value)
        return family


class _LiveCollector(Collector):
    def __init__(self) -> None:
        self.readings: list[_Read] = []

    def collect(self) -> Iterator[Metric]:
        for reading in self.readings:
            yield reading.family()

    def describe(self) -> Iterator[Metric]:
        return iter(())  # read at scrape time; nothing to check at registration


class DaemonMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.loop_lag = Histogram(
            "callcenter_event_loop_lag_seconds",
            "How late the event loop ran a timer due every 20 ms: the delay any call "
            "event waiting at that moment suffered.",
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )
        self.store = Histogram(
            "callcenter_store_seconds",
            "Time a database use case took in its worker thread, by operation.",
            ["operation"],
            buckets=STORE_BUCKETS,
            registry=self.registry,
        )
        self.stall = Histogram(
            "callcenter_event_loop_stall_seconds",
            "Stalls the stall catcher recorded (a tick later than its threshold), by length; "
            "what the loop was doing is in the log and in /healthz.",
            buckets=STALL_BUCKETS,
            registry=self.registry,
        )
        self.entry_lag = Histogram(
            "callcenter_admission_entry_lag_seconds",
            "How long each inbound caller admitted waited for the daemon to take the call "
            "(channel made → StasisStart handled; admission's entry_lag signal).",
            buckets=ENTRY_BUCKETS,
            registry=self.registry,
        )
        self._live = _LiveCollector()
        self.registry.register(self._live)

    def gauge(
        self, name: str, doc: str, read: Callable[[], Reading], labels: tuple[str, ...] = ()
    ) -> None:
        self._live.readings.append(_Read("gauge", name, doc, labels, read))

    def counter(
        self, name: str, doc: str, read: Callable[[], Reading], labels: tuple[str, ...] = ()
    ) -> None:
        """``name`` without ``_total`` (prometheus_client adds it)."""
        self._live.readings.append(_Read("counter", name, doc, labels, read))

    def observe_store(self, operation: str, seconds: float) -> None:
        self.store.labels(operation).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        """The exposition and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
