from __future__ import annotations

import stat
from pathlib import Path

import pytest

from callcenter.secrets import SECRETS_FILE, load_or_create_secrets


def test_generated_once_private_and_stable(tmp_path: Path) -> None:
    first = load_or_create_secrets(tmp_path, ("1001",))
    second = load_or_create_secrets(tmp_path, ("1001",))
    assert first == second
    assert len(first.ami_password) >= 24
    assert first.ami_password != first.ari_password
    mode = stat.S_IMODE((tmp_path / SECRETS_FILE).stat().st_mode)
    assert mode == 0o600


def test_new_agent_gets_a_password_without_touching_others(tmp_path: Path) -> None:
    first = load_or_create_secrets(tmp_path, ("1001",))
    second = load_or_create_secrets(tmp_path, ("1001", "1002"))
    assert second.agent_passwords["1001"] == first.agent_passwords["1001"]
    assert second.agent_passwords["1002"] not in (first.agent_passwords["1001"], "")
    assert second.ami_password == first.ami_password


def test_two_instances_never_share_secrets(tmp_path: Path) -> None:
    a = load_or_create_secrets(tmp_path / "a", ())
    b = load_or_create_secrets(tmp_path / "b", ())
    assert a.ami_password != b.ami_password


def test_corrupt_file_is_named(tmp_path: Path) -> None:
    (tmp_path / SECRETS_FILE).write_text("{nope")
    with pytest.raises(ValueError, match=SECRETS_FILE):
        load_or_create_secrets(tmp_path, ())
