// Review a recorded call: the player and transcript beside a scorecard; checks from the
// transcript pre-fill the criteria they name; comments are pinned to the moment being heard;
// an evaluation, once submitted, is never edited — superseding it asks why.

import "./review.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { clock, dateTime, number } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { byId, errorText, h, input } from "../ui/dom";
import { DataTable } from "../ui/table";
import { transcriptLines } from "../ui/transcript";

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const recordingId = Number(document.body.dataset.recording);
const player = byId("player", HTMLAudioElement);
type Review = Answer<operations["recording_review"]>;
type Form = Review["forms"][number];
type Evaluation = Review["evaluations"][number];
type Criterion = Form["sections"][number]["criteria"][number];
type Pinned = { at: number; text: string };

let review: Review | null = null;
let comments: Pinned[] = [];
let superseding: Evaluation | null = null;

function formOf(id: number): Form | undefined {
  return review?.forms.find((f) => f.id === id);
}

function choice(name: string, value: string, label: string, checked: boolean): HTMLElement {
  const radio = h("input", { type: "radio", name, value });
  radio.checked = checked;
  return h("label", {}, radio, " " + label);
}

function criterionBox(c: Criterion, preset: unknown): HTMLElement {
  const name = `c-${c.id}`;
  const values: [string, string][] = c.kind === "yes_no"
    ? [["yes", t("review.yes")], ["no", t("review.no")]]
    : Array.from({ length: c.scale }, (_v, i) => [String(i + 1), String(i + 1)] as [string, string]);
  if (c.allows_na) values.push(["n/a", t("review.na")]);
  const given = preset === true ? "yes" : preset === false ? "no" : typeof preset === "number" || typeof preset === "string" ? String(preset) : "";
  const box = h("fieldset", { class: "criterion", "data-criterion": c.id }, h("legend", {}, `${c.text} (×${number(c.weight)})`), ...values.map(([v, label]) => choice(name, v, label, v === given)));
  const check = c.auto ? review?.checks[c.auto] : undefined;
  if (check) box.append(h("p", { class: "auto" }, t("review.auto", { found: check.found })));
  return box;
}

function showForm(preset?: Record<string, unknown>): void {
  const form = formOf(Number(byId("form-pick", HTMLSelectElement).value));
  const box = byId("criteria");
  box.replaceChildren();
  if (!form) return;
  for (const s of form.sections) {
    box.append(h("h3", {}, s.title));
    for (const c of s.criteria) {
      const auto = c.auto ? review?.checks[c.auto]?.passed : undefined;
      box.append(criterionBox(c, preset ? preset[c.id] : auto));
    }
  }
}

function answers(form: Form): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of form.sections) {
    for (const c of s.criteria) {
      const picked = document.querySelector<HTMLInputElement>(`input[name="c-${c.id}"]:checked`);
      if (!picked) continue;
      out[c.id] = picked.value === "yes" ? true : picked.value === "no" ? false : picked.value === "n/a" ? "n/a" : Number(picked.value);
    }
  }
  return out;
}

function showComments(): void {
  byId("comments").replaceChildren(...comments.map((c) => h("li", { "data-at": String(c.at) }, `${clock(c.at)} — `, h("span", {}, c.text))));
}

const evaluationsTable = new DataTable<Evaluation>(byId("evaluations-table", HTMLTableElement), {
  empty: t("review.none"),
  row: (tr, e) => {
    tr.dataset.evaluation = String(e.id);
    if (e.superseded_by) tr.classList.add("superseded");
  },
  columns: [
    { label: t("review.grader"), value: (e) => e.grader ?? "" },
    { label: t("review.score"), value: (e) => (e.score === null ? "–" : `${number(e.score)} %`) },
    { label: t("review.submitted"), value: (e) => (e.submitted_at ? dateTime(e.submitted_at) : "") },
    { label: t("review.state"), value: (e) => (e.superseded_by ? t("review.superseded_by", { id: e.superseded_by }) : e.supersedes ? t("review.supersedes", { id: e.supersedes, reason: e.reason ?? "" }) : t("review.current")) },
    { label: t("review.response"), value: (e) => (e.response ? `${e.response}${e.dispute ? ": " + e.dispute : ""}` : "") },
    { label: t("review.comments"), value: (e) => e.comments.map((c) => `${clock(Number(c.at))} ${String(c.text)}`).join(" · ") },
    { label: "", value: (e) => (e.superseded_by ? "" : supersedeButton(e)) },
  ],
});

