"""``callcenter staff`` against a real SQLite store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}


def test_add_link_passwd_disable_and_list(env: dict[str, str]) -> None:
    cli = CliRunner()
    added = cli.invoke(
        main, ["staff", "add", "olga", "--role", "agent", "--agent", "1002"], env=env
    )
    assert added.exit_code == 0, added.output
    assert re.search(r"password \(shown once\): \S{16}", added.output)
    link = cli.invoke(main, ["staff", "link", "olga"], env=env)
    assert link.exit_code == 0, link.output
    assert re.search(r"http://127\.0\.0\.1:8080/signin/link/\S{40,}", link.output)
    piped = cli.invoke(main, ["staff", "passwd", "olga", "--password-stdin"], env=env, input="x\n")
    assert piped.exit_code == 1
    assert "at least 10 characters" in piped.output
    assert cli.invoke(main, ["staff", "locale", "olga", "ru"], env=env).exit_code == 0
    assert cli.invoke(main, ["staff", "disable", "olga"], env=env).exit_code == 0
    listed = cli.invoke(main, ["staff", "list"], env=env)
    assert re.search(r"olga\s+agent\s+1002\s+ru\s+disabled", listed.output)
    unknown = cli.invoke(main, ["staff", "locale", "olga", "fr"], env=env)
    assert unknown.exit_code == 2
    assert "fr" in unknown.output
    refused = cli.invoke(main, ["staff", "link", "olga"], env=env)
    assert refused.exit_code == 1
    assert "disabled" in refused.output


def test_bad_input_names_the_culprit(env: dict[str, str]) -> None:
    cli = CliRunner()
    taken = ["staff", "add", "lena", "--role", "supervisor"]
    assert cli.invoke(main, taken, env=env).exit_code == 0
    again = cli.invoke(main, taken, env=env)
    assert "username 'lena': taken" in again.output
    agent = cli.invoke(main, ["staff", "add", "ivan", "--role", "agent"], env=env)
    assert "needs their extension" in agent.output
    ghost = cli.invoke(main, ["staff", "link", "nobody"], env=env)
    assert "username 'nobody': no such account" in ghost.output
