// A ticket's timeline — calls and voicemail with their recording and transcript (a click on
// a line plays from there), chat, emails, notes — its customer, and changes to it.
// ?t=S#interaction-N opens it at second S of interaction N (where a search hit points).

import "./ticket.css";
import type { operations } from "../../generated/api";
import { apiUrl, get, send, useSession, type Answer } from "../api/client";
import { clock, dateTime } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, h, input, link } from "../ui/dom";
import { answerPicker, pickerParts } from "../ui/answer_picker";
import { clearErrors, showError, type FieldMap } from "../ui/forms";
import { transcriptLines, type Utterance } from "../ui/transcript";

type View = Answer<operations["get_ticket"]>;
type Interaction = View["timeline"][number];
interface CallData {
  queue?: string;
  agent?: string;
  duration?: number | null;
  lost?: string;
  offer?: string;
  recording_id?: number;
  transcript?: { recording_id?: number; utterances?: Utterance[] };
  ivr_path?: { node: string; detail?: string }[];
}

const ctx = startPage();
useSession(ctx.csrf);
const number = Number(document.body.dataset.number);
const saved = byId("saved");
const kindName = (k: string) => {
  const name = t(`timeline.kind.${k}` as "timeline.kind.call");
  return name.startsWith("timeline.kind.") ? k : name;
};

function meta(i: Interaction, data: CallData): string {
  const parts = [dateTime(i.occurred_at), t(`direction.${i.direction}` as "direction.inbound")];
  if (i.kind === "call") {
    if (data.queue) parts.push(t("ticket.queue_of", { queue: data.queue }));
    if (data.agent) parts.push(t("ticket.agent_of", { agent: data.agent }));
    if (data.duration != null) parts.push(clock(data.duration));
    if (data.lost) parts.push(t("ticket.lost", { why: data.lost }) + (data.offer ? " — " + data.offer : ""));
  }
  if (i.kind === "voicemail" && data.duration != null) parts.push(clock(data.duration));
  if (i.author) parts.push(i.author);
  return parts.join(" · ");
}

function entry(i: Interaction, seek: { id: number; t: number | null } | null): HTMLLIElement {
  const data = (i.data ?? {}) as CallData;
  const li = h("li", { id: "interaction-" + i.id });
  li.append(h("div", {}, h("span", { class: "kind" }, kindName(i.kind)), h("span", { class: "meta" }, " " + meta(i, data))));
  const recording = data.recording_id ?? data.transcript?.recording_id;
  let audio: HTMLAudioElement | null = null;
  if (recording) {
    audio = h("audio", { controls: true, preload: "metadata", id: "audio-" + i.id, "aria-label": kindName(i.kind) + " " + dateTime(i.occurred_at) });
    audio.src = apiUrl("/recordings/{recording_id}/audio", { path: { recording_id: recording } });
    li.append(audio);
  }
  if (data.transcript?.utterances) {
    const list = h("ol", { class: "transcript" });
    transcriptLines(list, data.transcript.utterances, audio);
    li.append(list);
  } else if (i.kind === "call" || i.kind === "voicemail") {
    li.append(h("p", { class: "meta no-transcript" }, recording ? t("ticket.no_transcript") : t("ticket.not_recorded")));
  }
  if (i.kind === "call" && data.ivr_path?.length) {
    const path = data.ivr_path.map((st) => st.node + (st.detail ? ` (${st.detail})` : "")).join(" → ");
    li.append(h("p", { class: "meta ivr-path" }, t("ticket.ivr", { path })));
  }
  if (i.body) li.append(h("p", { class: "body" }, i.body)); // customer text: never HTML
  if (seek && seek.id === i.id) {
    li.classList.add("target");
    const player = audio;
    if (player && seek.t != null) {
      const at = seek.t;
      player.addEventListener("loadedmetadata", () => (player.currentTime = at), { once: true });
    }
  }
  return li;
}

