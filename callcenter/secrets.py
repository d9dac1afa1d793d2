"""Generated secrets of one instance (AMI, ARI, agent SIP passwords).

Contract: secrets are created on first use with :mod:`secrets` (never defaults), stored in
``<state_dir>/secrets.json`` with mode 0600, and stable afterwards. A missing agent password
is added without touching the others. The file lives in the state directory, which git
ignores.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets as _random
from pathlib import Path

SECRETS_FILE = "secrets.json"


@dataclasses.dataclass(frozen=True)
class Secrets:
    ami_user: str
    ami_password: str
    ari_user: str
    ari_password: str
    agent_passwords: dict[str, str]  # every agent with a SIP account
    provisioning_secret: str = ""
    widget_secret: str = ""  # signs the click-to-call widgets' tokens (HS256)
    web_call_secret: str = ""  # the header the daemon's SIP websocket adds (Asterisk trusts it)
    dial_gate_secret: str = ""  # the dialplan's key to the daemon's dial gate
    survey_secret: str = ""  # signs the survey links (single use, they expire)
    # The carriers' passwords ([[trunks]] that register or authenticate): set by
    # `callcenter trunks password NAME`, or CALLCENTER_TRUNK_PASSWORD_<NAME> (wins).
    trunk_passwords: dict[str, str] = dataclasses.field(default_factory=dict)
    # The [[lookups]] endpoints' bearer tokens: `callcenter lookups token NAME`, or
    # CALLCENTER_LOOKUP_TOKEN_<NAME> (wins).
    lookup_tokens: dict[str, str] = dataclasses.field(default_factory=dict)


def _token() -> str:
    return _random.token_urlsafe(24)


def load_or_create_secrets(state_dir: Path, agents: tuple[str, ...]) -> Secrets:
    """Return the instance's secrets, generating whatever is missing."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / SECRETS_FILE
    data: dict[str, object] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc}); fix or delete it") from exc
    changed = False
    for key in (
        "ami_password",
        "ari_password",
        "provisioning_secret",
        "widget_secret",
        "web_call_secret",
        "dial_gate_secret",
        "survey_secret",
    ):
        if not isinstance(data.get(key), str):
            data[key] = _token()
            changed = True
    agents_data = data.get("agent_passwords")
    passwords: dict[str, str] = dict(agents_data) if isinstance(agents_data, dict) else {}
    for ext in agents:
        if ext not in passwords:
            passwords[ext] = _token()
            changed = True
    data["agent_passwords"] = passwords
    if changed:
        _write(path, data)
    os.chmod(path, 0o600)
    return Secrets(
        ami_user="callcenterd",
        ami_password=str(data["ami_password"]),
        ari_user="callcenterd",
        ari_password=str(data["ari_password"]),
        agent_passwords=passwords,
        provisioning_secret=str(data["provisioning_secret"]),
        widget_secret=str(data["widget_secret"]),
        web_call_secret=str(data["web_call_secret"]),
        dial_gate_secret=str(data["dial_gate_secret"]),
        survey_secret=str(data["survey_secret"]),
        trunk_passwords=_trunk_passwords(data.get("trunk_passwords")),
        lookup_tokens=_named(data.get("lookup_tokens"), LOOKUP_TOKEN_ENV),
    )


TRUNK_PASSWORD_ENV = "CALLCENTER_TRUNK_PASSWORD_"  # noqa: S105 (a variable's name)
LOOKUP_TOKEN_ENV = "CALLCENTER_LOOKUP_TOKEN_"  # noqa: S105 (a variable's name)


def trunk_password_variable(name: str) -> str:
    """``carrier-2`` → ``CALLCENTER_TRUNK_PASSWORD_CARRIER_2``."""
    return TRUNK_PASSWORD_ENV + name.upper().replace("-", "_")


def _trunk_passwords(stored: object) -> dict[str, str]:
    return _named(stored, TRUNK_PASSWORD_ENV)


def _named(stored: object, env_prefix: str) -> dict[str, str]:
    """Secrets by name from secrets.json, each overridden by ``<env_prefix><NAME>``."""
    values = {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}
    for variable, value in os.environ.items():
        if variable.startswith(env_prefix) and value:
            name = variable[len(env_prefix) :].lower().replace("_", "-")
            values[name] = value
    return values


def set_trunk_password(state_dir: Path, name: str, password: str) -> None:
    """Keep ``password`` for trunk ``name`` in secrets.json ("" forgets it)."""
    _set_named(state_dir, "trunk_passwords", name, password)


def set_lookup_token(state_dir: Path, name: str, token: str) -> None:
    """Keep ``token`` for lookup endpoint ``name`` in secrets.json ("" forgets it)."""
    _set_named(state_dir, "lookup_tokens", name, token)


def _set_named(state_dir: Path, key: str, name: str, value: str) -> None:
    load_or_create_secrets(state_dir, ())
    path = state_dir / SECRETS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    values = dict(data.get(key) or {})
    if value:
        values[name] = value
    else:
        values.pop(name, None)
    data[key] = values
    _write(path, data)


def _write(path: Path, data: dict[str, object]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=True)
    os.replace(tmp, path)


def set_agent_password(state_dir: Path, ext: str, new: bool = True) -> Secrets:
    """A fresh SIP password for ``ext`` (``new``), or none at all (the agent's SIP account
    goes away); returns the updated secrets."""
    current = load_or_create_secrets(state_dir, ())
    path = state_dir / SECRETS_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    passwords = dict(data["agent_passwords"])
    if new:
        passwords[ext] = _token()
    else:
        passwords.pop(ext, None)
    data["agent_passwords"] = passwords
    _write(path, data)
    return dataclasses.replace(current, agent_passwords=passwords)


def provisioning_token(secrets: Secrets, ext: str) -> str:
    """The token in an agent's provisioning URL: derived, so nothing more is stored, and
    changed for everyone by rotating ``provisioning_secret``. It changes with the agent's
    password too, so a reset invalidates the old URL."""
    message = f"{ext}:{secrets.agent_passwords.get(ext, '')}".encode()
    return hmac.new(secrets.provisioning_secret.encode(), message, hashlib.sha256).hexdigest()[:32]
