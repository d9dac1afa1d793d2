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

import yaml

from callcenter.asterisk.ami_events import ALL_CLASSES, USED_CLASSES, USED_EVENTS
from callcenter.config import Config
from callcenter.domain.cluster import node_addresses, partitions
from callcenter.domain.queue_defs import QueueDef, QueueDefError, parse_queue_defs
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
    recordings_dir: str = ""  # call recordings (MixMonitor), read by the daemon


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
        "recordings": "1" if config.recordings.enabled else "",
        "recording_notice": config.recordings.notice_sound,
        "record_ivr": "1" if config.recordings.enabled and config.recordings.ivr else "",
        "trunk_contact": config.callbacks.trunk_contact,
        "callback_ring": str(config.callbacks.ring_seconds),
        "callback_offer": config.callbacks.offer_sound,
        "callback_caller_id": config.callbacks.caller_id or d.virtual_number,
        "callback_gate": f"http://{gate_host(config.daemon.http_host)}:{config.daemon.http_port}"
        + "/internal/callbacks",
        "callback_gate_key": secrets.dial_gate_secret,
        "cluster_node": config.cluster.node,
    }
    for value in values.values():
        _check_value(value)
    # A cluster node prefixes its Uniqueids with its id: the calls of every node share one
    # database, keyed by Uniqueid. The embedded single node keeps Asterisk's default.
    node = config.cluster.node
    values["systemname"] = f"systemname = {node}" if node != "main" else "; (one node)"
    values["media_binding"] = media_binding(a.sip_bind)
    _check_value(secrets.web_call_secret)
    values["web_call_sections"] = web_call_sections(
        config.widgets.web_calls, secrets.web_call_secret, values["media_binding"]
    )
    values["web_calls"] = str(config.widgets.web_calls)
    values["ice_support"] = "yes" if config.widgets.web_calls > 0 else "no"
    values["web_call_seconds"] = str(config.widgets.web_call_minutes * 60)
    values["ami_read"] = ",".join(USED_CLASSES if a.event_filters else ALL_CLASSES)
    values["ami_event_filters"] = (
        "\n".join(f"eventfilter(name({name})) =" for name in USED_EVENTS)
        if a.event_filters
        else "; (asterisk.event_filters = false: every event of the classes above)"
    )
    values["trunk_matches"] = "\n".join(
        f"match = {ipaddress.ip_network(n)}" for n in d.trunk_networks
    )
    # Every agent with a SIP password has an endpoint (``callcenter agents add`` adds them).
    agents = sorted(secrets.agent_passwords)
    c = config.cluster
    front = f"{c.front_bind}:{c.front_port}" if c.agents_at_front else ""
    numbers = [p.number for p in partitions(c.partitions, node_addresses(c.nodes))]
    values["partition_numbers"] = (
        "\n".join(
            f"exten => {n},1,Goto(from-trunk,{d.virtual_number},1)"
            for n in numbers
            if n != d.virtual_number
        )
        or "; (no other partition)"
    )
    values["agent_sections"] = "\n".join(
        _agent_sections(ext, secrets.agent_passwords[ext], values["media_binding"], front)
        for ext in agents
    )
    values["fallback_members"] = "\n".join(
        f"member => PJSIP/{ext},0,Agent {ext}" for ext in agents if ext not in d.supervisors
    )
    # Who may listen, whisper and barge (the dialplan checks the calling endpoint here).
    values["supervisor_lines"] = (
        "\n".join(f"exten => {ext},1,Return()" for ext in d.supervisors)
        or "; (no supervisors: dialplan.supervisors)"
    )
    defs = queue_defs(config)
    # The queues' members are dynamic: the daemon adds logged-in agents by skill (QueueAdd)
    # and persistentmembers keeps them across Asterisk restarts.
    values["queue_sections"] = "\n".join(_queue_section(defs[queue]) for queue in d.queues)
    values["queue_globals"] = "\n".join(_queue_globals(q) for q in defs.values())
    # A waiting caller's callback digit takes them out of the queue (app_queue's context).
    values["callback_exits"] = (
        "\n".join(
            f"[callcenter-exit-{q.name}]\n"
            f"exten => {q.callback_digit},1,Goto(callcenter-callback-exit,s,1)\n"
            for q in defs.values()
            if q.callback_digit
        )
        or "; (no queue offers callbacks: queues.yaml callback_digit)"
    )
    values["pause_codes"] = "\n".join(
        _pause_code(n, reason) for n, reason in enumerate(config.agents.pause_reasons[:9], 1)
    )
    values["mailbox_lines"] = "\n".join(f"{box} => ,Mailbox {box}" for box in d.mailboxes)
    return values


def gate_host(http_host: str) -> str:
    """Where Asterisk reaches its own daemon: loopback when it listens on every address."""
    if http_host in ("", "0.0.0.0", "::"):  # noqa: S104 (the daemon's bind, not ours)
        return "127.0.0.1"
    return f"[{http_host}]" if ":" in http_host else http_host


