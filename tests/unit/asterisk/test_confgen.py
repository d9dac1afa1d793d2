from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest

from callcenter.asterisk.confgen import (
    AsteriskLayout,
    render_all,
    render_text,
    template_values,
    write_config,
)
from callcenter.asterisk.confgen_sections import TemplateError
from callcenter.config import load_config
from callcenter.secrets import load_or_create_secrets

LAYOUT = AsteriskLayout(
    etc_dir="/i/etc",
    lib_dir="/i/lib",
    spool_dir="/i/spool",
    run_dir="/i/run",
    log_dir="/i/log",
    mod_dir="/usr/lib/asterisk/modules",
    data_dir="/usr/share/asterisk",
    moh_dir="/usr/share/asterisk/moh",
    recordings_dir="/i/recordings",
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    config = load_config(None, environ={"CALLCENTER_ASTERISK__AMI_PORT": "6038"})
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    return render_all(template_values(config, secrets, LAYOUT))


def _ini(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(
        strict=False, delimiters=("=", "=>"), inline_comment_prefixes=(";",)
    )
    parser.read_string("\n".join(ln for ln in text.splitlines() if not ln.startswith("#")))
    return parser


def test_every_file_asterisk_needs_is_rendered(files: dict[str, str]) -> None:
    needed = {
        "asterisk.conf",
        "modules.conf",
        "logger.conf",
        "pjsip.conf",
        "extensions.conf",
        "manager.conf",
        "http.conf",
        "ari.conf",
        "queues.conf",
        "voicemail.conf",
        "rtp.conf",
        "musiconhold.conf",
        "dialplan/callcenter.conf",
    }
    assert needed <= set(files)
    assert not any("{{" in text for text in files.values())


def test_ami_and_ari_listen_on_loopback_only(files: dict[str, str]) -> None:
    manager = _ini(files["manager.conf"])
    assert manager.get("general", "bindaddr") == "127.0.0.1"
    assert manager.get("general", "port") == "6038"
    assert _ini(files["http.conf"]).get("general", "bindaddr") == "127.0.0.1"


def test_daemon_ami_user_has_least_privilege(files: dict[str, str]) -> None:
    user = _ini(files["manager.conf"])["callcenterd"]
    # No right to act on the system, run commands or change configuration: with "system"
    # write, Originate could run System() — a shell. The registrations' state is read with
    # "reporting" (PJSIPShowRegistrationsOutbound takes either).
    assert not set(user["write"].split(",")) & {"system", "command", "config", "all"}
    # Reading "system" events is let through for one event only (the filter): Registry.
    assert not set(user["read"].split(",")) & {"command", "config", "all"}
    system_events = {"Registry"}
    filtered = re.findall(r"^eventfilter\(name\((\w+)\)\) =$", files["manager.conf"], re.M)
    assert system_events <= set(filtered)
    assert user["permit"].startswith("127.0.0.1")


def test_secrets_are_generated_not_defaults(files: dict[str, str], tmp_path: Path) -> None:
    secrets = load_or_create_secrets(tmp_path, ())
    assert f"secret = {secrets.ami_password}" in files["manager.conf"]
    assert f"password = {secrets.ari_password}" in files["ari.conf"]


def test_virtual_number_enters_stasis_with_a_fallback(files: dict[str, str]) -> None:
    dialplan = files["dialplan/callcenter.conf"]
    assert "exten => 7000,1," in dialplan
    assert "Stasis(${ARI_APP},inbound)" in dialplan
    assert '"${STASISSTATUS}" = "FAILED"]?callcenter-fallback,s,1' in dialplan
    assert "Queue(${FALLBACK_QUEUE}" in dialplan


def test_agents_become_endpoints_and_fallback_members(files: dict[str, str]) -> None:
    pjsip = files["pjsip.conf"]
    assert "[1001]\ntype = endpoint" in pjsip
    assert "member => PJSIP/1002,0,Agent 1002" in files["queues.conf"]


def test_unknown_placeholder_names_file_and_key() -> None:
    with pytest.raises(TemplateError, match=r"x\.conf: unknown placeholder \{\{nope\}\}"):
        render_text("x.conf", "a = {{nope}}", {})


def test_a_value_cannot_add_lines(tmp_path: Path) -> None:
    config = load_config(None, environ={})
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    bad = AsteriskLayout(**{**LAYOUT.__dict__, "etc_dir": "/x\n[evil]"})
    with pytest.raises(TemplateError, match="newline"):
        template_values(config, secrets, bad)


def test_written_files_are_not_world_readable(tmp_path: Path, files: dict[str, str]) -> None:
    write_config(tmp_path / "etc", files)
    assert (tmp_path / "etc" / "manager.conf").stat().st_mode & 0o007 == 0


def test_pause_feature_codes_follow_the_configured_reasons(files: dict[str, str]) -> None:
    dialplan = files["dialplan/callcenter.conf"]
    agents = dialplan[dialplan.index("[agents]") : dialplan.index("[callcenter-fallback]")]
    assert "exten => *731,1,Answer()" in agents
    assert "PauseQueueMember(,PJSIP/${CHANNEL(endpoint)},,lunch)" in agents
    assert "exten => *74,1,Answer()" in agents
    assert "exten => *75,1,Gosub(callcenter-agent-request,s,1(login))" in agents
    assert "exten => *76,1,Gosub(callcenter-agent-request,s,1(logout))" in agents
    assert "CALLERID" not in agents.split("exten => *731")[1]  # never a forgeable caller id


def test_queues_file_sets_parameters_and_overflow(files: dict[str, str]) -> None:
    queues = files["queues.conf"]
    sales = queues[queues.index("[sales]") : queues.index("[support]")]
    assert "wrapuptime = 5" in sales
    assert "maxlen = 10" in sales
    assert "announce-position = yes" in sales
    assert "member =>" not in queues.split("[sales]")[1]  # logged-in agents join over AMI
    fallback = queues[queues.index("[fallback]") : queues.index("[sales]")]
    assert "member => PJSIP/1001" in fallback  # everyone, when the daemon is down
    globals_ = files["extensions.conf"]
    assert "OVERFLOW_sales = support" in globals_
    assert "MAXWAIT_support = 900" in globals_
    # Support answers mailbox 100: with the daemon down, its callers leave messages there.
    assert "MAILBOX_support = 100" in globals_
    assert "MAILBOX_sales = \n" in globals_


def test_a_missing_or_broken_queues_file_is_named(tmp_path: Path) -> None:
    secrets = load_or_create_secrets(tmp_path, ("1001",))
    missing = load_config(
        None, environ={"CALLCENTER_DIALPLAN__QUEUES_FILE": str(tmp_path / "nope.yaml")}
    )
    with pytest.raises(TemplateError, match=r"nope\.yaml: queues file not found"):
        template_values(missing, secrets, LAYOUT)
    bad = tmp_path / "bad.yaml"
    bad.write_text("spec_version: 1\nqueues:\n  sales: {max_wait: forever}\n")
    broken = load_config(None, environ={"CALLCENTER_DIALPLAN__QUEUES_FILE": str(bad)})
    with pytest.raises(
        TemplateError, match=r"bad.yaml: queues.sales.max_wait: must be a whole number"
    ):
        template_values(broken, secrets, LAYOUT)


def test_the_trunk_is_identified_by_address_only(files: dict[str, str]) -> None:
    pjsip = files["pjsip.conf"]
    assert "endpoint_identifier_order = ip,username,header\n" in pjsip
    trunk = pjsip[pjsip.index("[trunk]\ntype = endpoint") :]
    assert trunk.split("\n")[2] == "identify_by = ip"
    assert "match = 127.0.0.2/32" in pjsip
    agent = pjsip[pjsip.index("[1001]\ntype = endpoint") :]
    assert agent.split("\n")[2] == "identify_by = username"
    # The web-call endpoint is never taken by user name (or address): only by the header
    # carrying the generated secret the daemon's SIP websocket adds.
    web = pjsip[pjsip.index("[webcall]\ntype = endpoint") :]
    assert web.split("\n")[2] == "identify_by = header"
    assert "context = callcenter-web\n" in web
    assert "match_header = X-CC-Web: " in web


def test_ami_sends_only_the_events_the_daemon_uses(files: dict[str, str]) -> None:
    from callcenter.asterisk.ami_events import USED_EVENTS

    user = _ini(files["manager.conf"])["callcenterd"]
    # call: Hangup (lost calls); system: Registry (trunks), nothing else of it (the filters)
    assert user["read"] == "call,agent,user,security,system"
    filters = [ln for ln in files["manager.conf"].splitlines() if ln.startswith("eventfilter")]
    assert filters == [f"eventfilter(name({name})) =" for name in USED_EVENTS]


def test_without_filters_every_event_is_sent(tmp_path: Path) -> None:
    config = load_config(None, environ={"CALLCENTER_ASTERISK__EVENT_FILTERS": "false"})
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    manager = render_all(template_values(config, secrets, LAYOUT))["manager.conf"]
    assert "read = call,agent,user,dtmf,reporting,dialplan\n" in manager
    assert "eventfilter" not in manager.replace("event_filters", "")


def test_rtp_binds_to_the_sip_address_when_sip_listens_on_one(tmp_path: Path) -> None:
    """Bound to 0.0.0.0, Asterisk resolves its own name for every call leg (DNS off-box)."""
    config = load_config(None, environ={"CALLCENTER_ASTERISK__SIP_BIND": "127.0.0.1"})
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    files = render_all(template_values(config, secrets, LAYOUT))
    pjsip = files["pjsip.conf"]
    # The trunk, the two agents and the web-call endpoint.
    assert pjsip.count("media_address = 127.0.0.1\nbind_rtp_to_media_address = yes") == 4
    assert "icesupport = yes" in files["rtp.conf"]  # web calls are on by default
    everywhere = load_config(None, environ={})
    files = render_all(template_values(everywhere, secrets, LAYOUT))
    assert "media_address" not in files["pjsip.conf"]


def test_queue_calls_are_recorded_per_speaker_by_the_dialplan(files: dict[str, str]) -> None:
    dialplan = files["dialplan/callcenter.conf"]
    record = dialplan.split("[callcenter-record]")[1].split("\n[")[0]
    (line,) = [ln for ln in record.splitlines() if "MixMonitor(" in ln]
    # D: two channels (caller left, what they hear right), .raw as D requires.
    assert "MixMonitor(/i/recordings/${CC_RECORDING},D," in line
    # The marker is written then renamed; nothing the caller controls reaches the shell.
    assert "> /i/spool/recordings/${UNIQUEID}.part && mv" in line
    assert "CALLERID" not in line
    assert dialplan.count("Gosub(callcenter-record,s,1(") == 2  # queues and the fallback
    assert "RECORDINGS = 1" in files["extensions.conf"]
    # A barge and the wait announcer's words: recorded apart, added to the call's (sides).
    side = dialplan.split("[callcenter-side-record]")[1].split("\n[")[0]
    assert "MixMonitor(/i/recordings/${CC_SIDE}.raw,D,mv " in side
    assert "${CC_SIDE}.side)" in side
    spy = dialplan.split("[callcenter-spy]")[1].split("\n[")[0]
    assert spy.index("callcenter-side-record,s,1(") < spy.index("ChanSpy(")
    assert "callcenter-side-record,s,1(${CC_WHISPER_TO},R)" in dialplan


def test_only_supervisor_endpoints_spy_and_on_the_exact_channel(tmp_path: Path) -> None:
    config = load_config(None, environ={"CALLCENTER_DIALPLAN__SUPERVISORS": "1090"})
    secrets = load_or_create_secrets(tmp_path, config.dialplan.phones)
    files = render_all(template_values(config, secrets, LAYOUT))
    dialplan = files["dialplan/callcenter.conf"]
    assert "exten => 1090,1,Return()" in dialplan.split("[callcenter-supervisors]")[1]
    assert "DIALPLAN_EXISTS(callcenter-supervisors,${CHANNEL(endpoint)},1)" in dialplan
    assert "ChanSpy(${CC_SPY},qEu${ARG2})" in dialplan  # u: never a name prefix
    assert "[1090]" in files["pjsip.conf"]  # the supervisor's phone has an account…
    assert "PJSIP/1090" not in files["queues.conf"]  # …and takes no queue calls


def test_ivr_legs_are_recorded_from_the_start_when_asked(tmp_path: Path) -> None:
    config = load_config(None, environ={"CALLCENTER_RECORDINGS__IVR": "true"})
    files = render_all(template_values(config, load_or_create_secrets(tmp_path, ()), LAYOUT))
    assert "RECORD_IVR = 1" in files["extensions.conf"]
    inbound = files["dialplan/callcenter.conf"].split("[from-trunk]")[1].split("Stasis(")[0]
    assert 'GosubIf($["${RECORD_IVR}" = "1"]?callcenter-record,s,1)' in inbound


def test_admission_holds_in_the_dialplan_before_the_ivr(tmp_path: Path) -> None:
    config = load_config(
        None,
        environ={
            "CALLCENTER_ADMISSION__MAX_CALLS": "30",
            "CALLCENTER_ADMISSION__MAX_RATE": "4",
            "CALLCENTER_ADMISSION__MODE": "refuse",
            "CALLCENTER_ADMISSION__MAX_TOLD": "12",
        },
    )
    secrets = load_or_create_secrets(tmp_path, config.dialplan.agents)
    files = render_all(template_values(config, secrets, LAYOUT))
    globals_ = files["extensions.conf"]
    for line in (
        "ADMIT_MAX_CALLS = 30",
        "ADMIT_MAX_RATE = 4",
        "ADMIT_MODE = refuse",
        "ADMIT_MAX_TOLD = 12",
    ):
        assert line in globals_
    assert "ADMIT_QUEUE = sales" in globals_  # callback_queue "": the first queue
    assert "ADMIT_CLOSED_UNTIL = 0" in globals_
    inbound = files["dialplan/callcenter.conf"].split("[callcenter-inbound]")[1]
    gate = inbound.index("Gosub(callcenter-admission,s,1)")
    assert gate < inbound.index("Stasis(${ARI_APP},inbound)")
    assert "callcenter-overload,s,1" in inbound[gate : inbound.index("Stasis(")]
    overload = files["dialplan/callcenter.conf"].split("[callcenter-overload]")[1].split("\n[")[0]
    assert "Hangup(34)" in overload  # 503
    # Past ADMIT_MAX_TOLD callers being told, the next is refused before anything is played.
    told = overload.index("GROUP_COUNT(told@callcenter)")
    assert told < overload.index("Set(GROUP(callcenter)=told)") < overload.index("Answer()")
    assert "Stasis(" not in overload  # nothing waits on the daemon, whose load may be why
    assert "/i/spool/callcenter-capacity-${UNIQUEID}.call" in overload
