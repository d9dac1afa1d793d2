"""Wiring of the toll-fraud guard (every web-, API- or IVR-initiated dial), the
click-to-call widgets, and a chat ticket's call: the stores, the services, the metrics,
and the services the HTTP routes find under their keys."""

from __future__ import annotations

import collections
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import slots
from callcenter.app.assembly import SystemClock
from callcenter.app.feature import Feature, Parts, Plug
from callcenter.config import Config
from callcenter.domain.callbacks import NumberPolicy
from callcenter.domain.dial_guard import DialRecord, GuardLimits, Refusal
from callcenter.http import api_dial_guard, api_widgets
from callcenter.http.api_dial_guard import TICKET_CALLS
from callcenter.http.api_refusals import GUARD
from callcenter.http.api_widgets import WIDGETS
from callcenter.http.widget_script import WEB_CALL_BRIDGE, WebCallBridge
from callcenter.http.widgets_page import WIDGET_PAGES
from callcenter.metrics.registry import DaemonMetrics
from callcenter.secrets import Secrets
from callcenter.services.callbacks import Callbacks
from callcenter.services.dial_guard import DialGuard
from callcenter.services.widgets import Widgets
from callcenter.store.db_threads import DbThreads
from callcenter.store.dial_guard import SqlDialAudit, SqlPendingNumbers
from callcenter.store.widgets import SqlWidgets

log = logging.getLogger(__name__)

# JsSIP as `make setup` installs it from the npm registry (web/package-lock.json).
JSSIP = Path(__file__).resolve().parents[2] / "web" / "dist" / "jssip.min.js"


def number_policy(config: Config) -> NumberPolicy:
    """Which numbers an outbound dial may reach ([callbacks] countries and deny list)."""
    c = config.callbacks
    return NumberPolicy(
        region=config.tickets.default_region.upper(),
        countries=frozenset(r.upper() for r in c.countries),
        deny=frozenset(c.deny),
    )


class DialGuardWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        metrics: DaemonMetrics,
    ) -> None:
        g = config.guard
        self.decisions: collections.Counter[tuple[str, str]] = collections.Counter()
        self.trips = 0
        self.service = DialGuard(
            SqlDialAudit(sessions, threads),
            SqlPendingNumbers(sessions, threads),
            number_policy(config),
            GuardLimits(
                per_number_day=g.per_number_day,
                per_client=g.per_client,
                client_window_seconds=g.client_window_seconds,
                per_widget_hour=g.per_widget_hour,
                budget_hour=g.budget_hour,
                breaker_minutes=g.breaker_minutes,
            ),
            SystemClock(),
            on_trip=self._tripped,
            on_decision=self._decided,
        )
        metrics.counter(
            "callcenter_dial_guard_decisions_total",
            "Outbound dials asked from the web, the API or the IVR, by source and by the rule"
            " that refused them (rule=accepted: let through).",
            lambda: {k: float(v) for k, v in self.decisions.items()},
            ("source", "rule"),
        )
        metrics.counter(
            "callcenter_dial_guard_breaker_trips_total",
            "Times the hourly budget of guarded dials was used up (the breaker opened).",
            lambda: float(self.trips),
        )
        metrics.gauge(
            "callcenter_dial_guard_breaker_open",
            "1 while the breaker refuses every guarded dial.",
            lambda: 1.0 if self.service.breaker_open else 0.0,
        )

    def _decided(self, record: DialRecord) -> None:
        rule = record.rule.value if record.rule is not None else "accepted"
        self.decisions[(record.source, rule)] += 1

    def _tripped(self, refusal: Refusal) -> None:
        self.trips += 1
        log.error("ALARM dial guard breaker open: %s", refusal.message)


class WidgetsWiring:
    def __init__(
        self,
        config: Config,
        sessions: sessionmaker[Session],
        threads: DbThreads,
        secrets: Secrets,
        guard: DialGuard,
        callbacks: Callbacks,
        calendar_of: Any,
        queues: frozenset[str],
    ) -> None:
        w = config.widgets
        self.store = SqlWidgets(sessions, threads)
        self.guard = guard
        self.callbacks = callbacks
        self.service = Widgets(
            self.store,
            guard,
            callbacks,
            secrets.widget_secret.encode(),
            SystemClock(),
            calendar_of,
            queues,
            timedelta(minutes=w.token_minutes),
        )
        self.bridge = WebCallBridge(
            f"ws://127.0.0.1:{config.asterisk.http_port}/ws",
            secrets.web_call_secret,
            w.web_call_minutes * 60.0,
            JSSIP if JSSIP.is_file() else None,
        )
        # "Call now" only where it can work: web calls allowed and the SIP library there.
        self.service.web_calls = w.web_calls > 0 and self.bridge.jssip is not None
        if w.web_calls > 0 and self.bridge.jssip is None:
            log.warning("web calls off: %s missing (make setup installs it)", JSSIP)


def _plug_guard(parts: Parts, plug: Plug) -> None:
    guard = DialGuardWiring(
        parts[slots.CONFIG], parts[slots.SESSIONS], parts[slots.DB_THREADS], parts[slots.METRICS]
    )
    parts.provide(slots.DIAL_GUARD, guard)
    plug.serve(GUARD, guard.service)


def _plug_widgets(parts: Parts, plug: Plug) -> None:
    callbacks = parts[slots.CALLBACKS]
    widgets = WidgetsWiring(
        parts[slots.CONFIG],
        parts[slots.SESSIONS],
        parts[slots.DB_THREADS],
        parts[slots.SECRETS],
        parts[slots.DIAL_GUARD].service,
        callbacks.service,
        callbacks.calendar_of,
        frozenset(parts[slots.AGENTS].queue_defs),
    )
    parts.provide(slots.WIDGETS, widgets)
    plug.serve(WIDGETS, widgets.service)
    plug.serve(TICKET_CALLS, callbacks.service)
    plug.serve(WEB_CALL_BRIDGE, widgets.bridge)


DIAL_GUARD = Feature(
    "dial_guard",
    needs=(slots.CONFIG, slots.METRICS),
    provides=(slots.DIAL_GUARD,),
    build=_plug_guard,
    routes=tuple(api_dial_guard.ROUTES),
)
FEATURE = Feature(
    "widgets",
    needs=(slots.CALLBACKS, slots.DIAL_GUARD, slots.AGENTS, slots.SECRETS),
    provides=(slots.WIDGETS,),
    build=_plug_widgets,
    routes=tuple(api_widgets.ROUTES),
    pages=(WIDGET_PAGES,),
)
