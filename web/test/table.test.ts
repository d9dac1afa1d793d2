import { beforeAll, describe, expect, it } from "vitest";
import { startI18n } from "../src/shell/i18n";
import { setFormat } from "../src/shell/format";
import { DataTable } from "../src/ui/table";

interface Row {
  n: number;
  name: string;
}

function table(rows: Row[], pageSize = 2): HTMLTableElement {
  document.body.replaceChildren();
  const el = document.createElement("table");
  document.body.append(el);
  const dt = new DataTable<Row>(el, {
    pageSize,
    empty: "nothing here: add one",
    columns: [
      { label: "N", value: (r) => String(r.n), sort: (r) => r.n },
      { label: "Name", value: (r) => r.name },
    ],
  });
  dt.show(rows);
  return el;
}
const texts = (el: HTMLTableElement) => [...el.querySelectorAll("tbody tr")].map((r) => r.querySelector("td")!.textContent);

describe("the table", () => {
  beforeAll(() => {
    startI18n("en");
    setFormat("en", "UTC");
  });

  it("sorts on a heading's button and says how", () => {
    const el = table([{ n: 2, name: "b" }, { n: 1, name: "a" }, { n: 3, name: "c" }], 10);
    const button = el.tHead!.querySelector("button")!;
    button.click();
    expect(texts(el)).toEqual(["1", "2", "3"]);
    expect(el.querySelector("th")!.getAttribute("aria-sort")).toBe("ascending");
    button.click();
    expect(texts(el)).toEqual(["3", "2", "1"]);
  });

  it("pages", () => {
    const el = table([1, 2, 3, 4, 5].map((n) => ({ n, name: String(n) })));
    expect(texts(el)).toEqual(["1", "2"]);
    const pager = el.nextElementSibling!.nextElementSibling as HTMLElement;
    expect(pager.textContent).toContain("1–2 of 5");
    pager.querySelectorAll("button")[1]!.click();
    expect(texts(el)).toEqual(["3", "4"]);
  });

  it("says what to do when empty", () => {
    const el = table([]);
    expect(el.hidden).toBe(true);
    expect((el.nextElementSibling as HTMLElement).hidden).toBe(false);
    expect(el.nextElementSibling!.textContent).toBe("nothing here: add one");
  });

  it("never takes customer text as markup", () => {
    const el = table([{ n: 1, name: "<img src=x onerror=alert(1)>" }]);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelectorAll("tbody td")[1]!.textContent).toBe("<img src=x onerror=alert(1)>");
  });
});
