"""Builders the daemon and the CLI share: the flow context and loader, the ticket store,
the clock. (Part of the composition root: it knows the edges.)"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from callcenter.asterisk import system_asterisk
from callcenter.asterisk.confgen_sections import queue_defs
from callcenter.asterisk.prompts import prompt_exists
from callcenter.asterisk.runtime import SandboxRuntime
from callcenter.asterisk.sandbox import Sandbox
from callcenter.asterisk.sounds import SoundIndex
from callcenter.config import Config
from callcenter.config_trunks import routed_flows
from callcenter.flows.catalog import FlowSet, flow_files, load_catalog
from callcenter.flows.loader import FlowIssue
from callcenter.flows.validate import FlowContext
from callcenter.secrets import load_or_create_secrets
from callcenter.store.db_threads import DbThreads
from callcenter.store.ticket_store import SqlTicketStore

log = logging.getLogger(__name__)


def flow_context(config: Config, sounds: SoundIndex | None) -> FlowContext:
    d = config.dialplan
    return FlowContext(
        queues=frozenset(d.queues),
        mailboxes=frozenset(d.mailboxes),
        extensions=frozenset(d.agents),
        external_allowlist=frozenset(d.external_allowlist),
        sound_exists=sounds.exists if sounds else None,
        prompt_exists=lambda lang, name: prompt_exists(prompts_dir(config), lang, name),
        entry_points=frozenset(
            q.overflow_target for q in queue_defs(config).values() if q.overflow_target
        ),
        routed=routed_flows(config.numbers, config.daemon.entry_flow, d.virtual_number),
        lookups=frozenset(lookup.name for lookup in config.lookups),
    )


def prompts_dir(config: Config) -> Path:
    """Uploaded prompts, inside the instance directory Asterisk sees at the same path."""
    return config.state_dir / "asterisk" / "prompts"


def sound_index(config: Config) -> SoundIndex | None:
    """Asterisk's sounds as this instance's Asterisk sees them (None if not installed yet)."""
    try:
        sandbox = Sandbox(config, load_or_create_secrets(config.state_dir, ()))
        runtime = sandbox.runtime(build=False)
    except Exception as exc:
        log.warning("cannot check sound files (%s)", exc)
        return None
    return SoundIndex(runtime.root if isinstance(runtime, SandboxRuntime) else Path("/"))


def asterisk_etc(config: Config) -> tuple[Path, int | None]:
    """This instance's Asterisk configuration directory and the group that reads it
    (None when Asterisk is not installed yet: files are then left root's)."""
    if config.asterisk.mode == "system":  # the machine's Asterisk reads its own directory
        return Path(config.asterisk.config_dir), system_asterisk.group_id()
    sandbox = Sandbox(config, load_or_create_secrets(config.state_dir, ()))
    try:
        gid: int | None = sandbox.runtime(build=False).gid
    except Exception as exc:
        log.warning("Asterisk's group unknown (%s)", exc)
        gid = None
    return sandbox.instance_dir / "etc", gid


def flow_loader(
    config: Config, sounds: SoundIndex | None
) -> Callable[[], tuple[FlowSet | None, list[FlowIssue]]]:
    directory = Path(config.daemon.flows_dir).resolve()
    ctx = flow_context(config, sounds)
    return lambda: load_catalog(flow_files(directory), ctx, directory.parent)


def ticket_store(
    config: Config, sessions: sessionmaker[Session], threads: DbThreads | None = None
) -> SqlTicketStore:
    t = config.tickets
    return SqlTicketStore(
        sessions,
        t.default_region.upper(),
        timedelta(hours=t.join_window_hours),
        threads=threads,
    )


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
