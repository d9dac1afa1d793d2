"""The configuration's one error type (apart, so every ``config_*`` module may raise it)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A configuration value is missing, unknown or of the wrong type; names the key."""
