// Reports: figures for a range of the centre's days, by interval and group, drawn and in
// tables (sortable, paged, each exportable as CSV), agents' time, and the calls behind the
// figures — an abandoned caller can be called back from here (through the toll-fraud guard).

import "./reports.css";
import type { operations } from "../../generated/api";
import { apiUrl, get, send, useSession, type Answer } from "../api/client";
import { dateTime, duration, number, percent, time } from "../shell/format";
import { t, type MessageKey } from "../shell/i18n";
import { showAlerts } from "../parts/alert_banner";
import { markLoaded, startPage } from "../shell/shell";
import { barsAndLine, heatmap, pairedHistogram } from "../ui/charts";
import { confirmAction } from "../ui/confirm";
import { byId, errorText, h, input } from "../ui/dom";
import { DataTable } from "../ui/table";

type QueueReport = Answer<operations["queue_report"]>;
type Row = QueueReport["rows"][number];
type Figures = Row["figures"];
type AgentRow = Answer<operations["agent_report"]>["agents"][number];
type CallRow = Answer<operations["report_calls"]>["items"][number];
type Query = { from: string; to: string; interval?: "15m" | "hour" | "day" | "week" | "month"; group?: "queue" | "agent" | "team" | "dialled" | "flow" | "none"; queue?: string };

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const select = (id: string) => byId(id, HTMLSelectElement);
const WAIT_STEP = 10;
const WAIT_BUCKETS = 13; // 0-10 s … 120 s and more

const rowsTable = new DataTable<Row>(byId("rows", HTMLTableElement), {
  pageSize: 48,
  empty: t("reports.no_calls"),
  columns: [
    { label: t("reports.c_start"), value: (r) => dateTime(r.start), sort: (r) => r.start },
    { label: t("reports.c_group"), value: (r) => r.group || "—", sort: (r) => r.group },
    { label: t("reports.c_offered"), value: (r) => number(r.figures.offered), sort: (r) => r.figures.offered },
    { label: t("reports.c_answered"), value: (r) => number(r.figures.answered), sort: (r) => r.figures.answered },
    { label: t("reports.c_abandoned"), value: (r) => number(r.figures.abandoned), sort: (r) => r.figures.abandoned },
    { label: t("reports.c_short"), value: (r) => number(r.figures.short_abandoned) },
    { label: t("reports.c_sl"), value: (r) => percent(r.figures.service_level), sort: (r) => r.figures.service_level ?? -1, cls: (r) => (r.figures.target_met === false ? "missed" : "") },
    { label: t("reports.c_asa"), value: (r) => duration(r.figures.average_speed_of_answer) },
    { label: t("reports.c_longest"), value: (r) => duration(r.figures.longest_wait) },
    { label: t("reports.c_aht"), value: (r) => duration(r.figures.average_handle_time) },
  ],
});
const agentsTable = new DataTable<AgentRow>(byId("agents", HTMLTableElement), {
  empty: t("reports.no_agents"),
  columns: [
    { label: t("reports.c_agent"), value: (a) => a.agent, sort: (a) => a.agent },
    { label: t("reports.c_logged_in"), value: (a) => duration(a.logged_in), sort: (a) => a.logged_in },
    { label: t("reports.c_paused"), value: (a) => pauses(a), sort: (a) => a.paused },
    { label: t("reports.c_talk"), value: (a) => duration(a.talk), sort: (a) => a.talk },
    { label: t("reports.c_wrap"), value: (a) => duration(a.wrap_up) },
    { label: t("reports.c_answered"), value: (a) => number(a.answered), sort: (a) => a.answered },
    { label: t("reports.c_occupancy"), value: (a) => percent(a.occupancy), sort: (a) => a.occupancy ?? -1 },
  ],
});
const callsTable = new DataTable<CallRow>(byId("calls", HTMLTableElement), {
  empty: t("reports.no_behind"),
  row: (tr, c) => (tr.id = "call-" + c.id),
  columns: [
    { label: t("reports.c_when"), value: (c) => dateTime(c.entered_at), sort: (c) => c.entered_at },
    { label: t("reports.c_number"), value: (c) => c.caller, sort: (c) => c.caller },
    { label: t("reports.c_queue"), value: (c) => c.queue },
    { label: t("reports.c_outcome"), value: (c) => t(`reports.o_${c.outcome}` as MessageKey, { defaultValue: c.outcome }) },
    { label: t("reports.c_wait"), value: (c) => duration(c.wait), sort: (c) => c.wait },
    { label: t("reports.c_position"), value: (c) => number(c.position) },
    { label: t("reports.c_agent"), value: (c) => c.agent || "—" },
    { label: t("reports.c_action"), value: (c) => callBack(c) },
  ],
});

