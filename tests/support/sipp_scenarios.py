"""SIPp scenarios for tests and benchmarks: callers (with RFC 4733 digits), agents'
phones that register and answer, and agents that hang up themselves.

DTMF is real RFC 4733 from the pcaps ``sip-tester`` ships. Each builder returns the
scenario's XML; :mod:`tests.support.sipp` runs it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

PCAP_DIR = "/usr/share/sip-tester"
PCAP_ORDER = "123456789*#0"  # the pcaps' RTP sequence numbers rise in this order
_PCAP_NAMES = {"*": "star", "#": "pound"}

_SDP = """v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv"""

_HEAD = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="{name}">"""

_ACK_OR_BYE = """  <send><![CDATA[
{method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: {cseq} {method}
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
]]></send>"""


_ROUTED_ACK_OR_BYE = _ACK_OR_BYE.replace(
    "{method} sip:[service]@[remote_ip]:[remote_port] SIP/2.0",
    "{method} [next_url] SIP/2.0\n[routes]",
)


def _reply(
    status: str, to_tag: bool = False, retrans: bool = False, sdp: bool = False, rr: bool = False
) -> str:
    """A response to the last request, echoing its dialog headers (``rr``: and its
    Record-Route, as a phone behind a record-routing proxy does)."""
    tag = ";tag=[pid]SIPpTag01[call_number]" if to_tag else ""
    body = (
        f"Content-Type: application/sdp\nContent-Length: [len]\n\n{_SDP}\n"
        if sdp
        else ("Content-Length: 0\n")
    )
    attrs = ' retrans="500"' if retrans else ""
    return (
        f"  <send{attrs}><![CDATA[\nSIP/2.0 {status}\n[last_Via:]\n"
        + ("[last_Record-Route:]\n" if rr else "")
        + "[last_From:]\n"
        f"[last_To:]{tag}\n[last_Call-ID:]\n[last_CSeq:]\n"
        f"Contact: <sip:[local_ip]:[local_port]>\n{body}]]></send>"
    )


_OK_TO_REQUEST = _reply("200 OK")


# The demo menu's way into the support queue: English (1), then support (2).
DEMO_TO_SUPPORT = ((1.5, "1"), (1.5, "2"))


def dtmf_pcap(digit: str) -> str:
    return f"{PCAP_DIR}/dtmf_2833_{_PCAP_NAMES.get(digit, digit)}.pcap"


def _invite(caller: str, cseq: int, auth: str = "") -> str:
    header = f"{auth}\n" if auth else ""
    return f"""  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "Caller" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: {cseq} INVITE
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
{header}Content-Type: application/sdp
Content-Length: [len]

{_SDP}
]]></send>"""


