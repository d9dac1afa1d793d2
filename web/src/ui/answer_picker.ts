// Canned answers in a composer: a search box (words, or /shortcut) lists the answers for the
// page's language; choosing one asks the server to fill it from the ticket at hand (which
// counts the use) and inserts the text at the caret. Placeholders without a value are named
// beside the box, so nothing goes out with a hole nobody saw. Texts are set as text.

import { get, send } from "../api/client";
import { t } from "../shell/i18n";
import { byId, errorText, h } from "./dom";

export interface PickerParts {
  search: HTMLInputElement;
  list: HTMLElement;
  note: HTMLElement; // what was not filled, or why it failed
}

export function answerPicker(
  parts: PickerParts,
  target: HTMLInputElement | HTMLTextAreaElement,
  ticket: () => number | undefined,
  language: string,
): void {
  let timer = 0;
  parts.search.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => void find(), 150);
  });

  async function find(): Promise<void> {
    const q = parts.search.value.trim();
    parts.list.replaceChildren();
    if (!q) return;
    try {
      const { items } = await get("/answers", { query: { q, language, limit: 8 } });
      parts.list.replaceChildren(
        ...items.map((a) => {
          const pick = h("button", { type: "button", class: "answer", "data-shortcut": a.shortcut }, `/${a.shortcut} — ${a.title}`);
          pick.addEventListener("click", () => void insert(a.id));
          return h("li", {}, pick);
        }),
      );
      if (!items.length) parts.note.textContent = t("answers.empty");
    } catch (err) {
      parts.note.textContent = errorText(err);
    }
  }

  async function insert(id: number): Promise<void> {
    const number = ticket();
    try {
      const filled = await send("post", "/answers/{answer_id}/fill", {
        path: { answer_id: id },
        body: number ? { ticket_number: number } : {},
      });
      const start = target.selectionStart ?? target.value.length;
      const end = target.selectionEnd ?? start;
      target.value = target.value.slice(0, start) + filled.text + target.value.slice(end);
      target.focus();
      target.setSelectionRange(start + filled.text.length, start + filled.text.length);
      parts.note.textContent = filled.missing.length ? t("answers.missing", { names: filled.missing.join(", ") }) : "";
      parts.list.replaceChildren();
      parts.search.value = "";
    } catch (err) {
      parts.note.textContent = errorText(err);
    }
  }
}

/** The picker's parts by their ids on a page: `${prefix}-q`, `${prefix}-list`, `${prefix}-note`. */
export function pickerParts(prefix: string): PickerParts {
  return { search: byId(`${prefix}-q`, HTMLInputElement), list: byId(`${prefix}-list`), note: byId(`${prefix}-note`) };
}
