"""Logging: one line per event, with the call's id on every line logged inside a call.

The call id travels in a context variable, so every coroutine a call's task runs (and
every library it calls) logs it without passing it around. Lines are logfmt-like
(``key=value``) so they grep well and parse easily.
"""

from __future__ import annotations

import contextvars
import logging
import sys

call_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("call_id", default="-")


class CallIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.call_id = call_id_var.get()
        return True


FORMAT = "ts=%(asctime)s level=%(levelname)s logger=%(name)s call=%(call_id)s msg=%(message)r"


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(CallIdFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # panoramisk logs every AMI frame at DEBUG; keep it out unless asked for.
    logging.getLogger("panoramisk").setLevel(max(root.level, logging.INFO))
