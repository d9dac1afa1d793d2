"""A Debian root with a real Asterisk 22, built once by debootstrap and cached.

Contract: :func:`ensure_root` returns the path of a complete root for the current package
set, building it if needed. The cache directory is keyed by a version stamp (suite +
package list + layout version), so changing the package set builds a new root and never
reuses a stale one. A build happens in a temporary directory and is renamed into place only
when complete, under an exclusive lock: an interrupted build leaves nothing half-made.
The Debian mirror comes from this machine's apt configuration unless configured.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

PACKAGES = (
    "asterisk",
    "asterisk-core-sounds-en-wav",
    "asterisk-core-sounds-ru-wav",
    "asterisk-moh-opsound-wav",
    # Asterisk's allocator (asterisk.allocator): gives freed memory back (glibc kept it).
    "libjemalloc2",
    "sip-tester",
    "baresip",
    # The SIP front of a cluster (issue 16): Kamailio with its PostgreSQL driver.
    "kamailio",
    "kamailio-postgres-modules",
)
LAYOUT_VERSION = "1"
READY_MARK = ".callcenter-root-ready"


class SandboxError(RuntimeError):
    """The sandbox cannot be built or run; the message says what to do."""


def stamp(suite: str) -> str:
    digest = hashlib.sha256("|".join((LAYOUT_VERSION, suite, *PACKAGES)).encode()).hexdigest()
    return f"{suite}-{digest[:12]}"


def apt_mirror(etc_apt: Path = Path("/etc/apt")) -> str:
    """The first Debian archive URI in this machine's apt configuration."""
    candidates: list[Path] = []
    sources_d = etc_apt / "sources.list.d"
    if sources_d.is_dir():
        candidates += sorted(sources_d.glob("*.sources")) + sorted(sources_d.glob("*.list"))
    candidates.append(etc_apt / "sources.list")
    for path in candidates:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for uri in re.findall(r"^URIs:\s*(\S+)", text, re.MULTILINE) + re.findall(
            r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.MULTILINE
        ):
            if "security" not in uri and uri.startswith(("http://", "https://", "file:")):
                return str(uri)
    raise SandboxError(
        "no Debian mirror found in /etc/apt; set asterisk.debian_mirror "
        "(or CALLCENTER_ASTERISK__DEBIAN_MIRROR)"
    )


def ensure_root(cache: Path, suite: str, mirror: str = "", build: bool = True) -> Path:
    """Return a ready root under ``cache``, building it on first use (with ``build``; else
    a root not built yet is an error: what only reads the root never waits minutes)."""
    root = cache / stamp(suite) / "root"
    if (root / READY_MARK).exists():
        link_languages(root)
        if _host_user_of(user_ids(root)) is not None:
            with open(root.parent / ".lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                isolate_user(root)
        return root
    if not build:
        raise SandboxError(f"the Asterisk sandbox root {root} is not built yet (sandbox up)")
    if os.geteuid() != 0:
        raise SandboxError(
            "building the Asterisk sandbox needs root (debootstrap, chroot); "
            "run as root or install Asterisk >= 20 on the system"
        )
    if shutil.which("debootstrap") is None:
        raise SandboxError("debootstrap is not installed: apt-get install debootstrap")
    mirror = mirror or apt_mirror()
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / READY_MARK).exists():  # another process built it while we waited
            return root
        building = root.parent / "root.building"
        shutil.rmtree(building, ignore_errors=True)
        if root.exists():
            shutil.rmtree(root)
        log.info("building Asterisk sandbox root %s (suite %s) from %s", root, suite, mirror)
        logfile = root.parent / "debootstrap.log"
        with open(logfile, "w") as out:
            result = subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={','.join(PACKAGES)}",
                    suite,
                    str(building),
                    mirror,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
            )
        if result.returncode != 0:
            tail = logfile.read_text(errors="replace").splitlines()[-15:]
            raise SandboxError(
                f"debootstrap failed (exit {result.returncode}); see {logfile}:\n" + "\n".join(tail)
            )
        (building / "instance").mkdir(exist_ok=True)
        (building / "work").mkdir(exist_ok=True)
        link_languages(building)
        isolate_user(building)
        (building / READY_MARK).write_text(stamp(suite) + "\n")
        building.rename(root)
    return root


