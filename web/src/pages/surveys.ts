// Surveys: CSAT per queue, agent, team, flow, number or hour; CSAT against the wait,
// transfers and repeat calls (drawn: answers as bars, CSAT as the line); each answer, with
// its comment's words, and "seen" — an agent sees a caller's score only after that.

import "./surveys.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { barsAndLine } from "../ui/charts";
import { byId, errorText, h, input, link } from "../ui/dom";
import { DataTable } from "../ui/table";

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
type Csat = Answer<operations["survey_csat"]>["items"][number];
type Survey = Answer<operations["list_surveys"]>["items"][number];
type Band = Csat & { driver: string };

const DRIVER_LABEL: Record<string, string> = { wait: t("surveys.wait"), transfers: t("surveys.transfers"), repeat: t("surveys.repeat"), promise: t("surveys.promise"), load: t("surveys.load") };
const OUTCOME_LABEL: Record<string, string> = { answered: t("surveys.outcome_answered"), no_answer: t("surveys.outcome_no_answer"), pending: t("surveys.outcome_pending") };
const pct = (x: number | null | undefined): string => (x === null || x === undefined ? "–" : `${number(x)} %`);
const csatColumns = [
  { label: t("surveys.answered"), value: (r: Csat) => number(r.answered), sort: (r: Csat) => r.answered },
  { label: t("surveys.no_answer"), value: (r: Csat) => number(r.no_answer), sort: (r: Csat) => r.no_answer },
  { label: t("surveys.csat"), value: (r: Csat) => pct(r.csat), sort: (r: Csat) => r.csat ?? -1 },
  { label: t("surveys.mean"), value: (r: Csat) => (r.mean === null ? "–" : number(r.mean)), sort: (r: Csat) => r.mean ?? -1 },
  { label: t("surveys.response_rate"), value: (r: Csat) => pct(r.response_rate), sort: (r: Csat) => r.response_rate ?? -1 },
];
const csatTable = new DataTable<Csat>(byId("csat-table", HTMLTableElement), {
  empty: t("surveys.none"),
  row: (tr, r) => (tr.dataset.key = r.key),
  columns: [{ label: t("surveys.key"), value: (r) => r.key, sort: (r) => r.key }, ...csatColumns],
});
const driversTable = new DataTable<Band>(byId("drivers-table", HTMLTableElement), {
  empty: t("surveys.none"),
  row: (tr, r) => (tr.dataset.band = `${r.driver}:${r.key}`),
  columns: [
    { label: t("surveys.driver"), value: (r) => DRIVER_LABEL[r.driver] ?? r.driver, sort: (r) => r.driver },
    { label: t("surveys.band"), value: (r) => r.key },
    ...csatColumns,
  ],
});

function seen(s: Survey): Node {
  if (s.reviewed) return document.createTextNode(t("surveys.seen_by", { who: s.reviewed_by ?? "" }));
  const button = h("button", { type: "button", class: "review" }, t("surveys.mark_seen"));
  button.addEventListener("click", () => {
    send("post", "/surveys/{survey_id}/review", { path: { survey_id: s.id } })
      .then(() => loadAnswers())
      .catch((err: unknown) => (status.textContent = errorText(err)));
  });
  return button;
}

const answersTable = new DataTable<Survey>(byId("answers-table", HTMLTableElement), {
  empty: t("surveys.none"),
  row: (tr, s) => (tr.dataset.survey = String(s.id)),
  columns: [
    { label: t("surveys.when"), value: (s) => (s.created_at ? dateTime(s.created_at) : ""), sort: (s) => s.created_at ?? "" },
    { label: t("surveys.queue"), value: (s) => s.queue ?? "", sort: (s) => s.queue ?? "" },
    { label: t("surveys.agent"), value: (s) => s.agent ?? "", sort: (s) => s.agent ?? "" },
    { label: t("surveys.outcome"), value: (s) => OUTCOME_LABEL[s.outcome] ?? s.outcome, sort: (s) => s.outcome },
    { label: t("surveys.scores"), value: (s) => s.scores.join(" · "), sort: (s) => s.scores[0] ?? 0 },
    { label: t("surveys.comment"), value: (s) => h("span", { class: "survey-comment" }, s.comment_text ?? (s.comment ? t("surveys.comment_pending") : "")) },
    { label: t("surveys.ticket"), value: (s) => (s.ticket_number ? link(`/tickets/${s.ticket_number}`, `#${s.ticket_number}`) : "") },
    { label: t("surveys.seen"), value: seen },
  ],
});

const days = (): number => Math.min(366, Math.max(1, Number(input("days").value) || 30));

async function loadCsat(): Promise<void> {
  const by = byId("by", HTMLSelectElement).value as "queue";
  csatTable.show((await get("/surveys/csat", { query: { by, days: days() } })).items);
}

async function loadDrivers(): Promise<void> {
  const { drivers } = await get("/surveys/drivers", { query: { days: days() } });
  const rows: Band[] = [];
  for (const [driver, bands] of Object.entries(drivers)) {
    rows.push(...bands.map((b) => ({ ...b, driver })));
    const chart = byId(`chart-${driver}`) as unknown as SVGSVGElement;
    barsAndLine(chart, bands.map((b) => ({ label: b.key, bar: b.answered, line: b.csat === null ? null : b.csat / 100, tip: `${b.key}: ${pct(b.csat)} (${number(b.answered)})` })));
  }
  driversTable.show(rows);
}

async function loadAnswers(): Promise<void> {
  answersTable.show((await get("/surveys", { query: { days: days(), limit: 200 } })).items);
}

const reload = (): void => void Promise.all([loadCsat(), loadDrivers(), loadAnswers()]).catch((err: unknown) => (status.textContent = errorText(err)));
for (const id of ["days", "by"]) byId(id).addEventListener("change", reload);
byId("filter", HTMLFormElement).addEventListener("submit", (ev) => ev.preventDefault());
Promise.all([loadCsat(), loadDrivers(), loadAnswers()])
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
