// The staff application's languages: i18next with the catalogues in src/locales (one JSON
// file per language, the same keys in each; test/locales.test.ts fails when one is missing).
// Static texts in the templates carry data-i18n keys (their English is the fallback);
// scripts call t().

import i18next, { type TOptions } from "i18next";
import en from "../locales/en.json";
import ru from "../locales/ru.json";
import zh from "../locales/zh.json";

export const LOCALES = { en, ru, zh } as const;
export type Locale = keyof typeof LOCALES;
type Plain<K> = K extends `${infer Base}_${"zero" | "one" | "two" | "few" | "many" | "other"}` ? Base | K : K;
/** A catalogue key, or the base of a plural one ("search.found" for "search.found_one"). */
export type MessageKey = Plain<keyof typeof en>;

const i18n = i18next.createInstance();

export function startI18n(locale: string): Locale {
  const lang: Locale = locale in LOCALES ? (locale as Locale) : "en";
  void i18n.init({
    lng: lang,
    fallbackLng: "en",
    initAsync: false,
    resources: Object.fromEntries(Object.entries(LOCALES).map(([k, v]) => [k, { translation: v }])),
    interpolation: { escapeValue: false }, // text nodes only: nothing is parsed as markup
    keySeparator: false,
    nsSeparator: false,
  });
  return lang;
}

export function t(key: MessageKey, options?: TOptions): string {
  return i18n.t(key, options ?? {});
}

/** Every element under `root` with a data-i18n key gets its text in the reader's language;
 * data-i18n-placeholder, -title and -aria-label do the same for those attributes. */
export function translate(root: ParentNode): void {
  for (const el of root.querySelectorAll<HTMLElement>("[data-i18n]")) {
    const key = el.dataset.i18n;
    if (key && i18n.exists(key)) el.textContent = i18n.t(key);
  }
  for (const attr of ["placeholder", "title", "aria-label"] as const) {
    const data = "data-i18n-" + attr;
    for (const el of root.querySelectorAll<HTMLElement>(`[${data}]`)) {
      const key = el.getAttribute(data);
      if (key && i18n.exists(key)) el.setAttribute(attr, i18n.t(key));
    }
  }
}
