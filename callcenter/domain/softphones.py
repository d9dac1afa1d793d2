"""What a softphone needs to register an agent, and Linphone's remote provisioning form.

Linphone (and Zoiper's generic SIP setup) need only: server, port, transport, user and
password. The provisioning document is Linphone's ``lpconfig`` XML, fetched by the app
from a per-agent URL (Settings → Remote provisioning, or by scanning the QR code).
"""

from __future__ import annotations

import dataclasses
from xml.sax.saxutils import escape


@dataclasses.dataclass(frozen=True)
class SoftphoneAccount:
    server: str
    port: int
    user: str
    password: str
    display_name: str = ""
    transport: str = "udp"
    srtp: bool = False  # encrypted media (only over TLS: its keys travel in the SDP)

    def lines(self) -> list[str]:
        return [
            f"server    {self.server}",
            f"port      {self.port}",
            f"transport {self.transport.upper()}",
            f"user      {self.user}",
            f"password  {self.password}",
            *(["media     SRTP (SDES)"] if self.secure_media else []),
        ]

    @property
    def secure_media(self) -> bool:
        return self.srtp and self.transport == "tls"


def linphone_xml(account: SoftphoneAccount) -> str:
    def entry(name: str, value: str) -> str:
        return f'    <entry name="{name}">{escape(value)}</entry>'

    proxy = f"<sip:{account.server}:{account.port};transport={account.transport}>"
    identity = f'"{account.display_name or account.user}" <sip:{account.user}@{account.server}>'
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<config xmlns="http://www.linphone.org/xsds/lpconfig.xsd">',
            '  <section name="proxy_0">',
            entry("reg_proxy", proxy),
            entry("reg_identity", identity),
            entry("reg_expires", "3600"),
            entry("reg_sendregister", "1"),
            "  </section>",
            '  <section name="auth_info_0">',
            entry("username", account.user),
            entry("userid", account.user),
            entry("passwd", account.password),
            "  </section>",
            *(
                [
                    '  <section name="sip">',
                    entry("media_encryption", "srtp"),
                    "  </section>",
                ]
                if account.secure_media
                else []
            ),
            "</config>",
            "",
        ]
    )
