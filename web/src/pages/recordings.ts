// Recordings: found by queue, agent, customer, ticket and dates; one played with its pauses
// on a timeline, either speaker alone (Web Audio), its transcript (a line plays from there)
// and who listened.

import "./recordings.css";
import type { operations } from "../../generated/api";
import { ApiError, get, type Answer } from "../api/client";
import { clock, dateTime } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, cell, errorText, h, link } from "../ui/dom";
import { transcriptLines } from "../ui/transcript";

type Recording = Answer<operations["get_recording"]>;

const page = startPage();
const player = byId("player", HTMLAudioElement);
const filters = byId("filters", HTMLFormElement);
let nextCursor: string | null = null;
let current: Recording | null = null;
let graph: { left: GainNode; right: GainNode } | null = null;
const stateName = (s: string) => t(`recordings.state.${s}` as "recordings.state.complete");

function query(cursor: string | null): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new FormData(filters)) {
    if (typeof v !== "string" || !v) continue;
    params[k] = k === "from" || k === "to" ? new Date(v + "T00:00:00").toISOString() : v;
  }
  const page = new URLSearchParams(location.search);
  for (const k of ["ticket", "customer", "agent", "queue"]) {
    const given = page.get(k);
    if (given && !params[k]) params[k] = given;
  }
  if (cursor) params.cursor = cursor;
  return params;
}

async function load(cursor: string | null): Promise<void> {
  const tbody = byId("list", HTMLTableElement).tBodies[0]!;
  if (!cursor) tbody.replaceChildren();
  let body;
  try {
    body = await get("/recordings", { query: query(cursor) });
  } catch (err) {
    cell(tbody.insertRow(), errorText(err), "error").colSpan = 6;
    return;
  }
  for (const r of body.items ?? []) {
    const row = tbody.insertRow();
    row.id = "recording-" + r.id;
    const open = h("button", { type: "button", class: "open" }, dateTime(r.started_at));
    open.addEventListener("click", () => void show(r.id));
    cell(row, "").append(open);
    cell(row, clock(r.duration));
    cell(row, r.queue || "—");
    cell(row, r.agent || "—");
    cell(row, r.ticket_number ? "#" + r.ticket_number : "—");
    cell(row, stateName(r.state), r.state === "missing" ? "missing" : "");
    row.addEventListener("click", (e) => {
      if (e.target === row || (e.target as HTMLElement).tagName === "TD") void show(r.id);
    });
  }
  byId("list-empty").hidden = tbody.rows.length > 0;
  nextCursor = body.next_cursor ?? null;
  byId("more").hidden = !nextCursor;
}

function drawTimeline(r: Recording): void {
  const bar = byId("timeline");
  bar.replaceChildren();
  const total = r.duration || 1;
  for (const p of r.pauses) {
    const end = p.end ?? total;
    const d = h("div", { class: "pause", title: t("recordings.paused_span", { from: clock(p.start), to: clock(end) }) });
    d.style.left = `${(100 * p.start) / total}%`;
    d.style.width = `${Math.max(0.5, (100 * (end - p.start)) / total)}%`;
    bar.appendChild(d);
  }
  bar.appendChild(h("div", { class: "now", id: "playhead" }));
}

function solo(which: string): void {
  // Web Audio: split the two speakers and send the chosen one(s) to both ears.
  if (!graph) {
    const ctx = new AudioContext();
    const source = ctx.createMediaElementSource(player);
    const split = ctx.createChannelSplitter(2);
    const merge = ctx.createChannelMerger(2);
    const left = ctx.createGain();
    const right = ctx.createGain();
    source.connect(split);
    split.connect(left, 0);
    split.connect(right, 1);
    for (const g of [left, right]) {
      g.connect(merge, 0, 0);
      g.connect(merge, 0, 1);
    }
    merge.connect(ctx.destination);
    graph = { left, right };
  }
  graph.left.gain.value = which === "agent" ? 0 : 1;
  graph.right.gain.value = which === "caller" ? 0 : 1;
  document.body.dataset.solo = which;
}