function pauses(a: AgentRow): string {
  const parts = Object.entries(a.pause_by_reason).map(([reason, s]) => `${reason} ${duration(s)}`);
  return duration(a.paused) + (parts.length ? ` (${parts.join(", ")})` : "");
}

function callBack(c: CallRow): Node {
  if (c.outcome === "answered" || !c.caller) return document.createTextNode("");
  const b = h("button", { type: "button", class: "call-back" }, t("reports.call_back"));
  b.addEventListener("click", () => void requestCallBack(c, b));
  return b;
}

async function requestCallBack(c: CallRow, b: HTMLButtonElement): Promise<void> {
  if (!(await confirmAction(t("reports.call_back_confirm", { number: c.caller, queue: c.queue }), t("reports.call_back")))) return;
  b.disabled = true;
  try {
    const made = await send("post", "/callbacks", { body: { queue: c.queue, number: c.caller, reason: t("reports.call_back_reason") } });
    status.textContent = t("reports.called_back", { id: made.id });
  } catch (err) {
    b.disabled = false;
    status.textContent = t("reports.failed", { error: errorText(err) });
  }
}

function query(): Query {
  const q: Query = { from: input("from").value, to: input("to").value };
  const queue = select("queue").value;
  if (queue) q.queue = queue;
  return q;
}

function totals(report: QueueReport): void {
  const f: Figures = report.total;
  const c = report.calls;
  const entries: [MessageKey, string, boolean?][] = [
    ["reports.c_offered", number(f.offered)],
    ["reports.c_answered", number(f.answered)],
    ["reports.c_abandoned", `${number(f.abandoned)} (${percent(f.abandonment_rate)})`],
    ["reports.c_short", number(f.short_abandoned)],
    ["reports.c_overflowed", number(f.overflowed)],
    ["reports.c_sl", percent(f.service_level), f.target_met === false],
    ["reports.c_asa", duration(f.average_speed_of_answer)],
    ["reports.c_longest", duration(f.longest_wait)],
    ["reports.c_aht", duration(f.average_handle_time)],
    ["reports.c_transferred", number(f.transferred)],
    ["reports.c_containment", percent(c.containment)],
    ["reports.c_repeat", `${percent(c.repeat_rate_24h)} / ${percent(c.repeat_rate_72h)}`],
    ["reports.c_callbacks", `${number(report.counts["callback.requested"] ?? 0)} / ${number(report.counts["promise.kept"] ?? 0)}`],
    ["reports.c_voicemails", number(report.counts["voicemail.received"] ?? 0)],
  ];
  byId("totals").replaceChildren(
    ...entries.map(([key, value, missed]) => h("div", { id: "total-" + key.slice(10) }, h("dt", {}, t(key)), h("dd", { class: missed ? "missed" : undefined }, value))),
  );
}

function drawSeries(report: QueueReport): void {
  const byStart = new Map<string, Figures[]>();
  for (const r of report.rows) byStart.set(r.start, [...(byStart.get(r.start) ?? []), r.figures]);
  const points = [...byStart.entries()].map(([start, fs]) => {
    const offered = fs.reduce((s, f) => s + f.offered, 0);
    const within = fs.reduce((s, f) => s + (f.service_level ?? 0) * (f.offered - f.short_abandoned), 0);
    const counted = fs.reduce((s, f) => s + f.offered - f.short_abandoned, 0);
    const sl = counted ? within / counted : null;
    return { label: time(start), bar: offered, line: sl, tip: t("reports.point", { at: dateTime(start), offered: number(offered), sl: percent(sl) }) };
  });
  barsAndLine(byId("series") as unknown as SVGSVGElement, points);
}

