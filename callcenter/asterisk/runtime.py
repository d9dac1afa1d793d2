"""Where Asterisk (and the SIP tools next to it) run: the system, or the sandbox root.

Both runtimes see the instance's files at the same absolute paths: the sandbox bind-mounts
every shared host directory at the same path inside its root, in a private mount namespace
of the started process (``unshare --mount``). So generated configuration, recordings and
test scenarios need no path translation, and no mount outlives the process that needed it.
"""

from __future__ import annotations

import dataclasses
import pwd
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from callcenter.asterisk.confgen import AsteriskLayout
from callcenter.asterisk.sandbox_root import SandboxError, user_ids

MIN_SYSTEM_MAJOR = 20
JEMALLOC = "libjemalloc.so.2"


def jemalloc_library(root: Path = Path("/")) -> Path | None:
    """jemalloc as Debian installs it under ``root`` (Asterisk's root, or the host's)."""
    found = sorted(root.glob(f"usr/lib/*/{JEMALLOC}")) + sorted(root.glob(f"usr/lib/{JEMALLOC}"))
    return found[0] if found else None


class Runtime(Protocol):
    kind: str
    uid: int
    gid: int

    def command(self, argv: Sequence[str], shared: Sequence[Path] = ()) -> list[str]:
        """The argv that runs ``argv`` in this runtime with ``shared`` directories visible."""
        ...

    def allocator(self, name: str) -> list[str]:
        """The argv prefix that runs a program with allocator ``name`` (asterisk.allocator)."""
        ...

    def layout(self, instance_dir: Path) -> AsteriskLayout: ...


def _layout(instance_dir: Path, mod_dir: str, data_dir: str) -> AsteriskLayout:
    return AsteriskLayout(
        etc_dir=str(instance_dir / "etc"),
        lib_dir=str(instance_dir / "lib"),
        spool_dir=str(instance_dir / "spool"),
        run_dir=str(instance_dir / "run"),
        log_dir=str(instance_dir / "log"),
        mod_dir=mod_dir,
        data_dir=data_dir,
        moh_dir=f"{data_dir}/moh",
        recordings_dir=str(instance_dir / "recordings"),
    )


def _module_dir(prefix: Path) -> str:
    for candidate in [
        *sorted(prefix.glob("usr/lib/*/asterisk/modules")),
        prefix / "usr/lib/asterisk/modules",
    ]:
        if (candidate / "chan_pjsip.so").exists():
            return "/" + str(candidate.relative_to(prefix))
    raise SandboxError(f"no Asterisk module directory with chan_pjsip.so under {prefix}")


@dataclasses.dataclass
class SandboxRuntime:
    root: Path
    kind: str = "sandbox"
    uid: int = 0
    gid: int = 0

    def __post_init__(self) -> None:
        self.uid, self.gid = user_ids(self.root)

    def command(self, argv: Sequence[str], shared: Sequence[Path] = ()) -> list[str]:
        root = shlex.quote(str(self.root))
        steps = [
            f"mount --rbind /dev {root}/dev",
            f"mount -t proc proc {root}/proc",
        ]
        for host_dir in shared:
            inner = shlex.quote(f"{self.root}{host_dir.resolve()}")
            steps.append(f"mkdir -p {inner} && mount --bind {shlex.quote(str(host_dir))} {inner}")
        script = " && ".join([*steps, f'exec chroot {root} "$@"'])
        return [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            script,
            "sandbox",
            *argv,
        ]

    def layout(self, instance_dir: Path) -> AsteriskLayout:
        return _layout(instance_dir, _module_dir(self.root), "/usr/share/asterisk")

    def allocator(self, name: str) -> list[str]:
        if name == "glibc":
            return []
        library = jemalloc_library(self.root)
        if library is None:
            raise SandboxError(
                f"asterisk.allocator = {name!r}: no {JEMALLOC} in the sandbox root {self.root}"
                " (rebuild it: remove the directory and start again)"
            )
        return ["env", f"LD_PRELOAD=/{library.relative_to(self.root)}"]


@dataclasses.dataclass
class SystemRuntime:
    kind: str = "system"
    uid: int = 0
    gid: int = 0

    def __post_init__(self) -> None:
        try:
            entry = pwd.getpwnam("asterisk")
        except KeyError as exc:
            raise SandboxError("the system Asterisk has no 'asterisk' user") from exc
        self.uid, self.gid = entry.pw_uid, entry.pw_gid

    def command(self, argv: Sequence[str], shared: Sequence[Path] = ()) -> list[str]:
        return list(argv)

    def allocator(self, name: str) -> list[str]:
        return []  # its service manager starts it: docs/production.md says how

    def layout(self, instance_dir: Path) -> AsteriskLayout:
        return _layout(instance_dir, _module_dir(Path("/")), "/usr/share/asterisk")


def system_asterisk_major() -> int | None:
    """Major version of an Asterisk installed on the system, or None."""
    binary = shutil.which("asterisk")
    if binary is None:
        return None
    out = subprocess.run([binary, "-V"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"Asterisk (\d+)\.", out)
    return int(match.group(1)) if match else None
