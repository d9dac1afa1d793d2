// Who reads the page, as the server wrote it in the head's meta tags (see
// callcenter/http/shell.py): the session's CSRF token, the user, role, agent extension and
// the centre's time zone; the language is the document's own (<html lang>).

export type Role = "admin" | "supervisor" | "agent" | "";

export interface PageContext {
  csrf: string;
  user: string;
  role: Role;
  agent: string;
  timeZone: string | undefined;
  locale: string;
}

function meta(doc: Document, name: string): string {
  return doc.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? "";
}

export function pageContext(doc: Document = document): PageContext {
  return {
    csrf: meta(doc, "csrf-token"),
    user: meta(doc, "cc-user"),
    role: meta(doc, "cc-role") as Role,
    agent: meta(doc, "cc-agent"),
    timeZone: meta(doc, "cc-timezone") || undefined,
    locale: doc.documentElement.lang || "en",
  };
}
