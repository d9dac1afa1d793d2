// The agent's desk: the screen pop before answer (who calls, their tickets and history, the
// IVR path), the live transcript, wrap-up, pause reasons, and between calls the workspace.
// The agent's state is the board's: whatever changed it (these buttons, the phone's feature
// codes, a call, an unregistered phone) the desk shows what the daemon knows.

import "./desk.css";
import { get, send, useSession } from "../api/client";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, errorText, h, input, item, link } from "../ui/dom";
import { answerPicker, pickerParts } from "../ui/answer_picker";
import { clearErrors, showError, type FieldMap } from "../ui/forms";
import { agentState } from "../ui/states";
import type { DeskMessage, Pop, Presence } from "../parts/desk_messages";
import { ringAlert, offerNotifications } from "../parts/desk_ring";
import { loadWorkspace, startWorkspace } from "../parts/desk_workspace";

const ctx = startPage();
useSession(ctx.csrf);
const ext = document.body.dataset.ext ?? "";
const state = byId("state");
let current: Extract<DeskMessage, { call_id: string }> | null = null;
let presence: Presence = { state: "", reason: "" };
let line: "connecting" | "idle" | "ringing" | "on_call" | "wrap_up" = "connecting";

/** The badge: the call when there is one, else the agent's state in the board's word. */
function showState(queue = ""): void {
  const labels = { connecting: t("desk.connecting"), ringing: t("desk.ringing", { queue }), on_call: t("desk.on_call"), wrap_up: t("desk.wrap_up") };
  state.className = line;
  state.dataset.presence = presence.state;
  state.textContent = line === "idle" ? agentState(presence.state || "available", presence.reason) : labels[line];
}

function showPresence(p: Presence): void {
  presence = p;
  if (line === "wrap_up" && p.state !== "wrap_up") line = "idle"; // wrap-up time is over
  byId("presence").textContent = agentState(p.state, p.reason);
  document.body.dataset.presence = p.state;
  showState();
}

// Suggested articles: the knowledge base ranked for what is known of the call — the IVR
// path, the open tickets' tags, and what the caller has said so far (live transcript).
let said = "";
let heard = ""; // both sides' final lines: what wrap-up's tag suggestions come from
let known: { ivr: string[]; tags: string[] } = { ivr: [], tags: [] };
let suggestTimer = 0;
function suggest(): void {
  window.clearTimeout(suggestTimer);
  suggestTimer = window.setTimeout(() => void loadSuggestions().catch(() => undefined), 300);
}
async function loadSuggestions(): Promise<void> {
  const query = { q: said.slice(-2000), tags: known.tags.join(",").slice(0, 1000), ivr: known.ivr.join(",").slice(0, 1000), language: ctx.locale, limit: 3 };
  const { items } = await get("/suggestions", { query });
  byId("suggested").replaceChildren(...items.map((a) => h("li", { "data-article": String(a.id) }, link(`/articles?id=${a.id}`, a.title))));
}

function showPop(pop: Pop): void {
  const hist = pop.history;
  said = "";
  heard = "";
  known = {
    ivr: pop.ivr_path.flatMap((s) => [s.node, s.detail ?? ""]).filter(Boolean),
    tags: (hist?.open_tickets ?? []).flatMap((tk) => tk.tags ?? []),
  };
  byId("suggested").replaceChildren();
  suggest();
  const who = hist?.customer ? `${hist.customer.name} (${hist.phone})` : t("desk.unknown_caller", { number: hist ? hist.phone : pop.caller || t("desk.withheld") });
  byId("caller").textContent = who + (hist?.ambiguous ? " — " + t("desk.ambiguous") : "");
  for (const id of ["ivr", "tickets", "recent", "handoff-notes"]) byId(id).replaceChildren();
  const notes = hist?.handoff_notes ?? [];
  for (const n of notes) item(byId("handoff-notes"), `#${n.ticket_number} ${n.author ? n.author + ": " : ""}${n.body}`, "note");
  byId("pop-handoff").hidden = notes.length === 0;
  for (const step of pop.ivr_path) item(byId("ivr"), step.node + (step.detail ? ": " + step.detail : ""));
  if (hist) {
    for (const tk of hist.open_tickets) byId("tickets").append(h("li", {}, link(`/tickets/${tk.number}`, `#${tk.number} ${tk.subject} [${tk.status}]`)));
    for (const i of hist.recent) {
      const li = item(byId("recent"), `${i.occurred_at.slice(0, 16).replace("T", " ")} ${i.kind}${i.body ? ": " + i.body : ""}`);
      if (i.kind === "handoff_note") li.className = "note";
      if (i.data?.recording_id && i.data.recording_state === "complete") {
        li.append(" ", link(`/recordings?id=${encodeURIComponent(i.data.recording_id)}`, "▶ " + t("desk.recording")));
      }
    }
  }
  const box = byId("pop");
  box.hidden = false;
  box.focus(); // the pop in front: a keyboard or screen-reader user is taken to it
}