def caller_scenario(
    caller: str,
    digits: Sequence[tuple[float, str]] = (),
    hangup_after: float | None = None,
    bye_timeout: float = 20.0,
    auth: tuple[str, str] | None = None,
    audio: str = "",
    routed: bool = False,
) -> str:
    """A caller: INVITE, then each (delay seconds, digit), then either hang up after
    ``hangup_after`` seconds or wait for Asterisk's BYE (failing after ``bye_timeout``).
    ``audio``: a pcap of RTP (tests.support.rtp_audio) the caller says after the digits.

    Digits are the captured RFC 4733 events of the shipped pcaps. Each pcap carries fixed
    RTP sequence numbers and timestamps, so within one call Asterisk accepts a digit only
    if its pcap comes later in ``PCAP_ORDER`` than the previous one (else it is a late or
    repeated packet): scenarios press digits in that order. ``routed``: through a proxy
    that record-routes (the cluster's front): ACK and BYE follow the 200's route set."""
    for previous, current in itertools.pairwise(d for _, d in digits):
        if PCAP_ORDER.index(current) <= PCAP_ORDER.index(previous):
            raise ValueError(
                f"digit {current!r} after {previous!r} would be dropped as a late RTP packet "
                f"(pcap DTMF must follow the order {PCAP_ORDER})"
            )
    parts = [_HEAD.format(name=f"caller {caller}")]
    if auth is not None:
        # An agent's phone: the first INVITE is challenged, the second one authenticates.
        parts.append(_invite(caller, cseq=1))
        parts.append('  <recv response="100" optional="true"/>')
        parts.append('  <recv response="401" auth="true"/>')
        parts.append(f"""  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: "Caller" <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0
]]></send>""")
        user, password = auth
        parts.append(
            _invite(caller, cseq=2, auth=f"[authentication username={user} password={password}]")
        )
    else:
        parts.append(_invite(caller, cseq=1))
    parts.append(
        """  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rtd="true"RRS/>""".replace("RRS", ' rrs="true"' if routed else "")
    )
    cseq = 1 if auth is None else 2
    in_dialog = _ROUTED_ACK_OR_BYE if routed else _ACK_OR_BYE
    parts.append(in_dialog.format(method="ACK", cseq=cseq, caller=caller))
    for delay, digit in digits:
        parts.append(f'  <pause milliseconds="{int(delay * 1000)}"/>')
        parts.append(f'  <nop><action><exec play_pcap_audio="{dtmf_pcap(digit)}"/></action></nop>')
    if audio:
        parts.append('  <pause milliseconds="300"/>')  # the last digit's packets are out
        parts.append(f'  <nop><action><exec play_pcap_audio="{audio}"/></action></nop>')
    if hangup_after is not None:
        parts.append(f'  <pause milliseconds="{int(hangup_after * 1000)}"/>')
        parts.append(in_dialog.format(method="BYE", cseq=cseq + 1, caller=caller))
        parts.append('  <recv response="200" timeout="5000"/>')
    else:
        parts.append(f'  <recv request="BYE" timeout="{int(bye_timeout * 1000)}"/>')
        parts.append(_OK_TO_REQUEST)
    parts.append("</scenario>\n")
    return "\n".join(parts)


def register_scenario(user: str, password: str, expires: int = 300) -> str:
    """REGISTER with digest authentication (401 challenge, then credentials); with
    ``expires=0`` it removes every contact of the account (``Contact: *``)."""
    contact = "*" if expires == 0 else f"<sip:{user}@[local_ip]:[local_port]>"

    def register(cseq: int, auth: str) -> str:
        return f"""  <send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{user}@[remote_ip]:[remote_port]>;tag=[pid]reg
To: <sip:{user}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: {cseq} REGISTER
Contact: {contact}
Expires: {expires}
Max-Forwards: 70
{auth}Content-Length: 0
]]></send>"""

    return "\n".join(
        [
            _HEAD.format(name=f"register {user}"),
            register(1, ""),
            '  <recv response="401" auth="true"/>',
            register(2, f"[authentication username={user} password={password}]\n"),
            '  <recv response="200"/>',
            "</scenario>\n",
        ]
    )


def _answer(name: str, invite: str, ring_for: float, rr: bool = False) -> list[str]:
    """A phone's scenario up to the answer: INVITE received, ringing, 200 OK, ACK."""
    return [
        _HEAD.format(name=name),
        invite,
        _reply("180 Ringing", to_tag=True, rr=rr),
        f'  <pause milliseconds="{int(ring_for * 1000)}"/>',
        _reply("200 OK", to_tag=True, retrans=True, sdp=True, rr=rr),
        '  <recv request="ACK" rtd="true"/>',
    ]


def answer_scenario(
    talk_until_bye: float = 30.0, ring_for: float = 0.0, audio: str = "", routed: bool = False
) -> str:
    """An agent's phone: ring (``ring_for`` seconds), answer, talk until the other side
    hangs up (saying ``audio``, a pcap of RTP, if given); ``routed``: reached through a
    record-routing proxy (the cluster's front)."""
    say = f'  <nop><action><exec play_pcap_audio="{audio}"/></action></nop>' if audio else ""
    return "\n".join(
        [
            *_answer("answering agent", '  <recv request="INVITE"/>', ring_for, routed),
            say,
            f'  <recv request="BYE" timeout="{int(talk_until_bye * 1000)}"/>',
            _OK_TO_REQUEST,
            "</scenario>\n",
        ]
    )


