"""``callcenter`` command line: one module per command group, thin wrappers that load the
configuration and call in; what they share is in ``common``."""

from callcenter.cli.main import main

__all__ = ["main"]
