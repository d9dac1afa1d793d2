import { describe, expect, it } from "vitest";
import { grade, worst } from "../src/parts/wallboard_targets";

describe("the wallboard's colours", () => {
  it("grades the service level against 80/20", () => {
    expect([grade.serviceLevel(0.85), grade.serviceLevel(0.7), grade.serviceLevel(0.4), grade.serviceLevel(null)]).toEqual(["ok", "warn", "bad", ""]);
  });

  it("grades the longest wait and callers nobody can answer", () => {
    expect([grade.wait(12), grade.wait(45), grade.wait(90)]).toEqual(["ok", "warn", "bad"]);
    expect([grade.waiting(0, 0), grade.waiting(3, 1), grade.waiting(3, 0)]).toEqual(["ok", "warn", "bad"]);
  });

  it("colours a queue by its worst figure", () => {
    expect(worst(["ok", "warn", "ok"])).toBe("warn");
    expect(worst(["ok", "bad", "warn"])).toBe("bad");
    expect(worst(["ok", ""])).toBe("ok");
  });
});
