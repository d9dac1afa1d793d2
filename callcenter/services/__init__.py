"""Async use cases. They depend on the Protocols in :mod:`callcenter.services.ports` only."""
