"""A real HTTP server for flows' lookup nodes: the shop's order-status endpoint, answering
by order number — well, slowly, with an error, with nonsense or with an answer that lacks
a field — and remembering every request it got."""

from __future__ import annotations

import http.server
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

SHIPPED, PACKED, SLOW, FAILING, NONSENSE, MISFIT = "1234", "2345", "3456", "4567", "5678", "6789"
ANSWERS: dict[str, Any] = {
    SHIPPED: {"status": "shipped", "delivery": {"date": "2026-12-09"}, "total": "12.50"},
    PACKED: {"status": "packed", "delivery": {"date": "2026-12-10"}, "total": 42},
    SLOW: {"status": "shipped", "delivery": {"date": "2026-12-09"}, "total": 1},
    MISFIT: {"status": "shipped", "total": 3},  # no delivery.date
}


class OrdersServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, delay: float = 0.02, slow: float = 5.0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay, self.slow = delay, slow
        self.requests: list[dict[str, Any]] = []


class _Handler(http.server.BaseHTTPRequestHandler):
    server: OrdersServer

    def do_GET(self) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        self.server.requests.append(
            {"path": self.path, "query": query, "authorization": self.headers["Authorization"]}
        )
        order = query.get("order", "")
        time.sleep(self.server.slow if order == SLOW else self.server.delay)
        if order == FAILING:
            self._answer(500, b'{"error": "database down"}')
        elif order == NONSENSE:
            self._answer(200, b"<html>Order status: shipped!</html>", "text/html")
        elif order in ANSWERS:
            self._answer(200, json.dumps(ANSWERS[order]).encode())
        else:
            self._answer(404, b'{"error": "no such order"}')

    def _answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the daemon gave up waiting (the slow order): as a real client would

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def orders_server(port: int, delay: float = 0.02, slow: float = 5.0) -> Iterator[OrdersServer]:
    server = OrdersServer(port, delay, slow)
    thread = threading.Thread(target=server.serve_forever, name="orders", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def lookup_port(env: dict[str, str], name: str) -> int:
    """The port of lookup endpoint ``name`` in an instance's environment."""
    for entry in json.loads(env["CALLCENTER_LOOKUPS"]):
        if entry["name"] == name:
            return int(urllib.parse.urlsplit(entry["url"]).port or 80)
    raise KeyError(name)
