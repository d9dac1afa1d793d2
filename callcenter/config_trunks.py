"""The lines in and out: ``[[trunks]]`` (how calls reach us and leave us) and
``[[numbers]]`` (which number dialled in goes to which flow), and the checks of the NAT
keys and of ``[tls]`` (phones outside the office). Parsed from TOML
arrays of tables, or from ``CALLCENTER_TRUNKS`` / ``CALLCENTER_NUMBERS`` (the same as a
JSON array); every problem names its entry (``trunks[1] (carrier).host``).

Without ``[[trunks]]`` there is one trunk, ``trunk``, known by address
(``dialplan.trunk_networks``) and dialled at ``callbacks.trunk_contact``: the demo's.
Without ``[[numbers]]`` the virtual number goes to ``daemon.entry_flow``, as always."""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from callcenter.config_sections import AsteriskConfig, ConfigError
from callcenter.config_tls import TlsConfig

CODECS = ("ulaw", "alaw", "g722", "opus", "gsm", "g729", "ilbc", "slin")
# Endpoint names Asterisk already has: a trunk may not take them.
RESERVED = ("webcall", "anonymous", "global", "system", "transport-udp", "transport-tls")
_NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
_NUMBER = re.compile(r"\+?[0-9]{2,15}")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]+\]")


@dataclasses.dataclass(frozen=True)
class TrunkConfig:
    name: str  # also its PJSIP endpoint; a-z, 0-9, -
    # Where calls go out (and where we register): HOST[:PORT].
    host: str = ""
    # Addresses or networks whose requests are this trunk's ([]: the host's address).
    match: tuple[str, ...] = ()
    # Registration: the carrier's user name (the password is a secret: secrets.json
    # trunk_passwords, or CALLCENTER_TRUNK_PASSWORD_<NAME>).
    register: bool = False
    username: str = ""
    expiration: int = 600  # seconds a registration lasts (refreshed before)
    retry_seconds: int = 30  # after a failed or refused registration
    caller_id: str = ""  # shown on calls out through it ("": the queue's, or the centre's)
    codecs: tuple[str, ...] = ("ulaw", "alaw")
    outbound: bool = True  # takes calls out; in the order listed (the next on 5xx/no answer)

    @property
    def authenticates(self) -> bool:
        return bool(self.username)


@dataclasses.dataclass(frozen=True)
class NumberConfig:
    number: str  # as the carrier sends it in the request URI
    flow: str  # the entry flow of calls to it
    name: str = ""  # what staff read ("sales line")


def build_entries(cls: type[Any], key: str, raw: object, origin: str) -> tuple[Any, ...]:
    """``raw`` (a list of tables, or a JSON text of one from the environment) as ``cls``."""
    if isinstance(raw, str) and origin.startswith("environment"):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{origin}: {key} is not a JSON array ({exc})") from None
    if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
        raise ConfigError(f"{origin}: {key} must be an array of tables ([[{key}]])")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    entries = []
    for n, table in enumerate(raw):
        where = f"{origin}: {key}[{n}]"
        kwargs: dict[str, Any] = {}
        for name, value in table.items():
            if name not in fields:
                raise ConfigError(f"{where}: unknown key {name!r} (known: {', '.join(fields)})")
            kwargs[name] = _value(f"{where}.{name}", hints[name], value)
        missing = [
            f.name
            for f in fields.values()
            if f.default is dataclasses.MISSING and f.name not in kwargs
        ]
        if missing:
            raise ConfigError(f"{where}: missing {', '.join(missing)}")
        entries.append(cls(**kwargs))
    return tuple(entries)


def _value(where: str, target: Any, value: Any) -> Any:
    if target is bool and isinstance(value, bool):
        return value
    if target is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if target is str and isinstance(value, str):
        return value
    if typing.get_origin(target) is tuple and isinstance(value, list):  # noqa: SIM102
        if all(isinstance(v, str) for v in value):
            return tuple(value)
    name = getattr(target, "__name__", "a list of strings")
    raise ConfigError(f"{where} must be {name}, got {value!r}")


def default_trunk(trunk_networks: Sequence[str], trunk_contact: str) -> TrunkConfig:
    """The demo's trunk: known by address, dialled at ``callbacks.trunk_contact``."""
    return TrunkConfig(name="trunk", host=trunk_contact, match=tuple(trunk_networks))


