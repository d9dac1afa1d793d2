// A list kept in step with the server's rows without rebuilding it: an item whose row did not
// change keeps its element (and what the reader typed into it, where the focus is, a button
// being clicked); only new or changed rows are drawn again. The desk reloads its workspace on
// every presence change, and a half-written handoff note must not vanish with it.

const drawn = new WeakMap<Element, string>();

/** Show `rows` in `list`: `key` names a row, `render` draws one. The element of a row whose
 * key and content are unchanged is kept as it is. */
export function keyedList<T>(list: HTMLElement, rows: readonly T[], key: (row: T) => string, render: (row: T) => HTMLElement): void {
  const before = new Map<string, Element>();
  for (const el of Array.from(list.children)) {
    const k = el instanceof HTMLElement ? el.dataset.key : undefined;
    if (k !== undefined) before.set(k, el);
  }
  const after = rows.map((row) => {
    const k = key(row);
    const content = JSON.stringify(row);
    const old = before.get(k);
    if (old && drawn.get(old) === content) return old;
    const el = render(row);
    el.dataset.key = k;
    drawn.set(el, content);
    return el;
  });
  const unchanged = after.length === list.children.length && after.every((el, i) => list.children[i] === el);
  if (!unchanged) list.replaceChildren(...after);
}
