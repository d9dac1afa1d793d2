"""Quality review over HTTP on a real SQLite/PostgreSQL store: a scorecard and its next
version, a recorded call evaluated by two graders (their spread), an evaluation that cannot
be edited but is superseded with a reason, the agent acknowledging and disputing their own,
and bad input named by its field."""

from __future__ import annotations

from typing import Any

from callcenter.domain.tickets import Role
from tests.integration.http.conftest import Api

V1 = "/api/v1"
SECTIONS = [
    {"title": "Opening", "criteria": [
        {"id": "greeting", "text": "Greeted, named", "kind": "yes_no", "auto": "greeting"},
        {"id": "polite", "text": "Polite", "kind": "scale", "scale": 5, "weight": 2},
    ]},
]  # fmt: skip


async def call(
    api: Api, method: str, path: str, role: Role, body: Any = None, agent: str = ""
) -> tuple[int, Any]:
    headers = api.agent_auth(agent) if agent else api.auth(role)
    resp = await api.client.request(method, V1 + path, json=body, headers=headers)
    return resp.status, await resp.json()


async def test_evaluations_are_submitted_superseded_calibrated_and_answered(api: Api) -> None:
    status, form = await call(api, "POST", "/scorecards", Role.SUPERVISOR,
                              {"name": "Support", "sections": SECTIONS})  # fmt: skip
    assert status == 201, form
    assert form["version"] == 1
    rec = api.recording_id
    status, review = await call(api, "GET", f"/recordings/{rec}/review", Role.SUPERVISOR)
    assert status == 200, review
    assert [f["id"] for f in review["forms"]] == [form["id"]]
    answers = {"greeting": True, "polite": 5}
    body = {"recording_id": rec, "scorecard_id": form["id"], "answers": answers,
            "comments": [{"at": 4.2, "text": "no name said"}]}  # fmt: skip
    status, first = await call(api, "POST", "/evaluations", Role.SUPERVISOR, body)
    assert status == 201, first
    assert (first["score"], first["agent"]) == (100.0, "1001")
    # A second grader: the spread per criterion.
    other = {**body, "answers": {"greeting": False, "polite": 3}, "comments": []}
    status, second = await call(api, "POST", "/evaluations", Role.ADMIN, other)
    assert status == 201, second
    _, review = await call(api, "GET", f"/recordings/{rec}/review", Role.SUPERVISOR)
    assert review["spread"] == {"greeting": 1.0, "polite": 0.5}
    # Never edited: superseded, with a reason (required), once.
    change = {"answers": {"greeting": True, "polite": 4}, "reason": ""}
    status, err = await call(api, "POST", f"/evaluations/{first['id']}/supersede", Role.SUPERVISOR,
                             change)  # fmt: skip
    assert (status, err["error"]["field"]) == (422, "reason")
    change["reason"] = "misheard the greeting"
    status, third = await call(api, "POST", f"/evaluations/{first['id']}/supersede",
                               Role.SUPERVISOR, change)  # fmt: skip
    assert status == 201, third
    assert (third["supersedes"], third["reason"]) == (first["id"], "misheard the greeting")
    status, again = await call(api, "POST", f"/evaluations/{first['id']}/supersede",
                               Role.SUPERVISOR, change)  # fmt: skip
    assert status == 409, again
    # The agent sees their own and responds; another agent sees none of them.
    status, mine = await call(api, "GET", "/evaluations", Role.AGENT, agent="1001")
    assert {e["id"] for e in mine["items"]} == {first["id"], second["id"], third["id"]}
    _, theirs = await call(api, "GET", "/evaluations", Role.AGENT, agent="1002")
    assert theirs["items"] == []
    status, ack = await call(api, "POST", f"/evaluations/{third['id']}/acknowledge", Role.AGENT,
                             agent="1001")  # fmt: skip
    assert (status, ack["response"]) == (200, "acknowledged")
    status, disputed = await call(api, "POST", f"/evaluations/{second['id']}/dispute", Role.AGENT,
                                  {"reason": "I did greet"}, agent="1001")  # fmt: skip
    assert (status, disputed["response"], disputed["dispute"]) == (200, "disputed", "I did greet")
    status, _ = await call(api, "POST", f"/evaluations/{second['id']}/acknowledge", Role.AGENT,
                           agent="1002")  # fmt: skip
    assert status == 404


async def test_bad_scorecards_and_answers_are_refused_naming_the_field(api: Api) -> None:
    broken = [{"title": "x", "criteria": [{"id": "a", "text": "t", "kind": "stars"}]}]
    status, err = await call(api, "POST", "/scorecards", Role.SUPERVISOR,
                             {"name": "Bad", "sections": broken})  # fmt: skip
    assert (status, err["error"]["field"]) == (422, "sections[0].criteria[0].kind")
    _, v1 = await call(api, "POST", "/scorecards", Role.SUPERVISOR,
                       {"name": "Support", "sections": SECTIONS})  # fmt: skip
    # Version 2 drops "polite": answering it there names the deleted criterion.
    v2_sections = [{"title": "Opening", "criteria": [SECTIONS[0]["criteria"][0]]}]
    _, v2 = await call(api, "POST", "/scorecards", Role.SUPERVISOR,
                       {"name": "Support", "sections": v2_sections})  # fmt: skip
    assert (v2["name"], v2["version"]) == ("Support", 2)
    body = {"recording_id": api.recording_id, "scorecard_id": v2["id"],
            "answers": {"greeting": True, "polite": 4}}  # fmt: skip
    status, err = await call(api, "POST", "/evaluations", Role.SUPERVISOR, body)
    assert (status, err["error"]["field"]) == (422, "answers.polite")
    body = {**body, "scorecard_id": v1["id"], "answers": {"greeting": True, "polite": 9}}
    status, err = await call(api, "POST", "/evaluations", Role.SUPERVISOR, body)
    assert (status, err["error"]["field"]) == (422, "answers.polite")
    body["answers"] = {"greeting": True, "polite": 2}
    body["comments"] = [{"at": 500, "text": "after the end"}]
    status, err = await call(api, "POST", "/evaluations", Role.SUPERVISOR, body)
    assert (status, err["error"]["field"]) == (422, "comments[0].at")
    status, _ = await call(api, "GET", "/recordings/999999/review", Role.SUPERVISOR)
    assert status == 404
    _, sample = await call(api, "GET", "/evaluations/sample?days=7", Role.SUPERVISOR)
    assert [x["recording_id"] for x in sample["items"]] == [api.recording_id]
