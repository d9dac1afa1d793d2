"""A second Asterisk that plays a SIP carrier for our instance, as small and real as one:
it is a registrar that takes our REGISTER only with the right digest credentials, sends the
calls of its "PSTN" callers (SIPp from 127.0.0.2) to the contact we registered, with the
number dialled in the request URI, and takes our calls out only when they authenticate,
writing down who called whom with which caller id (its messages.log)."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

from callcenter.asterisk.runtime import Runtime
from tests.support.ports import free_port, free_udp_range
from tests.support.until import until

CARRIER_IP = "127.0.0.6"
PSTN_IP = "127.0.0.2"  # its callers (SIPp)
ACCOUNT = "cc7495"  # our account at the carrier
_CALL = re.compile(r"carrier-call to=(\S*) from=(\S*) endpoint=(\S*)")


def _conf(etc: Path, layout: dict[str, str], port: int, password: str, rtp: int) -> None:
    (etc / "asterisk.conf").write_text(
        "[directories]\n"
        + "".join(f"{k} => {v}\n" for k, v in layout.items())
        + "[options]\nverbose = 2\n"
    )
    (etc / "modules.conf").write_text(
        "[modules]\nautoload = yes\n"
        + "".join(
            f"noload => {m}.so\n"
            for m in ("chan_iax2", "chan_dahdi", "res_ari", "res_http_websocket", "app_queue")
        )
    )
    (etc / "logger.conf").write_text("[logfiles]\nmessages.log => notice,warning,error\n")
    (etc / "rtp.conf").write_text(f"[general]\nrtpstart = {rtp}\nrtpend = {rtp + 99}\n")
    (etc / "pjsip.conf").write_text(f"""
[global]
type = global
endpoint_identifier_order = ip,username,auth_username

[transport-udp]
type = transport
protocol = udp
bind = {CARRIER_IP}:{port}

[pstn]
type = endpoint
context = from-pstn
disallow = all
allow = ulaw
direct_media = no
[pstn]
type = identify
endpoint = pstn
match = {PSTN_IP}

[{ACCOUNT}]
type = endpoint
context = from-customer
disallow = all
allow = ulaw
direct_media = no
rtp_symmetric = yes
identify_by = username,auth_username
auth = {ACCOUNT}
aors = {ACCOUNT}
[{ACCOUNT}]
type = auth
auth_type = userpass
username = {ACCOUNT}
password = {password}
[{ACCOUNT}]
type = aor
max_contacts = 1
remove_existing = yes
minimum_expiration = 5
""")
    (etc / "extensions.conf").write_text(
        """
[from-pstn]
exten => _X.,1,Dial(PJSIP/${EXTEN}@"""
        + ACCOUNT
        + """,30)
 same => n,Hangup(${HANGUPCAUSE})

[from-customer]
exten => _[+0-9].,1,Set(WHO=${CHANNEL(endpoint)})
 same => n,Log(NOTICE,carrier-call to=${EXTEN} from=${CALLERID(num)} endpoint=${WHO})
 same => n,Answer()
 same => n,Wait(3)
 same => n,Hangup()
"""
    )


@dataclasses.dataclass
class Carrier:
    runtime: Runtime
    root: Path
    password: str
    port: int = dataclasses.field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"{CARRIER_IP}:{self.port}"

    @property
    def etc(self) -> Path:
        return self.root / "etc"

    def start(self, forget: bool = False) -> None:
        """Start it (``forget``: with no registration kept from before, as a carrier that
        lost its state)."""
        if forget:
            shutil.rmtree(self.root / "lib", ignore_errors=True)
        layout = {
            "astetcdir": str(self.etc),
            "astmoddir": self.runtime.layout(self.root).mod_dir,
            "astvarlibdir": str(self.root / "lib"),
            "astdbdir": str(self.root / "lib"),
            "astkeydir": str(self.root / "lib"),
            "astdatadir": "/usr/share/asterisk",
            "astspooldir": str(self.root / "spool"),
            "astrundir": str(self.root / "run"),
            "astlogdir": str(self.root / "log"),
            "astsbindir": "/usr/sbin",
        }
        for d in ("etc", "lib", "spool", "run", "log"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        _conf(self.etc, layout, self.port, self.password, free_udp_range(100))
        argv = ["asterisk", "-f", "-C", str(self.etc / "asterisk.conf")]
        with open(self.root / "console.log", "ab") as out:
            self.process = subprocess.Popen(
                self.runtime.command(argv, shared=[self.root]),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        until(
            lambda: "fully booted" in self.cli("core waitfullybooted").lower(),
            30,
            what=f"the carrier Asterisk ({self.root / 'console.log'})",
        )

    def cli(self, command: str) -> str:
        argv = ["asterisk", "-C", str(self.etc / "asterisk.conf"), "-rx", command]
        return subprocess.run(
            self.runtime.command(argv, shared=[self.root]),
            capture_output=True,
            text=True,
            check=False,
            timeout=20,
        ).stdout

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(10)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(5)
            self.process = None

    def registered(self) -> bool:
        """Whether our instance is registered here now."""
        return f"{ACCOUNT}/sip:{ACCOUNT}@" in self.cli(f"pjsip show aor {ACCOUNT}")

    def calls_in(self) -> list[tuple[str, str, str]]:
        """(number dialled, caller id, endpoint) of each call we placed through it."""
        log = self.root / "log" / "messages.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        return _CALL.findall(text)
