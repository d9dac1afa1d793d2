import { describe, expect, it } from "vitest";
import { startWidgetI18n, widgetLanguage, wt } from "../src/widget/widget_i18n";

describe("the widget's language", () => {
  it("is the script's data-lang, else the page's, else the browser's, else English", () => {
    expect(widgetLanguage("zh", "ru", "en-US")).toBe("zh");
    expect(widgetLanguage(undefined, "ru-RU", "en-US")).toBe("ru");
    expect(widgetLanguage(undefined, "", "zh-CN")).toBe("zh");
    expect(widgetLanguage("fr", "de", "es")).toBe("en");
  });

  it("says the wait with the language's plural", () => {
    startWidgetI18n("ru");
    expect(wt("open", { count: 2 })).toBe("Мы работаем. Ожидание около 2 минут.");
    expect(wt("open", { count: 1 })).toBe("Мы работаем. Ожидание около 1 минуты.");
  });
});
