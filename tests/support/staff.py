"""Signing test browsers and clients in the way staff do: a one-time link the store
issues (as ``callcenter staff link`` prints it), followed by the browser."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from selenium.webdriver.common.by import By
from sqlalchemy.orm import Session, sessionmaker

from callcenter.domain.tickets import Role
from callcenter.store.db import make_engine, make_sessions
from callcenter.store.staff import SqlStaff
from tests.support.instance import DaemonProcess, Instance

_names = itertools.count(1)


def link_token(sessions: sessionmaker[Session], role: Role, agent: str = "") -> str:
    """A new staff account of ``role`` and a one-time sign-in token for it."""
    staff = SqlStaff(sessions)
    now = datetime.now(UTC)
    user = staff.create_user_sync(f"{role.value}-{next(_names)}", None, role, agent, now)
    return staff.create_link_sync(user.username, now, timedelta(minutes=10))


def sign_in_url(instance: Instance, daemon: DaemonProcess, role: Role, agent: str = "") -> str:
    engine = make_engine(instance.config.database_url)
    try:
        token = link_token(make_sessions(engine), role, agent)
    finally:
        engine.dispose()
    return f"{daemon.url}/signin/link/{token}"


def sign_in(
    browser: Any, instance: Instance, daemon: DaemonProcess, role: Role, agent: str = ""
) -> None:
    """Sign ``browser`` in afresh (cookies of 127.0.0.1 are shared by every port)."""
    browser.get(f"{daemon.url}/signin")
    browser.delete_all_cookies()
    browser.get(sign_in_url(instance, daemon, role, agent))


def desk_connected(browser: Any) -> bool:
    """The desk's websocket said hello (its state badge shows the agent, not a call)."""
    return bool(
        browser.execute_script(
            "return document.body.dataset.connected === 'true'"
            " && document.getElementById('state').className === 'idle'"
        )
    )


def speak(browser: Any, instance: Instance, locale: str) -> None:
    """The signed-in account's language, as `staff locale` sets it (the next page uses it)."""
    user = browser.find_element(By.ID, "shell-user").text
    engine = make_engine(instance.config.database_url)
    try:
        SqlStaff(make_sessions(engine)).set_locale_sync(user, locale)
    finally:
        engine.dispose()
