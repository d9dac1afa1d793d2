// The widget's languages: i18next with its own small catalogues (widget/locales), chosen by
// the script tag's data-lang, else the embedding page's <html lang>, else the browser's.

import i18next, { type TOptions } from "i18next";
import en from "./locales/en.json";
import ru from "./locales/ru.json";
import zh from "./locales/zh.json";

export const WIDGET_LOCALES = { en, ru, zh } as const;
type Plain<K> = K extends `${infer Base}_${"one" | "few" | "many" | "other"}` ? Base | K : K;
export type WidgetKey = Plain<keyof typeof en>;

const i18n = i18next.createInstance();

export function widgetLanguage(...asked: (string | null | undefined)[]): keyof typeof WIDGET_LOCALES {
  for (const tag of asked) {
    const lang = (tag ?? "").toLowerCase().split("-")[0] ?? "";
    if (lang in WIDGET_LOCALES) return lang as keyof typeof WIDGET_LOCALES;
  }
  return "en";
}

export function startWidgetI18n(lang: string): void {
  void i18n.init({
    lng: lang,
    fallbackLng: "en",
    initAsync: false,
    resources: Object.fromEntries(Object.entries(WIDGET_LOCALES).map(([k, v]) => [k, { translation: v }])),
    interpolation: { escapeValue: false }, // set as text, never as markup
    keySeparator: false,
    nsSeparator: false,
  });
}

export function wt(key: WidgetKey, options?: TOptions): string {
  return i18n.t(key, options ?? {});
}
