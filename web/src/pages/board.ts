// The supervisor's board: each queue live (waiting, longest wait, today's figures), every
// agent in one sortable list with listen / whisper / barge, missing-recording alarms, the
// transcription backlog and shift handoffs (drawn).

import "./board.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, duration, number, percent, time } from "../shell/format";
import { t } from "../shell/i18n";
import { showAlerts } from "../parts/alert_banner";
import { showTrunks } from "../parts/trunk_banner";
import { showAdmission } from "../parts/admission_line";
import { markLoaded, startPage } from "../shell/shell";
import { stackedBars } from "../ui/bars";
import { byId, cell, errorText, h, input, link } from "../ui/dom";
import { DataTable } from "../ui/table";
import { agentState } from "../ui/states";

type Live = Answer<operations["live_queues"]>;
type Agent = Live["agents"][number];
type Queue = Live["queues"][number];

const ctx = startPage();
useSession(ctx.csrf);
const svg = (id: string) => byId(id) as unknown as SVGSVGElement;
const phone = input("my-phone");
phone.value = localStorage.getItem("cc-supervisor-phone") ?? "";
phone.addEventListener("change", () => localStorage.setItem("cc-supervisor-phone", phone.value));
const filter = input("agent-filter");
let latest: Live | null = null;

function queueBlock(q: Queue): HTMLElement {
  const block = h("section", { class: "queue-block", "aria-labelledby": "queue-" + q.queue });
  const heading = t("board.queue_line", { queue: q.queue, count: q.waiting.length, longest: duration(q.longest_wait) });
  block.append(h("h2", { id: "queue-" + q.queue }, heading));
  const k = q.today;
  if (k) {
    const today = t("board.today", {
      offered: number(k.offered),
      answered: number(k.answered),
      sl: percent(k.service_level),
      asa: duration(k.average_speed_of_answer),
      abandoned: percent(k.abandonment_rate),
      overflowed: number(k.timed_out),
      aht: duration(k.average_handle_time),
    });
    block.append(h("p", { class: "today" }, today));
  }
  const table = h("table");
  for (const a of q.agents) {
    const row = table.insertRow();
    row.id = `agent-${q.queue}-${a.agent}`;
    cell(row, a.agent);
    cell(row, agentState(a.state, a.pause_reason), a.state);
    cell(row, t("board.calls", { count: a.calls_taken }));
  }
  block.append(table);
  return block;
}

function joinButtons(a: Agent): Node {
  const span = h("span");
  if (a.state !== "on_call") return span;
  for (const mode of ["listen", "whisper", "barge"] as const) {
    const b = h("button", { type: "button", id: `${mode}-${a.agent}` }, t(`board.${mode}`));
    b.addEventListener("click", () => void spy(a.agent, mode));
    span.append(b, " ");
  }
  // Their desk: the caller's screen pop and the live transcript, as the agent sees it.
  const desk = link(`/agents/${encodeURIComponent(a.agent)}/desk`, t("board.their_desk"));
  desk.id = "desk-" + a.agent;
  desk.target = "_blank";
  span.append(desk);
  return span;
}

const agents = new DataTable<Agent>(byId("agents", HTMLTableElement), {
  pageSize: 500,
  empty: t("board.no_agents"),
  row: (tr, a) => (tr.id = "agent-" + a.agent),
  columns: [
    { label: t("board.agent"), value: (a) => a.agent, sort: (a) => a.agent },
    { label: t("board.name"), value: (a) => a.name, sort: (a) => a.name },
    {
      label: t("board.state"),
      value: (a) => agentState(a.state, a.pause_reason, a.pause_reason && a.paused_for != null ? duration(a.paused_for) : ""),
      sort: (a) => a.state,
      cls: (a) => a.state,
    },
    {
      label: t("board.queues"),
      value: (a) => Object.entries(a.queues).map(([q, p]) => (p ? t("board.penalty", { queue: q, penalty: p }) : q)).join(", ") || "—",
    },
    { label: t("board.join"), value: joinButtons },
  ],
});

function render(board: Live): void {
  latest = board;
  const root = byId("queues");
  root.replaceChildren(...board.queues.map(queueBlock));
  if (!board.queues.length) root.append(h("p", { class: "empty" }, t("board.no_queues")));
  const words = filter.value.trim().toLowerCase();
  agents.show(words ? board.agents.filter((a) => (a.agent + " " + a.name).toLowerCase().includes(words)) : board.agents);
  byId("updated").textContent = time(Date.now());
}
filter.addEventListener("input", () => latest && render(latest));

