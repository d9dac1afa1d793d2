"""``[tls]``: SIP over TLS for phones outside the office, with SRTP media. Off by default
(port 0). Without cert_file/key_file a self-signed pair is made for a lab
(``callcenter.asterisk.tls_files``); in production name your own (PEM)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class TlsConfig:
    port: int = 0  # SIP over TLS for phones (5061 is usual); 0: off
    cert_file: str = ""  # PEM certificate (chain); "": a generated self-signed one
    key_file: str = ""  # its private key (PEM)
    # Calls to phones carry SRTP keys (SDES) when the phone offers or accepts them; a
    # phone on TLS should (Linphone's provisioning asks for it).
    srtp: bool = True

    @property
    def enabled(self) -> bool:
        return self.port > 0
