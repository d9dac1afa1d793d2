"""What one Asterisk interface (AMI or ARI) sent us: bytes, events by name, connections.

Kept by the edge that reads the wire; the metrics registry reads it at scrape time.
"""

from __future__ import annotations

import collections
import dataclasses


@dataclasses.dataclass
class Traffic:
    received_bytes: int = 0
    events: collections.Counter[str] = dataclasses.field(default_factory=collections.Counter)
    connects: int = 0

    @property
    def reconnects(self) -> int:
        """Connections after the first: each one followed a loss."""
        return max(0, self.connects - 1)

    def by_event(self) -> dict[tuple[str, ...], float]:
        return {(name,): float(n) for name, n in self.events.items()}
