"""Outgoing webhooks from the running daemon to a real receiver on loopback: events pile
up in the outbox while it is down, then each arrives — signed, retried after an error,
deduplicable by its id."""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from callcenter.domain.tickets import Role
from callcenter.domain.webhooks import verify
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_status, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.ports import free_port
from tests.support.until import until

pytestmark = pytest.mark.asterisk


class Receiver:
    """The chat side: keeps what it got (by event id), refuses the first request with 500."""

    def __init__(self, port: int, secret: str) -> None:
        self.port, self.secret = port, secret
        self.got: list[tuple[str, bytes]] = []
        self.refused = 0
        self.bad_signatures = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    if not verify(
                        receiver.secret, self.headers["Webhook-Signature"], body, int(time.time())
                    ):
                        receiver.bad_signatures += 1
                    if receiver.refused == 0:
                        receiver.refused += 1
                        status = 500
                    else:
                        receiver.got.append((self.headers["Webhook-Id"], body))
                        status = 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield
        finally:
            server.shutdown()
            server.server_close()


def test_events_wait_for_a_receiver_that_is_down_and_arrive_signed_once_each(
    instance: Instance, daemon: DaemonProcess
) -> None:
    admin, chat = api_token(instance, Role.ADMIN), api_token(instance, Role.INTEGRATION)
    port = free_port()
    status, sub = api_status(
        daemon,
        admin,
        "POST",
        "/webhooks",
        {"url": f"http://127.0.0.1:{port}/hook", "events": ["callback.requested", "promise.made"]},
    )
    assert status == 200
    assert len(sub["secret"]) >= 32
    # The receiver is down: two callbacks asked for, four events wait in the outbox.
    asked = []
    for _ in range(2):
        number = "+7916" + new_caller()[-7:]
        asked.append(
            api_call(daemon, chat, "POST", "/callbacks", {"queue": "callbacks", "number": number})
        )

    def deliveries() -> list[dict[str, Any]]:
        return api_call(daemon, admin, "GET", f"/webhooks/{sub['id']}/deliveries")["items"]

    until(
        lambda: len(d := deliveries()) == 4 and all(x["attempts"] >= 2 for x in d),
        20,
        what="the deliveries tried while the receiver is down",
    )
    assert {d["state"] for d in deliveries()} == {"pending"}
    assert all("refused" in d["last_error"] or "Connect" in d["last_error"] for d in deliveries())
    receiver = Receiver(port, sub["secret"])
    with receiver.running():
        until(
            lambda: {d["state"] for d in deliveries()} == {"delivered"},
            60,
            what="every event delivered",
        )
    assert receiver.bad_signatures == 0
    assert receiver.refused == 1  # the first try after it came back got a 500: retried
    ids = [i for i, _ in receiver.got]
    assert len(ids) == len(set(ids)) == 4  # each exactly once by id
    events = [json.loads(body) for _, body in receiver.got]
    kinds = sorted(e["type"] for e in events)
    assert kinds == ["callback.requested", "callback.requested", "promise.made", "promise.made"]
    made = {e["data"]["promise"]["subject_id"] for e in events if e["type"] == "promise.made"}
    assert made == {a["id"] for a in asked}
    for a in asked:
        api_call(daemon, admin, "DELETE", f"/callbacks/{a['id']}")
    gone = api_call(daemon, admin, "DELETE", f"/webhooks/{sub['id']}")
    assert gone["active"] is False
    assert sub["id"] not in [w["id"] for w in api_call(daemon, admin, "GET", "/webhooks")["items"]]
