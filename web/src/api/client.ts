// The API with the page's session, typed by the OpenAPI document the daemon serves
// (generated/api.d.ts is made from it at build time by `callcenter api openapi` and
// openapi-typescript): a path, parameter or body the server does not have fails the build.

import type { paths } from "../../generated/api";

type Strip<K> = K extends `/api/v1${infer P}` ? P : never;
export type ApiPath = Strip<keyof paths>;
type Method = "get" | "post" | "put" | "patch" | "delete";
type Full<P extends ApiPath> = `/api/v1${P}` & keyof paths;
type Op<P extends ApiPath, M extends Method> = paths[Full<P>][M];
type Content<R> = R extends { content: { "application/json": infer J } } ? J : undefined;
export type Answer<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? Content<R[200]>
    : 201 extends keyof R
      ? Content<R[201]>
      : 202 extends keyof R
        ? Content<R[202]>
        : undefined
  : never;
type PathParams<O> = O extends { parameters: { path: infer X } } ? (X extends Record<string, unknown> ? X : never) : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : never;
type Body<O> = O extends { requestBody: { content: { "application/json": infer B } } } ? B : undefined;

/** An answer the API refused: its status, error id, message and the field it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly field?: string,
    readonly issues?: unknown[], // a refused flow draft: its problems
  ) {
    super(message);
  }
}

export interface Request<O> {
  path?: PathParams<O>;
  query?: QueryParams<O>;
}

function url(path: string, params: Record<string, unknown> = {}, query: object = {}): string {
  const filled = path.replace(/\{([a-z_]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    if (typeof value !== "string" && typeof value !== "number") throw new Error(`${path}: {${name}} is not a string or number`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  }
  const q = search.toString();
  return "/api/v1" + filled + (q ? "?" + q : "");
}

let csrf = "";
export function useSession(token: string): void {
  csrf = token;
}

async function call(method: string, target: string, body?: unknown): Promise<unknown> {
  const init: RequestInit = { method, headers: { "X-CSRF-Token": csrf } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
  }
  const resp = await fetch(target, init);
  const text = await resp.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!resp.ok) {
    const err = (json as { error?: { id?: string; message?: string; field?: string; issues?: unknown[] } } | undefined)?.error;
    throw new ApiError(resp.status, err?.id ?? "http_" + resp.status, err?.message ?? `${target}: ${resp.status}`, err?.field, err?.issues);
  }
  return json;
}

export function get<P extends ApiPath>(path: P, req: Request<Op<P, "get">> = {}): Promise<Answer<Op<P, "get">>> {
  return call("GET", url(path, req.path, req.query ?? {})) as Promise<Answer<Op<P, "get">>>;
}

export function send<P extends ApiPath, M extends Exclude<Method, "get">>(
  method: M,
  path: P,
  req: Request<Op<P, M>> & { body?: Body<Op<P, M>> } = {},
): Promise<Answer<Op<P, M>>> {
  return call(method.toUpperCase(), url(path, req.path, req.query ?? {}), req.body) as Promise<Answer<Op<P, M>>>;
}

/** The URL of an API path (for links, players and downloads). */
export function apiUrl<P extends ApiPath>(path: P, req: Request<Op<P, "get">> = {}): string {
  return url(path, req.path, req.query ?? {});
}