async function load(): Promise<void> {
  const view = await get("/tickets/{number}", { path: { number } });
  const tk = view.ticket;
  byId("title").textContent = t("ticket.heading", { number: tk.number, subject: tk.subject });
  document.title = t("ticket.title", { number: tk.number });
  const who = tk.assignee ? t("ticket.assigned_to", { who: tk.assignee }) : t("ticket.unassigned");
  const status = t(`ticket.status.${tk.status}` as "ticket.status.new");
  byId("summary").textContent = [status, tk.priority, tk.queue || t("ticket.no_queue"), who].join(" · ");
  const hash = /^#interaction-(\d+)$/.exec(location.hash);
  const t0 = new URLSearchParams(location.search).get("t");
  const seek = hash ? { id: Number(hash[1]), t: t0 === null ? null : Number(t0) } : null;
  byId("timeline").replaceChildren(...[...view.timeline].reverse().map((i) => entry(i, seek)));
  if (seek) document.getElementById("interaction-" + seek.id)?.scrollIntoView();
  byId("status-field", HTMLSelectElement).value = tk.status;
  input("assignee-field").value = tk.assignee ?? "";
  input("tags-field").value = tk.tags.join(", ");
  if (tk.customer_id) await loadCustomer(tk.customer_id, tk.number);
  else byId("customer").textContent = tk.caller_ambiguous ? t("ticket.ambiguous") : t("ticket.no_customer");
}

async function loadCustomer(id: number, current: number): Promise<void> {
  const c = await get("/customers/{customer_id}", { path: { customer_id: id } });
  byId("customer").textContent = c.name; // customer text: never HTML
  byId("contacts").replaceChildren(...c.contacts.map((p) => h("li", {}, `${t(`contact.${p.kind}` as "contact.phone")}: ${p.value}`)));
  const others = await get("/tickets", { query: { customer_id: id, limit: 20 } });
  const list = (others.items ?? []).filter((o) => o.number !== current);
  byId("other-tickets").replaceChildren(
    ...list.map((o) => h("li", {}, link(`/tickets/${o.number}`, `#${o.number} ${o.subject} [${t(`ticket.status.${o.status}` as "ticket.status.new")}]`))),
  );
  if (!list.length) byId("other-tickets").append(h("li", { class: "empty" }, t("ticket.no_others")));
}

const changeFields: FieldMap = {
  assignee: [input("assignee-field"), byId("assignee-error")],
  tags: [input("tags-field"), byId("tags-error")],
};
byId("change", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const tags = input("tags-field").value.split(",").map((x) => x.trim()).filter(Boolean);
  const status = byId("status-field", HTMLSelectElement).value as "open";
  send("patch", "/tickets/{number}", { path: { number }, body: { status, assignee: input("assignee-field").value.trim(), tags } })
    .then(async () => {
      clearErrors(changeFields);
      saved.textContent = t("ticket.saved");
      await load();
    })
    .catch((err: unknown) => showError(err, changeFields, saved, t("ticket.not_saved") + " "));
});

const noteBody = byId("note-body", HTMLTextAreaElement);
answerPicker(pickerParts("answer"), noteBody, () => number, ctx.locale);
const noteFields: FieldMap = { body: [noteBody, byId("note-error")] };
byId("add-note", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const body = noteBody.value;
  if (!body.trim()) {
    noteFields.body![1].textContent = t("ticket.note_empty");
    noteBody.setAttribute("aria-invalid", "true");
    noteBody.focus();
    return;
  }
  const handoff = byId("note-kind", HTMLSelectElement).value === "handoff";
  const done = handoff
    ? send("post", "/tickets/{number}/handoff-notes", { path: { number }, body: { body, author: ctx.user } })
    : send("post", "/tickets/{number}/interactions", { path: { number }, body: { kind: "note", direction: "internal", body, author: ctx.user } });
  done
    .then(async () => {
      clearErrors(noteFields);
      noteBody.value = "";
      saved.textContent = t("ticket.added");
      await load();
    })
    .catch((err: unknown) => showError(err, noteFields, saved, t("ticket.not_added") + " "));
});

load()
  .catch((err: unknown) => (byId("status").textContent = String(err)))
  .finally(markLoaded);
