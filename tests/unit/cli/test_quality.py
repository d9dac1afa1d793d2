"""``callcenter surveys`` and ``callcenter quality`` on a real SQLite store: a survey link
made once per call, a scorecard defined and versioned from a JSON file (a broken one named
by its path), the empty lists said as such."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main

SECTIONS = [{"title": "Opening", "criteria": [
    {"id": "greeting", "text": "Greeted, said their name", "kind": "yes_no", "auto": "greeting"},
]}]  # fmt: skip


def test_surveys_and_scorecards_from_the_terminal(tmp_path: Path) -> None:
    env = {"CALLCENTER_INSTANCE__STATE_DIR": str(tmp_path / "state")}
    cli = CliRunner()
    link = cli.invoke(main, ["surveys", "link", "1764669600.5", "--queue", "support"], env=env)
    assert link.exit_code == 0, link.output
    assert "/survey/" in link.output
    again = cli.invoke(main, ["surveys", "link", "1764669600.5"], env=env)
    assert again.exit_code == 1
    assert "already has a survey link" in again.output
    assert cli.invoke(main, ["surveys", "csat"], env=env).output == "no surveys in this period\n"
    drivers = cli.invoke(main, ["surveys", "drivers"], env=env)
    assert drivers.output.splitlines()[0] == "wait:"

    form = tmp_path / "support.json"
    form.write_text(json.dumps({"sections": SECTIONS}), encoding="utf-8")
    for version in (1, 2):
        made = cli.invoke(main, ["quality", "define", "Support", str(form)], env=env)
        assert made.exit_code == 0, made.output
        assert made.output.endswith(f"Support v{version}\n")
    listed = cli.invoke(main, ["quality", "scorecards"], env=env)
    assert "Support v2" in listed.output
    assert "greeting: Greeted, said their name (yes_no, weight 1, auto greeting)" in listed.output
    form.write_text(json.dumps([{"title": "x", "criteria": [{"id": "A!", "text": "t"}]}]))
    bad = cli.invoke(main, ["quality", "define", "Support", str(form)], env=env)
    assert bad.exit_code == 1
    assert "sections[0].criteria[0].id" in bad.output
    assert "no recorded calls" in cli.invoke(main, ["quality", "sample"], env=env).output
