"""One broken-flow fixture per validation rule: the expected issue, at the expected place."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from callcenter.flows.catalog import flow_files, load_catalog
from callcenter.flows.loader import MAX_BYTES, load_flow_text
from callcenter.flows.validate import FlowContext

BROKEN = Path(__file__).parent / "broken"
ROOT = Path(__file__).resolve().parents[3]
SOUNDS = {"beep", "invalid", "goodbye"}
CTX = FlowContext(
    queues=frozenset({"sales", "support"}),
    mailboxes=frozenset({"100"}),
    extensions=frozenset({"1001"}),
    external_allowlist=frozenset({"+74951234567"}),
    sound_exists=lambda lang, name: name in SOUNDS,
)


def _expectation(path: Path) -> tuple[int, int, str, str]:
    match = re.match(r"# expect: (\d+):(\d+) (\S+) ?(\S*)", path.read_text())
    assert match, f"{path.name} lacks its '# expect:' line"
    return int(match[1]), int(match[2]), match[3], match[4]


@pytest.mark.parametrize("fixture", sorted(BROKEN.glob("*.yaml")), ids=lambda p: p.stem)
def test_each_rule_reports_its_issue_with_line_and_path(fixture: Path) -> None:
    line, column, code, path = _expectation(fixture)
    flow_set, issues = load_catalog([fixture], CTX, BROKEN)
    assert flow_set is None
    found = [(i.line, i.column, i.code, i.path) for i in issues]
    assert (line, column, code, path) in found, "\n".join(map(str, issues))
    assert all(str(i).startswith(f"{fixture.name}:") for i in issues)


def test_every_rule_has_a_fixture() -> None:
    codes = {_expectation(f)[2] for f in BROKEN.glob("*.yaml")}
    rules = {
        "unknown-node",
        "unreachable-node",
        "silent-loop",
        "duplicate-key",
        "unknown-queue",
        "unknown-mailbox",
        "unknown-calendar",
        "unknown-flow",
        "bad-pattern",
        "bad-length",
        "bad-timezone",
        "missing-sound",
        "transfer-not-allowed",
        "unknown-endpoint",
        "unset-variable",
        "schema",
        "syntax",
        "unsafe-yaml",
    }
    assert rules <= codes


def test_all_issues_are_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(
        "spec_version: 1\nname: many\nentry: start\nnodes:\n"
        "  start: {type: queue, queue: nope}\n"
        "  lost: {type: voicemail, mailbox: '999'}\n"
    )
    _, issues = load_catalog([path], CTX, tmp_path)
    assert {i.code for i in issues} == {"unknown-queue", "unknown-mailbox", "unreachable-node"}


def test_a_huge_file_is_refused_before_parsing() -> None:
    _, issues, _ = load_flow_text("#" * (MAX_BYTES + 1), "huge.yaml")
    assert [i.code for i in issues] == ["unsafe-yaml"]


def test_two_files_with_one_flow_name(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(
            "spec_version: 1\nname: same\nentry: s\nnodes:\n  s: {type: hangup}\n"
        )
    _, issues = load_catalog(flow_files(tmp_path), CTX, tmp_path)
    assert [i.code for i in issues] == ["duplicate-flow"]
    assert "a.yaml" in issues[0].message


def test_external_transfer_needs_the_allowlist(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(
        "spec_version: 1\nname: t\nentry: s\nnodes:\n  s: {type: transfer, to: '+74951234567'}\n"
    )
    flow_set, issues = load_catalog([path], CTX, tmp_path)
    assert issues == []
    assert flow_set is not None


def test_the_shipped_demo_flows_are_valid() -> None:
    ctx = FlowContext(
        queues=frozenset({"sales", "support"}),
        mailboxes=frozenset({"100"}),
        extensions=frozenset({"1001", "1002"}),
    )
    flow_set, issues = load_catalog(flow_files(ROOT / "ivr_flows"), ctx, ROOT)
    assert issues == []
    assert flow_set is not None
    assert "main" in flow_set


def test_a_node_a_queue_overflows_to_counts_as_reachable(tmp_path: Path) -> None:
    path = tmp_path / "billing.yaml"
    path.write_text(
        "spec_version: 1\nname: billing\nentry: start\nnodes:\n"
        "  start: {type: queue, queue: sales}\n"
        "  call_back: {type: callback, queue: sales}\n"
    )
    _, issues = load_catalog([path], CTX, tmp_path)
    assert [i.code for i in issues] == ["unreachable-node"]
    with_overflow = dataclasses.replace(CTX, entry_points=frozenset({("billing", "call_back")}))
    flow_set, issues = load_catalog([path], with_overflow, tmp_path)
    assert issues == []
    assert flow_set is not None


def test_a_number_routed_to_a_flow_no_file_defines_is_an_issue(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(
        "spec_version: 1\nname: main\nentry: s\nnodes:\n  s: {type: hangup}\n"
    )
    ctx = dataclasses.replace(
        CTX, routed={"daemon.entry_flow (7000)": "main", "numbers[1] (74951110002)": "sales"}
    )
    flow_set, issues = load_catalog(flow_files(tmp_path), ctx, tmp_path)
    assert flow_set is None
    (issue,) = issues
    assert (issue.code, issue.path) == ("unknown-flow", "numbers[1] (74951110002)")
    assert "'sales'" in issue.message
    assert "flows: main" in issue.message
