"""The soak benchmark's short version (benchmarks/soak.py): callers through the IVR into
the queue, answered by SIPp agents, while the AMI link is cut for 10 s, then the ARI link,
then the daemon is killed with -9 and restarted. Nothing may be lost: every caller is
answered, every call is written down once (the ones the daemon never took too, through
the fallback spool), /healthz is green again within seconds of each fault, and at the end
Asterisk holds no channel, bridge or recording of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.asterisk_state import LEFT
from benchmarks.soak import report, soak

pytestmark = pytest.mark.asterisk


def test_a_short_soak_with_faults_loses_nothing_and_writes_nothing_twice(
    instance: object, tmp_path: Path
) -> None:
    # ``instance``: the session's Asterisk is up, so the sandbox root is built; the soak
    # runs an instance of its own (its agents, its proxies, its faults).
    result = soak(
        tmp_path,
        minutes=1.0,
        rate=1.0,
        agents=8,
        faults=["ami_cut", "ari_cut", "daemon_kill"],
        database_url="",
    )
    text = report(result)
    assert result.answered == result.offered, text
    assert result.failed == 0, text
    assert result.unrecorded == 0, text
    assert result.missing == 0, text
    assert result.duplicated == 0, text
    assert [f.name for f in result.faults] == ["ami_cut", "ari_cut", "daemon_kill"]
    for fault in result.faults:
        assert fault.recovered_after is not None, text
        assert fault.recovered_after < 30, text
    assert len(result.daemon_rss) >= 10, text
    # Nothing left behind: no channel, Local channel or bridge, every recording adopted.
    assert {k: result.left[k] for k in LEFT} == dict.fromkeys(LEFT, 0), text
