// Trunks whose registration does not hold (refused, unreachable, not heard of yet): a line
// each on the board, in the reader's language — their carrier sends no calls meanwhile.

import { get } from "../api/client";
import { time } from "../shell/format";
import { t, type MessageKey } from "../shell/i18n";
import { h } from "../ui/dom";

export async function showTrunks(box: HTMLElement): Promise<void> {
  const { trunks } = await get("/trunks");
  const down = trunks.filter((x) => !x.up);
  box.replaceChildren(
    ...down.map((x) =>
      h(
        "p",
        { "data-trunk": x.name, "data-status": x.status },
        t("trunks.down", { name: x.name, host: x.host, status: t(`trunks.status_${x.status.replace(" ", "_")}` as MessageKey), since: time(x.since) }),
      ),
    ),
  );
  box.hidden = down.length === 0;
}
