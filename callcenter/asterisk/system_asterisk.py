"""A system Asterisk (``asterisk.mode = "system"``): one the machine's service manager
starts, not us. We render what it needs into its configuration directory
(``callcenter asterisk config``; ``asterisk.config_dir``, default /etc/asterisk), with
the instance's own directories for its database, spools, logs and recordings (so the
daemon finds recordings, markers and the queue_log where it always does), and drive it
over AMI and ARI like the embedded one. We never start or stop it; a reload goes through
ARI (module reload), so nothing here needs Asterisk's binary or its console socket.

Contract: :func:`render` writes every file (mode 0640, the Asterisk group's) and makes the
instance's directories Asterisk's to write; :func:`answering` says whether AMI and ARI
answer; :func:`reload` reloads PJSIP and the queues, calls in progress staying up."""

from __future__ import annotations

import base64
import grp
import os
import pwd
import urllib.error
import urllib.request
from pathlib import Path

from callcenter.asterisk import tls_files
from callcenter.asterisk.confgen import AsteriskLayout, render_all, template_values, write_config
from callcenter.asterisk.sandbox_probes import ami_banner, ari_ok, chown_tree
from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.config import Config
from callcenter.secrets import Secrets

MODULE_DIRS = ("/usr/lib/x86_64-linux-gnu/asterisk/modules", "/usr/lib/asterisk/modules")
SPOOLS = (
    "spool/recordings",
    "spool/callbacks",
    "spool/recording",
    "spool/voicemail",
    "spool/surveys",
)


def owner(user: str = "asterisk") -> tuple[int, int] | None:
    """The system Asterisk's user and group ids (None: no such user here)."""
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return None
    return entry.pw_uid, entry.pw_gid


def group_id(name: str = "asterisk") -> int | None:
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        return None


def layout(config: Config) -> AsteriskLayout:
    a = config.asterisk
    modules = a.modules_dir or next(
        (d for d in MODULE_DIRS if (Path(d) / "chan_pjsip.so").exists()), ""
    )
    if not modules:
        raise SandboxError(
            "no Asterisk module directory with chan_pjsip.so here: set asterisk.modules_dir"
        )
    inst = config.state_dir / "asterisk"
    return AsteriskLayout(
        etc_dir=str(Path(a.config_dir).resolve()),
        lib_dir=str(inst / "lib"),
        spool_dir=str(inst / "spool"),
        run_dir=str(inst / "run"),
        log_dir=str(inst / "log"),
        mod_dir=modules,
        data_dir="/usr/share/asterisk",
        moh_dir="/usr/share/asterisk/moh",
        recordings_dir=str(inst / "recordings"),
    )


def render(config: Config, secrets: Secrets, ids: tuple[int, int] | None) -> int:
    """Write the configuration into ``asterisk.config_dir`` and make the instance's
    directories writable by the user ``ids`` (uid, gid) Asterisk runs as (None: whose the
    rendered files are already, else root's); files written."""
    etc = Path(config.asterisk.config_dir)
    inst = config.state_dir / "asterisk"
    if ids is None and (inst / "recordings").is_dir():  # again: as it was rendered first
        first = (inst / "recordings").stat()
        ids = first.st_uid, first.st_gid
    if ids is not None:
        tls_files.ensure(config, *ids)
    files = render_all(template_values(config, secrets, layout(config)))
    write_config(etc, files, gid=ids[1] if ids else None)
    for d in ("lib", "lib/keys", "spool", *SPOOLS, "run", "log", "recordings", "prompts"):
        path = inst / d
        path.mkdir(parents=True, exist_ok=True)
        if ids is not None:
            chown_tree(path, *ids)
    os.chmod(inst, 0o755)  # noqa: S103 (Asterisk traverses it)
    return len(files)


def _auth(secrets: Secrets) -> str:
    return base64.b64encode(f"{secrets.ari_user}:{secrets.ari_password}".encode()).decode()


def answering(config: Config, secrets: Secrets) -> bool:
    a = config.asterisk
    return ami_banner(a.ami_port) and ari_ok(a.http_port, _auth(secrets))


def reload(config: Config, secrets: Secrets) -> None:
    """Have the running Asterisk read its configuration again (ARI module reload)."""
    for module in ("res_pjsip.so", "app_queue.so"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{config.asterisk.http_port}/ari/asterisk/modules/{module}",
            method="PUT",
            headers={"Authorization": f"Basic {_auth(secrets)}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10):  # noqa: S310
                pass
        except (urllib.error.URLError, OSError) as exc:
            raise SandboxError(f"the system Asterisk did not reload {module}: {exc}") from exc
