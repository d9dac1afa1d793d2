"""What the daemon prints when it is up: how to call it, how agents register, how to
sign in to the pages."""

from __future__ import annotations

from callcenter.config import Config
from callcenter.config_trunks import trunks_in_use
from callcenter.secrets import Secrets
from callcenter.softphone_accounts import sip_host


def banner(config: Config, secrets: Secrets, admin_link: str = "") -> str:
    a, d = config.asterisk, config.dialplan
    host = sip_host(config)
    lines = [
        "",
        f"callcenter is running. Call the virtual number {d.virtual_number}:",
        f"  sip:{d.virtual_number}@{host}:{a.sip_port} (UDP) from a trunk ("
        + "; ".join(f"{t.name}: {', '.join(t.match) or t.host}" for t in trunks_in_use(config))
        + "), or from an agent's softphone.",
        *(f"  number {n.number} → flow {n.flow}" for n in config.numbers),
        "Agents register a softphone (Linphone, Zoiper), from outside the trunk networks, with:",
        f"  server {host}, port {a.sip_port}, transport UDP",
    ]
    lines += [f"  user {ext}  password {pw}" for ext, pw in sorted(secrets.agent_passwords.items())]
    lines += [
        "More agents: callcenter agents add NAME --ext EXT (prints a Linphone provisioning URL).",
        f"Health: http://{config.daemon.http_host}:{config.daemon.http_port}/healthz",
        *(
            [
                "Open the board (and every page) as admin with this one-time link:",
                f"  {admin_link}",
                "More staff: callcenter staff add NAME --role agent --agent EXT; "
                "callcenter staff link NAME.",
            ]
            if admin_link
            else []
        ),
        "",
    ]
    return "\n".join(lines)
