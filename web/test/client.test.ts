import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, apiUrl, get, send, useSession } from "../src/api/client";

afterEach(() => vi.unstubAllGlobals());

describe("the API client", () => {
  it("fills path parameters and drops empty query values", () => {
    expect(apiUrl("/recordings/{recording_id}/audio", { path: { recording_id: 7 } })).toBe("/api/v1/recordings/7/audio");
    expect(apiUrl("/voicemails", { query: { limit: 5, state: undefined } })).toBe("/api/v1/voicemails?limit=5");
  });

  it("sends the session's CSRF token with a change", async () => {
    const fetch = vi.fn(() => Promise.resolve(new Response("{}", { status: 200 })));
    vi.stubGlobal("fetch", fetch);
    useSession("tok");
    await send("post", "/voicemails/{voicemail_id}/answered", { path: { voicemail_id: 3 }, body: {} });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/v1/voicemails/3/answered");
    expect((init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok");
  });

  it("turns a refusal into an error naming the field", async () => {
    const body = { error: { id: "invalid_field", message: "tags[0]: too long", field: "tags[0]" } };
    vi.stubGlobal("fetch", vi.fn(() => Promise.resolve(new Response(JSON.stringify(body), { status: 422 }))));
    const err = await get("/tickets/{number}", { path: { number: 1 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).field).toBe("tags[0]");
    expect((err as ApiError).status).toBe(422);
  });
});

describe("errors the reader sees", () => {
  it("say the API's refusal in the reader's language, naming the field", async () => {
    const { startI18n } = await import("../src/shell/i18n");
    const { errorText } = await import("../src/ui/dom");
    startI18n("ru");
    const err = new ApiError(422, "invalid_field", "tags: 'a b' is not a tag", "tags");
    expect(errorText(err)).toBe("Не принято: tags (tags: 'a b' is not a tag)");
    expect(errorText(new ApiError(418, "teapot", "short and stout"))).toBe("short and stout");
  });
});
