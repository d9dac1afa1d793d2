"""The generated sections of Asterisk's configuration: queues from ``queues.yaml``, agents'
endpoints, web calls, pause codes (what :mod:`callcenter.asterisk.confgen` fills its
templates with)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from callcenter.config import Config
from callcenter.domain.queue_defs import QueueDef, QueueDefError
from callcenter.domain.queue_defs_parse import parse_queue_defs

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class TemplateError(ValueError):
    """A template names a placeholder nobody provides, or a value is unsafe."""


def check_value(value: str) -> None:
    if "\n" in value or "\r" in value or ";" in value:
        raise TemplateError(f"value {value!r} holds a newline or ';' and cannot enter a config")


def pause_code(n: int, reason: str) -> str:
    check_value(reason)
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


def queue_globals(q: QueueDef) -> str:
    flow, node = q.overflow_target or ("", "")
    return (
        f"OVERFLOW_{q.name} = {q.overflow}\n"
        f"OVERFLOW_FLOW_{q.name} = {flow}\n"
        f"OVERFLOW_NODE_{q.name} = {node}\n"
        f"MAXWAIT_{q.name} = {q.max_wait or ''}\n"
        f"RECORD_{q.name} = {'1' if q.record else ''}\n"
        f"SURVEY_{q.name} = {'1' if q.survey else ''}\n"
        f"CALLBACK_{q.name} = {q.callback_digit}\n"
        f"MAILBOX_{q.name} = {q.mailbox}\n"
        f"CALLER_ID_{q.name} = {q.caller_id}"
    )


def queue_section(q: QueueDef) -> str:
    for value in (q.strategy, q.music):
        check_value(value)
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
setinterfacevar = yes
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


def agent_sections(ext: str, password: str, media: str = "", front: str = "") -> str:
    check_value(password)
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
