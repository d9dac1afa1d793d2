"""The Lookups port on aiohttp: a GET to a [[lookups]] endpoint's own URL, the node's
params as its query, its token as a bearer, no redirect followed (3xx is a failure: the
answer must come from the configured host), at most ``max_bytes`` read, a JSON object
back. Every failure is a ``LookupFailed`` naming what went wrong — never the token."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import aiohttp

from callcenter.config_lookups import LookupConfig
from callcenter.services.flow_lookups import LookupFailed


class AiohttpLookups:
    def __init__(self, endpoints: Sequence[LookupConfig], tokens: Mapping[str, str]) -> None:
        self._endpoints = {e.name: e for e in endpoints}
        self._tokens = dict(tokens)
        self._session: aiohttp.ClientSession | None = None

    def limit(self, endpoint: str) -> float | None:
        config = self._endpoints.get(endpoint)
        return None if config is None else config.timeout_ms / 1000

    async def fetch(self, endpoint: str, params: Mapping[str, str]) -> Mapping[str, object]:
        config = self._endpoints.get(endpoint)
        if config is None:
            raise LookupFailed(f"endpoint {endpoint!r} is not configured")
        if self._session is None:
            # Our own timeout bounds each call (the flow's); none of aiohttp's on top.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=None), trust_env=False
            )
        headers = {"Accept": "application/json", "User-Agent": "callcenter-lookup"}
        token = self._tokens.get(endpoint)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self._session.get(
                config.url, params=dict(params), headers=headers, allow_redirects=False
            ) as resp:
                if resp.status != 200:
                    raise LookupFailed(f"{config.host} answered {resp.status}")
                body = await resp.content.read(config.max_bytes + 1)
        except aiohttp.ClientError as exc:
            raise LookupFailed(f"{config.host}: {type(exc).__name__}") from exc
        if len(body) > config.max_bytes:
            raise LookupFailed(f"{config.host} answered more than {config.max_bytes} bytes")
        try:
            answer = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise LookupFailed(f"{config.host} answered no JSON") from None
        if not isinstance(answer, dict):
            raise LookupFailed(f"{config.host} answered JSON that is not an object")
        return answer

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
