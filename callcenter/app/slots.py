"""The named pieces features provide and need (see :mod:`callcenter.app.feature`).

The daemon's core provides the first block; each feature's module says which of the rest
it provides. (Composition root.)"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from callcenter.app.feature import Slot
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ari import AriClient
from callcenter.config import Config
from callcenter.metrics.registry import DaemonMetrics
from callcenter.secrets import Secrets
from callcenter.store.call_log_writer import WriteBehindCallLog
from callcenter.store.db_threads import DbThreads
from callcenter.store.ticket_store import SqlTicketStore

if TYPE_CHECKING:
    from callcenter.app.agents import Agents
    from callcenter.app.callbacks import CallbacksWiring
    from callcenter.app.calls import Calls
    from callcenter.app.cluster import ClusterWiring
    from callcenter.app.event_log import EventLogWiring
    from callcenter.app.events import EventBus
    from callcenter.app.lost_calls import LostCallsWiring
    from callcenter.app.recordings import RecordingsWiring
    from callcenter.app.voicemails import VoicemailWiring
    from callcenter.app.widgets import DialGuardWiring, WidgetsWiring
    from callcenter.services.alerts import Alerts
    from callcenter.services.flow_registry import FlowRegistry

# The daemon's core.
CONFIG: Slot[Config] = Slot("config")
SECRETS: Slot[Secrets] = Slot("secrets")
ENGINE: Slot[Engine] = Slot("engine")
SESSIONS: Slot[sessionmaker[Session]] = Slot("sessions")
DB_THREADS: Slot[DbThreads] = Slot("db_threads")
METRICS: Slot[DaemonMetrics] = Slot("metrics")
CALL_LOG: Slot[WriteBehindCallLog] = Slot("call_log")
TICKETS: Slot[SqlTicketStore] = Slot("tickets")
AMI: Slot[AmiClient] = Slot("ami")
ARI: Slot[AriClient] = Slot("ari")
EVENTS: Slot[EventBus] = Slot("events")
ASTERISK_ETC: Slot[tuple[Path, int | None]] = Slot("asterisk_etc")
EVENT_LOG: Slot[EventLogWiring] = Slot("event_log")
CORE: tuple[Slot[Any], ...] = (
    CONFIG,
    SECRETS,
    ENGINE,
    SESSIONS,
    DB_THREADS,
    METRICS,
    CALL_LOG,
    TICKETS,
    AMI,
    ARI,
    EVENTS,
    ASTERISK_ETC,
    EVENT_LOG,
)

# Provided by features.
AGENTS: Slot[Agents] = Slot("agents")
ALERTS: Slot[Alerts] = Slot("alerts")  # the targets' alerts; other features add breaches
MEMBERSHIP: Slot[ClusterWiring] = Slot("membership")
DIAL_GUARD: Slot[DialGuardWiring] = Slot("dial_guard")
FLOWS: Slot[FlowRegistry] = Slot("flows")
CALLBACKS: Slot[CallbacksWiring] = Slot("callbacks")
WIDGETS: Slot[WidgetsWiring] = Slot("widgets")
VOICEMAILS: Slot[VoicemailWiring] = Slot("voicemails")
CALLS: Slot[Calls] = Slot("calls")
LOST_CALLS: Slot[LostCallsWiring] = Slot("lost_calls")
RECORDINGS: Slot[RecordingsWiring] = Slot("recordings")
