from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.config import ConfigError, load_config


def test_defaults_work_without_any_file() -> None:
    config = load_config(None, environ={})
    assert config.dialplan.virtual_number == "7000"
    assert config.asterisk.sip_port == 5060
    assert config.database_url.startswith("sqlite:///")


def test_file_values_and_env_overrides(tmp_path: Path) -> None:
    path = tmp_path / "callcenter.toml"
    path.write_text('[asterisk]\nsip_port = 5070\n[dialplan]\nagents = ["2001"]\n')
    config = load_config(path, environ={"CALLCENTER_ASTERISK__SIP_PORT": "5080"})
    assert config.asterisk.sip_port == 5080
    assert config.dialplan.agents == ("2001",)


def test_env_lists_are_comma_separated() -> None:
    config = load_config(None, environ={"CALLCENTER_DIALPLAN__AGENTS": "3001, 3002"})
    assert config.dialplan.agents == ("3001", "3002")


@pytest.mark.parametrize(
    ("text", "culprit"),
    [
        ("[asterisk]\nsip_porrt = 1\n", "asterisk.sip_porrt"),
        ("[astrisk]\nsip_port = 1\n", "[astrisk]"),
        ('[asterisk]\nsip_port = "5060"\n', "asterisk.sip_port must be int"),
        ("[asterisk]\nsip_port = 70000\n", "asterisk.sip_port"),
        ('[asterisk]\nmode = "docker"\n', "asterisk.mode"),
        ('[asterisk]\nsip_bind = "lan"\n', "asterisk.sip_bind"),
        ('[dialplan]\nvirtual_number = "70a"\n', "'70a'"),
        ('[dialplan]\nagents = ["7000"]\n', "virtual_number 7000"),
        ('[dialplan]\nfallback_queue = "Bad Queue"\n', "'Bad Queue' is not a valid queue"),
        ('[dialplan]\nexternal_allowlist = ["8 800 555"]\n', "'8 800 555' is not a valid E.164"),
        ('[dialplan]\nmailboxes = ["x"]\n', "dialplan.mailboxes"),
        ('[dialplan]\ntrunk_networks = ["10.0.0.300/8"]\n', "trunk_networks"),
        ("[daemon]\nflows_poll_seconds = true\n", "daemon.flows_poll_seconds must be float"),
        ("not toml = = =\n", "invalid TOML"),
        ('[callbacks]\ntrunk_contact = "carrier.example"\n', "callbacks.trunk_contact"),
        ('[callbacks]\ncountries = ["XX"]\n', "callbacks.countries: 'XX'"),
        ('[callbacks]\ndeny = ["123"]\n', "callbacks.deny: '123'"),
        ('[callbacks]\nthanks_sound = "../x"\n', "callbacks.thanks_sound"),
        ("[callbacks]\nmax_attempts = 0\n", "callbacks: max_attempts"),
        ('[voicemail]\ngreeting_sound = "a b"\n', "voicemail.greeting_sound: 'a b'"),
        ("[voicemail]\nmax_seconds = 2\n", "voicemail: max_seconds must be 5..3600"),
        ("[voicemail]\nsweep_seconds = 0\n", "voicemail: min_seconds >= 0 and sweep_seconds"),
        ('[transcription]\nmodels = ["english"]\n', "transcription.models: 'english'"),
        ("[transcription]\nenabled = true\n", "transcription.enabled needs transcription.models"),
        ('[transcription]\nredact = ["("]\n', "transcription.redact: '('"),
        ('[cluster]\nnode = "Node A"\n', "cluster.node: 'Node A'"),
        ("[cluster]\nlease_seconds = 0.5\n", "cluster.lease_seconds: 0.5"),
        ('[cluster]\nqueues = ["Sales!"]\n', "cluster.queues: 'Sales!'"),
        ('[cluster]\nlost_calls_queue = "nowhere"\n', "cluster.lost_calls_queue: 'nowhere'"),
        ('[asterisk]\nallocator = "tcmalloc"\n', "asterisk.allocator must be one of"),
        ("[admission]\nmax_calls = -1\n", "admission.max_calls: -1"),
        ("[admission]\nmax_told = -2\n", "admission.max_told: -2"),
        ('[admission]\nmode = "drop"\n', "admission.mode: 'drop'"),
        ('[admission]\ncallback_queue = "nowhere"\n', "admission.callback_queue: 'nowhere'"),
        ('[admission]\nannouncement = "../x"\n', "admission.announcement: '../x'"),
        ("[admission]\nretry_after = 0\n", "admission.retry_after: 0"),
        ("[admission]\nmax_asterisk_cpu = 1.5\n", "max_asterisk_cpu within 0..1"),
        ("[admission]\nclose_seconds = 0.5\n", "admission.close_seconds: 0.5"),
        ("[admission]\nmax_entry_lag = -1\n", "admission.max_entry_lag: -1"),
    ],
)
def test_bad_file_values_name_the_key(tmp_path: Path, text: str, culprit: str) -> None:
    path = tmp_path / "callcenter.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert culprit in str(info.value)


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(None, environ={"CALLCENTER_ASTERISK__AMI_PORT": "five"})
    assert "CALLCENTER_ASTERISK__AMI_PORT" in str(info.value)
    assert "asterisk.ami_port" in str(info.value)


def test_unknown_env_section_is_refused() -> None:
    with pytest.raises(ConfigError, match="unknown section 'nope'"):
        load_config(None, environ={"CALLCENTER_NOPE__X": "1"})


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.toml", environ={})


def test_an_old_section_name_is_read_as_the_new_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "callcenter.toml"
    path.write_text('[shifts]\nreading_required = ["night"]\n')
    config = load_config(path, environ={"CALLCENTER_SHIFTS__SHIFT_HOURS": "6"})
    assert config.handoffs.reading_required == ("night",)
    assert config.handoffs.shift_hours == 6.0
    assert "section [shifts] is now [handoffs]" in caplog.text


def test_a_negative_stall_threshold_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"daemon\.stall_threshold_ms must be 0 \(off\)"):
        load_config(None, environ={"CALLCENTER_DAEMON__STALL_THRESHOLD_MS": "-5"})
    off = load_config(None, environ={"CALLCENTER_DAEMON__STALL_THRESHOLD_MS": "0"})
    assert off.daemon.stall_threshold_ms == 0.0


@pytest.mark.parametrize(("key", "value"), [("MALLOC_ARENAS", "65"), ("HEAP_TRIM_SECONDS", "-1")])
def test_heap_settings_out_of_range_are_refused_naming_the_key(key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=rf"daemon\.{key.lower()} must be 0 \(off\) to \d+, got"):
        load_config(None, environ={f"CALLCENTER_DAEMON__{key}": value})
    defaults = load_config(None, environ={}).daemon
    assert (defaults.malloc_arenas, defaults.heap_trim_seconds) == (2, 60.0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "PAUSE_LIMITS",
            "lunch=soon",
            r"reports\.pause_limits: 'lunch=soon' is not REASON=MINUTES",
        ),
        ("SERVICE_LEVEL_TARGET", "0", r"reports: 0 < service_level_target <= 100"),
        ("SHORT_ABANDON_SECONDS", "301", r"short_abandon_seconds 0\.\.300"),
        ("ALERT_EVERY_SECONDS", "0", r"reports\.alert_every_seconds: within 1\.\.300"),
    ],
)
def test_reports_settings_are_checked_naming_the_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, environ={f"CALLCENTER_REPORTS__{key}": value})
    assert load_config(None, environ={"CALLCENTER_REPORTS__PAUSE_LIMITS": "lunch=60"}).reports
