"""Post-call surveys on real calls: a SIPp caller talks to a SIPp agent in the surveys
queue (survey: true), the agent hangs up, the caller presses 4 and says a comment — the
score and the comment's words land on the survey, the call's interaction (shown once a
supervisor reviewed it) and the CSAT report; a caller who hangs up at the question counts
as "no answer", never as a score. Then the surveys page in Chromium, and a survey link
used once."""

from __future__ import annotations

import array
import asyncio
import subprocess
import urllib.error
import urllib.parse
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from selenium.webdriver.common.by import By

from callcenter.app import ticket_store
from callcenter.cli import main
from callcenter.domain.tickets import Role
from callcenter.secrets import load_or_create_secrets
from callcenter.store.db import make_engine, make_sessions
from tests.support.axe import page_loaded, violations
from tests.support.calls import new_caller
from tests.support.daemon_api import api_call, api_token
from tests.support.instance import DaemonProcess, Instance
from tests.support.rtp_audio import rtp_pcap, to_8khz
from tests.support.sipp import PHONE_IP, Sipp
from tests.support.sipp_scenarios import busy_agent_scenario
from tests.support.staff import sign_in
from tests.support.until import until

pytestmark = pytest.mark.asterisk

AGENT = "1088"


@pytest.fixture
def survey_agent(instance: Instance) -> Iterator[str]:
    """Agent 1088, the only one skilled in "surveys"; yields the SIP password."""
    cli = CliRunner()
    added = cli.invoke(
        main, ["agents", "add", "Sam Survey", "--ext", AGENT, "--skills", "surveys"],
        env=instance.env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    yield load_or_create_secrets(instance.config.state_dir, ()).agent_passwords[AGENT]
    cli.invoke(main, ["agents", "remove", AGENT], env=instance.env)


def speech(text: str, work: Path) -> array.array[int]:
    """espeak-ng's Korean for ``text``, as 8 kHz samples (the test model is Korean)."""
    wav = work / "comment.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        samples = array.array("h", w.readframes(w.getnframes()))
        return to_8khz(samples, w.getframerate())


def ticket_of(instance: Instance, call_id: str) -> int | None:
    engine = make_engine(instance.config.database_url)
    try:
        return asyncio.run(
            ticket_store(instance.config, make_sessions(engine)).call_ticket(call_id)
        )
    finally:
        engine.dispose()


def fetch(url: str, data: bytes | None = None) -> str:
    """A page of the daemon's (http on loopback), as a visitor's browser gets it."""
    assert url.startswith("http://127.0.0.1:"), url
    with urllib.request.urlopen(url, data=data, timeout=10) as page:  # noqa: S310 (checked)
        return str(page.read().decode())


def surveys_of(daemon: DaemonProcess, token: str) -> dict[str, dict[str, Any]]:
    items = api_call(daemon, token, "GET", "/surveys?days=1&limit=200")["items"]
    return {s["call_id"]: s for s in items if s["queue"] in ("surveys", "flowsurvey")}


def test_a_caller_scores_and_comments_after_the_agent_hangs_up(
    instance: Instance,
    transcribing: DaemonProcess,
    sipp: Sipp,
    survey_agent: str,
) -> None:
    daemon = transcribing
    lead = api_token(instance, Role.SUPERVISOR)
    api_call(daemon, lead, "POST", f"/agents/{AGENT}/login")
    before = set(surveys_of(daemon, lead))
    port = sipp.register_agent(AGENT, survey_agent)
    # The agent answers both calls at once and hangs up after 2 s of talk.
    phone = sipp.start(
        f"agent-{AGENT}", busy_agent_scenario(talk_for=2.0), port=port, timeout=90,
        load=("-m", "2"), local_ip=PHONE_IP,
    )  # fmt: skip
    # The survey asks (a beep, then 6 s, twice) from about 4 s after the caller's answer:
    # 4 at 8 s; the comment prompt (vm-intro, 5.7 s) and the beep, then the words, then
    # 3 s of silence end the comment.
    says = rtp_pcap(
        sipp.work_dir / "survey.pcap",
        [("tone", 0, 8), ("digit", "4", 0), ("tone", 0, 8.5),
         ("pcm", speech("안녕하세요 택배가 아직 안 왔어요 확인해 주세요", sipp.work_dir), 0),
         ("tone", 0, 8)],
    )  # fmt: skip
    number = instance.config.dialplan.virtual_number
    scored = new_caller("79210")
    sipp.call(number, scored, audio=str(says), bye_timeout=60).assert_ok(70)
    # Through a flow whose queue node asks for the survey (its queue does not).
    gone = new_caller("79219")
    sipp.call(number, gone, hangup_after=7.0).assert_ok(30)  # hangs up at the question
    phone.assert_ok(30)
    api_call(daemon, lead, "POST", f"/agents/{AGENT}/logout")

    new = until(
        lambda: len(s := {k: v for k, v in surveys_of(daemon, lead).items() if k not in before})
        == 2 and s,
        20, what="both calls' surveys",
    )  # fmt: skip
    by_outcome = {s["outcome"]: s for s in new.values()}
    answered, silent = by_outcome["answered"], by_outcome["no_answer"]
    assert answered["scores"] == [4]
    assert answered["agent"] == AGENT
    assert answered["comment"] is True
    assert silent["queue"] == "flowsurvey"
    assert silent["scores"] == []
    assert silent["comment"] is False
    # The comment is written down (the transcripts' worker decodes it as a voicemail's).
    done = until(
        lambda: (s := surveys_of(daemon, lead)[answered["call_id"]])["comment_text"] and s,
        90, what="the comment's transcript",
    )  # fmt: skip
    assert done["comment_text"].strip()
    # CSAT: one answer (a 4: satisfied), one asked who gave none.
    csat = api_call(daemon, lead, "GET", "/surveys/csat?by=queue&days=1")["items"]
    rows = {r["key"]: r for r in csat}
    assert rows["surveys"]["answered"] >= 1
    assert rows["surveys"]["csat"] is not None
    assert rows["flowsurvey"]["no_answer"] >= 1

    # On the call's interaction: hidden (its id only) until a supervisor reviewed it.
    agent = api_token(instance, Role.AGENT, AGENT)

    def call_data(token: str) -> dict[str, Any] | None:
        """The call's interaction data as the API shows it to ``token``."""
        number = ticket_of(instance, answered["call_id"])
        if number is None:
            return None
        view = api_call(daemon, token, "GET", f"/tickets/{number}")
        found = [i["data"] for i in view["timeline"] if i["source_id"] == answered["call_id"]]
        return dict(found[0]) if found and "survey" in found[0] else None

    hidden = until(lambda: call_data(agent), 40, what="the survey on the call's interaction")
    assert hidden["survey"] == {"id": answered["id"], "reviewed": False}
    assert "survey_comment" not in hidden
    api_call(daemon, lead, "POST", f"/surveys/{answered['id']}/review")
    shown = until(
        lambda: (d := call_data(agent)) and d["survey"].get("reviewed") and d, 20,
        what="the reviewed survey on the interaction",
    )  # fmt: skip
    assert shown["survey"]["scores"] == [4]


def test_the_surveys_page_and_a_link_used_once(
    instance: Instance, transcribing: DaemonProcess, browser: Any
) -> None:
    daemon = transcribing
    lead = api_token(instance, Role.SUPERVISOR)
    call_id = f"{new_caller()[-9:]}.77"
    link = api_call(
        daemon, lead, "POST", "/surveys/links", {"call_id": call_id, "queue": "surveys"}
    )
    form = fetch(link["url"])
    assert 'name="q1"' in form
    assert "<script" not in form
    answer = urllib.parse.urlencode({"q1": "5"}).encode()
    done = fetch(link["url"], answer)
    assert "Thank you" in done
    with pytest.raises(urllib.error.HTTPError) as spent:
        fetch(link["url"], answer)
    assert spent.value.code == 410
    survey = next(s for s in api_call(daemon, lead, "GET", "/surveys?days=1")["items"]
                  if s["id"] == link["id"])  # fmt: skip
    assert survey["scores"] == [5]
    assert survey["channel"] == "link"

    sign_in(browser, instance, daemon, Role.SUPERVISOR)
    browser.get(f"{daemon.url}/surveys")
    page_loaded(browser)
    row = until(
        lambda: browser.find_elements(By.CSS_SELECTOR, f'tr[data-survey="{link["id"]}"]'),
        15, what="the link's answer on the page",
    )  # fmt: skip
    row[0].find_element(By.CSS_SELECTOR, "button.review").click()
    until(
        lambda: not browser.find_elements(
            By.CSS_SELECTOR, f'tr[data-survey="{link["id"]}"] button.review'
        ),
        10, what="the answer marked seen",
    )  # fmt: skip
    assert browser.find_elements(By.CSS_SELECTOR, "#chart-wait rect")
    assert violations(browser) == []
