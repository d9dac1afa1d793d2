"""Versions of a flow file: what was published, by whom, when and why; and the difference
between two of them, line by line."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
from datetime import datetime

FROM_DISK = "file"  # published_by of a version found on disk (edited from the shell)


class FlowVersionError(LookupError):
    """No such version, or a version of another file; the message names it."""


@dataclasses.dataclass(frozen=True)
class FlowVersion:
    id: int
    file: str
    digest: str
    content: str
    published_at: datetime
    published_by: str
    note: str = ""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def diff(old: FlowVersion, new: FlowVersion) -> list[str]:
    """A unified diff (``-`` removed, ``+`` added, 3 lines of context) from ``old`` to ``new``."""
    return list(
        difflib.unified_diff(
            old.content.splitlines(),
            new.content.splitlines(),
            f"{old.file} v{old.id}",
            f"{new.file} v{new.id}",
            lineterm="",
        )
    )
