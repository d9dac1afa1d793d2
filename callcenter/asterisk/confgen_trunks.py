"""The carrier side of Asterisk's configuration, rendered from ``[[trunks]]`` and
``[[numbers]]``: one PJSIP endpoint per trunk (with its identify, auth and registration),
the numbers that lead into the IVR, and the outbound route that tries the trunks in order.
Every value is checked by :func:`check_value` (no newline can add a line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from callcenter.asterisk.confgen_sections import TemplateError, check_value
from callcenter.config_trunks import NumberConfig, TrunkConfig, host_address
from callcenter.secrets import trunk_password_variable

# A carrier's answer that means "not me, try the next": unavailable, congested (5xx/503),
# or no answer from the carrier at all (transport errors, time-outs).
FAILOVER_STATUSES = ("CHANUNAVAIL", "CONGESTION")


def trunk_sections(trunks: Sequence[TrunkConfig], passwords: Mapping[str, str], media: str) -> str:
    """PJSIP objects of every trunk (pjsip.conf)."""
    return "\n".join(_trunk(t, passwords, media) for t in trunks)


def _trunk(t: TrunkConfig, passwords: Mapping[str, str], media: str) -> str:
    for value in (t.name, t.host, t.username, *t.match, *t.codecs):
        check_value(value)
    auth = ""
    if t.authenticates:
        password = passwords.get(t.name, "")
        if not password:
            raise TemplateError(
                f"trunks ({t.name}): no password; set it with `callcenter trunks password"
                f" {t.name}` or {trunk_password_variable(t.name)}"
            )
        check_value(password)
        auth = (
            f"\n[{t.name}-auth]\ntype = auth\nauth_type = userpass\n"
            f"username = {t.username}\npassword = {password}\n"
        )
    domain = host_address(t.host) if t.host else ""
    lines = [
        f"\n; Trunk {t.name}" + (f": calls out to {t.host}" if t.host else ": calls in only"),
        f"[{t.name}]",
        "type = endpoint",
        "identify_by = ip",  # never by the user it names: see [global]
        "context = from-trunk",
        "disallow = all",
        f"allow = {','.join(t.codecs)}",
        "dtmf_mode = rfc4733",
        "direct_media = no",
        "rtp_symmetric = yes",
        "force_rport = yes",
        "rewrite_contact = yes",
        # The caller id of calls out is the From user. (No send_pai/trust_id_outbound:
        # they make Asterisk re-INVITE the carrier with the agent's identity on answer.)
        *([f"outbound_auth = {t.name}-auth"] if t.authenticates else []),
        *([f"from_domain = {domain}"] if t.register and domain else []),
        media,
        "",
        f"[{t.name}]",
        "type = identify",
        f"endpoint = {t.name}",
        *(f"match = {m}" for m in (t.match or (domain,))),
    ]
    text = "\n".join(lines) + "\n" + auth
    if t.register:
        text += _registration(t)
    return text


def _registration(t: TrunkConfig) -> str:
    # Retried for ever (a refused password too: it may be fixed at the carrier's end), at
    # retry_seconds; the carrier's INVITEs to the registered contact carry line=…, which
    # names this trunk's endpoint whatever address they come from.
    return (
        f"\n[{t.name}]\ntype = registration\ntransport = transport-udp\n"
        f"outbound_auth = {t.name}-auth\nserver_uri = sip:{t.host}\n"
        f"client_uri = sip:{t.username}@{t.host}\ncontact_user = {t.username}\n"
        f"expiration = {t.expiration}\nretry_interval = {t.retry_seconds}\n"
        f"forbidden_retry_interval = {t.retry_seconds}\nfatal_retry_interval = {t.retry_seconds}\n"
        "auth_rejection_permanent = no\nmax_retries = 1000000\n"
        f"line = yes\nendpoint = {t.name}\n"
    )


def number_lines(numbers: Sequence[NumberConfig], virtual_number: str) -> str:
    """The numbers the carrier may dial into the IVR (extensions of from-trunk)."""
    ours = [virtual_number, *(n.number for n in numbers if n.number != virtual_number)]
    for number in ours:
        check_value(number)
    return "\n".join(f"exten => {n},1,Goto(callcenter-inbound,${{EXTEN}},1)" for n in ours)


def outbound_lines(trunks: Sequence[TrunkConfig], centre_caller_id: str) -> str:
    """The steps of callcenter-outbound: each trunk that takes calls out, in order; the
    next one only when the carrier could not take the call at all."""
    steps: list[str] = []
    out = [t for t in trunks if t.outbound and t.host]
    for n, t in enumerate(out):
        shown = t.caller_id or centre_caller_id
        check_value(shown)
        steps += [
            f' same => n,Set(CALLERID(all)=<${{IF($["${{ARG2}}" != ""]?${{ARG2}}:{shown})}}>)',
            f" same => n,Set(CC_TRUNK={t.name})",
            f" same => n,Dial(PJSIP/{t.name}/sip:${{CC_NUMBER}}@{t.host},${{ARG3}})",
        ]
        if n < len(out) - 1:
            failed = " | ".join(f'"${{DIALSTATUS}}" = "{s}"' for s in FAILOVER_STATUSES)
            steps += [
                f" same => n,GotoIf($[!({failed})]?done)",
                f" same => n,Log(WARNING,callcenter: trunk {t.name} did not take the call to"
                f" ${{CC_NUMBER}} (${{DIALSTATUS}} cause ${{HANGUPCAUSE}}) - trying"
                f" {out[n + 1].name})",
                f" same => n,UserEvent(CallcenterTrunk,Trunk: {t.name},State: failover,"
                f"Status: ${{DIALSTATUS}})",
            ]
    if not steps:
        steps = [" same => n,Log(WARNING,callcenter: no trunk takes calls out ([[trunks]]))"]
    return "\n".join(steps)


def transport_nat(signaling: str, media: str, local_net: Sequence[str]) -> str:
    """A transport's NAT lines: behind a router, what we say our address is (in SIP and
    SDP) to everybody outside ``local_net``."""
    if not signaling and not media:
        return "; (not behind NAT: asterisk.external_signaling_address)"
    for value in (signaling, media, *local_net):
        check_value(value)
    return "\n".join(
        [
            f"external_signaling_address = {signaling or media}",
            f"external_media_address = {media or signaling}",
            *(f"local_net = {net}" for net in local_net),
        ]
    )


def tls_transport(bind: str, port: int, cert: str, key: str, nat: str) -> str:
    """Phones over TLS ([tls]); without it a comment."""
    if port <= 0:
        return "; (no TLS for phones: tls.port)"
    for value in (bind, cert, key):
        check_value(value)
    return (
        f"[transport-tls]\ntype = transport\nprotocol = tls\nbind = {bind}:{port}\n"
        f"cert_file = {cert}\npriv_key_file = {key}\nmethod = tlsv1_2\n"
        f"{nat if not nat.startswith(';') else ''}"
    ).rstrip()


# A phone that offers or accepts SRTP keys (SDES, over TLS) gets encrypted media; one that
# does not (plain UDP) keeps RTP: the agents' endpoints serve both.
SRTP = "media_encryption = sdes\nmedia_encryption_optimistic = yes"
