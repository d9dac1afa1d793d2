"""The click-to-call widget as a site and its visitors use it (tests and benchmarks): a
shop's page on its own origin embedding the widget, and widget requests sent from a chosen
loopback address with a page's Origin."""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from typing import Any

from tests.support.instance import DaemonProcess
from tests.support.ports import free_port

WIDGET = "shop"


class Site:
    """A shop's site on its own origin (another port): a page that embeds the widget."""

    def __init__(self, daemon_url: str, lang: str = "en", widget: str = WIDGET) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        page = (
            f"<!doctype html><html lang={lang}><head><title>Shop</title>"
            "<style>button{background:red}</style></head><body><main><h1>Our shop</h1>"
            f'<script src="{daemon_url}/widget.js" data-widget="{widget}" async></script>'
            "</main></body></html>"
        ).encode()

        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Page)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def post(
    daemon: DaemonProcess, path: str, body: Any, origin: str, source: str = "127.0.0.1"
) -> tuple[int, dict[str, str], Any]:
    """A widget request as a page of ``origin`` sends it, from the address ``source``."""
    d = daemon.instance.config.daemon
    conn = http.client.HTTPConnection(
        d.http_host, d.http_port, timeout=10, source_address=(source, 0)
    )
    try:
        conn.request(
            "POST",
            f"/api/v1/widgets/{WIDGET}{path}",
            json.dumps(body),
            {"Content-Type": "application/json", "Origin": origin},
        )
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), json.loads(resp.read() or b"null")
    finally:
        conn.close()


def session_token(daemon: DaemonProcess, origin: str, source: str = "127.0.0.1") -> str:
    status, _headers, body = post(daemon, "/session", {}, origin, source)
    assert status == 201, body
    return str(body["token"])
