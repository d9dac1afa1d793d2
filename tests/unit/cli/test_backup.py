"""`callcenter backup` / `restore` on SQLite without Asterisk: a round trip keeps the
database and the secrets; what is not a backup is refused by name, nothing written."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main
from callcenter.secrets import load_or_create_secrets


def _env(state: Path) -> dict[str, str]:
    return {
        "CALLCENTER_INSTANCE__STATE_DIR": str(state),
        "CALLCENTER_DAEMON__FLOWS_DIR": str(state / "flows"),  # never the checkout's
    }


def test_a_backup_restores_into_a_fresh_state_directory(tmp_path: Path) -> None:
    cli, old, new = CliRunner(), tmp_path / "old", tmp_path / "new"
    assert cli.invoke(main, ["db", "upgrade"], env=_env(old)).exit_code == 0
    load_or_create_secrets(old, ("1001",))
    (old / "flows").mkdir()
    (old / "flows" / "main.yaml").write_text("name: main\n")
    assert cli.invoke(main, ["tokens", "create", "--role", "admin"], env=_env(old)).exit_code == 0
    archive = tmp_path / "b.tar.gz"
    taken = cli.invoke(main, ["backup", "--out", str(archive)], env=_env(old))
    assert taken.exit_code == 0, taken.output
    restored = cli.invoke(main, ["restore", str(archive)], env=_env(new))
    assert restored.exit_code == 0, restored.output
    assert (new / "secrets.json").read_text() == (old / "secrets.json").read_text()
    assert (new / "flows" / "main.yaml").read_text() == "name: main\n"
    listed = cli.invoke(main, ["tokens", "list"], env=_env(new))
    assert "admin" in listed.output


def test_what_is_not_a_backup_is_refused_and_nothing_written(tmp_path: Path) -> None:
    cli, new = CliRunner(), tmp_path / "new"
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    empty = tmp_path / "empty.tar.gz"
    with tarfile.open(empty, "w:gz") as tar:
        info = tarfile.TarInfo("readme")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    for archive in (text, empty):
        result = cli.invoke(main, ["restore", str(archive)], env=_env(new))
        assert result.exit_code == 1, result.output
        assert "not a callcenter backup" in result.output
        assert str(archive) in result.output
    assert not (new / "secrets.json").exists()
    assert not (new / "callcenter.sqlite3").exists()
