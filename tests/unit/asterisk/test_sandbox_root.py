from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.asterisk.sandbox_root import (
    SandboxError,
    apt_mirror,
    ensure_root,
    stamp,
    user_ids,
)


def test_mirror_from_deb822_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n\n"
        "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n"
    )
    assert apt_mirror(tmp_path) == "http://mirror.example/debian"


def test_mirror_from_one_line_sources(tmp_path: Path) -> None:
    (tmp_path / "sources.list").write_text(
        "# comment\ndeb [arch=amd64] http://mirror.example/debian bookworm main\n"
    )
    assert apt_mirror(tmp_path) == "http://mirror.example/debian"


def test_no_mirror_says_which_setting(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match=r"asterisk\.debian_mirror"):
        apt_mirror(tmp_path)


def test_stamp_changes_with_the_suite() -> None:
    assert stamp("testing") != stamp("unstable")
    assert stamp("testing") == stamp("testing")


def test_user_ids_come_from_the_roots_passwd(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/passwd").write_text(
        "root:x:0:0::/root:/bin/sh\nasterisk:x:101:102::/var/lib/asterisk:/bin/false\n"
    )
    assert user_ids(tmp_path) == (101, 102)
    with pytest.raises(SandboxError, match="nobody"):
        user_ids(tmp_path, "nobody")


def test_a_root_not_built_is_an_error_naming_it_when_building_is_not_asked(
    tmp_path: Path,
) -> None:
    with pytest.raises(SandboxError, match=r"sandbox root .*/root is not built yet"):
        ensure_root(tmp_path, "bookworm", build=False)
    assert list(tmp_path.iterdir()) == []  # nothing started: no lock, no directory
