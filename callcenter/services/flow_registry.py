"""The running set of flows, replaced only by a complete, valid new set; and the queues'
business-hours calendars, which the flows name (:class:`QueueCalendars`).

Contract: :meth:`FlowRegistry.reload` loads everything again; if anything is invalid the
running set stays and the issues are returned (and logged, one line each). Calls hold the
:class:`FlowSet` they started with, so a reload never changes a call in progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from callcenter.domain.business_hours import Calendar
from callcenter.domain.promises import ALWAYS_OPEN
from callcenter.domain.queue_defs import QueueDef
from callcenter.flows.catalog import FlowSet
from callcenter.flows.loader import FlowIssue

log = logging.getLogger(__name__)

Loader = Callable[[], tuple[FlowSet | None, list[FlowIssue]]]


class FlowLoadError(RuntimeError):
    """The flows cannot be loaded at start; the message lists every issue."""


class FlowRegistry:
    def __init__(self, loader: Loader) -> None:
        self._loader = loader
        flows, issues = loader()
        if flows is None:
            raise FlowLoadError("invalid flows:\n" + "\n".join(map(str, issues)))
        self.current: FlowSet = flows
        log.info("flows loaded: %s (version %s)", ", ".join(sorted(flows.flows)), flows.version)

    def reload(self) -> list[FlowIssue]:
        flows, issues = self._loader()
        if flows is None:
            log.error(
                "flow reload refused; still serving version %s:\n%s",
                self.current.version,
                "\n".join(map(str, issues)),
            )
            return issues
        if flows.version != self.current.version:
            log.info("flows reloaded: version %s -> %s", self.current.version, flows.version)
            self.current = flows
        return []


class QueueCalendars:
    """The queue's business hours (queues.yaml calendar: FLOW.CALENDAR of the flows now
    loaded); none, or one that does not exist (logged once): around the clock."""

    def __init__(self, queues: Mapping[str, QueueDef], flows: FlowRegistry) -> None:
        self._queues, self._flows = queues, flows
        self._unknown: set[str] = set()

    def __call__(self, queue: str) -> Calendar:
        name = self._queues[queue].calendar if queue in self._queues else ""
        if not name:
            return ALWAYS_OPEN
        flow, _, calendar = name.partition(".")
        try:
            return self._flows.current.flows[flow].calendars[calendar]
        except KeyError:
            if name not in self._unknown:
                self._unknown.add(name)
                log.error(
                    "queues.yaml: queues.%s.calendar: no calendar %r in the flows; its"
                    " promises are computed around the clock",
                    queue,
                    name,
                )
            return ALWAYS_OPEN
