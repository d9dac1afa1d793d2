"""Talking to the running daemon's REST API as a test client: a token of a role, a call."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from callcenter.domain.tickets import Role
from callcenter.store.api_keys import SqlApiKeys
from callcenter.store.db import make_engine, make_sessions
from tests.support.instance import DaemonProcess, Instance


def api_token(instance: Instance, role: Role, agent: str = "") -> str:
    engine = make_engine(instance.config.database_url)
    try:
        keys = SqlApiKeys(make_sessions(engine))
        return keys.create_token(f"test {role.value}", role, agent)[1]
    finally:
        engine.dispose()


def api_call(daemon: DaemonProcess, token: str, method: str, path: str, body: Any = None) -> Any:
    request = urllib.request.Request(  # noqa: S310 (loopback test server)
        f"{daemon.url}/api/v1{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:  # noqa: S310
        return json.loads(resp.read())


def api_status(
    daemon: DaemonProcess, token: str, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    """Like :func:`api_call`, for answers that may be errors: (status, body)."""
    try:
        return 200, api_call(daemon, token, method, path, body)
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read() or b"null")


def log_out(daemon: DaemonProcess, token: str, agent: str, timeout: float = 30.0) -> None:
    """Log ``agent`` out of every queue, as a test's cleanup: while the daemon still has
    them on a call (409) it is asked again, so a test that failed mid-call leaves no agent
    logged in to answer the next tests' calls."""
    deadline = time.monotonic() + timeout
    while True:
        status, body = api_status(daemon, token, "POST", f"/agents/{agent}/logout")
        if status != 409 or time.monotonic() > deadline:
            assert status in (200, 409), (status, body)
            return
        time.sleep(0.5)
