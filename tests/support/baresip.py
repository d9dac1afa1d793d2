"""baresip as an agent's softphone: a real SIP user agent (not SIPp) configured with nothing
but what ``callcenter agents add`` prints, registering and answering by itself."""

from __future__ import annotations

import dataclasses
import re
import socket
import subprocess
from pathlib import Path

from callcenter.asterisk.runtime import Runtime
from tests.support.ports import free_port, free_udp_range
from tests.support.until import until

SETTING = re.compile(r"^\s+(server|port|transport|user|password|media)\s+(\S+).*$", re.MULTILINE)


def printed_settings(output: str) -> dict[str, str]:
    """The softphone settings block of ``agents add`` output: server, port, transport, …"""
    return dict(SETTING.findall(output))


@dataclasses.dataclass
class Softphone:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, timeout: float) -> None:
        until(lambda: text in self.output(), timeout, what=f"baresip: {text!r} ({self.log})")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_softphone(
    runtime: Runtime,
    work: Path,
    settings: dict[str, str],
    tone: int = 440,
    listen_ip: str = "127.0.0.1",
    dial: str = "",
    cafile: Path | None = None,
) -> Softphone:
    """baresip registered with ``settings``, answering every call at once (a ``tone`` Hz
    sine as its microphone, the speaker into ``heard.wav``). With ``dial``, it is a caller
    instead: no registration, it dials that URI at start (from ``listen_ip``)."""
    work.mkdir(parents=True, exist_ok=True)
    rtp = free_udp_range(20)
    (work / "config").write_text(
        # baresip listens on the port for UDP and TCP and on the next one for TLS.
        f"sip_listen {listen_ip}:{free_port(socket.SOCK_DGRAM, span=2)}\n"
        "module_path /usr/lib/baresip/modules\n"
        "module g711.so\nmodule ausine.so\nmodule aufile.so\n"
        # SRTP before the accounts: an account's mediaenc must exist when it is read.
        + ("module srtp.so\n" if cafile is not None else "")
        + "module account.so\nmodule menu.so\n"
        f"audio_source ausine,{tone}\n"
        "ausrc_srate 48000\n"  # ausine makes 48 kHz only; baresip resamples for PCMU
        f"audio_player aufile,{work / 'heard.wav'}\n"
        "audio_alert aufile,/dev/null\n"
        f"rtp_ports {rtp}-{rtp + 19}\n"
    )
    s = settings
    if cafile is not None:  # SIP over TLS, trusting the server's (self-signed) certificate
        (work / "ca.pem").write_bytes(cafile.read_bytes())
        with open(work / "config", "a") as config:
            config.write(f"sip_cafile {work / 'ca.pem'}\n")
    account = f"<sip:{s['user']}@{s['server']}:{s['port']};transport={s['transport'].lower()}>"
    if dial:
        account += ";answermode=auto;regint=0"
    else:
        account += f";auth_user={s['user']};auth_pass={s['password']};answermode=auto;regint=60"
        if s.get("media", "").upper() == "SRTP":
            account += ";mediaenc=srtp"
    (work / "accounts").write_text(account + "\n")
    log = work / "baresip.log"
    argv = ["baresip", "-f", str(work), *(["-e", f"/dial {dial}"] if dial else [])]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            runtime.command(argv, shared=[work]),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Softphone(process, log)
