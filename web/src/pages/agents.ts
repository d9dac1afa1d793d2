// Every agent: extension, name, team, skills, and their state now in the board's word.

import "./agents.css";
import type { operations } from "../../generated/api";
import { get, type Answer } from "../api/client";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, errorText, input } from "../ui/dom";
import { agentState } from "../ui/states";
import { DataTable } from "../ui/table";

type Agent = Answer<operations["list_agents"]>["items"][number];

startPage();
let all: Agent[] = [];
const table = new DataTable<Agent>(byId("agents-table", HTMLTableElement), {
  empty: t("agents.empty"),
  row: (tr, a) => (tr.id = "agent-" + a.extension),
  columns: [
    { label: t("agents.extension"), value: (a) => a.extension, sort: (a) => a.extension },
    { label: t("agents.name"), value: (a) => a.name, sort: (a) => a.name },
    { label: t("agents.team"), value: (a) => a.team || "—", sort: (a) => a.team },
    { label: t("agents.skills"), value: (a) => a.skills.join(", ") || "—" },
    { label: t("agents.state"), value: (a) => agentState(a.state), sort: (a) => a.state, cls: (a) => a.state },
  ],
});

function show(): void {
  const words = input("filter").value.trim().toLowerCase();
  table.show(words ? all.filter((a) => `${a.extension} ${a.name} ${a.team}`.toLowerCase().includes(words)) : all);
}
input("filter").addEventListener("input", show);

get("/agents")
  .then(({ items }) => {
    all = items;
    show();
  })
  .catch((err: unknown) => (byId("status").textContent = errorText(err)))
  .finally(markLoaded);
