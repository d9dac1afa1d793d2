from __future__ import annotations

import pytest

from callcenter.asterisk.ami import AmiInjectionError, check_action


def test_clean_action_passes() -> None:
    check_action({"Action": "QueuePause", "Interface": "PJSIP/1001", "Paused": "true"})


@pytest.mark.parametrize("value", ["x\r\nAction: Command", "x\nCommand: core stop now", "\r"])
def test_cr_lf_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(AmiInjectionError, match="'Interface'"):
        check_action({"Action": "QueuePause", "Interface": value})


def test_traffic_counts_bytes_and_unsolicited_events_by_name() -> None:
    from panoramisk.message import Message

    from callcenter.asterisk.ami import _CountingProtocol
    from callcenter.asterisk.traffic import Traffic

    class _Factory:
        def dispatch(self, message: Message) -> None:
            pass

    traffic = Traffic()
    protocol = _CountingProtocol(traffic)
    protocol.connection_made(transport=None)
    protocol.factory = _Factory()
    data = (
        b"Event: AgentCalled\r\nQueue: support\r\n\r\n"
        b"Event: QueueMember\r\nActionID: a1\r\nQueue: support\r\n\r\n"
        b"Event: AgentCalled\r\nQueue: sales\r\n\r\n"
    )
    protocol.data_received(data)
    assert traffic.received_bytes == len(data)
    assert traffic.events == {"AgentCalled": 2}  # QueueMember answered our action
    assert traffic.by_event() == {("AgentCalled",): 2.0}
    assert traffic.reconnects == 0