def host_address(host: str) -> str:
    """``203.0.113.5:5060`` → ``203.0.113.5``; ``[2001:db8::1]:5061`` → ``2001:db8::1``."""
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def check_trunks(trunks: Sequence[TrunkConfig], phones: Sequence[str]) -> None:
    seen: set[str] = set()
    for n, t in enumerate(trunks):
        where = f"trunks[{n}] ({t.name})"
        if not _NAME.fullmatch(t.name) or t.name in RESERVED:
            raise ConfigError(
                f"trunks[{n}].name: {t.name!r} must be a-z, 0-9 or '-' (starting with a"
                f" letter) and not one of {', '.join(RESERVED)}"
            )
        if t.name in seen:
            raise ConfigError(f"{where}: a second trunk named {t.name!r}")
        seen.add(t.name)
        if t.name in phones:
            raise ConfigError(f"{where}: {t.name!r} is also a phone's extension")
        _check_host(where, t)
        for entry in t.match:
            if not _is_network(entry) and not _HOST.fullmatch(entry):
                raise ConfigError(f"{where}.match: {entry!r} is not an address or network")
        if t.register and not (t.username and t.host):
            raise ConfigError(f"{where}: register = true needs username and host")
        if not 10 <= t.expiration <= 86400 and t.register:  # carriers mostly want >= 60
            raise ConfigError(f"{where}.expiration: {t.expiration} is not 10..86400 seconds")
        if t.retry_seconds < 1:
            raise ConfigError(f"{where}.retry_seconds must be at least 1")
        if t.caller_id and not _NUMBER.fullmatch(t.caller_id):
            raise ConfigError(f"{where}.caller_id: {t.caller_id!r} is not a phone number")
        unknown = [c for c in t.codecs if c not in CODECS]
        if unknown or not t.codecs:
            raise ConfigError(
                f"{where}.codecs: {unknown or '[]'} — choose from {', '.join(CODECS)}"
            )
        if t.username and not re.fullmatch(r"[A-Za-z0-9._+-]{1,64}", t.username):
            raise ConfigError(f"{where}.username: {t.username!r} has characters SIP will not carry")


def _check_host(where: str, t: TrunkConfig) -> None:
    if not t.host:
        if t.outbound or not t.match:
            raise ConfigError(
                f"{where}.host: missing (where calls go out; outbound = false and a match"
                " list for a trunk that only brings calls in)"
            )
        return
    host, port = t.host, ""
    if not host.startswith("[") and host.count(":") == 1:
        host, _, port = host.partition(":")
    elif host.startswith("[") and "]:" in host:
        host, _, port = host.rpartition(":")
    if not _HOST.fullmatch(host) or (port and not (port.isdigit() and 0 < int(port) < 65536)):
        raise ConfigError(f"{where}.host: {t.host!r} is not HOST[:PORT]")


def _is_network(entry: str) -> bool:
    try:
        ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
    return True


def check_numbers(numbers: Sequence[NumberConfig], phones: Sequence[str]) -> None:
    seen: dict[str, int] = {}
    for n, entry in enumerate(numbers):
        where = f"numbers[{n}] ({entry.number})"
        if not _NUMBER.fullmatch(entry.number):
            raise ConfigError(f"numbers[{n}].number: {entry.number!r} is not a phone number")
        if entry.number in seen:
            raise ConfigError(f"{where}: also numbers[{seen[entry.number]}]: one flow a number")
        seen[entry.number] = n
        if entry.number in phones:
            raise ConfigError(f"{where}: also a phone's extension (dialplan.agents/supervisors)")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", entry.flow):
            raise ConfigError(f"{where}.flow: {entry.flow!r} is not a flow name")


def routed_flows(
    numbers: Sequence[NumberConfig], entry_flow: str, virtual_number: str
) -> Mapping[str, str]:
    """Where the configuration sends calls: {what sends them: flow} (each must exist)."""
    routes = {f"daemon.entry_flow ({virtual_number})": entry_flow}
    routes.update({f"numbers[{n}] ({e.number})": e.flow for n, e in enumerate(numbers)})
    return routes


def trunks_in_use(config: Any) -> tuple[TrunkConfig, ...]:
    """The configured trunks, else the demo's one."""
    return config.trunks or (
        default_trunk(config.dialplan.trunk_networks, config.callbacks.trunk_contact),
    )


def trunk_addresses(trunks: Sequence[TrunkConfig]) -> tuple[str, ...]:
    """The carriers' addresses and networks (those given as such; never banned)."""
    found: list[str] = []
    for t in trunks:
        for entry in (*t.match, host_address(t.host) if t.host else ""):
            if entry and _is_network(entry) and entry not in found:
                found.append(entry)
    return tuple(found)


def check_nat(a: AsteriskConfig) -> None:
    for key in ("external_signaling_address", "external_media_address"):
        value = getattr(a, key)
        if value and not re.fullmatch(r"[A-Za-z0-9.:-]{1,253}", value):
            raise ConfigError(f"asterisk.{key}: {value!r} is not an address or host name")
    for net in a.local_net:
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            raise ConfigError(f"asterisk.local_net: {net!r} is not a network") from None


def check_tls(t: TlsConfig, sip_port: int) -> None:
    if not 0 <= t.port <= 65535:
        raise ConfigError(f"tls.port: {t.port} is not a port (0: off)")
    if t.enabled and t.port == sip_port:
        raise ConfigError(f"tls.port: {t.port} is asterisk.sip_port already")
    if bool(t.cert_file) != bool(t.key_file):
        raise ConfigError("tls: cert_file and key_file go together (neither: a lab's own)")
    for key in ("cert_file", "key_file"):
        value = getattr(t, key)
        if value and not Path(value).is_file():
            raise ConfigError(f"tls.{key}: {value} is not a file")
