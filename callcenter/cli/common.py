"""What the command groups share: the configuration behind ``--config`` and the store,
opened with its schema brought up to date."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import click
from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import ticket_store
from callcenter.asterisk.ami import AmiClient
from callcenter.config import Config
from callcenter.secrets import load_or_create_secrets
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.migrate import upgrade
from callcenter.store.ticket_store import SqlTicketStore


class HasConfig(Protocol):
    """The command line's context object (``main``'s ``--config``)."""

    def config(self) -> Config: ...


def sessions_for(cfg: Config) -> sessionmaker[Session]:
    """Sessions on the configured store, its schema brought up to date first."""
    cfg.state_dir.mkdir(parents=True, exist_ok=True)
    upgrade(cfg.database_url)
    return make_sessions(make_engine(cfg.database_url))


def open_store(cfg: Config) -> SqlTicketStore:
    return ticket_store(cfg, sessions_for(cfg))


def open_keys(cfg: Config) -> SqlApiKeys:
    return SqlApiKeys(sessions_for(cfg))


T = TypeVar("T")


async def asking_asterisk(cfg: Config, ask: Callable[[AmiClient], Awaitable[T]]) -> T:
    """``ask`` the running Asterisk over AMI (the daemon's user), or a clear error if its
    AMI does not answer."""
    secrets = load_or_create_secrets(cfg.state_dir, ())
    ami = AmiClient(cfg.asterisk.ami_port, secrets.ami_user, secrets.ami_password)
    await ami.start()
    try:
        if not await ami.wait_connected(timeout=5):
            raise click.ClickException(
                f"Asterisk's AMI does not answer on 127.0.0.1:{cfg.asterisk.ami_port}"
                " (is it running? callcenter sandbox up)"
            )
        return await ask(ami)
    finally:
        await ami.close()


def group_commands() -> list[click.Command]:
    """Every command group of the package: each module but ``main`` and ``common`` lists its
    own in ``COMMANDS`` (a new group is a new module, no other file changes)."""
    import callcenter.cli as package

    found: list[click.Command] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in ("main", "common"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        commands = getattr(module, "COMMANDS", None)
        if commands is None:
            raise RuntimeError(f"callcenter/cli/{info.name}.py declares no COMMANDS")
        found += commands
    return found
