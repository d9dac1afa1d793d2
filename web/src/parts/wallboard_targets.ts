// The wallboard's colours against the targets: the industry's 80/20 service level (80 % of
// calls answered within 20 s, the threshold the queue figures use), the longest wait against
// the same 20 s (amber to 60 s), and callers waiting with nobody free to answer them.

export type Grade = "ok" | "warn" | "bad" | "";

export const TARGETS = { serviceLevel: 0.8, serviceLevelFloor: 0.6, wait: 20, waitLimit: 60 } as const;

export const grade = {
  serviceLevel(x: number | null): Grade {
    if (x == null) return "";
    return x >= TARGETS.serviceLevel ? "ok" : x >= TARGETS.serviceLevelFloor ? "warn" : "bad";
  },
  wait(seconds: number): Grade {
    return seconds <= TARGETS.wait ? "ok" : seconds <= TARGETS.waitLimit ? "warn" : "bad";
  },
  waiting(callers: number, free: number): Grade {
    return callers === 0 ? "ok" : free > 0 ? "warn" : "bad";
  },
};

export function worst(grades: Grade[]): Grade {
  return grades.includes("bad") ? "bad" : grades.includes("warn") ? "warn" : "ok";
}
