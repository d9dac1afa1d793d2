"""Edge: what the daemon measures about itself — event-loop lag, and the Prometheus
registry that exposes it with the other edges' counters (``GET /metrics``)."""
