"""Agents' softphone accounts of this instance: what to type into Linphone or Zoiper, and
the per-agent provisioning URL. Secrets are re-read on every call, so agents added with
``callcenter agents add`` while the daemon runs are served at once."""

from __future__ import annotations

import contextlib
import hmac
import socket

from callcenter.config import Config
from callcenter.domain.softphones import SoftphoneAccount
from callcenter.secrets import load_or_create_secrets, provisioning_token


def sip_host(config: Config) -> str:
    """The address phones register to: the SIP bind address, or this host's address."""
    bind = config.asterisk.sip_bind
    if bind != "0.0.0.0":  # noqa: S104
        return bind
    with contextlib.suppress(OSError):
        address = socket.gethostbyname(socket.gethostname())
        if not address.startswith("127."):
            return address
    return "127.0.0.1"


class SoftphoneAccounts:
    def __init__(self, config: Config) -> None:
        self._config = config

    def for_agent(self, ext: str, display_name: str = "") -> SoftphoneAccount | None:
        secrets = load_or_create_secrets(self._config.state_dir, ())
        password = secrets.agent_passwords.get(ext)
        if password is None:
            return None
        tls = self._config.tls
        port = tls.port if tls.enabled else self._config.asterisk.sip_port
        transport = "tls" if tls.enabled else "udp"
        return SoftphoneAccount(
            sip_host(self._config), port, ext, password, display_name, transport, tls.srtp
        )

    def account(self, ext: str, token: str) -> SoftphoneAccount | None:
        secrets = load_or_create_secrets(self._config.state_dir, ())
        if ext not in secrets.agent_passwords or not token:
            return None
        if not hmac.compare_digest(provisioning_token(secrets, ext), token):
            return None
        return self.for_agent(ext)

    def provisioning_url(self, ext: str) -> str:
        secrets = load_or_create_secrets(self._config.state_dir, ())
        d = self._config.daemon
        host = d.http_host if d.http_host not in ("0.0.0.0", "") else sip_host(self._config)  # noqa: S104
        token = provisioning_token(secrets, ext)
        return f"http://{host}:{d.http_port}/agents/{ext}/provisioning.xml?token={token}"
