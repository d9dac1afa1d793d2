from __future__ import annotations

import pytest

from callcenter.asterisk.ami import AmiInjectionError, check_action


def test_clean_action_passes() -> None:
    check_action({"Action": "QueuePause", "Interface": "PJSIP/1001", "Paused": "true"})


@pytest.mark.parametrize("value", ["x\r\nAction: Command", "x\nCommand: core stop now", "\r"])
def test_cr_lf_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(AmiInjectionError, match="'Interface'"):
        check_action({"Action": "QueuePause", "Interface": value})
