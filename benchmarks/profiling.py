"""py-spy sampling the daemon while a benchmark step runs (``--py-spy DIR``)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.instance import DaemonProcess


def start_profiler(
    daemon: DaemonProcess, directory: Path | None, tag: str, seconds: float
) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the daemon (all threads, GIL holder marked) while the step runs."""
    if directory is None or daemon.process is None:
        return None
    spy = shutil.which("py-spy") or str(Path(__file__).resolve().parents[1] / ".venv/bin/py-spy")
    directory.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            spy,
            "record",
            "-p",
            str(daemon.process.pid),
            "-d",
            str(int(seconds)),
            "-r",
            "200",
            "--threads",
            "--gil",
            "-f",
            "raw",
            "-o",
            str(directory / f"{tag}.txt"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
