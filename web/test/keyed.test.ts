import { describe, expect, it } from "vitest";
import { keyedList } from "../src/ui/keyed";

interface Row {
  id: number;
  text: string;
}

function draw(list: HTMLElement, rows: Row[]): void {
  keyedList(list, rows, (r) => String(r.id), (r) => {
    const li = document.createElement("li");
    li.append(r.text, document.createElement("textarea"));
    return li;
  });
}

describe("a keyed list", () => {
  it("keeps the element of an unchanged row, and what was typed into it", () => {
    const list = document.createElement("ul");
    draw(list, [{ id: 1, text: "a" }, { id: 2, text: "b" }]);
    const first = list.children[0]!;
    first.querySelector("textarea")!.value = "half a note";
    draw(list, [{ id: 1, text: "a" }, { id: 2, text: "b" }]);
    expect(list.children[0]).toBe(first);
    expect(first.querySelector("textarea")!.value).toBe("half a note");
  });

  it("draws a changed row again, drops a gone one and adds a new one in order", () => {
    const list = document.createElement("ul");
    draw(list, [{ id: 1, text: "a" }, { id: 2, text: "b" }]);
    const second = list.children[1];
    draw(list, [{ id: 3, text: "c" }, { id: 2, text: "b" }, { id: 1, text: "A" }]);
    expect([...list.children].map((li) => li.textContent)).toEqual(["c", "b", "A"]);
    expect(list.children[1]).toBe(second);
  });

  it("empties the list when no row is left", () => {
    const list = document.createElement("ul");
    draw(list, [{ id: 1, text: "a" }]);
    draw(list, []);
    expect(list.children).toHaveLength(0);
  });
});
