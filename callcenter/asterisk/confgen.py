"""Render Asterisk's configuration from one source: ``asterisk_conf/`` and ``dialplan/``.

Templates use ``{{name}}`` placeholders so that dialplan's own ``${VAR}`` syntax passes
through untouched. Contract: every placeholder must be known (else :class:`TemplateError`
naming the file and the placeholder), every value is checked to hold no newline (a value
can never add a line to a config file), and the output is deterministic.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path

from callcenter.config import Config
from callcenter.secrets import Secrets

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIR = PROJECT_ROOT / "asterisk_conf"
DIALPLAN_DIR = PROJECT_ROOT / "dialplan"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


class TemplateError(ValueError):
    """A template names a placeholder nobody provides, or a value is unsafe."""


@dataclasses.dataclass(frozen=True)
class AsteriskLayout:
    """Directories as Asterisk sees them (inside the sandbox root, or on the host)."""

    etc_dir: str
    lib_dir: str
    spool_dir: str
    run_dir: str
    log_dir: str
    mod_dir: str
    data_dir: str
    moh_dir: str


def template_values(config: Config, secrets: Secrets, layout: AsteriskLayout) -> dict[str, str]:
    a, d = config.asterisk, config.dialplan
    values = {
        **{k: str(v) for k, v in dataclasses.asdict(layout).items()},
        "sip_bind": a.sip_bind,
        "sip_port": str(a.sip_port),
        "rtp_start": str(a.rtp_start),
        "rtp_end": str(a.rtp_end),
        "ami_port": str(a.ami_port),
        "http_port": str(a.http_port),
        "ami_user": secrets.ami_user,
        "ami_password": secrets.ami_password,
        "ari_user": secrets.ari_user,
        "ari_password": secrets.ari_password,
        "ari_app": config.daemon.ari_app,
        "virtual_number": d.virtual_number,
        "fallback_queue": d.fallback_queue,
    }
    for value in values.values():
        _check_value(value)
    values["trunk_matches"] = "\n".join(
        f"match = {ipaddress.ip_network(n)}" for n in d.trunk_networks
    )
    values["agent_sections"] = "\n".join(
        _agent_sections(ext, secrets.agent_passwords[ext]) for ext in d.agents
    )
    values["fallback_members"] = "\n".join(
        f"member => PJSIP/{ext},0,Agent {ext}" for ext in d.agents
    )
    values["queue_sections"] = "\n".join(
        _queue_section(queue, values["fallback_members"]) for queue in d.queues
    )
    values["mailbox_lines"] = "\n".join(f"{box} => ,Mailbox {box}" for box in d.mailboxes)
    return values


def _check_value(value: str) -> None:
    if "\n" in value or "\r" in value or ";" in value:
        raise TemplateError(f"value {value!r} holds a newline or ';' and cannot enter a config")


def _queue_section(name: str, members: str) -> str:
    return f"""
[{name}]
strategy = rrmemory
timeout = 15
retry = 2
wrapuptime = 0
joinempty = yes
leavewhenempty = no
ringinuse = no
musicclass = default
{members}
"""


def _agent_sections(ext: str, password: str) -> str:
    _check_value(password)
    return f"""
[{ext}]
type = endpoint
context = agents
disallow = all
allow = ulaw,alaw
auth = {ext}
aors = {ext}
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes
force_rport = yes
rewrite_contact = yes
callerid = "Agent {ext}" <{ext}>

[{ext}]
type = auth
auth_type = userpass
username = {ext}
password = {password}

[{ext}]
type = aor
max_contacts = 1
remove_existing = yes
"""


def render_text(name: str, text: str, values: Mapping[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise TemplateError(f"{name}: unknown placeholder {{{{{key}}}}}")
        return values[key]

    return _PLACEHOLDER.sub(substitute, text)


def render_all(values: Mapping[str, str]) -> dict[str, str]:
    """Return ``{relative path: content}`` for every file Asterisk needs."""
    files: dict[str, str] = {}
    for src in sorted(TEMPLATE_DIR.glob("*.conf")):
        files[src.name] = render_text(f"asterisk_conf/{src.name}", src.read_text(), values)
    for src in sorted(DIALPLAN_DIR.glob("*.conf")):
        files[f"dialplan/{src.name}"] = render_text(f"dialplan/{src.name}", src.read_text(), values)
    return files


def write_config(out_dir: Path, files: Mapping[str, str], gid: int | None = None) -> None:
    """Write ``files`` under ``out_dir``; readable by Asterisk's group only (they hold secrets)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(content, encoding="utf-8")
        os.chmod(tmp, 0o640)
        if gid is not None:
            os.chown(tmp, 0, gid)
        os.replace(tmp, path)
    for directory in {out_dir, *(out_dir / rel for rel in files)}:
        target = directory if directory.is_dir() else directory.parent
        os.chmod(target, 0o750)  # noqa: S103 (group = Asterisk, which must read it)
        if gid is not None:
            os.chown(target, 0, gid)
