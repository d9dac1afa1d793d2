"""What the sandbox checks of a process and its ports: alive, really Asterisk, AMI's banner,
ARI answering; and handing a directory tree to Asterisk's user."""

from __future__ import annotations

import contextlib
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path


def chown_tree(top: Path, uid: int, gid: int) -> None:
    """Asterisk's own directories belong to its user, files included (its uid may have
    changed since they were written: see sandbox_root.isolate_user)."""
    os.chown(top, uid, gid)
    for directory, _dirs, files in os.walk(top):
        for entry in [directory, *(os.path.join(directory, f) for f in files)]:
            # A running Asterisk's files come and go (its database's journal): gone is fine.
            with contextlib.suppress(FileNotFoundError):
                if os.lstat(entry).st_uid != uid:
                    os.chown(entry, uid, gid, follow_symlinks=False)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(FileNotFoundError):
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return False
    return True


def is_asterisk(pid: int) -> bool:
    if not process_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    return any(part.endswith(b"asterisk") for part in cmdline)


def ami_banner(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(64).startswith(b"Asterisk Call Manager")
    except OSError:
        return False


def ari_ok(port: int, auth: str) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/ari/asterisk/info", headers={"Authorization": f"Basic {auth}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:  # noqa: S310 (loopback)
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False