function supersedeButton(e: Evaluation): HTMLElement {
  const button = h("button", { type: "button", class: "supersede" }, t("review.supersede"));
  button.addEventListener("click", () => {
    superseding = e;
    byId("form-pick", HTMLSelectElement).value = String(e.scorecard_id);
    comments = e.comments.map((c) => ({ at: Number(c.at), text: String(c.text) }));
    showForm(e.answers);
    showComments();
    byId("supersede-reason-wrap").hidden = false;
    byId("submit").textContent = t("review.submit_supersede", { id: e.id });
  });
  return button;
}

const spreadTable = new DataTable<[string, number | null]>(byId("spread-table", HTMLTableElement), {
  empty: t("review.no_calibration"),
  row: (tr, [id]) => (tr.dataset.criterion = id),
  columns: [
    { label: t("review.criterion"), value: ([id]) => id },
    { label: t("review.spread"), value: ([, v]) => (v === null ? "–" : `${number(Math.round(v * 100))} %`) },
  ],
});

async function load(): Promise<void> {
  review = await get("/recordings/{recording_id}/review", { path: { recording_id: recordingId } });
  const r = review.recording;
  byId("about").textContent = t("review.about", { agent: r.agent ?? "", queue: r.queue ?? "", length: clock(r.duration) });
  if (r.audio_url && !player.src) player.src = r.audio_url;
  transcriptLines(byId("transcript"), review.transcript, player);
  byId("checks").replaceChildren(...Object.entries(review.checks).map(([name, c]) => h("li", { "data-check": name }, `${name}: ${c.passed ? "✓" : "✗"} ${c.found}`)));
  const pick = byId("form-pick", HTMLSelectElement);
  const chosen = pick.value;
  pick.replaceChildren(...review.forms.map((f) => h("option", { value: String(f.id) }, `${f.name} v${f.version}`)));
  if (chosen) pick.value = chosen;
  showForm();
  evaluationsTable.show(review.evaluations);
  spreadTable.show(Object.entries(review.spread));
}

byId("form-pick").addEventListener("change", () => showForm());
byId("comment-add").addEventListener("click", () => {
  const text = input("comment-text").value.trim();
  if (!text) return;
  comments.push({ at: Math.round(player.currentTime * 10) / 10, text });
  comments.sort((a, b) => a.at - b.at);
  input("comment-text").value = "";
  showComments();
});
byId("scorecard", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const form = formOf(Number(byId("form-pick", HTMLSelectElement).value));
  if (!form) return;
  const body = { answers: answers(form), comments };
  const done = superseding
    ? send("post", "/evaluations/{evaluation_id}/supersede", { path: { evaluation_id: superseding.id }, body: { ...body, scorecard_id: form.id, reason: input("supersede-reason").value.trim() } })
    : send("post", "/evaluations", { body: { ...body, recording_id: recordingId, scorecard_id: form.id } });
  done
    .then(async (e) => {
      status.textContent = t("review.submitted_as", { id: e.id, score: e.score === null ? "–" : number(e.score) });
      byId("form-error").textContent = "";
      superseding = null;
      comments = [];
      showComments();
      byId("supersede-reason-wrap").hidden = true;
      input("supersede-reason").value = "";
      byId("submit").textContent = t("review.submit");
      await load();
    })
    .catch((err: unknown) => (byId("form-error").textContent = errorText(err)));
});
load()
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