async function request(path: "login" | "logout" | "pause" | "unpause"): Promise<void> {
  try {
    const target = `/agents/{ext}/${path}` as const;
    if (path === "pause") await send("post", "/agents/{ext}/pause", { path: { ext }, body: { reason: byId("reason", HTMLSelectElement).value } });
    else await send("post", target as "/agents/{ext}/login", { path: { ext } });
  } catch (err) {
    byId("presence").textContent = t("desk.failed", { error: errorText(err) });
  }
  void loadWorkspace(ext);
}
const actions = { login: "login", logout: "logout", pause: "pause", unpause: "unpause" } as const;
for (const [id, path] of Object.entries(actions)) byId(id).addEventListener("click", () => void request(path));

// PCI pause: the recording writes silence until resumed (the interval is kept with it).
async function recording(action: "pause" | "resume"): Promise<void> {
  if (!current?.call_id) return;
  try {
    await send("post", `/calls/{call_id}/recording/${action}` as "/calls/{call_id}/recording/pause", { path: { call_id: current.call_id } });
    const paused = action === "pause";
    byId("rec-state").textContent = paused ? t("desk.rec_paused") : t("desk.recording_on");
    byId("rec-pause", HTMLButtonElement).disabled = paused;
    byId("rec-resume", HTMLButtonElement).disabled = !paused;
  } catch (err) {
    byId("rec-state").textContent = t("desk.failed", { error: errorText(err) });
  }
}
byId("rec-pause").addEventListener("click", () => void recording("pause"));
byId("rec-resume").addEventListener("click", () => void recording("resume"));

answerPicker(pickerParts("answer"), input("note"), () => (current && "ticket" in current ? current.ticket : undefined), ctx.locale);
const wrapFields: FieldMap = { tags: [input("tags"), byId("tags-error")], body: [input("note"), byId("note-error")] };
byId("wrapup", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const ticket = current && "ticket" in current ? current.ticket : undefined;
  if (!ticket) return;
  const tags = input("tags").value.split(",").map((x) => x.trim()).filter(Boolean);
  const note = input("note").value;
  const saving = async () => {
    if (note) await send("post", "/tickets/{number}/interactions", { path: { number: ticket }, body: { kind: "note", direction: "internal", body: note, author: ext } });
    if (tags.length) await send("patch", "/tickets/{number}", { path: { number: ticket }, body: { tags } });
  };
  saving()
    .then(() => {
      clearErrors(wrapFields);
      byId("saved").textContent = t("desk.saved");
    })
    .catch((err: unknown) => showError(err, wrapFields, byId("saved"), t("desk.not_saved", { error: "" })));
});

function liveLine(msg: Extract<DeskMessage, { kind: "transcript" }>): void {
  // A speaker's partial line is replaced as it grows; a final one stays.
  const list = byId("live");
  const l = msg.line;
  if (list.dataset.call !== msg.call_id) {
    list.replaceChildren();
    list.dataset.call = msg.call_id;
  }
  let li = list.querySelector<HTMLLIElement>("li.partial.speaker-" + l.speaker);
  if (!li) {
    li = document.createElement("li");
    list.appendChild(li);
  }
  li.className = `live-line speaker-${l.speaker}` + (l.final ? " final" : " partial");
  if (l.final) heard += " " + l.text;
  if (l.final && l.speaker === "caller") {
    said += " " + l.text;
    suggest();
  }
  li.replaceChildren(h("b", {}, (l.speaker === "agent" ? t("speaker.agent") : t("speaker.caller")) + ": "), h("span", {}, l.text));
  byId("work").hidden = false;
}

