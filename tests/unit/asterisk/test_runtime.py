"""The sandbox's Asterisk runs with the allocator asked for (asterisk.allocator)."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.asterisk.runtime import SandboxRuntime, SystemRuntime
from callcenter.asterisk.sandbox_root import SandboxError


def _root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text("asterisk:x:64200:64200::/var/lib/asterisk:/bin/false\n")
    return root


def test_jemalloc_is_preloaded_from_the_root_itself(tmp_path: Path) -> None:
    root = _root(tmp_path)
    lib = root / "usr/lib/x86_64-linux-gnu/libjemalloc.so.2"
    lib.parent.mkdir(parents=True)
    lib.write_bytes(b"")
    runtime = SandboxRuntime(root)
    assert runtime.allocator("jemalloc") == [
        "env",
        "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
    ]
    assert runtime.allocator("glibc") == []


def test_a_root_without_jemalloc_names_it_and_the_root(tmp_path: Path) -> None:
    root = _root(tmp_path)
    with pytest.raises(SandboxError, match=r"libjemalloc\.so\.2.*" + str(root)):
        SandboxRuntime(root).allocator("jemalloc")


def test_a_system_asterisk_is_left_to_its_service_manager() -> None:
    assert SystemRuntime.allocator(SystemRuntime.__new__(SystemRuntime), "jemalloc") == []
