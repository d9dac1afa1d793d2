"""Asterisk's CPU, read from ``/proc`` (the process and all its threads): the share of
the machine's cores it used between two looks. None when the process is not on this
machine or not running (a remote Asterisk, or one restarting)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of process ``pid`` so far, or None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuShare:
    def __init__(
        self,
        pid_of: Callable[[], int | None],
        cores: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._pid_of, self._clock = pid_of, clock
        self._cores = cores or os.cpu_count() or 1
        self._last: tuple[int, float, float] | None = None  # pid, cpu, at

    def look(self) -> float | None:
        pid = self._pid_of()
        cpu = cpu_seconds(pid) if pid else None
        if pid is None or cpu is None:
            self._last = None
            return None
        now, last = self._clock(), self._last
        self._last = (pid, cpu, now)
        if last is None or last[0] != pid or now <= last[2]:
            return None
        return max(0.0, (cpu - last[1]) / (now - last[2]) / self._cores)
