"""The endpoints flows may ask: ``[[lookups]]``.

A flow's ``lookup`` node names an endpoint, never a URL: what the IVR may reach is the
configuration's to say. Each endpoint is one URL (http or https) that gets the node's
parameters as its query; it may take ``timeout_ms`` at most (a node may ask for less),
answer at most ``max_bytes``, and is never followed to another host (no redirects at
all). Its token, if any, is a secret (``secrets.json`` ``lookup_tokens``, or
``CALLCENTER_LOOKUP_TOKEN_<NAME>``), sent as ``Authorization: Bearer …``.

```toml
[[lookups]]
name = "orders"
url = "https://shop.internal/api/order-status"
timeout_ms = 1500
```
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from callcenter.config_error import ConfigError

_NAME = re.compile(r"[a-z][a-z0-9-]{0,30}")
MAX_TIMEOUT_MS = 10_000  # a caller waits in silence meanwhile
MAX_BYTES = 1_048_576


@dataclasses.dataclass(frozen=True)
class LookupConfig:
    name: str  # what a flow's lookup node names (endpoint: orders)
    url: str  # http(s)://host[:port]/path — the node's params become its query
    timeout_ms: int = 2000  # the longest a lookup may take (a node may ask for less)
    max_bytes: int = 65536  # a longer answer is an error, read no further

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


def check_lookups(lookups: Sequence[LookupConfig]) -> None:
    seen: set[str] = set()
    for n, lookup in enumerate(lookups):
        where = f"lookups[{n}] ({lookup.name})"
        if not _NAME.fullmatch(lookup.name):
            raise ConfigError(
                f"lookups[{n}].name: {lookup.name!r} must be a-z, 0-9 or '-', starting "
                "with a letter"
            )
        if lookup.name in seen:
            raise ConfigError(f"{where}: a second lookup named {lookup.name!r}")
        seen.add(lookup.name)
        parts = urlsplit(lookup.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}.url: {lookup.url!r} is not an http(s) URL with a host")
        if parts.username or parts.password or parts.fragment:
            raise ConfigError(
                f"{where}.url: no user, password or fragment in the URL (the token is a "
                "secret: secrets.json lookup_tokens)"
            )
        if not 50 <= lookup.timeout_ms <= MAX_TIMEOUT_MS:
            raise ConfigError(
                f"{where}.timeout_ms: {lookup.timeout_ms} is not 50..{MAX_TIMEOUT_MS}"
            )
        if not 256 <= lookup.max_bytes <= MAX_BYTES:
            raise ConfigError(f"{where}.max_bytes: {lookup.max_bytes} is not 256..{MAX_BYTES}")
