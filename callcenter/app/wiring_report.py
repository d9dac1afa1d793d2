"""What listens to what: the features in the order the daemon assembles them, with what
each needs and provides, and who gets each AMI event, ARI's call events, the hooks after
an AMI login or an ARI connect, and the in-process events — read off the assembled
declarations, never written by hand (``callcenter debug events``). (Composition root.)"""

from __future__ import annotations

import asyncio

from callcenter.app import slots
from callcenter.app.daemon import Daemon
from callcenter.config import Config


def wiring_report(config: Config) -> list[str]:
    """Builds the daemon without starting it (nothing is connected), reads its wiring."""
    daemon = Daemon(config)
    try:
        return _lines(daemon)
    finally:
        daemon.parts[slots.DB_THREADS].close()
        daemon.parts[slots.ENGINE].dispose()
        asyncio.run(_close_clients(daemon))


async def _close_clients(daemon: Daemon) -> None:
    await daemon.ari.close()


def _lines(daemon: Daemon) -> list[str]:
    plugged = daemon.plugged
    lines = ["features, in the order they are built:"]
    for f in daemon.features:
        needs = ", ".join(s.name for s in f.needs if s not in slots.CORE) or "-"
        provides = ", ".join(s.name for s in f.provides) or "-"
        lines.append(f"  {f.name:<17} needs {needs}; provides {provides}")
    lines += ["", f"AMI events (raw, through one router): {', '.join(daemon.router.ami_events())}"]
    lines.append("typed AMI event → features, in delivery order:")
    for kind, features in daemon.router.table():
        lines.append(f"  {kind:<17} → {', '.join(features) or '(nobody)'}")
    lines.append("")
    sinks = ", ".join(name for name, _ in plugged.call_sinks) or "(nobody)"
    lines.append(f"ARI call events → {sinks}")
    for what, hooks in (
        ("after every AMI login", plugged.ami_login),
        ("after every ARI connect", plugged.ari_connected),
        ("when the daemon stops", plugged.stoppers),
    ):
        lines.append(f"{what} → {', '.join(name for name, _ in hooks) or '(nobody)'}")
    every = ", ".join(name for name, _ in plugged.any_listeners) or "(nobody)"
    listeners = ", ".join(f"{kind} → {name}" for name, kind, _ in plugged.listeners)
    lines.append(f"in-process events: every event → {every}; {listeners or 'no other'}")
    lines.append(f"/healthz parts: {', '.join(plugged.health)}")
    return lines
