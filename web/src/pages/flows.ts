// The flow editor: the YAML of one file checked as it is typed (the daemon's own validator:
// every problem at its line and column, a click takes the caret there), the diagram, the
// simulator, publish (admins), the versions with a diff and a rollback after confirmation.

import "./flows.css";
import { ApiError, get, send, useSession } from "../api/client";
import { dateTime } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { confirmAction } from "../ui/confirm";
import { byId, cell, errorText, h, input } from "../ui/dom";
import { draw, type Graph } from "../parts/flows_diagram";

interface Issue {
  file: string;
  line: number;
  column: number;
  path: string;
  code: string;
  message: string;
}

const ctx = startPage();
useSession(ctx.csrf);
const mayPublish = document.body.dataset.mayPublish === "true";
const fileSelect = byId("file", HTMLSelectElement);
const yaml = byId("yaml", HTMLTextAreaElement);
const state = byId("check-state");
let timer: number | undefined;

function goToLine(line: number, column: number): void {
  const lines = yaml.value.split("\n");
  const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, column - 1);
  yaml.focus();
  yaml.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0) - Math.max(0, column - 1));
}

function showIssues(issues: Issue[]): void {
  byId("problems").replaceChildren(
    ...issues.map((i) => {
      const where = h("button", { type: "button", class: "where" }, t("flows.at_line", { file: i.file, line: i.line, column: i.column }));
      where.addEventListener("click", () => goToLine(i.line, i.column));
      return h("li", { "data-line": i.line, "data-code": i.code }, where, ` [${i.code}] ${i.path ? i.path + ": " : ""}${i.message}`);
    }),
  );
  state.textContent = issues.length ? t("flows.problems_count", { count: issues.length }) : t("flows.valid");
  document.body.dataset.check = issues.length ? "invalid" : "valid";
  byId("publish", HTMLButtonElement).disabled = !mayPublish || issues.length > 0;
}

function showGraph(graphs: Graph[]): void {
  byId("diagram").replaceChildren(...graphs.map(draw));
  const flows = graphs.map((g) => g.flow);
  const sim = byId("sim-flow", HTMLSelectElement);
  const keep = sim.value;
  sim.replaceChildren(...flows.map((f) => h("option", { value: f }, f)));
  if (flows.includes(keep)) sim.value = keep;
}

async function checkDraft(): Promise<void> {
  const out = await send("post", "/flows/check", { body: { file: fileSelect.value, text: yaml.value } });
  showIssues(out.issues);
  if (!out.issues.length) showGraph(out.graph);
}
yaml.addEventListener("input", () => {
  clearTimeout(timer);
  state.textContent = t("flows.checking");
  timer = window.setTimeout(() => void checkDraft().catch((e: unknown) => (state.textContent = errorText(e))), 400);
});

async function loadVersions(): Promise<void> {
  const file = fileSelect.value;
  const { items } = await get("/flows/{file}/versions", { path: { file } });
  const table = byId("versions", HTMLTableElement);
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const k of ["flows.version", "flows.when", "flows.who", "flows.why", "flows.actions"] as const) head.append(h("th", { scope: "col" }, t(k)));
  const body = table.createTBody();
  items.forEach((v, i) => {
    const row = body.insertRow();
    row.dataset.version = String(v.id);
    cell(row, `v${v.id} · ${v.digest}` + (i === 0 ? ` (${t("flows.current")})` : ""));
    cell(row, dateTime(v.published_at));
    cell(row, v.published_by === "file" ? t("flows.from_disk") : v.published_by);
    cell(row, v.note);
    const actions = cell(row, "");
    const older = items[i + 1];
    if (older) {
      const compare = h("button", { type: "button", class: "compare" }, t("flows.compare"));
      compare.addEventListener("click", () => void showDiff(older.id, v.id));
      actions.append(compare, " ");
    }
    if (i > 0 && mayPublish) {
      const back = h("button", { type: "button", class: "rollback" }, t("flows.rollback"));
      back.addEventListener("click", () => void rollback(v.id));
      actions.append(back);
    }
  });
}

async function showDiff(from: number, to: number): Promise<void> {
  const { lines } = await get("/flows/{file}/diff", { path: { file: fileSelect.value }, query: { from, to } });
  const pre = byId("diff");
  pre.replaceChildren(...lines.map((l) => h("span", { class: l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : "" }, l + "\n")));
  pre.hidden = false;
}

async function rollback(id: number): Promise<void> {
  if (!(await confirmAction(t("flows.rollback_question", { id, file: fileSelect.value }), t("flows.rollback_confirm")))) return;
  const out = byId("publish-state");
  try {
    const v = await send("post", "/flows/{file}/versions/{version_id}/rollback", { path: { file: fileSelect.value, version_id: id } });
    out.textContent = t("flows.published", { id: v.id });
    await loadFile(fileSelect.value);
  } catch (err) {
    out.textContent = errorText(err);
  }
}

byId("publish-form", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const out = byId("publish-state");
  const file = fileSelect.value;
  send("post", "/flows/{file}/versions", { path: { file }, body: { text: yaml.value, note: input("note").value } })
    .then(async (v) => {
      out.textContent = t("flows.published", { id: v.id });
      input("note").value = "";
      await loadVersions();
    })
    .catch((err: unknown) => {
      const issues = (err instanceof ApiError ? err.issues : undefined) as Issue[] | undefined;
      if (issues) showIssues(issues);
      out.textContent = errorText(err);
    });
});

byId("simulate-form", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const at = input("sim-at").value;
  const stubsText = byId("sim-stubs", HTMLTextAreaElement).value.trim();
  let stubs: Record<string, unknown> = {};
  try {
    stubs = stubsText ? (JSON.parse(stubsText) as Record<string, unknown>) : {};
    if (typeof stubs !== "object" || stubs === null || Array.isArray(stubs)) throw new Error("{…}");
  } catch (err) {
    byId("sim-out").textContent = t("flows.stubs_invalid", { error: String((err as Error).message) });
    return;
  }
  const body = {
    file: fileSelect.value,
    text: yaml.value,
    flow: byId("sim-flow", HTMLSelectElement).value,
    digits: input("sim-digits").value.split(/\s+/).filter(Boolean),
    caller: input("sim-caller").value.trim(),
    ...(at ? { at: new Date(at).toISOString() } : {}),
    ...(stubsText ? { stubs: stubs as Record<string, Record<string, never> | string> } : {}),
  };
  send("post", "/flows/simulate", { body })
    .then((out) => (byId("sim-out").textContent = out.lines.join("\n")))
    .catch((err: unknown) => (byId("sim-out").textContent = errorText(err)));
});

async function loadFile(file: string): Promise<void> {
  const { items } = await get("/flows");
  const found = items.find((f) => f.file === file) ?? items[0];
  if (!found) return;
  yaml.value = found.text;
  await checkDraft();
  await loadVersions();
  byId("diff").hidden = true;
}

async function start(): Promise<void> {
  const { items } = await get("/flows");
  fileSelect.replaceChildren(...items.map((f) => h("option", { value: f.file }, f.file)));
  const wanted = new URLSearchParams(location.search).get("file");
  if (wanted && items.some((f) => f.file === wanted)) fileSelect.value = wanted;
  fileSelect.addEventListener("change", () => void loadFile(fileSelect.value));
  if (!mayPublish) byId("publish-form").hidden = true;
  await loadFile(fileSelect.value);
}
start()
  .catch((err: unknown) => (state.textContent = errorText(err)))
  .finally(markLoaded);
