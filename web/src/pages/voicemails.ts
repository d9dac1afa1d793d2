// Every message a caller left, with its callback (the caller was told when they will hear
// back), drawn per day; played here and marked answered.

import "./voicemails.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, duration, time } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { stackedBars } from "../ui/bars";
import { byId, errorText, h } from "../ui/dom";
import { DataTable } from "../ui/table";

type Voicemail = NonNullable<Answer<operations["list_voicemails"]>["items"]>[number];

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const filter = byId("filter", HTMLSelectElement);
const stateName = (s: string) => t(`voicemails.state.${s}` as "voicemails.state.new");

interface Day {
  day: string;
  new: number;
  answered: number;
}

function draw(items: Voicemail[]): void {
  const perDay = new Map<string, Day>();
  for (const v of items) {
    const day = v.received_at.slice(0, 10);
    const d = perDay.get(day) ?? { day, new: 0, answered: 0 };
    if (v.state === "new" || v.state === "answered") d[v.state] += 1;
    perDay.set(day, d);
  }
  const days = [...perDay.values()].sort((a, b) => b.day.localeCompare(a.day)).slice(0, 14);
  stackedBars(byId("chart") as unknown as SVGSVGElement, days, ["new", "answered"], (d) => d.day, "bar-", 110, stateName);
}

function player(v: Voicemail): Node {
  if (!v.audio_url) return document.createTextNode("");
  const audio = h("audio", { controls: true, preload: "none", "aria-label": t("voicemails.listen_to", { id: v.id }) });
  audio.src = v.audio_url;
  return audio;
}

function answerButton(v: Voicemail): Node {
  if (v.state !== "new") return document.createTextNode("");
  const button = h("button", { type: "button", class: "answered" }, t("voicemails.answered"));
  button.addEventListener("click", () => void answered(v.id));
  return button;
}

const table = new DataTable<Voicemail>(byId("messages", HTMLTableElement), {
  empty: t("voicemails.empty"),
  row: (tr, v) => (tr.id = "voicemail-" + v.id),
  columns: [
    { label: t("voicemails.message"), value: (v) => "#" + v.id, sort: (v) => v.id },
    { label: t("voicemails.received"), value: (v) => dateTime(v.received_at), sort: (v) => v.received_at },
    { label: t("voicemails.caller"), value: (v) => v.caller || t("voicemails.withheld"), sort: (v) => v.caller ?? "" },
    { label: t("voicemails.queue"), value: (v) => v.queue || "-", sort: (v) => v.queue ?? "" },
    { label: t("voicemails.length"), value: (v) => duration(v.duration), sort: (v) => v.duration },
    { label: t("voicemails.state"), value: (v) => stateName(v.state), sort: (v) => v.state, cls: (v) => (v.state === "new" ? "new" : "") },
    { label: t("voicemails.callback"), value: (v) => (v.callback_id ? "#" + v.callback_id : "-") },
    { label: t("voicemails.ticket"), value: (v) => (v.ticket_number ? "#" + v.ticket_number : "-") },
    { label: t("voicemails.note"), value: (v) => v.note ?? "" },
    { label: t("voicemails.listen"), value: player },
    { label: t("voicemails.action"), value: answerButton },
  ],
});

async function load(): Promise<void> {
  const state = filter.value as "new" | "answered" | "";
  const page = await get("/voicemails", { query: { limit: 200, state: state || undefined } });
  const items = page.items ?? [];
  table.show(items);
  draw(items);
  status.textContent = t("voicemails.updated", { at: time(Date.now()) });
}

async function answered(id: number): Promise<void> {
  let said: string;
  try {
    await send("post", "/voicemails/{voicemail_id}/answered", { path: { voicemail_id: id }, body: {} });
    said = t("voicemails.marked", { id });
  } catch (err) {
    said = errorText(err);
  }
  await load();
  status.textContent = said;
}

filter.addEventListener("change", () => void load().catch((err: unknown) => (status.textContent = errorText(err))));
load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
setInterval(() => void load().catch(() => undefined), 5000);