async function drawHeatmap(q: Query): Promise<void> {
  const hourly = await get("/reports/queues", { query: { ...q, interval: "hour", group: "none" } });
  const cells = new Map<string, Figures>();
  for (const r of hourly.rows) {
    const at = new Date(r.start);
    const weekday = (at.getDay() + 6) % 7;
    cells.set(`${weekday}:${at.getHours()}`, r.figures);
  }
  const days = [0, 1, 2, 3, 4, 5, 6].map((d) => t(`reports.weekday_${d}` as MessageKey));
  const hours = [...Array(24).keys()].map((hr) => String(hr).padStart(2, "0"));
  heatmap(byId("heatmap") as unknown as SVGSVGElement, days, hours, (r, c) => cells.get(`${r}:${c}`)?.service_level ?? null, (r, c) => {
    const f = cells.get(`${r}:${c}`);
    return `${days[r]} ${hours[c]}:00 — ` + (f ? t("reports.cell", { sl: percent(f.service_level), offered: number(f.offered) }) : t("reports.no_calls"));
  });
}

async function drawWaits(q: Query): Promise<void> {
  const answered = Array<number>(WAIT_BUCKETS).fill(0);
  const abandoned = Array<number>(WAIT_BUCKETS).fill(0);
  const page = await get("/reports/calls", { query: { ...q, limit: 200 } });
  for (const c of page.items) {
    const i = Math.min(WAIT_BUCKETS - 1, Math.floor(c.wait / WAIT_STEP));
    if (c.outcome === "answered") answered[i]! += 1;
    else if (c.outcome === "abandoned") abandoned[i]! += 1;
  }
  const labels = answered.map((_n, i) => (i === WAIT_BUCKETS - 1 ? `${i * WAIT_STEP}+` : `${i * WAIT_STEP}`));
  pairedHistogram(byId("waits") as unknown as SVGSVGElement, labels, answered, abandoned, (i) => t("reports.wait_tip", { from: labels[i], answered: answered[i], abandoned: abandoned[i] }));
}

async function loadCalls(q: Query): Promise<void> {
  const outcome = select("outcome").value as "" | "answered" | "abandoned" | "short_abandoned" | "overflowed";
  const query = outcome ? { ...q, outcome, limit: 200 } : { ...q, limit: 200 };
  byId("calls-csv", HTMLAnchorElement).href = apiUrl("/reports/calls/csv", { query });
  callsTable.show((await get("/reports/calls", { query })).items);
}

async function load(): Promise<void> {
  const q = query();
  byId("from-error").textContent = "";
  const full: Query = { ...q, interval: select("interval").value as Query["interval"], group: select("group").value as Query["group"] };
  try {
    const report = await get("/reports/queues", { query: full });
    totals(report);
    rowsTable.show(report.rows);
    drawSeries(report);
    byId("queues-csv", HTMLAnchorElement).href = apiUrl("/reports/queues/csv", { query: full });
    byId("agents-csv", HTMLAnchorElement).href = apiUrl("/reports/agents/csv", { query: { from: q.from, to: q.to } });
    agentsTable.show((await get("/reports/agents", { query: { from: q.from, to: q.to } })).agents);
    await Promise.all([drawHeatmap(q), drawWaits(q), loadCalls(q)]);
    status.textContent = t("reports.updated", { at: time(Date.now()), zone: report.timezone });
  } catch (err) {
    byId("from-error").textContent = errorText(err);
  }
}

async function start(): Promise<void> {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: ctx.timeZone || undefined }).format(new Date());
  input("from").value = today;
  input("to").value = today;
  const queues = await get("/queues");
  for (const q of queues.items) select("queue").append(h("option", { value: q.name }, q.name));
  byId("filters", HTMLFormElement).addEventListener("submit", (ev) => {
    ev.preventDefault();
    void load();
  });
  select("outcome").addEventListener("change", () => void loadCalls(query()));
  await Promise.all([load(), showAlerts(byId("alerts"))]);
}

void start().finally(markLoaded);
