// Evaluations: an agent's own, to acknowledge or dispute (saying why); leads see everyone's
// and the calls drawn for review this week, each a link to its review page.

import "./evaluations.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, errorText, h, link } from "../ui/dom";
import { DataTable } from "../ui/table";

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
type Evaluation = Answer<operations["list_evaluations"]>["items"][number];
const lead = ctx.role === "admin" || ctx.role === "supervisor";

function respond(e: Evaluation): Node {
  if (ctx.role !== "agent" || e.superseded_by) return document.createTextNode(e.response ?? "");
  if (e.response) return document.createTextNode(e.response + (e.dispute ? `: ${e.dispute}` : ""));
  const ack = h("button", { type: "button", class: "acknowledge" }, t("evaluations.acknowledge"));
  const why = h("input", { class: "dispute-reason", "aria-label": t("evaluations.dispute_reason") });
  const dispute = h("button", { type: "button", class: "dispute" }, t("evaluations.dispute"));
  const done = (p: Promise<unknown>): void => void p.then(load).catch((err: unknown) => (status.textContent = errorText(err)));
  ack.addEventListener("click", () => done(send("post", "/evaluations/{evaluation_id}/acknowledge", { path: { evaluation_id: e.id } })));
  dispute.addEventListener("click", () => done(send("post", "/evaluations/{evaluation_id}/dispute", { path: { evaluation_id: e.id }, body: { reason: why.value.trim() } })));
  return h("span", {}, ack, " ", why, " ", dispute);
}

const table = new DataTable<Evaluation>(byId("evaluations-table", HTMLTableElement), {
  empty: t("evaluations.none"),
  row: (tr, e) => {
    tr.dataset.evaluation = String(e.id);
    if (e.superseded_by) tr.classList.add("superseded");
    if (e.response === "disputed") tr.classList.add("disputed");
  },
  columns: [
    { label: t("evaluations.when"), value: (e) => (e.submitted_at ? dateTime(e.submitted_at) : ""), sort: (e) => e.submitted_at ?? "" },
    { label: t("evaluations.agent"), value: (e) => e.agent, sort: (e) => e.agent },
    { label: t("evaluations.grader"), value: (e) => e.grader ?? "" },
    { label: t("evaluations.score"), value: (e) => (e.score === null ? "–" : `${number(e.score)} %`), sort: (e) => e.score ?? -1 },
    { label: t("evaluations.call"), value: (e) => (lead ? link(`/recordings/${e.recording_id}/review`, `#${e.recording_id}`) : `#${e.recording_id}`) },
    { label: t("evaluations.comments"), value: (e) => e.comments.map((c) => String(c.text)).join(" · ") },
    { label: t("evaluations.response"), value: respond },
  ],
});

async function load(): Promise<void> {
  table.show((await get("/evaluations", { query: { days: 90 } })).items);
  if (!lead) return;
  byId("sample-section").hidden = false;
  const { items } = await get("/evaluations/sample", { query: { days: 7 } });
  byId("sample").replaceChildren(...items.map((x) => h("li", { "data-recording": String(x.recording_id) }, link(`/recordings/${x.recording_id}/review`, `#${x.recording_id}`), ` ${x.agent} (${x.reason})`)));
}

load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
