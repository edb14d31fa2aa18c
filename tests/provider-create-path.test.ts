// The create path (provider/create-path.ts) and the provider's request settings, through the
// provider methods against the real HTTP emulator: POST first, lookup only after a 409 or an
// ambiguous failure, adopt / doover:adoptExisting, deletes that skip adopted objects, errors.
import assert from "node:assert/strict";
import { resetAdopted } from "../provider/create-path";
import * as runtime from "../provider/runtime";
import { limiterFor, resetLimiters } from "../sdk/request-limiter";
import { applicationBody, emulatorFetch, useEmulator } from "./support/emulator";
import { calls, capturingStderr, emulatorConfig, stackConfig } from "./support/provider-host";

const apps = runtime.applications;
const tunnels = runtime.tunnels;

/** Sets env vars for the duration of `fn`, restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const k of Object.keys(vars)) saved[k] = process.env[k];
  for (const [k, v] of Object.entries(vars))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  runtime.environmentChanged(); // the provider reads the environment once per client
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    runtime.environmentChanged();
  }
}

describe("create path (provider/create-path.ts)", function () {
  this.timeout(30_000);
  const emulator = useEmulator();
  const device = () => emulator.current.deviceIds[0];
  const configure = (extra: Record<string, unknown> = {}) =>
    runtime.configure(stackConfig(emulatorConfig(emulator.current, extra)));

  beforeEach(() => {
    resetLimiters();
    resetAdopted();
    configure();
  });
  afterEach(() => runtime.resetConfiguration());

  async function createApp(name: string, extra: Record<string, unknown> = {}) {
    const { inputs, failures } = await apps.check(
      {},
      { name, displayName: `App ${name}`, type: "processor", description: "d", ...extra },
    );
    assert.deepEqual(failures, []);
    return { inputs, ...(await apps.create(inputs)) };
  }

  async function createTunnel(name: string, extra: Record<string, unknown> = {}) {
    const { inputs, failures } = await tunnels.check(
      {},
      { name, deviceId: device(), hostname: "127.0.0.1", port: 22, protocol: "tcp", ...extra },
    );
    assert.deepEqual(failures, []);
    return { inputs, ...(await tunnels.create(inputs)) };
  }

  async function outsideApp(name: string): Promise<string> {
    const made = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, name),
    );
    assert.equal(made.status, 201);
    emulator.current.clearLog();
    return String(made.body.id);
  }

  describe("applications", () => {
    it("a live name without adopt: one POST (409), one lookup, and an error naming aliases, adopt and doover:adoptExisting", async () => {
      const id = await outsideApp("taken_app");
      await assert.rejects(createApp("taken_app"), (e: Error) => {
        assert.match(e.message, new RegExp(`application "taken_app" already exists \\(id ${id}\\)`));
        assert.match(e.message, /aliases: \[\{ name: "<old name>" \}\]/);
        assert.match(e.message, /pulumi stack --show-urns/);
        assert.match(e.message, /`adopt: true`/);
        assert.match(e.message, /pulumi up -c doover:adoptExisting=true/);
        assert.match(e.message, /pulumi config rm doover:adoptExisting/);
        return true;
      });
      assert.deepEqual(calls(emulator.current), ["POST /applications/ 409", "GET /applications/ 200"]);
    });

    it("doover:adoptExisting makes a create adopt the live app of the same name (and says so)", async () => {
      const id = await outsideApp("recovered_app");
      configure({ "doover:adoptExisting": "true" });
      const { result, lines } = await capturingStderr(() => createApp("recovered_app", { displayName: "Declared" }));
      assert.equal(result.id, id);
      assert.equal(result.outs.displayName, "Declared");
      assert.deepEqual(calls(emulator.current), [
        "POST /applications/ 409",
        "GET /applications/ 200",
        `PATCH /applications/${id}/ 200`,
      ]);
      assert.match(lines.join("\n"), /took over the existing application "recovered_app".*doover:adoptExisting/);
      assert.equal((await emulatorFetch(emulator.current, "GET", "/applications/?name=recovered_app")).body.count, 1);
    });

    it("env DOOVER_ADOPT_EXISTING is the fallback of doover:adoptExisting", async () => {
      const id = await outsideApp("env_recovered");
      const made = await withEnv({ DOOVER_ADOPT_EXISTING: "1" }, () => createApp("env_recovered"));
      assert.equal(made.id, id);
    });

    it("an ambiguous create (reset after the API committed) is looked up, not re-sent: one app", async () => {
      emulator.current.addFault({ method: "POST", path: "/applications/", afterCommit: true, dropConnection: true });
      const made = await createApp("reset_app");
      const posts = emulator.current.log().filter((e) => e.method === "POST");
      assert.equal(posts.length, 1, "nothing re-sent");
      const all = await emulatorFetch(emulator.current, "GET", "/applications/?name=reset_app");
      assert.equal(all.body.count, 1);
      assert.equal(String(all.body.results[0].id), made.id);
    });

    it("an ambiguous failure before the API did anything: lookup finds nothing, then one more POST", async () => {
      emulator.current.addFault({ method: "POST", path: "/applications/", status: 503 });
      await createApp("retried_app");
      assert.deepEqual(
        calls(emulator.current).filter((c) => !c.startsWith("GET")),
        ["POST /applications/ 503", "POST /applications/ 201"],
      );
      assert.equal((await emulatorFetch(emulator.current, "GET", "/applications/?name=retried_app")).body.count, 1);
    });

    it("rename trap: the old resource's delete never archives the app the new resource adopted", async () => {
      const old = await createApp("renamed_app");
      // The renamed resource (new URN, same app name) follows the advice: adopt.
      const renamed = await createApp("renamed_app", { adopt: true });
      assert.equal(renamed.id, old.id);
      emulator.current.clearLog();
      const { lines } = await capturingStderr(() => apps.delete(old.id, old.outs));
      assert.deepEqual(calls(emulator.current), [], "no archive sent");
      assert.match(lines.join("\n"), new RegExp(`not deleting application "renamed_app" \\(id ${old.id}\\)`));
      const live = await emulatorFetch(emulator.current, "GET", `/applications/${old.id}/`);
      assert.equal(live.body.archived, false);
    });
  });

  describe("tunnels", () => {
    it("a tunnel create is one lookup then one POST (the API accepts duplicate names, so no 409 to rely on)", async () => {
      await createTunnel("ssh_one");
      assert.deepEqual(calls(emulator.current), [
        `GET /devices/${device()}/tunnels/ 200`,
        `POST /devices/${device()}/tunnels/ 201`,
      ]);
    });

    it("an existing tunnel: the same three-case error; doover:adoptExisting adopts; a delete of the old resource is skipped", async () => {
      const first = await createTunnel("ssh_two");
      await assert.rejects(createTunnel("ssh_two"), (e: Error) => {
        assert.match(e.message, /tunnel "ssh_two" on device \d+ already exists/);
        assert.match(e.message, /aliases.*adopt: true.*doover:adoptExisting=true/s);
        return true;
      });
      configure({ "doover:adoptExisting": true });
      const again = await createTunnel("ssh_two", { port: 2222 });
      assert.equal(again.id, first.id);
      emulator.current.clearLog();
      await capturingStderr(() => tunnels.delete(first.id, first.outs));
      assert.deepEqual(calls(emulator.current), []);
      const list = await emulatorFetch(emulator.current, "GET", `/devices/${device()}/tunnels/`);
      assert.equal(list.body.results.filter((t: { name: string }) => t.name === "ssh_two").length, 1);
    });
  });

  describe("settings and errors", () => {
    it("doover:requestTimeoutSeconds and doover:retryBudgetSeconds bound a stalled API; the error names them", async () => {
      const made = await createApp("slow_app");
      configure({ "doover:requestTimeoutSeconds": "0.2", "doover:retryBudgetSeconds": "0.5" });
      emulator.current.addFault({ method: "GET", path: "/applications/", delayMs: 1000, times: 20 });
      await assert.rejects(apps.read(made.id, made.outs), (e: Error) => {
        assert.match(e.message, /timed out after 200 ms/);
        assert.match(e.message, /doover:requestTimeoutSeconds/);
        assert.match(e.message, /retry budget is 0.5 s, set by doover:retryBudgetSeconds/);
        return true;
      });
    });

    it("doover:maxRequestsPerSecond (env DOOVER_MAX_REQUESTS_PER_SECOND) caps the shared limiter of the API", async () => {
      configure({ "doover:maxRequestsPerSecond": "4" });
      await createApp("capped_app");
      assert.equal(limiterFor(emulator.current.url).stats().rate, 4);
      resetLimiters();
      configure();
      await withEnv({ DOOVER_MAX_REQUESTS_PER_SECOND: "3" }, () => createApp("env_capped_app"));
      assert.equal(limiterFor(emulator.current.url).stats().rate, 3);
    });

    it("a bad setting names the key", async () => {
      assert.throws(
        () => configure({ "doover:retryBudgetSeconds": "soon" }),
        /doover:retryBudgetSeconds must be a positive number/,
      );
    });

    it("a rotated token: stack config holds the old one, env DOOVER_API_TOKEN the new one → works, and says so", async () => {
      const made = await createApp("rotated_app");
      configure({ "doover:token": "old-rotated-away-token" });
      const { result, lines } = await capturingStderr(() =>
        withEnv({ DOOVER_API_TOKEN: emulator.current.token }, () => apps.read(made.id, made.outs)),
      );
      assert.equal(result.id, made.id);
      assert.match(
        lines.join("\n"),
        /stack config doover:token was rejected \(401\); trying the one from env DOOVER_API_TOKEN/,
      );
      assert.ok(!lines.join("\n").includes(emulator.current.token));
    });

    it("a rotated token with many reads in flight on the process's one client: all succeed, one switch", async () => {
      const made = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => createApp(`rotated_many_${i}`)));
      configure({ "doover:token": "old-rotated-away-token-2" });
      const { result, lines } = await capturingStderr(() =>
        withEnv({ DOOVER_API_TOKEN: emulator.current.token }, () =>
          Promise.all(made.map((m) => apps.read(m.id, m.outs))),
        ),
      );
      assert.deepEqual(
        result.map((r) => r.id),
        made.map((m) => m.id),
      );
      const switches = lines.filter((l) => /was rejected \(401\)/.test(l));
      assert.equal(switches.length, 1, switches.join("\n"));
    });

    it("a 401 with every token says which were tried, in which order, and what to do", async () => {
      const made = await createApp("denied_app");
      configure({ "doover:token": "old-token-1" });
      await withEnv({ DOOVER_API_TOKEN: "old-token-2", DOOVER_CONFIG: "/nonexistent" }, () =>
        assert.rejects(apps.read(made.id, made.outs), (e: Error) => {
          assert.match(e.message, /401/);
          assert.match(
            e.message,
            /rejected: the token from stack config doover:token, then the token from env DOOVER_API_TOKEN/,
          );
          assert.match(e.message, /pulumi config set --secret doover:token/);
          assert.ok(!e.message.includes("old-token-1") && !e.message.includes("old-token-2"));
          return true;
        }),
      );
    });

    it("a missing token names doover:token first, then the env var and the profile file; said once per process", async () => {
      runtime.configure(stackConfig({ "doover:apiUrl": emulator.current.url }));
      await withEnv({ DOOVER_API_TOKEN: undefined, DOOVER_CONFIG: "/nonexistent/doover" }, async () => {
        await assert.rejects(createApp("tokenless_app"), (e: Error) => {
          assert.match(
            e.message,
            /^no Doover API token\. Set one for this stack with `pulumi config set --secret doover:token <token>`/,
          );
          assert.match(e.message, /export DOOVER_API_TOKEN=<token>/);
          assert.match(e.message, /doover:profile/);
          assert.match(
            e.message,
            /stack config doover:token \(not set\); env DOOVER_API_TOKEN \(not set\); profile "default" in \/nonexistent\/doover/,
          );
          return true;
        });
        // Every other resource of the same run: one line pointing at the first error.
        for (const name of ["tokenless_b", "tokenless_c"]) {
          await assert.rejects(createApp(name), (e: Error) => {
            assert.match(e.message, /^no Doover API token \(stack config doover:token is not set\): see the first/);
            assert.doesNotMatch(e.message, /Looked in/);
            return true;
          });
        }
      });
    });

    it("staging: true with no organisation names doover:stagingOrganisationId", async () => {
      const e = emulator.current;
      runtime.configure(
        stackConfig({ "doover:token": e.token, "doover:apiUrl": e.url, "doover:stagingApiUrl": e.url }),
      );
      await withEnv({ DOOVER_ORGANISATION_ID: undefined }, () =>
        assert.rejects(createApp("staging_orgless", { staging: true }), (err: Error) => {
          assert.match(err.message, /set `doover:stagingOrganisationId` in stack config/);
          return true;
        }),
      );
    });
  });
});
