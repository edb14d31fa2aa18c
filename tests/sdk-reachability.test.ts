// An API this process has never reached (sdk/api-reachability.ts): a short shared window instead of the full
// retry budget, one explanation (URL, where it came from, what was tried), brief copies for the other calls,
// no second budget for a create's lookup; an API that answered once keeps the full budget through an outage;
// retries say so through the logger.
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { ApiUnreachable, Client, RestClient } from "../sdk";
import { resetReachability } from "../sdk/api-reachability";
import { nodeTransport, type Transport, type TransportRequest } from "../sdk/http-transport";
import { resetLimiters } from "../sdk/request-limiter";

/** A transport that refuses every connection (as a port nothing listens on does), counting the attempts. */
function refusing(): Transport & { calls: string[] } {
  const calls: string[] = [];
  const t = (async (req: TransportRequest) => {
    calls.push(`${req.method} ${new URL(String(req.url)).pathname}`);
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
  }) as unknown as Transport & { calls: string[] };
  t.calls = calls;
  return t;
}

describe("sdk: an API never reached fails fast; one that answered keeps its budget", function () {
  this.timeout(20_000);
  beforeEach(() => {
    resetLimiters();
    resetReachability();
  });

  it("never reached: gives up after the short window (not the 180 s budget), naming the URL, its source and what was tried", async () => {
    const transport = refusing();
    const lines: { line: string; key?: string }[] = [];
    const rest = new RestClient({
      baseUrl: "http://api.wrong.example:9",
      baseUrlSource: "stack config doover:apiUrl",
      token: "reachability-test-token",
      transport,
      unreachedBudgetMs: 400,
      retryBaseDelayMs: 20,
      logger: (line, key) => lines.push({ line, key }),
    });
    assert.equal(rest.retryBudgetMs, 180_000);
    const started = Date.now();
    const err = await rest.request({ method: "GET", path: "/applications/" }).then(
      () => assert.fail("expected a failure"),
      (e: unknown) => e,
    );
    assert.ok(Date.now() - started < 5_000, "gave up within the window, not the budget");
    assert.ok(ApiUnreachable.isInstance(err), String(err));
    const e = err as ApiUnreachable;
    assert.equal(e.repeat, false);
    assert.match(e.message, /^Doover API at http:\/\/api\.wrong\.example:9 could not be reached: connect ECONNREFUSED/);
    assert.match(e.message, /Tried \d+ times over [\d.]+ s \(GET \/applications\/\)/);
    assert.match(e.message, /it comes from stack config doover:apiUrl/);
    assert.ok(transport.calls.length > 1, "retried within the window");
    // The wait said what it was doing: keyed status lines (throttled by the provider), with the budget left.
    const status = lines.filter((l) => l.key === "retry http://api.wrong.example:9");
    assert.ok(status.length > 0, JSON.stringify(lines));
    assert.match(
      status[0].line,
      /GET \/applications\/ .* failed \(connect ECONNREFUSED .*\); retrying in [\d.]+ s .* s left/,
    );

    // Every later call to that URL: the brief copy at once, without trying.
    const before = transport.calls.length;
    const again = await rest.request({ method: "GET", path: "/tunnels/1/" }).catch((x: unknown) => x);
    assert.ok(ApiUnreachable.isInstance(again));
    assert.equal((again as ApiUnreachable).repeat, true);
    assert.match((again as Error).message, /not tried again: it failed the same way moments ago/);
    assert.equal(transport.calls.length, before, "no new attempt");
  });

  it("calls in flight together share the window and only one of them explains", async () => {
    const transport = refusing();
    const rest = new RestClient({
      baseUrl: "http://127.0.0.1:9",
      token: "reachability-test-token",
      transport,
      unreachedBudgetMs: 300,
      retryBaseDelayMs: 20,
    });
    const errors = await Promise.all(
      [1, 2, 3, 4].map((i) => rest.request({ method: "GET", path: `/applications/${i}/` }).catch((e: unknown) => e)),
    );
    assert.ok(errors.every((e) => ApiUnreachable.isInstance(e)));
    assert.equal(errors.filter((e) => !(e as ApiUnreachable).repeat).length, 1, "one full explanation");
  });

  it("a create on an API never reached stops at its lookup: no POST, one window (no second budget)", async () => {
    const transport = refusing();
    const client = new Client({
      baseUrl: "http://127.0.0.1:9",
      token: "reachability-test-token",
      env: {},
      unreachedBudgetMs: 200,
      retryBaseDelayMs: 20,
    });
    (client.rest as unknown as { transport: Transport }).transport = transport;
    const body = {
      name: "x",
      display_name: "X",
      description: "d",
      type: "PRO",
      visibility: "PRI",
      depends_on: [],
      organisation_id: "1",
      container_registry_profile_id: null,
    };
    await assert.rejects(client.applications.createOrFind(body), (e: unknown) => ApiUnreachable.isInstance(e));
    assert.ok(transport.calls.length > 0);
    // Every create looks its name up first: the lookup is what fails, within the one window, and no POST follows.
    assert.deepEqual(
      transport.calls.filter((c) => !c.startsWith("GET /applications/")),
      [],
      "only the lookup was tried",
    );
  });

  it("ENOTFOUND (no such host) is given up on the same way", async () => {
    const rest = new RestClient({
      baseUrl: "http://doover-api.invalid",
      baseUrlSource: "env DOOVER_CONTROL_API_BASE_URL",
      token: "reachability-test-token",
      unreachedBudgetMs: 300,
      retryBaseDelayMs: 20,
    });
    await assert.rejects(rest.request({ method: "GET", path: "/applications/" }), (e: unknown) => {
      assert.ok(ApiUnreachable.isInstance(e), String(e));
      assert.match((e as Error).message, /ENOTFOUND|EAI_AGAIN/);
      assert.match((e as Error).message, /it comes from env DOOVER_CONTROL_API_BASE_URL/);
      return true;
    });
  });

  it("an API that answered earlier in the process keeps the full budget through an outage longer than the window", async () => {
    let down = false;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const real: Transport = nodeTransport;
    const outage: Transport = (req) => {
      if (down) return Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
      return real(req);
    };
    try {
      const rest = new RestClient({
        baseUrl: `http://127.0.0.1:${port}`,
        token: "reachability-test-token",
        transport: outage,
        unreachedBudgetMs: 100,
        retryBudgetMs: 10_000,
        retryBaseDelayMs: 50,
        maxRetryDelayMs: 100,
      });
      assert.deepEqual(await rest.request({ method: "GET", path: "/x/" }), { ok: true }); // reached
      down = true;
      setTimeout(() => (down = false), 600); // six times the never-reached window
      const started = Date.now();
      assert.deepEqual(await rest.request({ method: "GET", path: "/x/" }), { ok: true });
      assert.ok(Date.now() - started >= 500, "it waited the outage out");
    } finally {
      server.close();
    }
  });
});
