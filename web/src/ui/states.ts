// An agent's state in one word, the same on the board and on the desk (the board's words:
// available, ringing, on_call, wrap_up, paused, unavailable, logged_out), with the reason.

import { t } from "../shell/i18n";

export function agentState(state: string, reason?: string | null, since?: string): string {
  const key = `agent.state.${state}` as "agent.state.available";
  const word = t(key);
  const name = word === key ? state.replace("_", " ") : word;
  const why = [reason, since].filter(Boolean).join(", ");
  return why ? `${name} (${why})` : name;
}
