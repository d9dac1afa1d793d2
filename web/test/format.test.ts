import { beforeAll, describe, expect, it } from "vitest";
import { clock, duration, percent, setFormat } from "../src/shell/format";
import { startI18n, t } from "../src/shell/i18n";

describe("formats in the reader's language", () => {
  beforeAll(() => {
    startI18n("ru");
    setFormat("ru", "Europe/Moscow");
  });

  it("says durations in Russian units", () => {
    expect(duration(42)).toBe("42 с");
    expect(duration(185)).toBe("3 мин 5 с");
    expect(duration(7800)).toBe("2 ч 10 мин");
    expect(duration(null)).toBe("—");
  });

  it("writes percentages the Russian way", () => {
    expect(percent(0.873).replace(/\s/g, " ")).toBe("87 %");
    expect(percent(null)).toBe("—");
  });

  it("picks the Russian plural form", () => {
    expect(t("board.calls", { count: 1 })).toBe("1 звонок");
    expect(t("board.calls", { count: 3 })).toBe("3 звонка");
    expect(t("board.calls", { count: 5 })).toBe("5 звонков");
  });

  it("writes a recording's clock", () => {
    expect(clock(65.4)).toBe("01:05");
  });
});
