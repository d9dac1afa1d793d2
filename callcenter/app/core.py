"""The daemon's core, which every feature may need: configuration and secrets, the
database (schema upgraded first, its worker threads, the write-behind call log, the ticket
store), the metrics registry, the AMI and ARI clients with the one AMI router, the
in-process event bus, and Asterisk's configuration directory. What it serves over HTTP
itself: tickets, API keys, staff sign-in, softphone provisioning. (Composition root.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from callcenter.app import slots
from callcenter.app.assembly import asterisk_etc, ticket_store
from callcenter.app.event_log import EventLogWiring
from callcenter.app.events import EventBus
from callcenter.app.feature import Contributions, Parts
from callcenter.asterisk.ami import AmiClient
from callcenter.asterisk.ami_router import AmiRouter
from callcenter.asterisk.ari import AriClient
from callcenter.config import Config
from callcenter.domain.calls import CallEvent
from callcenter.http.api_auth import KEYS
from callcenter.http.api_routes import STORE
from callcenter.http.provisioning import SOFTPHONES
from callcenter.http.shell import STAFF_ZONE
from callcenter.http.staff_auth import SESSION_TTL, STAFF
from callcenter.metrics.registry import DaemonMetrics
from callcenter.secrets import load_or_create_secrets
from callcenter.softphone_accounts import SoftphoneAccounts
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.call_log import SqlCallLog
from callcenter.store.call_log_writer import WriteBehindCallLog
from callcenter.store.db import make_engine, make_sessions, ping
from callcenter.store.db_threads import DbThreads
from callcenter.store.migrate import upgrade
from callcenter.store.staff import SqlStaff

Hook = Callable[[], Awaitable[None]]


def core_parts(
    config: Config,
    deliver: Callable[[CallEvent], None],
    ami_login: Hook,
    ari_connected: Hook,
) -> tuple[Parts, AmiRouter]:
    """The core's parts; ``deliver`` gets ARI's call events, ``ami_login`` runs after every
    AMI login and ``ari_connected`` after every ARI connect (the features' hooks)."""
    parts = Parts()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    secrets = load_or_create_secrets(config.state_dir, config.dialplan.phones)
    upgrade(config.database_url)
    engine = make_engine(config.database_url)
    sessions = make_sessions(engine)
    metrics = DaemonMetrics()
    threads = DbThreads(config.database.threads, metrics.observe_store)
    a, d = config.asterisk, config.daemon
    ari = AriClient(
        f"http://127.0.0.1:{d.ari_port or a.http_port}/",
        secrets.ari_user,
        secrets.ari_password,
        d.ari_app,
        sink=deliver,
        on_connected=ari_connected,
        max_delay=d.reconnect_max_delay,
        filter_events=a.event_filters,
    )
    ami = AmiClient(
        d.ami_port or a.ami_port, secrets.ami_user, secrets.ami_password, on_login=ami_login
    )
    router = AmiRouter()
    for name in router.ami_events():
        ami.on_event(name, router.on_message)
    parts.provide(slots.CONFIG, config)
    parts.provide(slots.SECRETS, secrets)
    parts.provide(slots.ENGINE, engine)
    parts.provide(slots.SESSIONS, sessions)
    parts.provide(slots.DB_THREADS, threads)
    parts.provide(slots.METRICS, metrics)
    parts.provide(
        slots.CALL_LOG,
        WriteBehindCallLog(
            SqlCallLog(sessions, threads, config.cluster.node, config.reports.event_log), threads
        ),
    )
    tickets = ticket_store(config, sessions, threads)
    parts.provide(slots.TICKETS, tickets)
    parts.provide(slots.EVENT_LOG, EventLogWiring(config, sessions, threads, tickets))
    parts.provide(slots.AMI, ami)
    parts.provide(slots.ARI, ari)
    parts.provide(slots.EVENTS, EventBus())
    parts.provide(slots.ASTERISK_ETC, asterisk_etc(config))
    return parts, router


def serve_core(parts: Parts, plugged: Contributions) -> None:
    """What the core serves over HTTP, and its health probes (first in ``/healthz``)."""
    config, sessions, threads = parts[slots.CONFIG], parts[slots.SESSIONS], parts[slots.DB_THREADS]
    ami, ari, engine = parts[slots.AMI], parts[slots.ARI], parts[slots.ENGINE]
    services = plugged.services
    services[STORE] = parts[slots.TICKETS]
    services[KEYS] = SqlApiKeys(sessions, threads)
    services[STAFF] = SqlStaff(sessions, threads)
    services[SESSION_TTL] = timedelta(hours=config.staff.session_hours)
    services[STAFF_ZONE] = config.staff.timezone
    services[SOFTPHONES] = SoftphoneAccounts(config)

    async def ami_up() -> bool:
        return ami.connected

    async def ari_up() -> bool:
        return ari.connected

    async def db_up() -> bool:
        return await threads.run("ping", ping, engine)

    plugged.health = {"ami": ami_up, **plugged.health, "ari": ari_up, "db": db_up}


async def close_core(parts: Parts) -> None:
    await parts[slots.CALL_LOG].close()  # what the calls wrote, committed before we go
    parts[slots.DB_THREADS].close()
    parts[slots.ENGINE].dispose()
