from __future__ import annotations

import os
import subprocess
import sys

import pytest

from callcenter import allocator
from callcenter.allocator import PRELOADED, use_allocator
from callcenter.asterisk.runtime import jemalloc_library
from callcenter.config import ConfigError, load_config

CHILD = """
import sys
from callcenter.allocator import use_allocator
from callcenter.config import load_config
from callcenter.metrics.heap import Heap
if sys.argv[1:] == ["again"]:
    print("on", Heap().allocator)
else:
    use_allocator(load_config(None, environ={}), [sys.executable, "-c", sys.argv[1], "again"])
    print("not restarted")
"""


def test_the_daemon_restarts_itself_on_jemalloc_once() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", PRELOADED)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["on", "jemalloc"]


def test_glibc_is_kept_without_a_restart() -> None:
    config = load_config(None, environ={"CALLCENTER_DAEMON__ALLOCATOR": "glibc"})
    use_allocator(config, ["/nonexistent"])  # returns: nothing to execute


def test_a_missing_jemalloc_names_the_library_and_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(allocator, "jemalloc_library", lambda: None)
    with pytest.raises(ConfigError, match=r"daemon\.allocator = 'jemalloc': libjemalloc\.so\.2"):
        use_allocator(load_config(None, environ={}), ["/nonexistent"])


def test_a_preload_the_loader_did_not_take_is_an_error_not_a_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PRELOADED, "1")
    with pytest.raises(ConfigError, match="could not be preloaded"):
        use_allocator(load_config(None, environ={}), ["/nonexistent"])


def test_the_library_is_found_under_a_root() -> None:
    found = jemalloc_library()
    assert found is not None  # installed by scripts/install-system-deps.sh
    assert found.name == "libjemalloc.so.2"


def test_an_unknown_allocator_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"daemon\.allocator must be one of"):
        load_config(None, environ={"CALLCENTER_DAEMON__ALLOCATOR": "tcmalloc"})