// Listen / whisper / barge: Asterisk rings the supervisor's phone into the agent's call.
async function spy(agent: string, mode: "listen" | "whisper" | "barge"): Promise<void> {
  const state = byId("spy-state");
  try {
    const body = await send("post", "/agents/{ext}/listen", { path: { ext: agent }, body: { mode, phone: phone.value } });
    state.textContent = t("board.rings", { phone: body.phone, mode: t(`board.${mode}`), agent });
  } catch (err) {
    state.textContent = errorText(err);
  }
}

const targets = () => showAlerts(byId("target-alerts"));
const trunks = () => showTrunks(byId("trunk-alarms"));
const admission = () => showAdmission(byId("admission"));

async function alarms(): Promise<void> {
  // Missing-recording alarms: never silent (the newest five; all on the recordings page).
  const root = byId("recording-alarms");
  const body = await get("/recordings", { query: { state: "missing", limit: 5 } });
  root.replaceChildren(
    ...(body.items ?? []).map((r) =>
      h("p", { id: "alarm-" + r.id }, t("board.missing", { call: r.call_id, agent: r.agent ? ` (${t("board.agent_of", { agent: r.agent })})` : "", problem: r.problem ?? "" })),
    ),
  );
}

async function transcripts(): Promise<void> {
  // The transcription backlog: minutes of audio done, in progress, waiting, failed.
  const text = byId("transcripts-text");
  let b;
  try {
    b = await get("/transcripts/backlog");
  } catch (err) {
    text.textContent = t("board.transcripts_error", { error: errorText(err) });
    return;
  }
  text.textContent = t(b.enabled ? "board.transcripts" : "board.transcripts_off", {
    pending: number(b.pending.jobs),
    minutes: (b.pending.seconds / 60).toFixed(1),
    running: number(b.running.jobs),
    done: number(b.done.jobs),
    failed: number(b.failed.jobs),
  });
  const row = { done: b.done.seconds / 60, running: b.running.seconds / 60, pending: b.pending.seconds / 60, failed: b.failed.seconds / 60 };
  stackedBars(svg("transcripts-chart"), [row], ["done", "running", "pending", "failed"], () => t("board.audio"), "tx-", 60, (p) => t(`board.tx.${p}` as "board.tx.done"));
}

async function handoffs(): Promise<void> {
  const { teams } = await get("/handoffs/teams");
  const table = byId("handoff-teams", HTMLTableElement);
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  const heads = ["board.team", "board.crossing", "board.noted", "board.flagged_h", "board.acknowledged", "board.ack_median", "board.ack_max"] as const;
  for (const key of heads) head.append(h("th", { scope: "col" }, t(key)));
  const body = table.createTBody();
  for (const tm of teams) {
    const row = body.insertRow();
    row.id = "handoff-team-" + tm.team;
    for (const v of [tm.team || t("board.no_team"), number(tm.crossing), number(tm.noted), number(tm.flagged), number(tm.acknowledged)]) cell(row, v);
    cell(row, duration(tm.ack_median_seconds));
    cell(row, duration(tm.ack_max_seconds));
  }
  if (!teams.length) cell(body.insertRow(), t("board.no_handoffs"), "empty").colSpan = heads.length;
  // Acknowledged items are drawn first; the rest split into noted-but-unread and flagged.
  const rows = teams.map((tm) => ({ team: tm.team, acknowledged: tm.acknowledged, unread_noted: tm.unread_noted, unread_flagged: tm.unread_flagged }));
  stackedBars(svg("handoffs-chart"), rows, ["acknowledged", "unread_noted", "unread_flagged"], (r) => r.team || t("board.no_team"), "ho-", 120, (p) => t(`board.ho.${p}` as "board.ho.acknowledged"));
  const flagged = await get("/handoffs/flagged");
  byId("flagged").replaceChildren(
    ...(flagged.items ?? []).map((x) => {
      const li = h("li", { "data-ticket": x.ticket.number });
      const who = t("board.left_by", { agent: x.from_agent, team: x.team || t("board.no_team"), at: dateTime(x.handed_at) });
      li.append(link(`/tickets/${x.ticket.number}`, `#${x.ticket.number} ${x.ticket.subject}`), " — " + who);
      return li;
    }),
  );
}

async function refresh(): Promise<void> {
  try {
    render(await get("/queues/live"));
  } catch (err) {
    byId("queues").textContent = errorText(err);
  }
  for (const part of [targets, trunks, admission, alarms, transcripts, handoffs]) await part().catch(() => undefined);
  markLoaded();
  window.setTimeout(() => void refresh(), 2000);
}
void refresh();
