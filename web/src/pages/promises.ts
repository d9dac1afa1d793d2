// Whether we kept what callers were told: per queue and day (drawn), the promises at risk,
// and the callbacks waiting (each can be cancelled, after a confirmation).

import "./promises.css";
import { get, send, useSession } from "../api/client";
import { dateTime, number, percent, time } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { stackedBars } from "../ui/bars";
import { pairedHistogram } from "../ui/charts";
import { confirmAction } from "../ui/confirm";
import { byId, cell, errorText, h } from "../ui/dom";

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const when = (iso: string | null | undefined) => (iso ? dateTime(iso) : "-");
const minutes = (s: number | null | undefined) => (s == null ? "-" : t("promises.minutes", { n: (s / 60).toFixed(1) }));
const tbody = (id: string) => byId(id, HTMLTableElement).tBodies[0]!;
const PARTS = { kept: "promises.kept", broken: "promises.broken", at_risk: "promises.at_risk", open: "promises.open" } as const;

function empty(body: HTMLTableSectionElement, key: "promises.no_days" | "promises.no_risk" | "promises.no_waiting" | "promises.no_calibration", span: number): void {
  if (!body.rows.length) cell(body.insertRow(), t(key), "empty").colSpan = span;
}

async function load(): Promise<void> {
  const summary = await get("/promises/summary");
  const days = tbody("days");
  days.replaceChildren();
  for (const d of summary.days) {
    const row = days.insertRow();
    row.dataset.queue = d.queue;
    cell(row, d.day);
    cell(row, d.queue);
    for (const v of [d.made, d.kept, d.broken, d.at_risk, d.open]) cell(row, number(v));
    cell(row, percent(d.kept_share));
    cell(row, minutes(d.median_slack));
  }
  empty(days, "promises.no_days", 9);
  const chart = byId("chart") as unknown as SVGSVGElement;
  stackedBars(chart, summary.days, ["kept", "broken", "at_risk", "open"], (d) => d.day + " " + d.queue, "", 170, (p) => t(PARTS[p as keyof typeof PARTS]));
  await loadCalibration();
  const risky = await get("/promises", { query: { state: "at_risk", limit: 50 } });
  const riskBody = tbody("risky");
  riskBody.replaceChildren();
  for (const p of risky.items ?? []) {
    const row = riskBody.insertRow();
    row.id = "promise-" + p.id;
    cell(row, "#" + p.id, "risk");
    cell(row, p.queue);
    cell(row, p.earliest_at ? t("promises.range", { from: when(p.earliest_at), to: when(p.due_at) }) : when(p.due_at));
    cell(row, when(p.projected_at));
    cell(row, p.ticket_number ? "#" + p.ticket_number : "-");
  }
  empty(riskBody, "promises.no_risk", 5);
  const waiting = tbody("waiting");
  const rows: HTMLTableRowElement[] = [];
  for (const state of ["waiting", "dialing", "retry"] as const) {
    const page = await get("/callbacks", { query: { state, limit: 100 } });
    for (const c of page.items ?? []) {
      const row = document.createElement("tr");
      row.id = "callback-" + c.id;
      cell(row, "#" + c.id);
      cell(row, c.queue);
      cell(row, c.number);
      cell(row, t(`callback.state.${c.state}` as "callback.state.waiting"));
      cell(row, `${c.attempts}/${c.max_attempts}`);
      cell(row, when(c.requested_at));
      cell(row, c.reason ?? "");
      const td = cell(row, "");
      if (c.state !== "dialing") {
        const button = h("button", { type: "button", class: "cancel" }, t("promises.cancel"));
        button.addEventListener("click", () => void cancel(c.id));
        td.appendChild(button);
      }
      rows.push(row);
    }
  }
  waiting.replaceChildren(...rows);
  empty(waiting, "promises.no_waiting", 8);
  status.textContent = t("promises.updated", { at: time(Date.now()) });
}

// Told against served per queue and hour (drawn and listed), and the queues drifting.
async function loadCalibration(): Promise<void> {
  const found = await get("/promises/calibration");
  const alerts = byId("calibration-alerts");
  alerts.replaceChildren(
    ...found.alerts.map((a) =>
      h("p", {}, t(`promises.drift_${a.figure}` as "promises.drift_kept_share", { queue: a.queue, value: percent(a.value), target: percent(a.target) })),
    ),
  );
  const hour = (n: number) => (n < 0 ? t("promises.all_hours") : String(n).padStart(2, "0") + ":00");
  const cells = [...found.hours, ...found.queues];
  const body = tbody("calibration");
  body.replaceChildren();
  for (const c of cells) {
    const row = body.insertRow();
    row.dataset.queue = c.queue;
    row.dataset.hour = String(c.hour);
    cell(row, c.queue);
    cell(row, hour(c.hour));
    for (const v of [c.made, c.kept, c.repromised, c.broken]) cell(row, number(v));
    cell(row, percent(c.kept_share));
    cell(row, minutes(c.median_window));
    cell(row, minutes(c.median_served));
    cell(row, percent(c.median_left));
    cell(row, percent(c.p95_left));
  }
  empty(body, "promises.no_calibration", 11);
  const chart = byId("calibration-chart") as unknown as SVGSVGElement;
  const labels = found.hours.map((c) => `${c.queue} ${hour(c.hour)}`);
  const told = found.hours.map((c) => (c.median_window ?? 0) / 60);
  const served = found.hours.map((c) => (c.median_served ?? 0) / 60);
  pairedHistogram(chart, labels, told, served, (i) => `${labels[i]}: ${t("promises.told")} ${minutes(found.hours[i]!.median_window)}, ${t("promises.served")} ${minutes(found.hours[i]!.median_served)}`);
}

async function cancel(id: number): Promise<void> {
  if (!(await confirmAction(t("promises.cancel_question", { id }), t("promises.cancel_confirm")))) return;
  let said: string;
  try {
    await send("delete", "/callbacks/{callback_id}", { path: { callback_id: id } });
    said = t("promises.cancelled", { id });
  } catch (err) {
    said = errorText(err);
  }
  await load();
  status.textContent = said;
}

load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
setInterval(() => void load().catch(() => undefined), 5000);
