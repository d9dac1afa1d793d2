"""The running set of flows, replaced only by a complete, valid new set.

Contract: :meth:`FlowRegistry.reload` loads everything again; if anything is invalid the
running set stays and the issues are returned (and logged, one line each). Calls hold the
:class:`FlowSet` they started with, so a reload never changes a call in progress.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

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