def link_languages(root: Path) -> None:
    """Give every voice pack its language name (``ru`` -> ``ru_RU_f_IvrvoiceRU``).

    Debian links only some packs through alternatives; Asterisk looks sounds up by the
    channel's language, so a pack without its short name would never be played.
    """
    sounds = root / "usr/share/asterisk/sounds"
    if not sounds.is_dir():
        return
    for pack in sorted(sounds.iterdir()):
        match = re.fullmatch(r"([a-z]{2})_[A-Z]{2}_\w+", pack.name)
        link = sounds / match.group(1) if match else None
        if link is not None and not link.exists() and not link.is_symlink():
            link.symlink_to(pack.name)


def user_ids(root: Path, user: str = "asterisk") -> tuple[int, int]:
    """uid and gid of ``user`` in the root's own /etc/passwd (not the host's)."""
    for line in (root / "etc/passwd").read_text().splitlines():
        fields = line.split(":")
        if fields[0] == user:
            return int(fields[2]), int(fields[3])
    raise SandboxError(f"user {user!r} not found in {root}/etc/passwd")


ISOLATED_IDS = range(64200, 64400)  # above Debian's dynamic range, below nobody (65534)


def _host_user_of(ids: tuple[int, int], host_etc: Path = Path("/etc")) -> str | None:
    """The host account sharing the uid or gid (same kernel: it could signal or ptrace)."""
    uid, gid = ids
    for path, wanted in ((host_etc / "passwd", uid), (host_etc / "group", gid)):
        for line in path.read_text().splitlines():
            fields = line.split(":")
            if len(fields) > 2 and fields[2] == str(wanted):
                return f"{path}:{fields[0]}"
    return None


def isolate_user(
    root: Path, user: str = "asterisk", host_etc: Path = Path("/etc")
) -> tuple[int, int]:
    """Give the root's Asterisk user a uid and gid no host account has.

    Debian's package takes the next free system id *inside the root* — on a host that ids
    collide with, e.g. PostgreSQL's, Asterisk would run as that host user. Files the user
    owns inside the root follow it."""
    old = user_ids(root, user)
    clash = _host_user_of(old, host_etc)
    if clash is None:
        return old
    taken = {
        int(f.split(":")[2])
        for name in ("passwd", "group")
        for base in (host_etc, root / "etc")
        for f in (base / name).read_text().splitlines()
        if f.count(":") >= 2 and f.split(":")[2].isdigit()
    }
    new = next(i for i in ISOLATED_IDS if i not in taken)
    log.warning(
        "sandbox user %s had host ids %s (%s): moving it to %d", user, old, _host_user_of(old), new
    )
    for name, columns in (("passwd", (2, 3)), ("group", (2,))):
        path = root / "etc" / name
        lines = []
        for line in path.read_text().splitlines():
            fields = line.split(":")
            if fields[0] == user:
                for column in columns:
                    fields[column] = str(new)
            lines.append(":".join(fields))
        path.write_text("\n".join(lines) + "\n")
    for directory, dirs, files in os.walk(root):
        if directory.startswith(str(root / "proc")) or directory.startswith(str(root / "dev")):
            dirs[:] = []
            continue
        for entry in [directory, *(os.path.join(directory, f) for f in files)]:
            st = os.lstat(entry)
            if st.st_uid == old[0] or st.st_gid == old[1]:
                os.chown(
                    entry,
                    new if st.st_uid == old[0] else st.st_uid,
                    new if st.st_gid == old[1] else st.st_gid,
                    follow_symlinks=False,
                )
    return new, new
