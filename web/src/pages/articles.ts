// The knowledge base: articles by category, found with the one search (kind=article), read
// as the server renders them (Markdown with raw HTML off, http(s) links only); supervisors
// and admins write them and restore an old version after a confirmation.

import "./articles.css";
import type { operations } from "../../generated/api";
import { get, send, useSession, type Answer } from "../api/client";
import { dateTime } from "../shell/format";
import { t } from "../shell/i18n";
import { markLoaded, startPage } from "../shell/shell";
import { confirmAction } from "../ui/confirm";
import { byId, errorText, h, input } from "../ui/dom";
import { clearErrors, showError, type FieldMap } from "../ui/forms";
import { DataTable } from "../ui/table";

type Article = Answer<operations["list_articles"]>["items"][number];
interface MdNode {
  tag?: string;
  text?: string;
  href?: string;
  children?: MdNode[];
}
const TAGS = new Set(["p", "ul", "ol", "li", "em", "strong", "blockquote", "a", "hr", "br", "s", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"]);

function build(node: MdNode): Node {
  if (node.tag === undefined || !TAGS.has(node.tag)) return document.createTextNode(node.text ?? "");
  const el = document.createElement(node.tag);
  if (node.tag === "a" && node.href && /^(https?:|mailto:)/i.test(node.href)) {
    el.setAttribute("href", node.href);
    el.setAttribute("rel", "noopener noreferrer nofollow");
    el.setAttribute("target", "_blank");
  }
  el.append(...(node.children ?? []).map(build));
  return el;
}

const ctx = startPage();
useSession(ctx.csrf);
const status = byId("status");
const writes = ctx.role === "admin" || ctx.role === "supervisor";
byId("editor").hidden = !writes;
const body = byId("body", HTMLTextAreaElement);
const fields: FieldMap = {
  slug: [input("slug"), byId("slug-error")],
  title: [input("title"), byId("title-error")],
  category: [input("category"), byId("category-error")],
  body: [body, byId("body-error")],
};
let shown: Article | null = null;

function meta(a: Article): string {
  const when = a.updated_at ? dateTime(a.updated_at) : "";
  return [a.category, a.language, t(`articles.${a.visibility}` as "articles.public"), t("articles.version_of", { version: a.version }), when, a.updated_by].filter(Boolean).join(" · ");
}

function read(a: Article): void {
  shown = a;
  byId("reader-title").textContent = a.title;
  byId("reader-meta").textContent = meta(a);
  // Built from the server's tree with DOM calls: no markup is parsed here.
  byId("reader-body").replaceChildren(...(a.tree as unknown as MdNode[]).map(build));
  if (writes) void edit(a);
}

function list(items: Article[]): void {
  const out: Node[] = [];
  let category = "";
  for (const a of items) {
    if (a.category !== category) out.push(h("li", { class: "category" }, (category = a.category)));
    const open = h("button", { type: "button", class: "open", "data-slug": a.slug }, a.title);
    open.addEventListener("click", () => read(a));
    out.push(h("li", {}, open));
  }
  byId("article-list").replaceChildren(...(out.length ? out : [h("li", {}, t("articles.empty"))]));
}

const versions = new DataTable<Article>(byId("versions", HTMLTableElement), {
  empty: "—",
  columns: [
    { label: "#", value: (v) => String(v.version), sort: (v) => v.version },
    { label: t("articles.when"), value: (v) => (v.updated_at ? dateTime(v.updated_at) : "") },
    { label: t("articles.who"), value: (v) => v.updated_by },
    { label: t("articles.note"), value: (v) => v.note },
    { label: "", value: restoreButton },
  ],
});

function restoreButton(v: Article): Node {
  if (!shown || v.version === shown.version) return h("span");
  const b = h("button", { type: "button", class: "restore" }, t("articles.restore"));
  b.addEventListener("click", () => void restore(v));
  return b;
}

async function restore(v: Article): Promise<void> {
  if (!(await confirmAction(t("articles.restore_question", { version: v.version }), t("articles.restore")))) return;
  try {
    const a = await send("post", "/articles/{article_id}/restore", { path: { article_id: v.id }, body: { version: v.version } });
    status.textContent = t("articles.saved", { version: a.version });
    input("q").value = ""; // the article as it reads now, whatever the search was
    await load(a.id);
  } catch (err) {
    status.textContent = errorText(err);
  }
}

async function edit(a: Article | null): Promise<void> {
  clearErrors(fields);
  input("article-id").value = a ? String(a.id) : "";
  input("slug").value = a?.slug ?? "";
  input("title").value = a?.title ?? "";
  input("category").value = a?.category ?? "General";
  byId("language", HTMLSelectElement).value = a?.language ?? "en";
  byId("visibility", HTMLSelectElement).value = a?.visibility ?? "internal";
  body.value = a?.body ?? "";
  input("note").value = "";
  versions.show(a ? (await get("/articles/{article_id}/versions", { path: { article_id: a.id } })).items : []);
}

byId("article-form", HTMLFormElement).addEventListener("submit", (ev) => {
  ev.preventDefault();
  const id = Number(input("article-id").value || 0);
  const article = {
    slug: input("slug").value.trim(),
    title: input("title").value,
    category: input("category").value.trim(),
    language: byId("language", HTMLSelectElement).value,
    visibility: byId("visibility", HTMLSelectElement).value as "internal" | "public",
    body: body.value,
    note: input("note").value,
  };
  const saving = id
    ? send("put", "/articles/{article_id}", { path: { article_id: id }, body: article })
    : send("post", "/articles", { body: article });
  saving
    .then(async (a) => {
      clearErrors(fields);
      status.textContent = t("articles.saved", { version: a.version });
      input("q").value = "";
      await load(a.id);
    })
    .catch((err: unknown) => showError(err, fields, status));
});
byId("new-article").addEventListener("click", () => {
  shown = null;
  void edit(null);
});

async function load(open?: number): Promise<void> {
  const q = input("q").value.trim();
  const language = byId("find-language", HTMLSelectElement).value;
  let items = (await get("/articles", { query: language ? { language } : {} })).items;
  if (q) {
    const hits = (await get("/search", { query: { q, kind: "article", limit: 100 } })).items;
    const order = [...new Set(hits.map((x) => x.article_id))];
    items = order.map((id) => items.find((a) => a.id === id)).filter((a): a is Article => a !== undefined);
  }
  list(items);
  const chosen = items.find((a) => a.id === open) ?? (q ? items[0] : undefined);
  if (chosen) read(chosen);
}

let timer = 0;
for (const id of ["q", "find-language"]) {
  byId(id).addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void load().catch((err: unknown) => (status.textContent = errorText(err))), 250);
  });
}
byId("find-form", HTMLFormElement).addEventListener("submit", (ev) => ev.preventDefault());
load(Number(new URLSearchParams(location.search).get("id")) || undefined)
  .catch((err: unknown) => (status.textContent = errorText(err)))
  .finally(markLoaded);