def _check_value(value: str) -> None:
    if "\n" in value or "\r" in value or ";" in value:
        raise TemplateError(f"value {value!r} holds a newline or ';' and cannot enter a config")


def _pause_code(n: int, reason: str) -> str:
    _check_value(reason)
    return (
        f"exten => *73{n},1,Answer()\n"
        f" same => n,PauseQueueMember(,PJSIP/${{CHANNEL(endpoint)}},,{reason})\n"
        f" same => n,NoOp(agent ${{CHANNEL(endpoint)}} paused ({reason}): ${{PQMSTATUS}})\n"
        " same => n,Playback(beep)\n"
        " same => n,Hangup()"
    )


def queue_defs(config: Config) -> dict[str, QueueDef]:
    """The queues of ``dialplan.queues`` with their parameters from ``dialplan.queues_file``
    (relative paths from the working directory, then the project); TemplateError lists
    every problem with its path."""
    name = Path(config.dialplan.queues_file)
    path = next((p for p in (name, PROJECT_ROOT / name) if p.is_file()), None)
    if path is None:
        raise TemplateError(f"{name}: queues file not found (dialplan.queues_file)")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path}: not YAML: {exc}") from None
    try:
        return parse_queue_defs(data, str(path), config.dialplan.queues, config.dialplan.mailboxes)
    except QueueDefError as exc:
        raise TemplateError(str(exc)) from None


def _queue_globals(q: QueueDef) -> str:
    flow, node = q.overflow_target or ("", "")
    return (
        f"OVERFLOW_{q.name} = {q.overflow}\n"
        f"OVERFLOW_FLOW_{q.name} = {flow}\n"
        f"OVERFLOW_NODE_{q.name} = {node}\n"
        f"MAXWAIT_{q.name} = {q.max_wait or ''}\n"
        f"RECORD_{q.name} = {'1' if q.record else ''}\n"
        f"CALLBACK_{q.name} = {q.callback_digit}\n"
        f"MAILBOX_{q.name} = {q.mailbox}"
    )


def _queue_section(q: QueueDef) -> str:
    for value in (q.strategy, q.music):
        _check_value(value)
    # With our periodic announcement (position and our wait estimate), app_queue's own
    # position announcement would talk over it.
    position_every = 0 if q.announce_wait_every else q.announce_position
    return f"""
[{q.name}]
strategy = {q.strategy}
timeout = {q.ring_timeout}
retry = 2
wrapuptime = {q.wrap_up}
maxlen = {q.max_length}
joinempty = yes
leavewhenempty = no
ringinuse = no
musicclass = {q.music}
announce-frequency = {position_every}
announce-position = {"yes" if position_every else "no"}
announce-holdtime = no
{f"context = callcenter-exit-{q.name}" if q.callback_digit else ""}
"""


def media_binding(sip_bind: str) -> str:
    """RTP on the SIP address when SIP listens on one: bound to 0.0.0.0, Asterisk looks up
    its own address for every call leg (``ast_find_ourip``: this host's name, then
    A.ROOT-SERVERS.NET) — DNS queries off the machine, blocking under load."""
    if ipaddress.ip_address(sip_bind).is_unspecified:
        return "; RTP on every address (SIP listens on all of them)"
    return f"media_address = {sip_bind}\nbind_rtp_to_media_address = yes"


def web_call_sections(web_calls: int, secret: str, media: str = "") -> str:
    """The browser's phone (the widget's "call now"): SIP over Asterisk's websocket, which
    only the daemon reaches (HTTP is on loopback); a request is the web-call endpoint's
    only with the X-CC-Web header the daemon adds, and its context reaches nothing but
    the daemon's web-call entry. WebRTC: DTLS-SRTP with a generated certificate, ICE."""
    if web_calls <= 0 or not secret:
        return "; (no web calls: widgets.web_calls = 0)"
    return f"""
[transport-ws]
type = transport
protocol = ws
bind = 127.0.0.1

[webcall]
type = endpoint
identify_by = header
context = callcenter-web
disallow = all
allow = ulaw,opus
webrtc = yes
dtls_auto_generate_cert = yes
dtmf_mode = rfc4733
direct_media = no
force_rport = yes
rewrite_contact = yes
{media}
callerid = "Web visitor" <web>

[webcall]
type = identify
endpoint = webcall
match_header = X-CC-Web: {secret}
"""


def _agent_sections(ext: str, password: str, media: str = "", front: str = "") -> str:
    _check_value(password)
    return f"""
[{ext}]
type = endpoint
identify_by = username
context = agents
disallow = all
allow = ulaw,alaw
auth = {ext}
aors = {ext}
dtmf_mode = rfc4733
direct_media = no
rtp_symmetric = yes
force_rport = yes
rewrite_contact = {"no" if front else "yes"}
{media}
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
{f"contact = sip:{ext}@{front}" if front else ""}
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
