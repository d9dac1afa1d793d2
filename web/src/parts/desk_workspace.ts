// Between calls, the desk's workspace: tickets handed to the agent's team to read (each,
// or all once the list is scrolled through), handoff notes to leave before logging out,
// promises due in this shift, and their and their team's open tickets.

import type { operations } from "../../generated/api";
import { get, send, type Answer } from "../api/client";
import { dateTime, duration } from "../shell/format";
import { t } from "../shell/i18n";
import { byId, errorText, h, link } from "../ui/dom";
import { keyedList } from "../ui/keyed";

type Workspace = Answer<operations["agent_workspace"]>;
type Handed = Workspace["to_read"][number];
type DeskTicket = Workspace["mine"][number];
interface TicketRef {
  number: number;
  subject: string;
}

const ticketLink = (tk: TicketRef) => link(`/tickets/${tk.number}`, `#${tk.number} ${tk.subject}`); // never HTML
const line = (cls: string, text: string) => h("div", { class: cls }, text);
let readAllSeen: IntersectionObserver | null = null;

function deskTicket(d: DeskTicket): HTMLLIElement {
  const li = h("li", { "data-ticket": d.ticket.number });
  li.append(ticketLink(d.ticket), ` [${t(`ticket.status.${d.ticket.status}` as "ticket.status.new")}]` + (d.ticket.assignee ? " · " + d.ticket.assignee : ""));
  if (d.latest) {
    const kind = t(`kind.${d.latest.kind}` as "kind.call");
    const latest = t("desk.latest_line", { channel: d.channel, kind, at: dateTime(d.latest.occurred_at) }) + (d.latest.body ? " — " + d.latest.body : "");
    li.append(line("meta latest", latest));
  }
  if (d.handoff_note) li.append(line("note", t("desk.handoff_by", { author: d.handoff_note.author, body: d.handoff_note.body })));
  return li;
}

function left(seconds: number): string {
  return seconds >= 0 ? t("desk.left", { span: duration(Math.abs(seconds)) }) : t("desk.late", { span: duration(Math.abs(seconds)) });
}

function handed(ext: string, x: Handed, withButton: boolean): HTMLLIElement {
  const li = h("li", { "data-handoff": x.id, class: x.flagged ? "flagged" : undefined });
  li.append(ticketLink(x.ticket), line("meta", t("desk.from", { agent: x.from_agent, at: dateTime(x.handed_at) })));
  li.append(x.note ? line("note", x.note.body ?? "") : line("meta", t("desk.no_note")));
  if (withButton) {
    const b = h("button", { type: "button", class: "read-one" }, t("desk.read"));
    b.addEventListener("click", () => void acknowledge(ext, { ids: [x.id] }));
    li.append(b);
  }
  return li;
}

function noteForm(ext: string, x: Handed | { ticket: TicketRef }): HTMLLIElement {
  const li = h("li", { "data-ticket": x.ticket.number });
  const label = t("desk.note_for", { number: x.ticket.number });
  const text = h("textarea", { rows: 3, class: "handoff-text", placeholder: t("ticket.note_example"), "aria-label": label });
  const b = h("button", { type: "button", class: "save-note" }, t("desk.save_note"));
  const state = h("span", { role: "status" });
  b.addEventListener("click", () => {
    if (!text.value.trim()) {
      state.textContent = " " + t("desk.write_first");
      text.focus();
      return;
    }
    send("post", "/tickets/{number}/handoff-notes", { path: { number: x.ticket.number }, body: { body: text.value, author: ext } })
      .then(() => loadWorkspace(ext))
      .catch((err: unknown) => (state.textContent = " " + t("desk.not_saved", { error: errorText(err) })));
  });
  li.append(ticketLink(x.ticket), text, b, state);
  return li;
}

async function acknowledge(ext: string, body: { ids: number[] } | { all: true }): Promise<void> {
  const out = byId("read-state");
  try {
    const r = await send("post", "/agents/{ext}/handoffs/read", { path: { ext }, body });
    out.textContent = r.released ? t("desk.all_read") : t("desk.to_read", { count: r.remaining });
  } catch (err) {
    out.textContent = t("desk.failed", { error: errorText(err) });
  }
  await loadWorkspace(ext);
}

function emptyAs(list: HTMLElement, text: string): void {
  if (!list.children.length) list.append(h("li", { class: "empty" }, text));
}

export async function loadWorkspace(ext: string): Promise<void> {
  let w: Workspace;
  try {
    w = await get("/agents/{ext}/workspace", { path: { ext } });
  } catch {
    return;
  }
  const list = byId("to-read");
  // Kept in step, not rebuilt: a presence change reloads this while the agent reads or types.
  const onShift = w.shift !== null;
  keyedList(list, w.to_read.map((x) => ({ x, onShift })), (r) => String(r.x.id), (r) => handed(ext, r.x, r.onShift));
  byId("reading").hidden = w.to_read.length === 0;
  byId("held").hidden = !w.held;
  // "Read all" only once the whole list has been scrolled through.
  readAllSeen?.disconnect();
  const readAll = byId("read-all", HTMLButtonElement);
  readAll.disabled = true;
  const last = list.lastElementChild;
  if (last && w.shift !== null) {
    const seen = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          readAll.disabled = false;
          seen.disconnect();
        }
      },
      { root: list, threshold: 0.9 },
    );
    seen.observe(last);
    readAllSeen = seen;
  }
  keyedList(byId("to-note"), w.to_note, (x) => String(x.ticket.number), (x) => noteForm(ext, x));
  byId("noting").hidden = w.to_note.length === 0;
  byId("mine").replaceChildren(...w.mine.map(deskTicket));
  emptyAs(byId("mine"), t("desk.no_mine"));
  byId("team").replaceChildren(...w.team_tickets.map(deskTicket));
  emptyAs(byId("team"), t("desk.no_team"));
  byId("due").replaceChildren(
    ...w.due.map((x) => {
      const what = [t(`desk.due_kind.${x.kind}` as "desk.due_kind.callback"), x.queue];
      if (x.ticket_number) what.push(t("desk.ticket", { number: x.ticket_number }));
      what.push(t("desk.due_at", { at: dateTime(x.due_at) }), left(x.seconds_left ?? 0));
      if (x.state === "at_risk") what.push(t("desk.at_risk"));
      return h("li", { class: x.state }, what.join(" · "));
    }),
  );
  emptyAs(byId("due"), t("desk.nothing_due"));
}

export function startWorkspace(ext: string): void {
  byId("read-all").addEventListener("click", () => void acknowledge(ext, { all: true }));
  // What arrives while nothing happens on the phone: new handoffs, promises coming due.
  setInterval(() => {
    if (!document.hidden) void loadWorkspace(ext);
  }, 30000);
}
