"""The daemon's memory allocator (``daemon.allocator``): glibc's malloc, or jemalloc
preloaded — chosen before the daemon allocates anything that lives.

Why jemalloc by default: over a soak the daemon's Python objects and glibc's bytes in use
stay level while its RSS climbs: glibc keeps what bursts of calls freed (docs/production.md,
"The daemon's memory"). jemalloc returns dirty pages on its own within seconds, as it does
for the embedded Asterisk (``asterisk.allocator``).

Contract: :func:`use_allocator` returns at once when the process already runs on the
configured allocator (glibc, or jemalloc preloaded); otherwise it executes the same command
again with ``LD_PRELOAD`` set (the pid stays the same) and does not return. A jemalloc the
machine lacks is a :class:`~callcenter.config_error.ConfigError` naming the library and the
setting (the library is looked up as for Asterisk's root: ``asterisk.runtime.jemalloc_library``).
"""

from __future__ import annotations

import logging
import os
import sys

from callcenter.asterisk.runtime import JEMALLOC, jemalloc_library
from callcenter.config import Config
from callcenter.config_error import ConfigError
from callcenter.metrics.heap import Heap

log = logging.getLogger(__name__)

PRELOADED = "CALLCENTER_ALLOCATOR_PRELOADED"  # set on the re-executed process: never loop


def use_allocator(config: Config, argv: list[str] | None = None) -> None:
    """Run on ``config.daemon.allocator``: re-execute ``argv`` (default: this command)
    under it when the process is not on it yet."""
    wanted = config.daemon.allocator
    if wanted == "glibc" or Heap().allocator == wanted:
        return
    library = jemalloc_library()
    if library is None:
        raise ConfigError(
            f"daemon.allocator = {wanted!r}: {JEMALLOC} is not installed "
            "(apt install libjemalloc2, or set daemon.allocator = 'glibc')"
        )
    if os.environ.get(PRELOADED):  # we set it and the loader still did not take it
        raise ConfigError(f"daemon.allocator = {wanted!r}: {library} could not be preloaded")
    env = {**os.environ, PRELOADED: "1"}
    env["LD_PRELOAD"] = f"{library} {os.environ.get('LD_PRELOAD', '')}".strip()
    command = argv if argv is not None else [sys.executable, *sys.orig_argv[1:]]
    log.info("restarting on %s (daemon.allocator = %s)", library, wanted)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)  # noqa: S606 (this very command, our interpreter)
