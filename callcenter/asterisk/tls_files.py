"""The certificate and key of SIP over TLS (``[tls]``): the admin's own (PEM files), or,
for a lab, a self-signed pair made once with openssl into the instance's key directory
(its names: this machine's SIP address, its host name, 127.0.0.1). The key is readable by
Asterisk's group only."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
from pathlib import Path

from callcenter.asterisk.sandbox_root import SandboxError
from callcenter.config import Config
from callcenter.softphone_accounts import sip_host


def paths(config: Config) -> tuple[Path, Path]:
    """(certificate, key) Asterisk reads."""
    t = config.tls
    if t.cert_file:
        return Path(t.cert_file).resolve(), Path(t.key_file).resolve()
    keys = config.state_dir / "asterisk" / "lib" / "keys"
    return keys / "tls-cert.pem", keys / "tls-key.pem"


def _names(config: Config) -> str:
    names = {"IP:127.0.0.1", f"DNS:{socket.gethostname()}"}
    host = sip_host(config)
    try:
        names.add(f"IP:{ipaddress.ip_address(host)}")
    except ValueError:
        names.add(f"DNS:{host}")
    return ",".join(sorted(names))


def ensure(config: Config, uid: int, gid: int) -> None:
    """Make the lab's pair when TLS is on and the admin named none (once)."""
    if not config.tls.enabled or config.tls.cert_file:
        return
    cert, key = paths(config)
    if not (cert.exists() and key.exists()):
        cert.parent.mkdir(parents=True, exist_ok=True)
        argv = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            "-days", "825", "-keyout", str(key), "-out", str(cert),
            "-subj", f"/CN={sip_host(config)}/O=callcenter lab",
            "-addext", f"subjectAltName={_names(config)}",
        ]  # fmt: skip
        try:
            done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
        except FileNotFoundError:
            raise SandboxError("tls: openssl is not installed (Debian: openssl)") from None
        if done.returncode != 0:
            raise SandboxError(f"tls: openssl could not make a certificate: {done.stderr[-300:]}")
    for path, mode in ((cert, 0o644), (key, 0o640)):
        os.chown(path, uid, gid)
        os.chmod(path, mode)
