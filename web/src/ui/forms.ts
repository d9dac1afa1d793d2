// Inline errors on forms: the API names the field it refused (error.field); the message goes
// beside that field (its input marked aria-invalid), else in the form's status line.

import { ApiError } from "../api/client";
import { errorText } from "./dom";

/** `fields`: the API's field name → [the input, the element that shows its error]. */
export type FieldMap = Record<string, [HTMLElement, HTMLElement]>;

export function clearErrors(fields: FieldMap): void {
  for (const [input, out] of Object.values(fields)) {
    input.removeAttribute("aria-invalid");
    out.textContent = "";
  }
}

/** Shows `err` beside its field; returns false when no field of the form is named. */
export function showError(err: unknown, fields: FieldMap, status: HTMLElement, prefix = ""): boolean {
  clearErrors(fields);
  const field = err instanceof ApiError ? (err.field ?? "").split(/[.[]/)[0] ?? "" : "";
  const target = fields[field];
  if (target) {
    target[0].setAttribute("aria-invalid", "true");
    target[1].textContent = errorText(err);
    target[0].focus();
    status.textContent = "";
    return true;
  }
  status.textContent = prefix + errorText(err);
  return false;
}
