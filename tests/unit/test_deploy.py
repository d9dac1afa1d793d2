"""What ships for monitoring: the Prometheus rules pass promtool (and its unit tests: they
fire on the series that should raise them), and the Grafana dashboard asks only for metrics
the daemon exposes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "callcenter.rules.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "callcenter.json"
METRIC = re.compile(r"callcenter_[a-z_]+")


def _promtool() -> str:
    tool = shutil.which("promtool")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs promtool (make test installs Debian's prometheus package)")
        pytest.skip("promtool is not installed (scripts/install-system-deps.sh --tests)")
    return tool


def test_the_alert_rules_pass_promtool_and_its_unit_tests() -> None:
    tool = _promtool()
    checked = subprocess.run([tool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        [tool, "test", "rules", "deploy_rules_test.yml"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr


def _exposed() -> set[str]:
    """Every metric name the daemon's code registers (histograms and counters by base)."""
    names = set()
    for path in (REPO / "callcenter").rglob("*.py"):
        names.update(METRIC.findall(path.read_text()))
    return names


def _base(name: str) -> str:
    return re.sub(r"_(bucket|sum|count|total)$", "", name)


@pytest.mark.parametrize("source", [RULES, DASHBOARD])
def test_monitoring_asks_only_for_metrics_the_daemon_exposes(source: Path) -> None:
    exposed = {_base(n) for n in _exposed()}
    asked = {_base(n) for n in METRIC.findall(source.read_text())}
    assert asked, source
    assert asked <= exposed, asked - exposed


def test_the_dashboard_is_grafana_json_with_a_prometheus_source() -> None:
    dash = json.loads(DASHBOARD.read_text())
    assert dash["uid"] == "callcenter"
    assert {p["datasource"]["type"] for p in dash["panels"]} == {"prometheus"}
    assert all(p["targets"][0]["expr"] for p in dash["panels"])


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """As an install would place them: the paths point at this checkout's virtualenv."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI needs systemd-analyze (make test installs Debian's systemd)")
        pytest.skip("systemd-analyze is not installed")
    units = []
    for unit in sorted((REPO / "deploy" / "systemd").glob("*.service")):
        text = unit.read_text().replace("/opt/callcenter", str(REPO))
        assert "Restart=" in text, unit.name
        assert "NoNewPrivileges=yes" in text, unit.name
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    assert len(units) == 2
    verified = subprocess.run(
        [tool, "verify", "--man=no", *units], capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stderr.strip() == ""
