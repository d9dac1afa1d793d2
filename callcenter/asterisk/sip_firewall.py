"""The SipFirewall port on PJSIP's global ACL.

The daemon writes ``pjsip_bans.conf`` (``#tryinclude``d at the end of ``pjsip.conf``):
one ACL whose ``deny`` lines are the banned addresses, then has Asterisk reload res_pjsip
through ARI (``PUT /asterisk/modules/res_pjsip.so``; calls and registrations survive, and
the AMI user needs no config or system rights). res_pjsip_acl answers 403 to every request
from a denied address before any endpoint is looked at.

Why not ARI's push configuration: Asterisk cannot create ``acl`` objects that way (the
allocator applies every field's default, and res_pjsip_acl's handler refuses the empty
one: "Allocation failed").
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from callcenter.domain.bans import parse_address

BANS_FILE = "pjsip_bans.conf"
SECTION = "callcenter-bans"


def render_bans(addresses: Sequence[str]) -> str:
    lines = [
        "; Written by callcenterd: addresses banned after failed SIP authentications.",
        "; Change bans with `callcenter bans`, not here (the daemon rewrites this file).",
    ]
    if addresses:
        lines += [f"[{SECTION}]", "type = acl"]
        for address in addresses:
            ip = parse_address(address)  # nothing unparsed reaches the file
            lines.append(f"deny = {ip}/{128 if ':' in ip else 32}")
    return "\n".join(lines) + "\n"


class PjsipBanFile:
    def __init__(
        self, etc_dir: Path, reload_pjsip: Callable[[], Awaitable[None]], gid: int | None
    ) -> None:
        self._path = etc_dir / BANS_FILE
        self._reload = reload_pjsip
        self._gid = gid

    def write(self, addresses: Sequence[str]) -> bool:
        """Write the file; False when it already says exactly this."""
        text = render_bans(addresses)
        if self._path.exists() and self._path.read_text() == text:
            return False
        tmp = self._path.with_name(self._path.name + ".tmp")
        tmp.write_text(text)
        os.chmod(tmp, 0o640)
        if self._gid is not None:
            os.chown(tmp, 0, self._gid)
        os.replace(tmp, self._path)
        return True

    async def deny(self, addresses: Sequence[str]) -> None:
        self.write(addresses)
        await self._reload()  # always: Asterisk may have restarted with an older file
