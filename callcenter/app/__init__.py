"""Composition root: the only package that knows every edge.

``daemon`` builds, supervises and stops the daemon; ``assembly`` holds the builders the
CLI shares; each feature's wiring lives in a module of its own (``observability``).
"""

from callcenter.app.assembly import (
    SystemClock,
    flow_context,
    flow_loader,
    prompts_dir,
    sound_index,
    ticket_store,
)
from callcenter.app.daemon import PID_FILE, Daemon, run_daemon

__all__ = [
    "PID_FILE",
    "Daemon",
    "SystemClock",
    "flow_context",
    "flow_loader",
    "prompts_dir",
    "run_daemon",
    "sound_index",
    "ticket_store",
]
