// Topics: tags counted per day (drawn as a grid, listed as a table), the tags spiking now,
// and the tickets behind a tag (?tag= — where the board's spike banner leads).

import "./topics.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { heatmap } from "../ui/charts";
import { byId, errorText, h, input, link } from "../ui/dom";
import { clearErrors, showError, type FieldMap } from "../ui/forms";
import { DataTable } from "../ui/table";

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
type Row = { tag: string; counts: number[]; total: number };
let days: string[] = [];

const table = new DataTable<Row>(byId("trend-table", HTMLTableElement), {
  empty: t("topics.none"),
  columns: [
    { label: t("topics.tag"), value: (r) => link(`/topics?tag=${encodeURIComponent(r.tag)}`, r.tag), sort: (r) => r.tag },
    { label: t("topics.total"), value: (r) => number(r.total), sort: (r) => r.total },
    { label: t("topics.last_day"), value: (r) => number(r.counts[r.counts.length - 1] ?? 0), sort: (r) => r.counts[r.counts.length - 1] ?? 0 },
  ],
});

async function loadTrend(): Promise<void> {
  const queue = input("queue").value.trim();
  const channel = byId("channel", HTMLSelectElement).value;
  const trend = await get("/topics/trend", { query: { interval: "day", ...(queue ? { queue } : {}), ...(channel ? { channel } : {}) } });
  const since = new Date(trend.since);
  const width = Math.max(0, ...Object.values(trend.tags).map((c) => c.length));
  days = Array.from({ length: Math.max(width, 14) }, (_v, i) => new Date(since.getTime() + i * 86400000).toISOString().slice(5, 10));
  const rows: Row[] = Object.entries(trend.tags).map(([tag, counts]) => ({ tag, counts, total: counts.reduce((a, b) => a + b, 0) }));
  rows.sort((a, b) => b.total - a.total);
  table.show(rows);
  const top = rows.slice(0, 12);
  const peak = Math.max(1, ...top.flatMap((r) => r.counts));
  // The grid shades a share: a full cell is the busiest tag-day shown.
  heatmap(byId("trend") as unknown as SVGSVGElement, top.map((r) => r.tag), days, (r, c) => 1 - (top[r]!.counts[c] ?? 0) / peak, (r, c) => `${top[r]!.tag} ${days[c]}: ${top[r]!.counts[c] ?? 0}`);
}

async function loadSpikes(): Promise<void> {
  const { items } = await get("/topics/spikes");
  byId("spikes").replaceChildren(
    ...(items.length
      ? items.map((s) => h("li", { "data-tag": s.tag }, link(`/topics?tag=${encodeURIComponent(s.tag)}`, s.tag), " " + t("topics.spike_line", { count: s.count, expected: s.expected, threshold: s.threshold })))
      : [h("li", {}, t("topics.no_spikes"))]),
  );
}

async function loadTickets(tag: string): Promise<void> {
  byId("tickets-heading").textContent = t("topics.tickets_of", { tag });
  const { items } = await get("/topics/tickets", { query: { tag, hours: 24 * 14 } });
  byId("tickets").replaceChildren(...items.map((i) => h("li", {}, link(`/tickets/${i.number}`, `#${i.number} ${i.subject}`), " · " + dateTime(i.at))));
}

for (const id of ["queue", "channel"]) byId(id).addEventListener("change", () => void loadTrend().catch((err: unknown) => (status.textContent = errorText(err))));
byId("filter", HTMLFormElement).addEventListener("submit", (ev) => ev.preventDefault());
// The managed list: supervisors and admins define categories, colours, synonyms, retirement.
type Tag = Answer<operations["topic_tags"]>["items"][number];
const form = byId("tag-form", HTMLFormElement);
form.hidden = !(ctx.role === "admin" || ctx.role === "supervisor");
const tagFields: FieldMap = {
  name: [input("tag-name"), byId("name-error")],
  category: [input("tag-category"), byId("category-error")],
  colour: [input("tag-colour"), byId("colour-error")],
  merged_into: [input("tag-merged"), byId("merged-error")],
};
function swatch(x: Tag): Node {
  const span = h("span", { class: "tag" }, x.name);
  if (x.colour) span.style.borderLeft = `0.6em solid ${x.colour}`;
  const pick = h("button", { type: "button", class: "edit" }, span);
  pick.addEventListener("click", () => {
    input("tag-name").value = x.name;
    input("tag-category").value = x.category;
    input("tag-colour").value = x.colour || "#336699";
    input("tag-merged").value = x.merged_into ?? "";
    input("tag-retired").checked = x.retired;
  });
  return pick;
}
const tagsTable = new DataTable<Tag>(byId("tags-table", HTMLTableElement), {
  empty: t("topics.none"),
  row: (tr, x) => (tr.dataset.tag = x.name),
  columns: [
    { label: t("topics.tag"), value: swatch, sort: (x) => x.name },
    { label: t("topics.category"), value: (x) => x.category, sort: (x) => x.category },
    { label: t("topics.uses_30"), value: (x) => number(x.uses), sort: (x) => x.uses },
    { label: t("topics.merged_into"), value: (x) => x.merged_into ?? "" },
    { label: t("topics.state"), value: (x) => (x.retired ? t("topics.retired_short") : "") },
  ],
});
async function loadTags(): Promise<void> {
  tagsTable.show((await get("/topics/tags")).items);
}
form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const body = {
    name: input("tag-name").value.trim(),
    category: input("tag-category").value.trim(),
    colour: input("tag-colour").value,
    merged_into: input("tag-merged").value.trim() || null,
    retired: input("tag-retired").checked,
  };
  send("put", "/topics/tags", { body })
    .then(async (x) => {
      clearErrors(tagFields);
      status.textContent = t("topics.saved", { tag: x.name });
      await loadTags();
    })
    .catch((err: unknown) => showError(err, tagFields, status));
});

const tag = new URLSearchParams(location.search).get("tag");
Promise.all([loadTrend(), loadSpikes(), loadTags(), tag ? loadTickets(tag) : Promise.resolve()])
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
