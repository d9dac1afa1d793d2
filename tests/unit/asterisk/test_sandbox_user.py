"""The sandbox's Asterisk user never shares a uid or gid with a host account."""

from __future__ import annotations

import os
from pathlib import Path

from callcenter.asterisk.sandbox_root import isolate_user, user_ids


def _etc(base: Path, passwd: list[str], group: list[str]) -> Path:
    etc = base / "etc"
    etc.mkdir(parents=True)
    (etc / "passwd").write_text("\n".join(passwd) + "\n")
    (etc / "group").write_text("\n".join(group) + "\n")
    return etc


def test_a_clashing_user_moves_to_free_ids_with_its_files(tmp_path: Path) -> None:
    host = _etc(tmp_path / "host", ["postgres:x:101:104::/:/bin/sh"], ["_ssh:x:101:"])
    root = tmp_path / "root"
    _etc(
        root,
        ["root:x:0:0::/root:/bin/sh", "asterisk:x:101:101::/var/lib/asterisk:/usr/sbin/nologin"],
        ["root:x:0:", "asterisk:x:101:", "audio:x:29:asterisk"],
    )
    owned = root / "var/lib/asterisk/astdb"
    owned.parent.mkdir(parents=True)
    owned.write_text("")
    os.chown(owned, 101, 101)
    os.chown(owned.parent, 101, 101)

    new = isolate_user(root, host_etc=host)

    assert new == (64200, 64200)
    assert user_ids(root) == new
    assert "audio:x:29:asterisk" in (root / "etc/group").read_text()
    assert (owned.stat().st_uid, owned.stat().st_gid) == new
    assert owned.parent.stat().st_uid == 64200
    assert isolate_user(root, host_etc=host) == new  # nothing more to do


def test_a_user_without_clash_stays(tmp_path: Path) -> None:
    host = _etc(tmp_path / "host", ["postgres:x:120:120::/:/bin/sh"], ["postgres:x:120:"])
    root = tmp_path / "root"
    _etc(root, ["asterisk:x:101:101::/:/bin/false"], ["asterisk:x:101:"])
    assert isolate_user(root, host_etc=host) == (101, 101)
