import { ApiError } from "../api/client";
import { t, type MessageKey } from "../shell/i18n";

// Small typed DOM helpers. Customer text only ever becomes text nodes (textContent), never
// markup (the lint refuses innerHTML and its kin).

/** The element with `id`, of the type asked for; a page without it is a bug, named. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, type?: new () => T): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`this page has no #${id}`);
  if (type && !(el instanceof type)) throw new Error(`#${id} is not a ${type.name}`);
  return el as T;
}

export function input(id: string): HTMLInputElement {
  return byId(id, HTMLInputElement);
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** An element with attributes (class, data-*, hidden…) and children (strings become text). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === "class") el.className = String(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  el.append(...children);
  return el;
}

/** A table cell holding `text` as text, appended to `row`. */
export function cell(row: HTMLTableRowElement, text: string, cls?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

export function item(parent: HTMLElement, text: string, cls?: string): HTMLLIElement {
  const li = h("li", { class: cls }, text);
  parent.appendChild(li);
  return li;
}

export function link(href: string, text: string): HTMLAnchorElement {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  return a;
}

/** What went wrong, in the reader's language: an API refusal by its error id and the field
 * it names (the server's own words, in English, follow in parentheses for the detail). */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = `api_error.${err.id}` as MessageKey;
    const said = t(key, { field: err.field ?? "" });
    return said === key ? err.message : `${said} (${err.message})`;
  }
  return err instanceof Error ? err.message : String(err);
}