def _from_phone(method: str, cseq: int, sdp: str = "", retrans: bool = False) -> str:
    """A request inside the dialog of a call this phone answered (its From, To and the
    caller's Contact captured from the INVITE as ``me``, ``peer`` and ``target``)."""
    body = (
        f"Content-Type: application/sdp\nContent-Length: [len]\n\n{sdp}\n"
        if sdp
        else ("Content-Length: 0\n")
    )
    contact = "Contact: <sip:[local_ip]:[local_port]>\n" if method == "INVITE" else ""
    attrs = ' retrans="500"' if retrans else ""
    return f"""  <send{attrs}><![CDATA[
{method} [$target] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: [$me];tag=[pid]SIPpTag01[call_number]
To: [$peer]
Call-ID: [call_id]
CSeq: {cseq} {method}
{contact}Max-Forwards: 70
{body}]]></send>"""


def busy_agent_scenario(talk_for: float, ring_for: float = 0.0) -> str:
    """An agent's phone that answers, talks ``talk_for`` seconds and hangs up itself (the
    agent ends the call, as after a finished conversation); run with ``-m N`` for N calls."""
    capture = (
        '  <recv request="INVITE"><action>'
        '<ereg regexp=".*" search_in="hdr" header="From:" assign_to="peer"/>'
        '<ereg regexp=".*" search_in="hdr" header="To:" assign_to="me"/>'
        '<ereg regexp="sip:[^>;]*" search_in="hdr" header="Contact:" assign_to="target"/>'
        "</action></recv>"
    )
    return "\n".join(
        [
            *_answer("busy agent", capture, ring_for),
            f'  <pause milliseconds="{int(talk_for * 1000)}"/>',
            _from_phone("BYE", 2, retrans=True),
            '  <recv response="200" timeout="5000"/>',
            "</scenario>\n",
        ]
    )


def _reinvite(cseq: int, direction: str) -> str:
    """A re-INVITE from the phone that answered (the dialog captured by ``busy_agent``'s
    INVITE receipt): its SDP ``a=sendonly`` puts the call on hold, ``a=sendrecv`` resumes."""
    sdp = _SDP.replace("o=user1 53655765 2353687637", f"o=user1 53655765 {2353687637 + cseq}")
    sdp = sdp.replace("a=sendrecv", f"a={direction}")
    return "\n".join([
        _from_phone("INVITE", cseq, sdp, retrans=True),
        '  <recv response="100" optional="true"/>',
        '  <recv response="200"/>',
        _from_phone("ACK", cseq),
    ])  # fmt: skip


def holding_agent_scenario(talk_before: float, hold_for: float, talk_after: float) -> str:
    """An agent's phone that answers, talks, puts the caller on hold (re-INVITE sendonly:
    Asterisk plays them music and reports Hold), takes them off it (sendrecv: Unhold),
    talks again and hangs up."""
    xml = busy_agent_scenario(talk_before)
    hold = "\n".join([
        _reinvite(2, "sendonly"),
        f'  <pause milliseconds="{int(hold_for * 1000)}"/>',
        _reinvite(3, "sendrecv"),
        f'  <pause milliseconds="{int(talk_after * 1000)}"/>',
    ])  # fmt: skip
    bye_at = xml.index('  <send retrans="500"><![CDATA[\nBYE')
    return (xml[:bye_at] + hold + "\n" + xml[bye_at:]).replace("CSeq: 2 BYE", "CSeq: 4 BYE")


def reject_scenario(status: str = "486 Busy Here") -> str:
    """A phone that refuses the next call with ``status`` (e.g. a busy customer)."""
    return "\n".join(
        [
            _HEAD.format(name=f"phone answering {status}"),
            '  <recv request="INVITE"/>',
            _reply(status, to_tag=True, retrans=True),
            '  <recv request="ACK"/>',
            "</scenario>\n",
        ]
    )
