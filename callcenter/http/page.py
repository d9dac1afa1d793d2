"""A page: routes outside the API, declared in its own module with the service key it
needs; a feature lists its pages in its declaration and
:func:`~callcenter.http.server.build_app` adds each whose service is there."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

Services = Mapping[web.AppKey[Any], Any]


@dataclasses.dataclass(frozen=True)
class Page:
    """Routes outside the API, added when the service under ``key`` is there (and, when
    ``needs_api``, the API too: staff pages call it)."""

    key: web.AppKey[Any]
    add: Callable[[web.Application, Services], None]
    needs_api: bool = True
