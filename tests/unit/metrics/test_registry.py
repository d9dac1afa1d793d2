from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from callcenter.metrics.registry import DaemonMetrics


def _samples(metrics: DaemonMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, content_type = metrics.render()
    assert content_type.startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_readings_are_taken_at_scrape_time() -> None:
    metrics = DaemonMetrics()
    live = {"calls": 2.0}
    metrics.gauge("callcenter_calls_in_ivr", "calls", lambda: live["calls"])
    metrics.counter(
        "callcenter_ami_received_events",
        "events",
        lambda: {("AgentCalled",): 3.0, ("UserEvent",): 1.0},
        ("event",),
    )
    live["calls"] = 5.0
    samples = _samples(metrics)
    assert samples[("callcenter_calls_in_ivr", ())] == 5.0
    assert samples[("callcenter_ami_received_events_total", (("event", "AgentCalled"),))] == 3.0


def test_histograms_are_observed() -> None:
    metrics = DaemonMetrics()
    metrics.loop_lag.observe(0.003)
    metrics.observe_store("record_call", 0.02)
    samples = _samples(metrics)
    assert samples[("callcenter_event_loop_lag_seconds_bucket", (("le", "0.005"),))] == 1.0
    assert samples[("callcenter_event_loop_lag_seconds_bucket", (("le", "0.002"),))] == 0.0
    key = ("callcenter_store_seconds_count", (("operation", "record_call"),))
    assert samples[key] == 1.0


def test_two_daemons_never_share_counters() -> None:
    a, b = DaemonMetrics(), DaemonMetrics()
    a.loop_lag.observe(1.0)
    assert _samples(b)[("callcenter_event_loop_lag_seconds_count", ())] == 0.0
