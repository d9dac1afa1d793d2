"""Render Asterisk's configuration from one source: ``asterisk_conf/`` and ``dialplan/``.

Templates use ``{{name}}`` placeholders so that dialplan's own ``${VAR}`` syntax passes
through untouched. Contract: every placeholder must be known (else :class:`TemplateError`
naming the file and the placeholder), every value is checked to hold no newline (a value
can never add a line to a config file), and the output is deterministic.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from pathlib import Path

from callcenter.asterisk import tls_files
from callcenter.asterisk.ami_events import ALL_CLASSES, USED_CLASSES, USED_EVENTS
from callcenter.asterisk.confgen_sections import (
    PROJECT_ROOT,
    TemplateError,
    agent_sections,
    check_value,
    media_binding,
    pause_code,
    queue_defs,
    queue_globals,
    queue_section,
    web_call_sections,
)
from callcenter.asterisk.confgen_trunks import (
    SRTP,
    number_lines,
    outbound_lines,
    tls_transport,
    transport_nat,
    trunk_sections,
)
from callcenter.config import Config
from callcenter.config_admission import callback_queue
from callcenter.config_trunks import trunks_in_use
from callcenter.domain.cluster import node_addresses, partitions
from callcenter.secrets import Secrets

TEMPLATE_DIR = PROJECT_ROOT / "asterisk_conf"
DIALPLAN_DIR = PROJECT_ROOT / "dialplan"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")


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
        "callback_ring": str(config.callbacks.ring_seconds),
        "callback_offer": config.callbacks.offer_sound,
        "callback_gate": f"http://{gate_host(config.daemon.http_host)}:{config.daemon.http_port}"
        + "/internal/callbacks",
        "callback_gate_key": secrets.dial_gate_secret,
        "cluster_node": config.cluster.node,
        "admit_max_calls": str(config.admission.max_calls),
        "admit_max_rate": str(config.admission.max_rate),
        "admit_max_told": str(config.admission.max_told),
        "admit_mode": config.admission.mode,
        "admit_queue": callback_queue(config.admission, d.queues),
        "admit_announcement": config.admission.announcement,
        "callback_thanks": config.callbacks.thanks_sound,
        "survey_notice": config.surveys.notice_sound,
        "survey_q1": config.surveys.questions[0],
        "survey_q2": config.surveys.questions[1] if len(config.surveys.questions) > 1 else "",
        "survey_comment": config.surveys.comment_sound,
        "survey_comment_seconds": str(config.surveys.comment_seconds),
        "survey_thanks": config.surveys.thanks_sound,
    }
    for value in values.values():
        check_value(value)
    values.update(_link_values(config, secrets))
    values.update(_phone_values(config, secrets, values["media_binding"]))
    values.update(_queue_values(config))
    return values


def _link_values(config: Config, secrets: Secrets) -> dict[str, str]:
    """SIP media, web calls and the AMI user's event filter."""
    a = config.asterisk
    values: dict[str, str] = {}
    # A cluster node prefixes its Uniqueids with its id: the calls of every node share one
    # database, keyed by Uniqueid. The embedded single node keeps Asterisk's default.
    node = config.cluster.node
    values["systemname"] = f"systemname = {node}" if node != "main" else "; (one node)"
    values["media_binding"] = media_binding(a.sip_bind)
    check_value(secrets.web_call_secret)
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
    return values


def _transport_values(config: Config) -> dict[str, str]:
    """NAT on the transports, and TLS for phones."""
    a = config.asterisk
    nat = transport_nat(a.external_signaling_address, a.external_media_address, a.local_net)
    cert, key = tls_files.paths(config)
    tls = tls_transport(a.sip_bind, config.tls.port, str(cert), str(key), nat)
    return {"transport_nat": nat, "tls_transport": tls}


def _phone_values(config: Config, secrets: Secrets, media: str) -> dict[str, str]:
    """The trunks and our numbers, the agents' endpoints and who may supervise."""
    d = config.dialplan
    values: dict[str, str] = {}
    trunks = trunks_in_use(config)
    values.update(_transport_values(config))
    values["trunk_sections"] = trunk_sections(trunks, secrets.trunk_passwords, media)
    if config.tls.enabled and config.tls.srtp:
        media = f"{media}\n{SRTP}"  # the phones' endpoints (the carriers' stay RTP)
    values["inbound_numbers"] = number_lines(config.numbers, d.virtual_number)
    values["outbound_trunks"] = outbound_lines(
        trunks, config.callbacks.caller_id or d.virtual_number
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
        agent_sections(ext, secrets.agent_passwords[ext], media, front) for ext in agents
    )
    values["fallback_members"] = "\n".join(
        f"member => PJSIP/{ext},0,Agent {ext}" for ext in agents if ext not in d.supervisors
    )
    # Who may listen, whisper and barge (the dialplan checks the calling endpoint here).
    values["supervisor_lines"] = (
        "\n".join(f"exten => {ext},1,Return()" for ext in d.supervisors)
        or "; (no supervisors: dialplan.supervisors)"
    )
    return values


def _queue_values(config: Config) -> dict[str, str]:
    """app_queue's queues, the callback exits, pause codes and mailboxes."""
    d = config.dialplan
    values: dict[str, str] = {}
    defs = queue_defs(config)
    # The queues' members are dynamic: the daemon adds logged-in agents by skill (QueueAdd)
    # and persistentmembers keeps them across Asterisk restarts.
    values["queue_sections"] = "\n".join(queue_section(defs[queue]) for queue in d.queues)
    values["queue_globals"] = "\n".join(queue_globals(q) for q in defs.values())
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
        pause_code(n, reason) for n, reason in enumerate(config.agents.pause_reasons[:9], 1)
    )
    values["mailbox_lines"] = "\n".join(f"{box} => ,Mailbox {box}" for box in d.mailboxes)
    return values


def gate_host(http_host: str) -> str:
    """Where Asterisk reaches its own daemon: loopback when it listens on every address."""
    if http_host in ("", "0.0.0.0", "::"):  # noqa: S104 (the daemon's bind, not ours)
        return "127.0.0.1"
    return f"[{http_host}]" if ":" in http_host else http_host


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
