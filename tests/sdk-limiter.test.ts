// The process-wide request limiter and the time-budgeted retries, against the real emulator
// behind the fault proxy (rate limits, 503 bursts), plus the limiter's window arithmetic.
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { type ApplicationRequest, Client, type ClientOptions, limiterFor, RequestLimiter, ServerError } from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { emulatorFetch, useEmulator } from "./support/emulator";
import { FaultProxy } from "./support/fault-proxy";

const TOKEN = "limiter-tok-8f2c";

describe("sdk: request limiter and retry budget", function () {
  this.timeout(60_000);
  const emu = useEmulator({ token: TOKEN });
  let proxy: FaultProxy | undefined;
  beforeEach(() => resetLimiters());
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  function client(baseUrl: string, o: Partial<ClientOptions> = {}): Client {
    return new Client({
      baseUrl,
      token: TOKEN,
      organisationId: emu.current.organisationId,
      env: {},
      configPath: "/nonexistent/doover-config",
      retryBaseDelayMs: 20,
      ...o,
    });
  }

  function body(name: string): ApplicationRequest {
    return {
      name,
      display_name: `App ${name}`,
      description: "Made by the limiter tests.",
      type: "PRO",
      visibility: "PRI",
      depends_on: [],
      organisation_id: emu.current.organisationId,
      container_registry_profile_id: null,
    };
  }

  it("40 concurrent creates against a 10 req/s API (429 + Retry-After): all succeed, no duplicate, the window shrinks", async () => {
    proxy = await FaultProxy.start({ target: emu.current.url, ratePerSecond: 10 });
    const names = Array.from({ length: 40 }, (_, i) => `limited_${i}`);
    // A fresh Client per call, as the provider makes one per resource operation: the limiter is shared.
    const ids = await Promise.all(names.map((n) => client(proxy!.url).applications.create(body(n))));
    assert.equal(new Set(ids.map((a) => a.id)).size, 40);
    assert.ok(proxy.stats.rateLimited > 0, "the API did throttle");
    const all = (await emulatorFetch(emu.current, "GET", "/applications/?per_page=100")).body.results;
    assert.deepEqual(all.map((a: { name: string }) => a.name).sort(), [...names].sort(), "every app exactly once");
    assert.equal(emu.current.log().filter((e) => e.method === "POST").length, 40, "no POST reached the API twice");
    const stats = limiterFor(proxy.url).stats();
    assert.ok(stats.minLimit < 16, `the concurrency window shrank (min ${stats.minLimit})`);
    assert.ok(stats.throttled > 0);
  });

  it("503 bursts on reads are retried until they pass", async () => {
    proxy = await FaultProxy.start({
      target: emu.current.url,
      fail503: { probability: 0.5, max: 12 },
      seed: 7,
    });
    const c = client(proxy.url);
    const made = await client(emu.current.url).applications.create(body("burst_app"));
    const reads = await Promise.all(Array.from({ length: 20 }, () => c.applications.retrieve(made.id)));
    assert.ok(reads.every((r) => r.id === made.id));
    assert.ok(proxy.stats.failed503 > 0);
  });

  it("a spent budget is a clear error: how many attempts, how long, which setting", async () => {
    emu.current.addFault({ method: "GET", path: "/applications/", status: 503, times: 1000 });
    const err = await client(emu.current.url, {
      retryBudgetMs: 400,
      settingNames: { retryBudget: "doover:retryBudgetSeconds" },
    })
      .getApplications()
      .then(
        () => assert.fail("expected a failure"),
        (e: unknown) => e as ServerError,
      );
    assert.ok(ServerError.isInstance(err));
    assert.match(
      err.message,
      /503 .*gave up after \d+ attempts over [\d.]+ s: the retry budget is 0.4 s, set by doover:retryBudgetSeconds/,
    );
    const attempts = emu.current.log().length;
    assert.ok(attempts > 3, `retried while the budget lasted (${attempts} attempts), not a fixed small count`);
  });

  it("a refused connection is retried even for a POST (nothing was sent), within the budget", async () => {
    // A port that is closed now and opens a moment later (an API restarting).
    const holder = http.createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
    const { port } = holder.address() as AddressInfo;
    await new Promise<void>((r) => holder.close(() => r()));
    const late = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(201, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ id: "1", name: "restarted", archived: false }));
      });
    });
    setTimeout(() => late.listen(port, "127.0.0.1"), 300);
    try {
      const made = await client(`http://127.0.0.1:${port}`, { retryBudgetMs: 10_000 }).applications.post(
        body("restarted"),
      );
      assert.equal(made.name, "restarted");
    } finally {
      late.close();
    }
  });

  it("connection errors name the host and port tried", async () => {
    const holder = http.createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
    const { port } = holder.address() as AddressInfo;
    await new Promise<void>((r) => holder.close(() => r()));
    await assert.rejects(client(`http://127.0.0.1:${port}`, { retryBudgetMs: 0 }).getApplications(), (e: Error) => {
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
      return true;
    });
  });

  describe("window arithmetic (no HTTP)", () => {
    it("halves once per congestion event, grows back by about one per window of successes", async () => {
      let now = 1_000_000;
      const l = new RequestLimiter({ initialConcurrency: 16, now: () => now, random: () => 0 });
      const slots = await Promise.all(Array.from({ length: 16 }, () => l.acquire()));
      assert.equal(l.stats().inFlight, 16);
      // 16 simultaneous 429s are one event: 16 → 8, not 16 → 1.
      for (const release of slots) release({ kind: "throttled", rateLimited: false });
      assert.equal(l.stats().limit, 8);
      now += 1000;
      const again = await l.acquire();
      again({ kind: "throttled", rateLimited: false });
      assert.equal(l.stats().limit, 4);
      for (let i = 0; i < 40; i++) (await l.acquire())({ kind: "ok" });
      assert.ok(l.stats().limit > 4, `grew back (${l.stats().limit})`);
      assert.equal(l.stats().minLimit, 4);
    });

    it("a Retry-After pauses every new request; the fixed cap spaces requests", async () => {
      let now = 0;
      const l = new RequestLimiter({ now: () => now, random: () => 0 });
      (await l.acquire())({ kind: "throttled", rateLimited: true, retryAfterMs: 1000 });
      assert.equal(l.pausedUntilMs, 1000);
      let started = false;
      const waiting = l.acquire().then((r) => {
        started = true;
        r({ kind: "ok" });
      });
      await new Promise((r) => setImmediate(r));
      assert.equal(started, false, "held by the pause");
      now = 1000;
      await waiting;
      assert.equal(started, true);
      l.setMaxRequestsPerSecond(2);
      assert.equal(l.stats().rate, 2);
    });
  });
});
