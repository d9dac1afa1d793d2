// Canned answers: find them (words, or /shortcut; a language), and — supervisors and admins
// — write, change and remove them, with how often each was used. Texts are set as text.

import "./answers.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime, number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { confirmAction } from "../ui/confirm";
import { byId, errorText, h, input } from "../ui/dom";
import { clearErrors, showError, type FieldMap } from "../ui/forms";
import { DataTable } from "../ui/table";

type CannedAnswer = Answer<operations["list_answers"]>["items"][number];

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const writes = ctx.role === "admin" || ctx.role === "supervisor";
const editor = byId("editor");
editor.hidden = !writes;
const body = byId("body", HTMLTextAreaElement);
const fields: FieldMap = {
  shortcut: [input("shortcut"), byId("shortcut-error")],
  title: [input("title"), byId("title-error")],
  body: [body, byId("body-error")],
  team: [input("team"), byId("team-error")],
};

function actions(a: CannedAnswer): Node {
  const span = h("span");
  if (!writes) return span;
  const edit = h("button", { type: "button", class: "edit" }, t("answers.edit"));
  edit.addEventListener("click", () => open(a));
  const remove = h("button", { type: "button", class: "remove" }, t("answers.remove"));
  remove.addEventListener("click", () => void removeOne(a));
  span.append(edit, " ", remove);
  return span;
}

const table = new DataTable<CannedAnswer>(byId("answers-table", HTMLTableElement), {
  empty: t("answers.empty"),
  row: (tr, a) => (tr.id = "answer-" + a.id),
  columns: [
    { label: t("answers.shortcut"), value: (a) => "/" + a.shortcut, sort: (a) => a.shortcut },
    { label: t("answers.title_field"), value: (a) => a.title, sort: (a) => a.title },
    { label: t("answers.body"), value: (a) => a.body, cls: () => "body" },
    { label: t("answers.language"), value: (a) => a.language, sort: (a) => a.language },
    { label: t("answers.team"), value: (a) => a.team || t("answers.every_team"), sort: (a) => a.team },
    { label: t("answers.uses"), value: (a) => number(a.uses), sort: (a) => a.uses },
    { label: t("answers.updated"), value: (a) => (a.updated_at ? `${dateTime(a.updated_at)} · ${a.updated_by}` : "—") },
    { label: t("answers.actions"), value: actions },
  ],
});

function open(a: CannedAnswer | null): void {
  clearErrors(fields);
  input("answer-id").value = a ? String(a.id) : "";
  input("shortcut").value = a?.shortcut ?? "";
  input("title").value = a?.title ?? "";
  body.value = a?.body ?? "";
  byId("language", HTMLSelectElement).value = a?.language ?? "en";
  input("team").value = a?.team ?? "";
  input("shortcut").focus();
}

async function removeOne(a: CannedAnswer): Promise<void> {
  if (!(await confirmAction(t("answers.remove_question", { shortcut: a.shortcut }), t("answers.remove")))) return;
  try {
    await send("delete", "/answers/{answer_id}", { path: { answer_id: a.id } });
    status.textContent = t("answers.removed", { shortcut: a.shortcut });
  } catch (err) {
    status.textContent = errorText(err);
  }
  await load();
}

byId("answer-form", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const id = Number(input("answer-id").value || 0);
  const answer = {
    shortcut: input("shortcut").value.trim(),
    title: input("title").value,
    body: body.value,
    language: byId("language", HTMLSelectElement).value,
    team: input("team").value.trim(),
  };
  const saving = id
    ? send("put", "/answers/{answer_id}", { path: { answer_id: id }, body: answer })
    : send("post", "/answers", { body: answer });
  saving
    .then(async (a) => {
      clearErrors(fields);
      status.textContent = t("answers.saved", { shortcut: a.shortcut });
      open(null);
      await load();
    })
    .catch((err: unknown) => showError(err, fields, status));
});
byId("new-answer").addEventListener("click", () => open(null));

let timer = 0;
for (const id of ["q", "find-language"]) {
  byId(id).addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 200);
  });
}
byId("find-form", HTMLFormElement).addEventListener("submit", (ev) => ev.preventDefault());

async function load(): Promise<void> {
  const q = input("q").value.trim();
  const language = byId("find-language", HTMLSelectElement).value;
  const { items } = await get("/answers", { query: { ...(q ? { q } : {}), ...(language ? { language } : {}), limit: 200 } });
  table.show(items);
}
load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
