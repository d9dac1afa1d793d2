"""What the command groups share: the configuration behind ``--config`` and the store,
opened with its schema brought up to date."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Protocol

import click
from sqlalchemy.orm import Session, sessionmaker

from callcenter.app import ticket_store
from callcenter.config import Config
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
