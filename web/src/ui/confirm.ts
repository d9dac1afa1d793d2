// Confirmation before a destructive action: a modal <dialog> (focus held inside, Escape
// cancels) that names what will happen; resolves true only on the confirm button.

import { t } from "../shell/i18n";
import { h } from "./dom";

export function confirmAction(question: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = h("button", { type: "button", class: "danger", value: "yes" }, confirmLabel);
    const no = h("button", { type: "button", value: "no" }, t("confirm.cancel"));
    const text = h("p", { id: "confirm-text" }, question);
    const dialog = h("dialog", { class: "confirm", "aria-labelledby": "confirm-text" }, text, h("p", {}, no, " ", yes));
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => done(true));
    no.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
