"""Which sounds Asterisk can play, per language, as seen from the host.

Contract: :meth:`SoundIndex.exists` answers for Asterisk's own sounds (inside the sandbox
root, or the system's), resolving the root's absolute symlinks inside the root.
"""

from __future__ import annotations

import os
from pathlib import Path

EXTENSIONS = ("wav", "gsm", "ulaw", "alaw", "sln", "sln16", "g722", "g729")


class SoundIndex:
    def __init__(self, root: Path, data_dir: str = "/usr/share/asterisk") -> None:
        self._root = root
        self._sounds = f"{data_dir}/sounds"
        self._cache: dict[str, frozenset[str]] = {}

    def _resolve(self, inner: str) -> Path:
        """Follow symlinks as the root would (absolute targets are inside the root)."""
        path = inner
        for _ in range(16):
            host = self._root / path.lstrip("/")
            if not host.is_symlink():
                return host
            target = os.readlink(host)
            path = target if target.startswith("/") else f"{os.path.dirname(path)}/{target}"
        return self._root / path.lstrip("/")

    def names(self, language: str) -> frozenset[str]:
        if language not in self._cache:
            base = self._resolve(f"{self._sounds}/{language}")
            found = set()
            if base.is_dir():
                for file in base.rglob("*"):
                    stem, _, ext = file.name.rpartition(".")
                    if ext in EXTENSIONS:
                        found.add(str(file.relative_to(base).with_name(stem)))
            self._cache[language] = frozenset(found)
        return self._cache[language]

    def exists(self, language: str, name: str) -> bool:
        return name in self.names(language)
