from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.domain.voicemails import (
    NewVoicemail,
    VoicemailError,
    VoicemailSource,
    audio_path,
    caller_number,
    live_key,
    parse_spool_message,
    recording_key,
)

# What app_voicemail 22 writes (apps/app_voicemail.c leave_voicemail), flag and duration
# appended once the recording ended.
SPOOL_TEXT = """;
; Message Information file
;
[message]
origmailbox=100
context=callcenter-voicemail
exten=s
rdnis=unknown
priority=2
callerchan=PJSIP/trunk-00000004
callerid="Caller" <79181234567>
origdate=Wed Dec  2 07:36:05 AM UTC 2026
origtime=1796196965
category=
msg_id=1796196965-00000000
flag=
duration=11
"""


def test_a_spool_message_is_read_from_app_voicemails_text() -> None:
    message = parse_spool_message(SPOOL_TEXT, "100", "msg0000.txt")
    assert message.msg_id == "1796196965-00000000"
    assert message.key == "spool:1796196965-00000000"
    assert message.caller == "79181234567"
    assert message.received_at == datetime.fromtimestamp(1796196965, UTC)
    assert message.duration == 11.0
    assert message.channel == "PJSIP/trunk-00000004"


@pytest.mark.parametrize(
    ("change", "culprit"),
    [
        ("msg_id=1796196965-00000000", "msg_id"),
        ("origtime=1796196965", "origtime"),
        ("duration=11", "duration"),
    ],
)
def test_a_spool_message_with_a_bad_field_names_the_file_and_the_field(
    change: str, culprit: str
) -> None:
    broken = SPOOL_TEXT.replace(change, f"{culprit}=not/valid here")
    with pytest.raises(VoicemailError, match=rf"msg0003\.txt: {culprit}"):
        parse_spool_message(broken, "100", "msg0003.txt")


@pytest.mark.parametrize(
    ("callerid", "number"),
    [
        ('"Caller" <79181234567>', "79181234567"),
        ("<+79181234567>", "+79181234567"),
        ("79181234567", "79181234567"),
        ('"Unknown" <Unknown>', ""),
        ("Unknown", ""),
        ('"x" <12;rm -rf>', ""),
        ("", ""),
    ],
)
def test_the_callers_number_only_digits_and_a_plus(callerid: str, number: str) -> None:
    assert caller_number(callerid) == number


def test_keys_paths_and_the_recording_key() -> None:
    assert live_key("1796196726.0") == "live:1796196726.0"
    at = datetime(2026, 12, 2, 23, 59, tzinfo=UTC)
    assert audio_path("spool:1796196965-00000000", at) == (
        "voicemail/2026/12/02/spool-1796196965-00000000.wav"
    )
    assert recording_key("live:1.2") == "vm:live:1.2"
    for bad in ("live:../../etc", "other:1", "live:", "spool:a b"):
        with pytest.raises(VoicemailError, match="voicemail key"):
            audio_path(bad, at)


def test_a_new_message_checks_its_key_and_mailbox() -> None:
    fields = dict(
        queue="support",
        caller="+79181234567",
        received_at=datetime(2026, 12, 2, tzinfo=UTC),
        duration=3.0,
        source=VoicemailSource.LIVE,
        path="voicemail/x.wav",
        audio_bytes=48000,
        sha256="",
    )
    with pytest.raises(VoicemailError, match="mailbox 'box' is not 2-10 digits"):
        NewVoicemail(key="live:1.1", mailbox="box", **fields)  # type: ignore[arg-type]
    with pytest.raises(VoicemailError, match="voicemail key"):
        NewVoicemail(key="1.1", mailbox="100", **fields)  # type: ignore[arg-type]