async function show(id: number): Promise<void> {
  for (const row of document.querySelectorAll("#list tr.selected")) row.classList.remove("selected");
  document.getElementById("recording-" + id)?.classList.add("selected");
  byId("detail").hidden = false;
  let r: Recording;
  try {
    r = await get("/recordings/{recording_id}", { path: { recording_id: id } });
  } catch (err) {
    byId("title").textContent = errorText(err);
    return;
  }
  current = r;
  byId("title").textContent = t("recordings.recording", { id: r.id, call: r.call_id });
  const state = byId("state");
  const kept = r.retain_until ? dateTime(r.retain_until) : t("recordings.for_ever");
  state.textContent = r.state === "complete"
    ? t("recordings.complete", { length: clock(r.duration), kept })
    : t("recordings.problem", { state: stateName(r.state), problem: r.problem ?? "" });
  state.className = r.state === "complete" ? "" : "missing";
  byId("pauses").replaceChildren(
    ...r.pauses.map((p) =>
      h("li", {}, t("recordings.paused", { from: clock(p.start), to: p.end == null ? t("recordings.end") : clock(p.end) }) + (p.by ? " " + t("recordings.by", { who: p.by }) : "")),
    ),
  );
  const ticket = byId("ticket");
  ticket.replaceChildren();
  if (r.ticket_number) {
    ticket.append(
      link(`/recordings?ticket=${r.ticket_number}`, t("recordings.all_of_ticket", { number: r.ticket_number })),
      " ",
      link(`/tickets/${r.ticket_number}`, t("recordings.timeline")),
    );
  }
  if (r.kind === "call" && r.state === "complete" && (page.role === "admin" || page.role === "supervisor")) {
    ticket.append(" ", link(`/recordings/${r.id}/review`, t("recordings.review")));
  }
  drawTimeline(r);
  if (r.state === "complete" && r.audio_url) {
    player.hidden = false;
    player.src = r.audio_url;
  } else {
    player.hidden = true;
    player.removeAttribute("src");
  }
  await showTranscript(r);
  showListens(r);
}

function showListens(r: Recording): void {
  const audit = byId("audit");
  audit.replaceChildren();
  if (!r.listens) return;
  const table = h("table", { id: "listens" });
  for (const l of r.listens) {
    const tr = table.insertRow();
    cell(tr, dateTime(l.at));
    cell(tr, l.who);
    cell(tr, l.role);
    cell(tr, l.address);
    cell(tr, l.allowed ? t("recordings.played") : t("recordings.refused"));
  }
  audit.append(h("h3", {}, t("recordings.listens")), table);
}

async function showTranscript(r: Recording): Promise<void> {
  const list = byId("transcript");
  const state = byId("transcript-state");
  list.replaceChildren();
  try {
    const body = await get("/recordings/{recording_id}/transcript", { path: { recording_id: r.id } });
    state.textContent = body.state === "done" ? "" : t("recordings.transcript_state", { state: body.state }) + (body.error ? ": " + body.error : "");
    transcriptLines(list, body.utterances, player);
  } catch (err) {
    state.textContent = err instanceof ApiError ? err.message : errorText(err);
    return;
  }
  const at = new URLSearchParams(location.search).get("t");
  if (at !== null) player.addEventListener("loadedmetadata", () => (player.currentTime = Number(at)), { once: true });
}

player.addEventListener("timeupdate", () => {
  const head = document.getElementById("playhead");
  if (head && current?.duration) head.style.left = `${(100 * player.currentTime) / current.duration}%`;
});
player.addEventListener("error", () => {
  if (current) void show(current.id);
});
for (const radio of document.querySelectorAll<HTMLInputElement>("input[name=solo]")) {
  radio.addEventListener("change", () => solo(radio.value));
}
filters.addEventListener("submit", (e) => {
  e.preventDefault();
  void load(null);
});
byId("more").addEventListener("click", () => void load(nextCursor));
void load(null).then(() => {
  const id = new URLSearchParams(location.search).get("id");
  return id ? show(Number(id)) : undefined;
}).finally(markLoaded);
