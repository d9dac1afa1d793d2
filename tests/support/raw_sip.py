"""A raw SIP client over UDP, the way a scanner (SIPVicious's svwar) probes a server: one
request from a chosen source address, and the final answer it got.

Only what a prober sees is reported (status, reason, the challenge's realm and scheme), so
two answers compare equal exactly when a prober could not tell them apart.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import secrets
import socket
import time


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    challenge: str  # "Digest realm=… algorithm=…" without the nonce, or ""

    def __str__(self) -> str:
        return f"{self.status} {self.reason}" + (f" [{self.challenge}]" if self.challenge else "")


_STATUS = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")
_NONCE = re.compile(r'\s*(nonce|opaque)="[^"]*",?', re.IGNORECASE)


def _headers(text: str) -> dict[str, str]:
    lines = text.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
    out: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        out.setdefault(name.strip().lower(), value.strip())
    return out


class RawSip:
    """Sends one request at a time from ``local_ip`` to Asterisk at ``server``."""

    def __init__(self, local_ip: str, server: tuple[str, int]) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.bind((local_ip, 0))
        self.local = self._sock.getsockname()
        self.server = server
        self._expires = 60

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> RawSip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        user: str,
        target: str = "",
        password: str | None = None,
        timeout: float = 5.0,
        expires: int = 60,
    ) -> Answer:
        """``method`` with From ``user`` to ``target`` (default: the user's own AOR for
        REGISTER, ``user`` otherwise). With ``password``, a 401 is answered once with
        digest credentials and the second answer is returned."""
        call_id = secrets.token_hex(8)
        self._expires = expires
        answer, headers = self._transaction(method, user, target, call_id, 1, "", timeout)
        if password is None or answer.status not in (401, 407):
            return answer
        challenge = headers.get("www-authenticate") or headers.get("proxy-authenticate", "")
        auth = self._digest(method, user, target, password, challenge)
        return self._transaction(method, user, target, call_id, 2, auth, timeout)[0]

    def _uri(self, method: str, user: str, target: str) -> str:
        host, port = self.server
        if method == "REGISTER" and not target:
            return f"sip:{host}:{port}"
        return f"sip:{target or user}@{host}:{port}"

    def _transaction(
        self,
        method: str,
        user: str,
        target: str,
        call_id: str,
        cseq: int,
        auth: str,
        timeout: float,
    ) -> tuple[Answer, dict[str, str]]:
        host, _port = self.server
        lip, lport = self.local
        branch = "z9hG4bK" + secrets.token_hex(6)
        uri = self._uri(method, user, target)
        to = f"sip:{user}@{host}" if method == "REGISTER" else f"sip:{target or user}@{host}"
        body = ""
        extra = ""
        if method == "INVITE":
            body = (
                f"v=0\r\no=- 1 1 IN IP4 {lip}\r\ns=-\r\nc=IN IP4 {lip}\r\nt=0 0\r\n"
                "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
            )
            extra = "Content-Type: application/sdp\r\n"
        if method == "REGISTER":
            extra += f"Expires: {self._expires}\r\n"
        if auth:
            extra += f"Authorization: {auth}\r\n"
        from_tag = call_id[:8]
        message = (
            f"{method} {uri} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {lip}:{lport};branch={branch};rport\r\n"
            f"From: <sip:{user}@{host}>;tag={from_tag}\r\n"
            f"To: <{to}>\r\n"
            f"Call-ID: {call_id}@{lip}\r\n"
            f"CSeq: {cseq} {method}\r\n"
            f"Contact: <sip:{user}@{lip}:{lport}>\r\n"
            "Max-Forwards: 70\r\n"
            "User-Agent: prober\r\n"
            f"{extra}"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        )
        deadline = time.monotonic() + timeout
        self._sock.sendto(message.encode(), self.server)
        resend = time.monotonic() + 0.5
        while True:
            now = time.monotonic()
            if now >= deadline:
                return Answer(0, "no answer", ""), {}
            self._sock.settimeout(max(0.01, min(deadline, resend) - now))
            try:
                data, _ = self._sock.recvfrom(65535)
            except TimeoutError:
                if time.monotonic() >= resend:  # UDP: retransmit like any UA (timer A)
                    self._sock.sendto(message.encode(), self.server)
                    resend = time.monotonic() + 1.0
                continue
            text = data.decode(errors="replace")
            headers = _headers(text)
            if branch not in headers.get("via", ""):
                continue  # a retransmission of an earlier transaction's answer
            match = _STATUS.match(text.split("\r\n", 1)[0])
            if match is None or int(match.group(1)) < 200:
                continue
            status = int(match.group(1))
            if method == "INVITE":
                self._ack(message, headers)
            challenge = headers.get("www-authenticate") or headers.get("proxy-authenticate", "")
            return Answer(status, match.group(2), _NONCE.sub(" ", challenge).strip()), headers

    def _ack(self, invite: str, headers: dict[str, str]) -> None:
        """ACK a final answer to an INVITE (same branch, the answer's To), so Asterisk stops
        resending it. Tests only probe numbers that never answer 200."""
        lines = invite.split("\r\n\r\n", 1)[0].split("\r\n")
        request_uri = lines[0].split(" ")[1]
        keep = [
            x for x in lines[1:] if x.split(":")[0] in ("Via", "From", "Call-ID", "Max-Forwards")
        ]
        cseq = next(x for x in lines if x.startswith("CSeq:")).split()[1]
        ack = "\r\n".join(
            [
                f"ACK {request_uri} SIP/2.0",
                *keep,
                f"To: {headers.get('to', '')}",
                f"CSeq: {cseq} ACK",
                "Content-Length: 0",
                "",
                "",
            ]
        )
        self._sock.sendto(ack.encode(), self.server)

    def _digest(self, method: str, user: str, target: str, password: str, challenge: str) -> str:
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
        realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
        uri = self._uri(method, user, target)
        ha1 = hashlib.md5(f"{user}:{realm}:{password}".encode()).hexdigest()  # noqa: S324
        ha2 = hashlib.md5(f"{method}:{uri}".encode()).hexdigest()  # noqa: S324
        parts = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
        if "qop" in fields:
            cnonce, nc = secrets.token_hex(4), "00000001"
            digest = hashlib.md5(  # noqa: S324 (SIP digest is MD5 by definition)
                f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}".encode()
            ).hexdigest()
            parts += [f'cnonce="{cnonce}"', f"nc={nc}", "qop=auth"]
        else:
            digest = hashlib.md5(f"{ha1}:{nonce}:{ha2}".encode()).hexdigest()  # noqa: S324
        parts += [f'response="{digest}"', "algorithm=MD5"]
        if "opaque" in fields:
            parts.append(f'opaque="{fields["opaque"]}"')
        return "Digest " + ", ".join(parts)
