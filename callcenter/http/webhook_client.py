"""The WebhookSender port on aiohttp: one POST, a bounded wait, the status back."""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=10)


class AiohttpWebhookSender:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        try:
            async with self._session.post(
                url, data=body, headers=dict(headers), allow_redirects=False
            ) as resp:
                return resp.status
        except aiohttp.ClientError as exc:
            raise OSError(f"{url}: {exc}") from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