// Wrap-up: tags the call's words name, offered as buttons the agent accepts (or not).
async function offerTags(): Promise<void> {
  const box = byId("tag-offers");
  box.replaceChildren();
  if (!heard.trim()) return;
  const { items } = await get("/topics/suggest", { query: { q: heard.slice(-8000) } });
  box.replaceChildren(
    ...items.map((x) => {
      const b = h("button", { type: "button", class: "tag-offer", "data-tag": x.name }, "+ " + x.name);
      b.addEventListener("click", () => {
        const tags = input("tags");
        const now = tags.value.split(",").map((v) => v.trim()).filter(Boolean);
        if (!now.includes(x.name)) tags.value = [...now, x.name].join(", ");
        b.remove();
      });
      return b;
    }),
  );
}

function onMessage(msg: DeskMessage): void {
  if (msg.kind === "hello") {
    document.body.dataset.connected = "true";
    line = "idle";
    if (msg.presence) showPresence(msg.presence);
    else showState();
    void loadWorkspace(ext).finally(markLoaded);
    return;
  }
  if (msg.kind === "presence") {
    showPresence(msg.presence);
    void loadWorkspace(ext);
    return;
  }
  if (msg.kind === "transcript") return liveLine(msg);
  current = msg;
  if (msg.kind === "ringing") {
    line = "ringing";
    showState(msg.queue);
    showPop(msg.pop);
    ringAlert(msg.pop, msg.queue);
    byId("work").hidden = true;
    byId("wrapup").hidden = true;
  } else if (msg.kind === "ring_stopped") {
    line = "idle";
    showState();
    byId("pop").hidden = true;
  } else if (msg.kind === "answered") {
    line = "on_call";
    showState();
    byId("ticket").textContent = msg.ticket ? t("desk.ticket", { number: msg.ticket }) : t("desk.no_ticket");
    byId("rec-state").textContent = "";
    byId("rec-pause", HTMLButtonElement).disabled = false;
    byId("rec-resume", HTMLButtonElement).disabled = true;
    const live = byId("live");
    if (live.dataset.call !== msg.call_id) {
      live.replaceChildren();
      live.dataset.call = msg.call_id;
    }
    byId("work").hidden = false;
  } else if (msg.kind === "ended") {
    line = "wrap_up";
    showState();
    byId("wrapup").hidden = false;
    byId("saved").textContent = "";
    void offerTags().catch(() => undefined);
  }
}

function connect(): void {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss://" : "ws://"}${location.host}/agents/${ext}/ws`);
  ws.onmessage = (ev: MessageEvent<string>) => onMessage(JSON.parse(ev.data) as DeskMessage);
  ws.onclose = () => {
    document.body.dataset.connected = "false";
    line = "connecting";
    state.className = "connecting";
    state.textContent = t("desk.reconnecting");
    setTimeout(connect, 1000);
  };
}

// Keyboard: the whole flow without a mouse (documented on the page and in the agent guide).
document.addEventListener("keydown", (e) => {
  if (!e.altKey || !e.shiftKey || e.ctrlKey || e.metaKey) return;
  const go: Record<string, () => void> = {
    KeyA: () => void request("unpause"),
    KeyP: () => void request("pause"),
    KeyL: () => void request("login"),
    KeyO: () => void request("logout"),
    KeyC: () => byId("pop").focus(),
    KeyW: () => {
      byId("wrapup").hidden = false;
      input("tags").focus();
    },
  };
  const action = go[e.code];
  if (action) {
    e.preventDefault();
    action();
  }
});

offerNotifications(byId("notify", HTMLButtonElement));
startWorkspace(ext);
connect();
