// What the desk's websocket carries (callcenter/services/screen_pop.py desk_json): hello,
// presence, ringing (with the pop), answered, ring_stopped, ended and live transcript lines.

export interface Presence {
  state: string; // the board's word
  reason: string;
}

export interface Pop {
  caller: string;
  ivr_path: { node: string; detail?: string }[];
  history: {
    phone: string;
    ambiguous?: boolean;
    customer?: { name: string } | null;
    handoff_notes?: { ticket_number: number; author?: string; body: string }[];
    open_tickets: { number: number; subject: string; status: string; tags?: string[] }[];
    recent: { occurred_at: string; kind: string; body?: string; data?: { recording_id?: number; recording_state?: string } }[];
  } | null;
}

export type DeskMessage =
  | { kind: "hello"; agent: string; presence?: Presence }
  | { kind: "presence"; presence: Presence }
  | { kind: "transcript"; call_id: string; line: { speaker: string; text: string; final: boolean } }
  | { kind: "ringing"; call_id: string; queue: string; pop: Pop }
  | { kind: "ring_stopped" | "ended"; call_id: string; queue: string; ticket?: number }
  | { kind: "answered"; call_id: string; queue: string; ticket?: number };
