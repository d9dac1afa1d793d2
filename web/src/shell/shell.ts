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
  labelRegions(document);
  document.documentElement.classList.remove("translating");
  document.documentElement.dataset.ready = "true";
  return ctx;
}

/** Wide tables scroll sideways inside their .table-wrap: a keyboard must reach that scroll
 * (it takes the focus) and a screen reader names it after the heading before it. */
function labelRegions(root: Document): void {
  let n = 0;
  for (const wrap of root.querySelectorAll<HTMLElement>(".table-wrap")) {
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    let heading = wrap.previousElementSibling;
    while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
    if (heading) {
      heading.id ||= `region-${++n}`;
      wrap.setAttribute("aria-labelledby", heading.id);
    } else {
      wrap.setAttribute("aria-label", wrap.querySelector("table")?.getAttribute("aria-label") ?? document.title);
    }
  }
}

/** The page's first data is on it (what browser tests and screenshots wait for). */
export function markLoaded(): void {
  document.documentElement.dataset.loaded = "true";
}
