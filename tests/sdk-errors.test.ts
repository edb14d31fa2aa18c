import * as assert from "node:assert/strict";
import {
  BadRequest,
  Client,
  Conflict,
  CredentialsError,
  DooverApiError,
  DooverException,
  errorFromResponse,
  Forbidden,
  HTTPException,
  NetworkError,
  NotFound,
  NotSupported,
  parseRetryAfter,
  RateLimited,
  RequestTimeout,
  ServerError,
  Unauthorized,
} from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { useEmulator } from "./support/emulator";

describe("sdk: errors", () => {
  beforeEach(() => resetLimiters());
  it("maps every status to its class, all catchable as HTTPException / DooverApiError", () => {
    const url = "https://api.doover.com/applications/1/";
    const cases: [number, { isInstance(e: unknown): boolean }, string][] = [
      [400, BadRequest, "BadRequest"],
      [422, BadRequest, "BadRequest"],
      [401, Unauthorized, "Unauthorized"],
      [403, Forbidden, "Forbidden"],
      [404, NotFound, "NotFound"],
      [409, Conflict, "Conflict"],
      [429, RateLimited, "RateLimited"],
      [500, ServerError, "ServerError"],
      [503, ServerError, "ServerError"],
      [418, HTTPException, "HTTPException"],
    ];
    for (const [status, cls, code] of cases) {
      const e = errorFromResponse(status, "GET", url, { detail: "nope" });
      assert.ok(cls.isInstance(e), `${status}`);
      assert.equal(e.code, code);
      assert.ok(e instanceof HTTPException && e instanceof DooverApiError && e instanceof DooverException);
      assert.ok(HTTPException.isInstance(e) && DooverException.isInstance(e));
      assert.equal(NotSupported.isInstance(e), false);
      assert.deepEqual([e.status, e.method, e.url, e.body], [status, "GET", url, { detail: "nope" }]);
    }
    assert.equal(NotFound.isInstance(errorFromResponse(409, "GET", url, null)), false);
    assert.equal(HTTPException.isInstance(new CredentialsError("x")), false);
    assert.equal(DooverException.isInstance(new Error("x")), false);
  });

  it("isInstance survives a second copy of the module", () => {
    const key = require.resolve("../sdk/errors");
    const saved = require.cache[key];
    delete require.cache[key];
    const copy = require("../sdk/errors") as typeof import("../sdk/errors");
    require.cache[key] = saved;
    const e = new copy.NotFound("x", { status: 404, method: "GET", url: "http://h/x/" });
    assert.equal(e instanceof NotFound, false);
    assert.ok(NotFound.isInstance(e) && HTTPException.isInstance(e) && DooverException.isInstance(e));
    assert.equal(Conflict.isInstance(e), false);
  });

  it("builds messages with method, path and detail; field errors; no query secrets in url", () => {
    const e = errorFromResponse(404, "GET", "https://api.doover.com/applications/123/?token=abc&page=2", {
      detail: "Not found.",
    });
    assert.equal(e.message, "Doover API 404 Not Found: GET /applications/123/ — Not found.");
    assert.equal(e.url, "https://api.doover.com/applications/123/?page=2");
    const bad = errorFromResponse(400, "POST", "https://x/applications/", {
      detail: "Invalid input.",
      error: { name: ["This field is required."], type: ["Bad choice."] },
    }) as BadRequest;
    assert.deepEqual(bad.fieldErrors, { name: ["This field is required."], type: ["Bad choice."] });
    assert.match(bad.message, /Invalid input\. \(name: This field is required\.; type: Bad choice\.\)/);
    const flat = errorFromResponse(400, "POST", "https://x/a/", { name: ["taken"] }) as BadRequest;
    assert.deepEqual(flat.fieldErrors, { name: ["taken"] });
  });

  it("Retry-After: seconds or an HTTP date", () => {
    const rl = errorFromResponse(429, "GET", "https://x/", null, new Headers({ "Retry-After": "3" })) as RateLimited;
    assert.equal(rl.retryAfterMs, 3000);
    const now = Date.parse("2030-01-01T00:00:00Z");
    assert.equal(parseRetryAfter("Tue, 01 Jan 2030 00:00:05 GMT", now), 5000);
    assert.equal(parseRetryAfter("garbage"), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  describe("network and timeout errors, debug log lines", () => {
    const emu = useEmulator({ token: "debug-SECRET-token" });

    it("status 0 classes and redacted debug lines (method, path, status, attempt, duration only)", async () => {
      const lines: string[] = [];
      const c = new Client({
        baseUrl: emu.current.url,
        token: "debug-SECRET-token",
        organisationId: emu.current.organisationId,
        env: { DOOVER_LOG: "debug" },
        configPath: "/nonexistent",
        retries: 0,
        logger: (l) => lines.push(l),
      });
      await c.getApplications({ name: "debug-SECRET-token" });
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^doover: GET \/applications\/ -> 200 \(attempt 1, \d+ ms\)$/);
      emu.current.addFault({ path: "/applications/", dropConnection: true });
      await assert.rejects(
        c.getApplications(),
        (e: unknown) => NetworkError.isInstance(e) && (e as NetworkError).status === 0,
      );
      emu.current.addFault({ path: "/applications/", delayMs: 800 });
      const slow = new Client({
        baseUrl: emu.current.url,
        token: "t",
        env: {},
        configPath: "/x",
        retries: 0,
        timeoutMs: 50,
      });
      await assert.rejects(slow.getApplications(), (e: unknown) => RequestTimeout.isInstance(e));
      for (const l of lines) assert.ok(!l.includes("SECRET"), l);
    });
  });
});
