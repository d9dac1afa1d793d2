from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    flows = tmp_path / "flows"
    shutil.copytree(ROOT / "ivr_flows", flows)
    return {
        "CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state"),
        "CALLCENTER_DAEMON__FLOWS_DIR": str(flows),
    }


def test_validate_the_demo(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["flows", "validate", "--no-sounds"], env=env)
    assert result.exit_code == 0, result.output
    assert "ok: main" in result.output


def test_validate_a_directory_as_the_set_the_daemon_would_load(
    env: dict[str, str], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "main.yaml").write_text((ROOT / "ivr_flows" / "main.yaml").read_text())
    result = CliRunner().invoke(main, ["flows", "validate", "--no-sounds", str(other)], env=env)
    assert result.exit_code == 0, result.output
    assert "ok: main" in result.output
    # The same set with a broken file in it fails, naming that file.
    broken = ROOT / "tests/unit/flows/broken/unknown-queue.yaml"
    (other / "unknown-queue.yaml").write_text(broken.read_text())
    result = CliRunner().invoke(main, ["flows", "validate", "--no-sounds", str(other)], env=env)
    assert result.exit_code == 1
    assert "unknown-queue.yaml:8:12: [unknown-queue]" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["flows", "validate", str(empty)], env=env)
    assert result.exit_code == 2
    assert "no *.yaml flow files" in result.output


def test_validate_reports_file_line_rule_and_fails(env: dict[str, str]) -> None:
    broken = ROOT / "tests/unit/flows/broken/unknown-queue.yaml"
    result = CliRunner().invoke(main, ["flows", "validate", "--no-sounds", str(broken)], env=env)
    assert result.exit_code == 1
    assert "unknown-queue.yaml:8:12: [unknown-queue] nodes.start.queue" in result.output


def test_simulate_prints_steps_and_outcome(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        ["flows", "simulate", "main", "--digits", "1,2", "--at", "2026-11-24T12:00+03:00"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "caller presses 1" in result.output
    assert "outcome: queue support" in result.output
    assert "main.main_menu[pressed:2]" in result.output


def test_simulate_out_of_hours(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["flows", "simulate", "main", "--at", "2026-12-31T12:00+03:00"], env=env
    )
    assert "outcome: hangup" in result.output
    assert "main.closed" in result.output


def test_show_mermaid_and_dot(env: dict[str, str]) -> None:
    mermaid = CliRunner().invoke(main, ["flows", "show", "main"], env=env)
    assert mermaid.output.startswith("flowchart TD")
    assert "main_menu -->|1| sales" in mermaid.output
    graph = CliRunner().invoke(main, ["flows", "show", "main", "--format", "dot"], env=env)
    assert graph.output.startswith('digraph "main"')


def test_unknown_flow_is_named(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["flows", "simulate", "nope"], env=env)
    assert result.exit_code != 0
    assert "no flow named 'nope'" in result.output


def test_reload_without_a_daemon_says_so(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["flows", "reload"], env=env)
    assert result.exit_code != 0
    assert "no running daemon" in result.output


def test_history_and_rollback_of_a_file_edited_from_the_shell(
    env: dict[str, str], tmp_path: Path
) -> None:
    cli, path = CliRunner(), tmp_path / "flows" / "main.yaml"
    first = cli.invoke(main, ["flows", "history", "main.yaml"], env=env)
    assert first.exit_code == 0, first.output
    assert re.search(r"^v1 .* on disk", first.output, re.M)
    before = path.read_text()
    path.write_text(before.replace("description: Demo main menu", "description: Edited"))
    second = cli.invoke(main, ["flows", "history", "main.yaml"], env=env)
    assert re.findall(r"^v(\d+)", second.output, re.M) == ["2", "1"]
    back = cli.invoke(main, ["flows", "rollback", "main.yaml", "1"], env=env)
    assert back.exit_code == 0, back.output
    assert "version 1 published again as version 3" in back.output
    assert path.read_text() == before
    missing = cli.invoke(main, ["flows", "rollback", "main.yaml", "99"], env=env)
    assert missing.exit_code == 1
    assert "version 99: no such version of main.yaml" in missing.output
