// A table that sorts (a click or Enter on a column's heading; aria-sort says how) and pages
// (Previous / Next under it, "1–50 of 120"), with an empty state that says what to do.
// Cells hold text or nodes built from text: customer text is never markup.

import { number } from "../shell/format";
import { t } from "../shell/i18n";
import { h } from "./dom";

export interface Column<R> {
  label: string;
  value: (row: R) => string | Node;
  sort?: (row: R) => string | number;
  cls?: (row: R) => string;
}

export interface TableOptions<R> {
  columns: Column<R>[];
  pageSize?: number;
  empty: string;
  row?: (tr: HTMLTableRowElement, row: R) => void;
}

export class DataTable<R> {
  private rows: R[] = [];
  private page = 0;
  private sortBy = -1;
  private descending = false;
  private readonly body: HTMLTableSectionElement;
  private readonly pager: HTMLElement;
  private readonly emptyCell: HTMLElement;
  private readonly heads: HTMLTableCellElement[] = [];

  constructor(
    readonly table: HTMLTableElement,
    private readonly options: TableOptions<R>,
  ) {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    options.columns.forEach((col, i) => {
      const th = h("th", { scope: "col" });
      if (col.sort) {
        th.setAttribute("aria-sort", "none");
        const button = h("button", { type: "button" }, col.label);
        button.addEventListener("click", () => this.sortOn(i));
        th.append(button);
      } else {
        th.append(col.label);
      }
      head.append(th);
      this.heads.push(th);
    });
    this.body = table.createTBody();
    this.emptyCell = h("p", { class: "empty", hidden: true }, options.empty);
    this.pager = h("div", { class: "pager", hidden: true });
    table.after(this.emptyCell, this.pager);
  }

  /** New rows (a refresh keeps the page and sort when it can). */
  show(rows: R[]): void {
    this.rows = rows;
    const pages = Math.max(1, Math.ceil(rows.length / this.size));
    this.page = Math.min(this.page, pages - 1);
    this.render();
  }

  private get size(): number {
    return this.options.pageSize ?? 50;
  }

  private sortOn(i: number): void {
    this.descending = this.sortBy === i ? !this.descending : false;
    this.sortBy = i;
    this.render();
  }

  private sorted(): R[] {
    const col = this.options.columns[this.sortBy];
    if (!col?.sort) return this.rows;
    const key = col.sort;
    const out = [...this.rows].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return this.descending ? out.reverse() : out;
  }

  private render(): void {
    this.heads.forEach((th, i) => {
      if (th.hasAttribute("aria-sort")) {
        th.setAttribute("aria-sort", i !== this.sortBy ? "none" : this.descending ? "descending" : "ascending");
      }
    });
    const start = this.page * this.size;
    const shown = this.sorted().slice(start, start + this.size);
    this.body.replaceChildren();
    for (const r of shown) {
      const tr = this.body.insertRow();
      for (const col of this.options.columns) {
        const td = tr.insertCell();
        td.append(col.value(r));
        const cls = col.cls?.(r);
        if (cls) td.className = cls;
      }
      this.options.row?.(tr, r);
    }
    this.emptyCell.hidden = this.rows.length > 0;
    this.table.hidden = this.rows.length === 0;
    this.renderPager(start, shown.length);
  }

  private renderPager(start: number, count: number): void {
    const total = this.rows.length;
    this.pager.hidden = total <= this.size;
    if (this.pager.hidden) return;
    const prev = h("button", { type: "button", disabled: start === 0 }, t("table.previous"));
    const next = h("button", { type: "button", disabled: start + count >= total }, t("table.next"));
    prev.addEventListener("click", () => {
      this.page -= 1;
      this.render();
    });
    next.addEventListener("click", () => {
      this.page += 1;
      this.render();
    });
    const where = t("table.range", { from: number(start + 1), to: number(start + count), total: number(total) });
    this.pager.replaceChildren(prev, h("span", { role: "status" }, where), next);
  }
}
