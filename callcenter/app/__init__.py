"""Composition root: the only package that knows every edge.

``daemon`` builds the core (``core``) and assembles the feature list (``features``, each
feature's wiring a module of its own ending in its ``Feature`` declaration, see ``feature``),
supervises and stops them; ``assembly`` holds the builders the CLI shares.
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
