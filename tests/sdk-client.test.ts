import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { inspect } from "node:util";
import {
  Application,
  type ApplicationRequest,
  ApplicationsApi,
  BadRequest,
  Client,
  type ClientOptions,
  Conflict,
  Forbidden,
  HTTPException,
  NetworkError,
  NotFound,
  NotSupported,
  RateLimited,
  RequestTimeout,
  RestClient,
  ServerError,
  STAGING_API_URL,
  Unauthorized,
} from "../sdk";
import { resetLimiters } from "../sdk/request-limiter";
import { copySample, fixtureConfig } from "./support/configs";
import { type Emulator, emulatorFetch, startTestEmulator, useEmulator } from "./support/emulator";

const TOKEN = "tok-SECRET-5f3a9c";
const PASSWORD = "pw-SECRET-77e1";

describe("sdk: Client against the emulator", function () {
  beforeEach(() => resetLimiters());
  const emu = useEmulator({ token: TOKEN });
  const logs: string[] = [];
  const errors: unknown[] = [];

  function client(o: Partial<ClientOptions> = {}): Client {
    return new Client({
      baseUrl: emu.current.url,
      token: TOKEN,
      organisationId: emu.current.organisationId,
      env: {},
      configPath: "/nonexistent/doover-config",
      retryBaseDelayMs: 5,
      debug: true,
      logger: (l) => logs.push(l),
      ...o,
    });
  }

  async function rejects<T extends HTTPException>(
    p: Promise<unknown>,
    cls: { isInstance(e: unknown): boolean },
  ): Promise<T> {
    try {
      await p;
    } catch (e) {
      errors.push(e);
      assert.ok(cls.isInstance(e), `unexpected ${String(e)}`);
      return e as T;
    }
    assert.fail("expected a rejection");
  }

  function body(name: string, extra: Partial<ApplicationRequest> = {}): ApplicationRequest {
    return {
      name,
      display_name: `App ${name}`,
      description: "Made by the sdk tests.",
      type: "PRO",
      visibility: "PRI",
      depends_on: [],
      organisation_id: emu.current.organisationId,
      container_registry_profile_id: null,
      ...extra,
    };
  }

  const calls = () => emu.current.log().map((e) => `${e.method} ${e.path} ${e.status}`);

  after(() => {
    // Token and tunnel password never in any error or log line.
    assert.ok(logs.length > 0 && errors.length > 0);
    for (const e of errors) {
      const err = e as Error;
      for (const text of [String(err), err.message, JSON.stringify(err), err.stack ?? "", inspect(err)]) {
        assert.ok(!text.includes(TOKEN), `token leaked: ${text}`);
        assert.ok(!text.includes(PASSWORD), `password leaked: ${text}`);
      }
    }
    for (const l of logs) assert.ok(!l.includes(TOKEN) && !l.includes(PASSWORD), l);
  });

  describe("applications", () => {
    it("create, retrieve, list, patch, archive, unarchive, findByName", async () => {
      const c = client();
      const created = await c.applications.create(body("sdk_app_one", { config_schema: { type: "object" } }));
      assert.match(created.id, /^\d+$/);
      assert.equal(created.organisation?.id, emu.current.organisationId);
      assert.deepEqual((await c.applications.retrieve(created.id)).name, "sdk_app_one");
      const patched = await c.applications.patch(created.id, { display_name: "Renamed" });
      assert.equal(patched.display_name, "Renamed");
      assert.equal((await c.applications.archive(created.id)).archived, true);
      assert.equal((await c.applications.findByName("sdk_app_one"))?.id, created.id); // archived still found
      assert.equal((await c.applications.list({ archived: false })).length, 0);
      assert.equal((await c.unarchiveApplication(created.id)).archived, false);
      assert.equal((await c.archiveApplication(created.id)).archived, true);
      assert.equal(await c.applications.findByName("no_such_app"), undefined);
      const all = await c.getApplications();
      assert.deepEqual(
        all.map((a) => a.id),
        [created.id],
      );
      const app = await c.getApplication(created.id);
      assert.ok(app instanceof Application);
      assert.deepEqual(
        [app.id, app.name, app.displayName, app.organisationId],
        [created.id, "sdk_app_one", "Renamed", emu.current.organisationId],
      );
      assert.deepEqual(calls().slice(0, 4), [
        "GET /applications/ 200", // the name is looked up first: a POST on a taken name may update that app
        "POST /applications/ 201",
        `GET /applications/${created.id}/ 200`,
        `PATCH /applications/${created.id}/ 200`,
      ]);
    });

    it("sends Bearer auth, the organisation header and the user agent", async () => {
      const seen: Headers[] = [];
      const c = client({
        fetch: (input, init) => {
          seen.push(new Headers(init?.headers));
          return fetch(input, init);
        },
      });
      await c.getApplications();
      assert.equal(seen[0].get("authorization"), `Bearer ${TOKEN}`);
      assert.equal(seen[0].get("x-doover-organisation"), emu.current.organisationId);
      assert.match(seen[0].get("user-agent") ?? "", /^pulumi-doover\/\d+\.\d+\.\d+/);
    });

    it("paginates across 3+ pages", async () => {
      const c = client();
      for (let i = 0; i < 5; i++) await c.applications.create(body(`sdk_page_${i}`));
      emu.current.clearLog();
      const all = await c.applications.list({ perPage: 2 });
      assert.deepEqual(
        all.map((a) => a.name).sort(),
        [0, 1, 2, 3, 4].map((i) => `sdk_page_${i}`),
      );
      const pages = emu.current.log().map((e) => new URLSearchParams(e.query).get("page"));
      assert.deepEqual(pages, ["1", "2", "3"]);
    });

    it("createApplication / updateApplication from a real-shaped doover_config.json, id persisted", async () => {
      const sample = fixtureConfig("webhook-forwarder");
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-client-"));
      try {
        const file = copySample(sample, tmp);
        const [app] = Application.loadConfigFile(file);
        app.id = undefined;
        const c = client();
        const id = await c.createApplication(app);
        assert.equal(app.id, id);
        app.saveToDisk();
        assert.equal(Application.loadConfigFile(file)[0].id, id);
        app.description = "Updated by the sdk tests.";
        const updated = await c.updateApplication(app);
        assert.equal(updated.description, "Updated by the sdk tests.");
        assert.deepEqual(updated.config_schema, app.configSchema);
        // staging: the id goes to staging_config.id
        const stagingId = await c.createApplication(
          Object.assign(Application.loadConfigFile(file)[0], { name: "webhook_forwarder_staging" }),
          { isStaging: true },
        );
        assert.match(stagingId, /^\d+$/);
        await assert.rejects(c.updateApplication(new Application({ name: "x" })), /has no id/);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    });

    it("400 carries field errors; 409 on a duplicate name; 404 names method and path", async () => {
      const c = client();
      const bad = await rejects<BadRequest>(c.applications.create(body("Bad Name!", { type: "NOPE" })), BadRequest);
      assert.equal(bad.status, 400);
      assert.ok(bad.fieldErrors.name?.length && bad.fieldErrors.type?.length, JSON.stringify(bad.fieldErrors));
      assert.match(bad.message, /^Doover API 400 Bad Request: POST \/applications\/ — /);
      await c.applications.create(body("sdk_dup"));
      const dup = await rejects<Conflict>(c.applications.create(body("sdk_dup")), Conflict);
      assert.equal(dup.status, 409);
      const nf = await rejects<NotFound>(c.applications.retrieve("123"), NotFound);
      assert.equal(nf.message, "Doover API 404 Not Found: GET /applications/123/ — Not found.");
      assert.deepEqual([nf.status, nf.method, nf.url], [404, "GET", `${emu.current.url}/applications/123/`]);
      assert.ok(nf instanceof HTTPException);
      const denied = client({ organisationId: "7" }).applications.create(body("sdk_denied", { organisation_id: null }));
      assert.equal((await rejects<Forbidden>(denied, Forbidden)).status, 403);
    });

    it("401 with a wrong token, and the token is nowhere in the error", async () => {
      const wrong = "wrong-SECRET-token-1";
      const err = await rejects<Unauthorized>(client({ token: wrong }).getApplications(), Unauthorized);
      assert.equal(err.status, 401);
      for (const text of [String(err), err.message, JSON.stringify(err)]) assert.ok(!text.includes(wrong));
    });
  });

  describe("retries and ambiguous failures", () => {
    it("GET: fails twice with 503, succeeds on attempt 3", async () => {
      const c = client();
      const { id } = await c.applications.create(body("sdk_retry"));
      emu.current.clearLog();
      emu.current.addFault({ method: "GET", path: "/applications/", status: 503, times: 2 });
      assert.equal((await c.getApplication(id)).name, "sdk_retry");
      assert.deepEqual(
        calls(),
        [503, 503, 200].map((s) => `GET /applications/${id}/ ${s}`),
      );
      assert.ok(logs.some((l) => l.includes(`GET /applications/${id}/ -> 503 (attempt 2`)));
    });

    it("502 beyond the retry budget → ServerError after 1 + retries attempts; 500 is not retried", async () => {
      emu.current.addFault({ method: "GET", path: "/applications/", status: 502, times: 10 });
      const err = await rejects<ServerError>(client({ retries: 2 }).getApplications(), ServerError);
      assert.equal(err.status, 502);
      assert.equal(emu.current.log().length, 3);
      emu.current.reset();
      emu.current.addFault({ method: "GET", path: "/applications/", status: 500, times: 10 });
      assert.equal((await rejects<ServerError>(client().getApplications(), ServerError)).status, 500);
      assert.deepEqual(calls(), ["GET /applications/ 500"]);
    });

    it("a re-sent create waits a backoff step first (never hammers a 503ing server)", async () => {
      const sleeps: number[] = [];
      const rest = new RestClient({
        baseUrl: emu.current.url,
        token: TOKEN,
        retryBaseDelayMs: 40,
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 1,
      });
      emu.current.addFault({ method: "POST", path: "/applications/", status: 503, times: 2 });
      assert.equal((await new ApplicationsApi(rest).create(body("sdk_backoff"))).name, "sdk_backoff");
      assert.deepEqual(sleeps, [40, 80]);
      assert.equal(calls().filter((s) => s.startsWith("POST")).length, 3);
    });

    it("redirects are not followed (a redirected POST must not turn into a GET)", async () => {
      const hop = http.createServer((req, res) => {
        res.writeHead(307, { Location: `${emu.current.url}${req.url}` });
        res.end();
      });
      await new Promise<void>((r) => hop.listen(0, "127.0.0.1", r));
      try {
        const { port } = hop.address() as AddressInfo;
        const c = client({ baseUrl: `http://127.0.0.1:${port}` });
        const err = await rejects<HTTPException>(c.applications.create(body("sdk_redirected")), HTTPException);
        assert.equal(err.status, 307);
        assert.ok(err.message.includes(`→ ${emu.current.url}/applications/`), err.message);
        assert.deepEqual(calls(), []);
      } finally {
        hop.close();
      }
    });

    it("a success answered with a non-JSON body is an error, not data", async () => {
      const proxy = http.createServer((_req, res) => {
        res.writeHead(200, { "Content-Type": "text/html" });
        res.end("<html>maintenance</html>");
      });
      await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
      try {
        const { port } = proxy.address() as AddressInfo;
        const err = await rejects<HTTPException>(
          client({ baseUrl: `http://127.0.0.1:${port}` }).applications.retrieve("1"),
          HTTPException,
        );
        assert.equal(err.status, 200);
        assert.match(err.message, /not JSON/);
        assert.equal(err.body, "<html>maintenance</html>");
      } finally {
        proxy.close();
      }
    });

    it("a network error never carries the token, even when the cause quotes it", async () => {
      const c = client({
        retries: 0,
        fetch: async () => {
          throw new TypeError(`fetch failed for header Bearer ${TOKEN}`);
        },
      });
      const err = await rejects<NetworkError>(c.getApplications(), NetworkError);
      assert.ok(err.message.includes("Bearer ***"), err.message);
    });

    it("429 honours Retry-After (the retry comes after a request made 300 ms later)", async function () {
      this.timeout(10_000);
      const c = client();
      // Retry-After 2 s against a request made 300 ms in: a wide margin on a loaded machine.
      emu.current.addFault({ method: "GET", path: "/applications/", status: 429, retryAfter: "2" });
      const listing = c.getApplications();
      await new Promise((r) => setTimeout(r, 300));
      await emulatorFetch(emu.current, "GET", "/organisations/");
      await listing;
      assert.deepEqual(calls(), ["GET /applications/ 429", "GET /organisations/ 200", "GET /applications/ 200"]);
      emu.current.addFault({ method: "GET", path: "/applications/", status: 429, retryAfter: "7" });
      const rl = await rejects<RateLimited>(client({ retries: 0 }).getApplications(), RateLimited);
      assert.equal(rl.retryAfterMs, 7000);
      // a Retry-After beyond the retry budget is not waited for, nor cut short: one attempt, then the error
      emu.current.clearLog();
      emu.current.addFault({ method: "GET", path: "/applications/", status: 503, retryAfter: "120", times: 5 });
      const long = await rejects<ServerError>(client({ retryBudgetMs: 1000 }).getApplications(), ServerError);
      assert.equal(long.status, 503);
      assert.deepEqual(calls(), ["GET /applications/ 503"]);
    });

    it("a dropped connection is retried for GET, and is a NetworkError when out of retries", async () => {
      emu.current.addFault({ method: "GET", path: "/applications/", dropConnection: true });
      assert.deepEqual(await client().getApplications(), []);
      assert.deepEqual(calls(), ["GET /applications/ 0", "GET /applications/ 200"]);
      emu.current.addFault({ method: "GET", path: "/applications/", dropConnection: true });
      const err = await rejects<NetworkError>(client({ retries: 0 }).getApplications(), NetworkError);
      assert.equal(err.status, 0);
    });

    it("per-attempt timeout → RequestTimeout", async () => {
      emu.current.addFault({ method: "GET", path: "/applications/", delayMs: 1500 });
      const err = await rejects<RequestTimeout>(
        client({ retries: 0, timeoutMs: 150 }).getApplications(),
        RequestTimeout,
      );
      assert.equal(err.status, 0);
      assert.match(err.message, /timed out after 150 ms: GET \/applications\//);
    });

    it("POST is not re-sent after a 503 that committed: one POST, a lookup GET, one app", async () => {
      const c = client();
      emu.current.addFault({ method: "POST", path: "/applications/", status: 503, afterCommit: true });
      const app = await c.applications.create(body("sdk_once"));
      assert.equal(app.name, "sdk_once");
      const log = emu.current.log();
      assert.deepEqual(
        log.map((e) => `${e.method} ${e.path} ${e.status}`),
        ["GET /applications/ 200", "POST /applications/ 503", "GET /applications/ 200"],
      );
      assert.equal(new URLSearchParams(log[2].query).get("name"), "sdk_once");
      const all = await c.applications.list();
      assert.equal(all.filter((a) => a.name === "sdk_once").length, 1);
    });

    it("POST re-sent only after the lookup finds nothing (503 before commit)", async () => {
      const c = client();
      emu.current.addFault({ method: "POST", path: "/applications/", status: 503 });
      const app = await c.applications.create(body("sdk_resent"));
      assert.equal(app.name, "sdk_resent");
      const seq = calls().slice(1); // after the lookup before the first POST
      assert.equal(seq[0], "POST /applications/ 503");
      assert.equal(seq[seq.length - 1], "POST /applications/ 201");
      assert.ok(seq.slice(1, -1).every((s) => s.startsWith("GET /applications/ 200")));
      assert.equal(seq.filter((s) => s.startsWith("POST")).length, 2);
    });

    it("POST with retries: 0 surfaces the ambiguous failure when nothing was created", async () => {
      emu.current.addFault({ method: "POST", path: "/applications/", status: 502 });
      await rejects<ServerError>(client({ retries: 0 }).applications.create(body("sdk_none")), ServerError);
      assert.equal(calls().filter((s) => s.startsWith("POST")).length, 1);
    });
  });

  describe("tunnels", () => {
    it("every tunnel method", async () => {
      const c = client();
      const [deviceId] = emu.current.deviceIds;
      const t = await c.createTunnel({
        deviceId,
        hostname: "192.168.1.10",
        port: 22,
        protocol: "tcp",
        password: PASSWORD,
      });
      assert.equal(t.name, "192.168.1.10:22");
      assert.equal(t.device.id, deviceId);
      assert.equal((await c.getTunnel(t.id)).port, 22);
      assert.deepEqual(
        (await c.getTunnels(deviceId, { showChoices: true })).map((x) => x.id),
        [t.id],
      );
      assert.equal((await c.patchTunnel(t.id, { port: 2222, timeout: 30 })).port, 2222);
      assert.equal((await c.activateTunnel(t.id)).is_active, true);
      assert.equal((await c.activateTunnel(t.id)).is_active, true); // idempotent
      assert.equal((await c.deactivateTunnel(t.id)).is_active, false);
      assert.equal((await c.tunnels.findByName(deviceId, "192.168.1.10:22"))?.id, t.id);
      const bad = await rejects<BadRequest>(c.patchTunnel(t.id, { protocol: "http" }), BadRequest);
      assert.ok(bad.fieldErrors.protocol);
      await c.deleteTunnel(t.id);
      await rejects<NotFound>(c.getTunnel(t.id), NotFound);
      await rejects<NotFound>(c.deleteTunnel(t.id), NotFound);
    });

    it("paginates tunnels; create adopts a committed tunnel; a repeated DELETE that finds 404 succeeds", async () => {
      const c = client();
      const [, deviceId] = emu.current.deviceIds;
      for (let i = 0; i < 5; i++) {
        await c.tunnels.create(deviceId, { name: `t${i}`, hostname: "10.0.0.1", port: 8000 + i, protocol: "http" });
      }
      emu.current.clearLog();
      assert.equal((await c.tunnels.list(deviceId, 2)).length, 5);
      assert.equal(emu.current.log().length, 3);
      emu.current.clearLog();
      emu.current.addFault({
        method: "POST",
        path: `/devices/${deviceId}/tunnels/`,
        afterCommit: true,
        dropConnection: true,
      });
      const adopted = await c.tunnels.create(deviceId, {
        name: "adopted",
        hostname: "10.0.0.2",
        port: 80,
        protocol: "http",
      });
      assert.equal(adopted.name, "adopted");
      assert.deepEqual(calls(), [`POST /devices/${deviceId}/tunnels/ 0`, `GET /devices/${deviceId}/tunnels/ 200`]);
      emu.current.clearLog();
      emu.current.addFault({ method: "DELETE", path: "/tunnels/", afterCommit: true, dropConnection: true });
      await c.deleteTunnel(adopted.id);
      assert.deepEqual(calls(), [`DELETE /tunnels/${adopted.id}/ 0`, `DELETE /tunnels/${adopted.id}/ 404`]);
    });

    it("tunnel endpoints are not on the 2.0 API", () => {
      const c = client();
      for (const f of [() => c.createTunnelEndpoints(), () => c.getTunnelEndpoints()]) {
        assert.throws(
          f,
          (e: unknown) => NotSupported.isInstance(e) && /not available on the Doover 2\.0 API/.test(String(e)),
        );
      }
    });
  });

  describe("staging", () => {
    let staging: Emulator;
    before(async () => {
      staging = await startTestEmulator({ token: TOKEN });
    });
    after(() => staging.close());

    it("staging picks the staging URL (or the one given) and creates there", async () => {
      assert.equal(
        new Client({ token: TOKEN, staging: true, env: {}, configPath: "/nonexistent" }).baseUrl,
        STAGING_API_URL,
      );
      const c = client({ staging: true, baseUrl: staging.url, organisationId: staging.organisationId });
      assert.equal(c.isStaging, true);
      assert.equal(c.baseUrl, staging.url);
      const app = new Application({ name: "sdk_staged", type: "PRO", visibility: "PRI", description: "d" });
      app.organisationId = staging.organisationId;
      const id = await c.createApplication(app, { isStaging: true });
      assert.equal(app.stagingConfig.id, id);
      assert.equal(app.id, undefined);
      assert.equal(staging.log().length, 2, "one lookup, one POST");
      assert.equal(emu.current.log().length, 0);
    });
  });
});
