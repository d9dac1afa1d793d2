"""What a running Asterisk holds, read over its console: channels (and Local ones),
bridges, the work queued in its task processors, and the recordings still open or never
adopted on disk. A soak ends with every one of them at 0."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.support.instance import Instance


def _count(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    return int(match[1]) if match else 0


def taskprocessors(text: str) -> tuple[int, int]:
    """(tasks queued now over every task processor, the deepest queue ever seen)."""
    queued = deepest = 0
    for line in text.splitlines():
        # Processor, Processed, In Queue, Max Depth, Low water, High water (and, on 22,
        # Low time and High time)
        cells = line.split()
        if len(cells) >= 6 and all(c.isdigit() for c in cells[1:4]):
            queued += int(cells[2])
            deepest = max(deepest, int(cells[3]))
    return queued, deepest


def snapshot(instance: Instance) -> dict[str, int]:
    cli = instance.asterisk_cli
    concise = cli("core show channels concise")
    bridges = [
        ln for ln in cli("bridge show all").splitlines()[1:] if re.match(r"^[0-9a-f-]{8,}", ln)
    ]
    queued, deepest = taskprocessors(cli("core show taskprocessors"))
    recordings = instance.sandbox.instance_dir / "recordings"
    return {
        "channels": _count(r"(\d+) active channels?", cli("core show channels count")),
        "local_channels": sum(1 for ln in concise.splitlines() if ln.startswith("Local/")),
        "bridges": len(bridges),
        "taskprocessor_queued": queued,
        "taskprocessor_deepest": deepest,
        "recordings_open": _files(recordings, "*.raw"),
        "recording_sides": _files(recordings, "*-side-*"),
        **held(cli),
    }


def held(cli: Callable[[str], str]) -> dict[str, int]:
    """What Asterisk keeps that calls do not show: the AMI event queue (events kept for
    a session that has not read them), Stasis topics, task processors, threads, ARI
    applications — a count that grows with the run while calls stay level is the leak."""
    processors = cli("core show taskprocessors").splitlines()
    return {
        "ami_eventq": cli("manager show eventq").count("Usecount:"),
        "ami_sessions": _count(r"(\d+) users? connected", cli("manager show connected")),
        "stasis_topics": sum(1 for ln in cli("stasis show topics").splitlines() if ln[:1] != " "),
        "taskprocessors": sum(1 for ln in processors if len(ln.split()) >= 6),
        "threads": _count(r"(\d+) threads listed", cli("core show threads")),
        "ari_apps": sum(1 for ln in cli("ari show apps").splitlines()[2:] if ln.strip()),
    }


def _files(root: Path, pattern: str) -> int:
    return sum(1 for _ in root.rglob(pattern)) if root.exists() else 0


LEFT = ("channels", "local_channels", "bridges", "recordings_open", "recording_sides")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


TRIM = "call (int) malloc_trim(0)"


def heap_kept(pid: int) -> tuple[float, float] | None:
    """Asterisk's RSS before and after glibc is asked to give its free heap back
    (``malloc_trim(0)`` called in the process by gdb): what falls is memory freed but kept
    by the allocator, what stays is in use — a leak stays. None without gdb."""
    gdb = shutil.which("gdb")
    if gdb is None:
        return None
    before = rss_mb(pid)
    if not before:
        return None
    subprocess.run(
        # The sandbox's Asterisk runs chrooted: gdb finds its libc through /proc/PID/root
        # (without it, no symbol malloc_trim and no reading).
        [gdb, "-p", str(pid), "-batch", "-ex", f"set sysroot /proc/{pid}/root", "-ex", TRIM],
        capture_output=True,
        timeout=120,
        check=False,
    )
    after = rss_mb(pid)
    return (before, after) if after else None  # gone: no reading
