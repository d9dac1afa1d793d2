// What every staff page runs first: the reader's language on the page (the shell's header
// and the page's own data-i18n texts), the formats, and the header's language picker.

import { pageContext, type PageContext } from "./context";
import { setFormat } from "./format";
import { startI18n, translate } from "./i18n";

export function startPage(): PageContext {
  const ctx = pageContext();
  ctx.locale = startI18n(ctx.locale);
  setFormat(ctx.locale, ctx.timeZone);
  translate(document);
  const picker = document.getElementById("shell-locale");
  if (picker instanceof HTMLSelectElement && picker.form) {
    const form = picker.form;
    picker.addEventListener("change", () => form.requestSubmit());
  }
  document.documentElement.classList.remove("translating");
  document.documentElement.dataset.ready = "true";
  return ctx;
}

/** The page's first data is on it (what browser tests and screenshots wait for). */
export function markLoaded(): void {
  document.documentElement.dataset.loaded = "true";
}
