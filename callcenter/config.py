"""Instance configuration: one TOML file plus ``CALLCENTER_*`` environment overrides.

Contract:
* every key has a default that works on a fresh machine, so no file is needed;
* an unknown section or key, or a value of the wrong type, raises :class:`ConfigError`
  whose message names the key (``asterisk.sip_port``) and where it came from;
* an environment variable ``CALLCENTER_<SECTION>__<KEY>`` (double underscore between
  section and key) overrides the file, e.g. ``CALLCENTER_ASTERISK__SIP_PORT=5070``.

Secrets are not configuration: they are generated into the state directory
(see :mod:`callcenter.secrets`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from callcenter.config_checks import check, transcription_models
from callcenter.config_lookups import LookupConfig
from callcenter.config_sections import (
    AdmissionConfig,
    AgentsConfig,
    AsteriskConfig,
    CallbacksConfig,
    ClusterConfig,
    Config,
    ConfigError,
    DaemonConfig,
    DatabaseConfig,
    DialplanConfig,
    GuardConfig,
    HandoffsConfig,
    InstanceConfig,
    RecordingsConfig,
    ReportsConfig,
    SecurityConfig,
    StaffConfig,
    TicketsConfig,
    TranscriptionConfig,
    VoicemailConfig,
    WebhooksConfig,
    WidgetsConfig,
)
from callcenter.config_surveys import SurveyConfig
from callcenter.config_tls import TlsConfig
from callcenter.config_trunks import NumberConfig, TrunkConfig, build_entries

__all__ = [
    "AdmissionConfig",
    "AgentsConfig",
    "AsteriskConfig",
    "CallbacksConfig",
    "ClusterConfig",
    "Config",
    "ConfigError",
    "DaemonConfig",
    "DatabaseConfig",
    "DialplanConfig",
    "GuardConfig",
    "HandoffsConfig",
    "InstanceConfig",
    "LookupConfig",
    "NumberConfig",
    "RecordingsConfig",
    "ReportsConfig",
    "SecurityConfig",
    "StaffConfig",
    "SurveyConfig",
    "TicketsConfig",
    "TlsConfig",
    "TranscriptionConfig",
    "TrunkConfig",
    "VoicemailConfig",
    "WebhooksConfig",
    "WidgetsConfig",
    "load_config",
    "transcription_models",
]

log = logging.getLogger(__name__)

ENV_PREFIX = "CALLCENTER_"
DEFAULT_CONFIG_FILE = "callcenter.toml"


# Old section names still read, for the configurations written before a rename.
SECTION_ALIASES = {"shifts": "handoffs"}
_SECTION_TYPES: dict[str, type[Any]] = {
    "instance": InstanceConfig,
    "asterisk": AsteriskConfig,
    "dialplan": DialplanConfig,
    "daemon": DaemonConfig,
    "database": DatabaseConfig,
    "tickets": TicketsConfig,
    "agents": AgentsConfig,
    "security": SecurityConfig,
    "staff": StaffConfig,
    "recordings": RecordingsConfig,
    "callbacks": CallbacksConfig,
    "webhooks": WebhooksConfig,
    "voicemail": VoicemailConfig,
    "transcription": TranscriptionConfig,
    "guard": GuardConfig,
    "widgets": WidgetsConfig,
    "handoffs": HandoffsConfig,
    "reports": ReportsConfig,
    "cluster": ClusterConfig,
    "tls": TlsConfig,
    "admission": AdmissionConfig,
    "surveys": SurveyConfig,
}


# Arrays of tables: TOML [[trunks]], or the environment's CALLCENTER_TRUNKS (JSON).
_ARRAYS: dict[str, type[Any]] = {
    "trunks": TrunkConfig,
    "numbers": NumberConfig,
    "lookups": LookupConfig,
}


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (if given, else ``./callcenter.toml`` when present) and the environment."""
    environ = os.environ if environ is None else environ
    raw: dict[str, dict[str, tuple[Any, str]]] = {}
    arrays: dict[str, tuple[Any, str]] = {}  # [[trunks]], [[numbers]]
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = Path(DEFAULT_CONFIG_FILE)
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"configuration file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
        for key in _ARRAYS:
            if key in data:
                arrays[key] = (data.pop(key), str(path))
        for old_section, values in data.items():
            section = _section_name(old_section, str(path))
            if section not in _SECTION_TYPES:
                raise ConfigError(f"{path}: unknown section [{section}]")
            if not isinstance(values, dict):
                raise ConfigError(f"{path}: [{section}] must be a table")
            for key, value in values.items():
                raw.setdefault(section, {})[key] = (value, str(path))
    for key in _ARRAYS:
        if f"{ENV_PREFIX}{key.upper()}" in environ:
            name = f"{ENV_PREFIX}{key.upper()}"
            arrays[key] = (environ[name], f"environment {name}")
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        old_section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        section = _section_name(old_section, f"environment {name}")
        if section not in _SECTION_TYPES:
            raise ConfigError(f"environment {name}: unknown section {section!r}")
        raw.setdefault(section, {})[key] = (value, f"environment {name}")
    sections = {s: _build_section(s, cls, raw.get(s, {})) for s, cls in _SECTION_TYPES.items()}
    lines: dict[str, Any] = {
        key: build_entries(cls, key, *arrays[key]) for key, cls in _ARRAYS.items() if key in arrays
    }
    config = Config(**sections, **lines)
    check(config)
    return config


def _section_name(section: str, origin: str) -> str:
    """A section's name, its old name (:data:`SECTION_ALIASES`) read as the new one."""
    new = SECTION_ALIASES.get(section)
    if new is None:
        return section
    log.warning("%s: section [%s] is now [%s]; the old name is read too", origin, section, new)
    return new


def _build_section(section: str, cls: type[Any], values: dict[str, tuple[Any, str]]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, (value, origin) in values.items():
        if key not in known:
            raise ConfigError(f"{origin}: unknown key {section}.{key}")
        kwargs[key] = _coerce(f"{section}.{key}", origin, hints[key], value)
    return cls(**kwargs)


def _coerce(key: str, origin: str, target: Any, value: Any) -> Any:
    from_env = origin.startswith("environment")
    if typing.get_origin(target) is tuple or isinstance(target, types.GenericAlias):
        if from_env and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{origin}: {key} must be a list of strings, got {value!r}")
        return tuple(value)
    if target is bool:
        truthy, falsy = ("1", "true", "yes"), ("0", "false", "no")
        if from_env and isinstance(value, str) and value.lower() in truthy + falsy:
            return value.lower() in truthy
        if isinstance(value, bool):
            return value
    elif target is int:
        if from_env and isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif target is float:
        if from_env and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif target is str and isinstance(value, str):
        return value
    name = getattr(target, "__name__", target)
    raise ConfigError(f"{origin}: {key} must be {name}, got {value!r}")
