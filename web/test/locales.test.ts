// The catalogues: every key in every language (plural keys with every form the language's
// plural rules need), the same placeholders in each, and every data-i18n key the page
// templates use is in them. A translator's omission fails here, not on a page.

import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LOCALES } from "../src/shell/i18n";
import { WIDGET_LOCALES } from "../src/widget/widget_i18n";

const PLURAL = /^(.*)_(zero|one|two|few|many|other)$/;
const base = (k: string) => PLURAL.exec(k)?.[1] ?? k;
const holes = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
const SETS = [
  ...Object.entries(LOCALES).map(([lang, c]) => ["staff", lang, c, LOCALES.en] as const),
  ...Object.entries(WIDGET_LOCALES).map(([lang, c]) => ["widget", lang, c, WIDGET_LOCALES.en] as const),
];

describe.each(SETS)("the %s %s catalogue", (_set, lang, catalogue: Record<string, string>, en: Record<string, string>) => {
  it("has every key of the English one", () => {
    const mine = new Set(Object.keys(catalogue).map(base));
    expect([...new Set(Object.keys(en).map(base))].filter((k) => !mine.has(k))).toEqual([]);
  });

  it("has no key the English one lacks", () => {
    const english = new Set(Object.keys(en).map(base));
    expect(Object.keys(catalogue).filter((k) => !english.has(base(k)))).toEqual([]);
  });

  it("has every plural form the language needs", () => {
    const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    const plurals = new Set(Object.keys(en).filter((k) => PLURAL.test(k)).map(base));
    const missing = [...plurals].flatMap((b) => needed.filter((f) => !(`${b}_${f}` in catalogue)).map((f) => `${b}_${f}`));
    expect(missing).toEqual([]);
  });

  it("keeps the English placeholders", () => {
    const wrong = Object.entries(catalogue).filter(([k, v]) => {
      const english = en[k] ?? en[`${base(k)}_other`] ?? "";
      return holes(english).join() !== holes(v).join();
    });
    expect(wrong.map(([k]) => k)).toEqual([]);
  });
});

describe("the page templates", () => {
  const en: Record<string, string> = LOCALES.en;
  const dir = "../callcenter/http/static";
  const pages = readdirSync(dir).filter((f) => f.endsWith(".html"));

  it.each(pages)("%s uses only keys the catalogues have", (page) => {
    const html = readFileSync(`${dir}/${page}`, "utf8");
    const keys = [...html.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)].map((m) => m[1]!);
    const expanded = keys.flatMap((k) => (k.includes("{{what}}") ? ["not_found", "forbidden"].map((w) => k.replace("{{what}}", w)) : [k]));
    const unknown = expanded.filter((k) => k !== "{{message_key}}" && !(k in en));
    expect(unknown).toEqual([]);
  });

  it.each(pages)("%s has no inline script or style (the CSP allows none)", (page) => {
    const html = readFileSync(`${dir}/${page}`, "utf8");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle="|\son[a-z]+="/);
  });
});
