// The create path (provider/create-path.ts) and the provider's request settings, through the
// provider methods against the real HTTP emulator, under both ways a server may answer a POST on a taken
// name (upsert or 409): a lookup before every POST, upserts detected in the answer, a lookup after a 409
// or an ambiguous failure, adopt (pinned or not) / doover:adoptExisting, deletes that skip adopted
// objects, errors.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { resetAdopted, resetSeen } from "../provider/create-path";
import * as runtime from "../provider/runtime";
import { limiterFor, resetLimiters } from "../sdk/request-limiter";
import {
  applicationBody,
  type Emulator,
  type EmulatorOptions,
  emulatorFetch,
  SECOND_ORGANISATION_ID,
  startTwoOrganisationEmulator,
  useEmulator,
} from "./support/emulator";
import { calls, capturingStderr, emulatorConfig, stackConfig, writes } from "./support/provider-host";

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

/** The two ways a server may answer a POST whose name is taken; the create path is tested under both. */
const MODES: { label: string; opts: EmulatorOptions }[] = [
  { label: "upsert on the name (the default emulator, as doover-cli expects)", opts: {} },
  { label: "409 Conflict (--post-conflict, as the spec lists)", opts: { postConflict: true } },
];

/**
 * Runs `create` while another writer takes the name between its lookup and its POST: the POST is held
 * (an emulator delay fault) until `other` has made its object, then answered.
 */
async function racing<T>(e: Emulator, path: string, other: () => Promise<unknown>, create: () => Promise<T>) {
  e.addFault({ method: "POST", path, delayMs: 400 });
  const pending = create().then(
    (result) => ({ result, error: undefined }),
    (error: Error) => ({ result: undefined, error }),
  );
  // The fault is used up once our POST arrived (after its lookup): now the other writer goes first.
  for (let i = 0; i < 200 && (await emulatorFetch(e, "GET", "/_emulator/faults/")).body.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await other();
  return pending;
}

for (const mode of MODES) {
  const upserting = !mode.opts.postConflict;
  describe(`create path (provider/create-path.ts), server answers a taken name with ${mode.label}`, function () {
    this.timeout(30_000);
    const emulator = useEmulator(mode.opts);
    const configure = (extra: Record<string, unknown> = {}) =>
      runtime.configure(stackConfig(emulatorConfig(emulator.current, extra)));

    beforeEach(() => {
      resetLimiters();
      resetAdopted();
      resetSeen();
      configure();
    });
    afterEach(() => {
      runtime.resetConfiguration();
      assert.deepEqual(
        emulator.current.upserts().filter((u) => u.name.startsWith("overwritten_")),
        [],
        "0 overwrites outside the race tests",
      );
    });

    async function createApp(name: string, extra: Record<string, unknown> = {}) {
      const { inputs, failures } = await apps.check(
        {},
        { name, displayName: `App ${name}`, type: "processor", description: "d", ...extra },
      );
      assert.deepEqual(failures, []);
      return { inputs, ...(await apps.create(inputs)) };
    }

    async function outsideApp(name: string, extra: Record<string, unknown> = {}): Promise<string> {
      const made = await emulatorFetch(
        emulator.current,
        "POST",
        "/applications/",
        applicationBody(emulator.current, name, extra),
      );
      assert.equal(made.status, 201);
      emulator.current.clearLog();
      return String(made.body.id);
    }

    const app = async (id: string) => (await emulatorFetch(emulator.current, "GET", `/applications/${id}/`)).body;

    describe("applications", () => {
      it("a free name: one lookup, one POST", async () => {
        await createApp("fresh_app");
        assert.deepEqual(calls(emulator.current), ["GET /applications/ 200", "POST /applications/ 201"]);
        assert.deepEqual(emulator.current.upserts(), []);
      });

      it("a live name without adopt: one lookup and no POST, then the error naming aliases, adopt and doover:adoptExisting", async () => {
        const id = await outsideApp("taken_app", { image_name: "org/outside:1" });
        await assert.rejects(createApp("taken_app"), (e: Error) => {
          assert.match(e.message, new RegExp(`application "taken_app" already exists \\(id ${id}\\)`));
          assert.match(e.message, /aliases: \[\{ name: "<old name>" \}\]/);
          assert.match(e.message, /pulumi stack --show-urns/);
          assert.match(e.message, new RegExp(`\`adopt: "${id}"\` \\(or \`adopt: true\`\\)`));
          assert.match(e.message, /pulumi up -c doover:adoptExisting=true/);
          assert.match(e.message, /pulumi config rm doover:adoptExisting/);
          assert.doesNotMatch(e.message, /upsert/, "nothing was sent, so nothing changed");
          return true;
        });
        assert.deepEqual(calls(emulator.current), ["GET /applications/ 200"]);
        const live = await app(id);
        assert.deepEqual([live.display_name, live.image_name], ["App taken_app", "org/outside:1"], "untouched");
      });

      it("doover:adoptExisting makes a create adopt the live app of the same name (and says so)", async () => {
        const id = await outsideApp("recovered_app");
        configure({ "doover:adoptExisting": "true" });
        const { result, lines } = await capturingStderr(() => createApp("recovered_app", { displayName: "Declared" }));
        assert.equal(result.id, id);
        assert.equal(result.outs.displayName, "Declared");
        assert.equal(result.outs.tookOver, undefined, "the recovery switch is not the resource's adopt");
        assert.deepEqual(calls(emulator.current), ["GET /applications/ 200", `PATCH /applications/${id}/ 200`]);
        assert.match(lines.join("\n"), /took over the existing application "recovered_app".*doover:adoptExisting/);
        assert.equal((await emulatorFetch(emulator.current, "GET", "/applications/?name=recovered_app")).body.count, 1);
      });

      it("env DOOVER_ADOPT_EXISTING is the fallback of doover:adoptExisting", async () => {
        const id = await outsideApp("env_recovered");
        const made = await withEnv({ DOOVER_ADOPT_EXISTING: "1" }, () => createApp("env_recovered"));
        assert.equal(made.id, id);
      });

      it("adopt: true takes over, says so and warns to remove adopt; state records tookOver", async () => {
        const id = await outsideApp("adopted_app");
        const { result, lines } = await capturingStderr(() => createApp("adopted_app", { adopt: true }));
        assert.equal(result.id, id);
        assert.equal(result.outs.tookOver, true);
        assert.match(lines.join("\n"), /warning: remove `adopt: true` from this DooverApplication now/);
        assert.deepEqual(calls(emulator.current), ["GET /applications/ 200", `PATCH /applications/${id}/ 200`]);
      });

      it("an ambiguous create (reset after the API committed) is looked up, not re-sent: one app", async () => {
        emulator.current.addFault({ method: "POST", path: "/applications/", afterCommit: true, dropConnection: true });
        const made = await createApp("reset_app");
        const posts = emulator.current.log().filter((e) => e.method === "POST");
        assert.equal(posts.length, 1, "nothing re-sent");
        const all = await emulatorFetch(emulator.current, "GET", "/applications/?name=reset_app");
        assert.equal(all.body.count, 1);
        assert.equal(String(all.body.results[0].id), made.id);
        assert.deepEqual(emulator.current.upserts(), []);
      });

      it("an ambiguous failure before the API did anything: lookup finds nothing, then one more POST", async () => {
        emulator.current.addFault({ method: "POST", path: "/applications/", status: 503 });
        await createApp("retried_app");
        assert.deepEqual(
          calls(emulator.current).filter((c) => !c.startsWith("GET")),
          ["POST /applications/ 503", "POST /applications/ 201"],
        );
        assert.equal((await emulatorFetch(emulator.current, "GET", "/applications/?name=retried_app")).body.count, 1);
        assert.deepEqual(emulator.current.upserts(), []);
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
        assert.equal((await app(old.id)).archived, false);
      });

      it("someone takes the name between the lookup and the POST: never taken for ours; the error says which fields may have changed", async () => {
        let otherId = "";
        const { result, error } = await racing(
          emulator.current,
          "/applications/",
          async () => {
            otherId = await outsideApp("raced_app", { display_name: "Theirs", image_name: "org/theirs:1" });
          },
          () => createApp("raced_app", { displayName: "Ours" }),
        );
        assert.equal(result, undefined, "not recorded as ours");
        assert.match(error!.message, new RegExp(`application "raced_app" already exists \\(id ${otherId}\\)`));
        if (upserting) {
          // The server did overwrite it (the package cannot stop that), but says exactly what may have changed.
          assert.match(error!.message, /its image_name is set although this create did not send it/);
          assert.match(error!.message, /an upsert on the name/);
          assert.match(error!.message, /may now hold new values there: name, display_name, description, type/);
          assert.match(error!.message, /earlier values are unknown/);
          assert.equal((await app(otherId)).display_name, "Ours");
          assert.deepEqual(
            emulator.current.upserts().map((u) => u.id),
            [otherId],
          );
        } else {
          assert.doesNotMatch(error!.message, /upsert/);
          assert.equal((await app(otherId)).display_name, "Theirs", "a 409 changed nothing");
        }
        assert.equal((await emulatorFetch(emulator.current, "GET", "/applications/?name=raced_app")).body.count, 1);
      });

      // Only an upserting server answers a POST with an object that existed: not registered for the 409 one.
      if (upserting)
        it("an upsert answering the POST of an app this process saw before names the old values", async () => {
          const seen = await createApp("seen_app", { displayName: "Seen before" });
          const { error } = await racing(
            emulator.current,
            "/applications/",
            () => emulatorFetch(emulator.current, "PATCH", `/applications/${seen.id}/`, { name: "moved_here" }),
            () => createApp("moved_here", { displayName: "New one" }),
          );
          assert.match(error!.message, new RegExp(`id ${seen.id} existed before this create`));
          assert.match(error!.message, /display_name \(was "Seen before"\)/);
        });

      it('adopt: "<id>" takes over only that id: no POST; another id under the name fails naming both; a wrong id fails', async () => {
        const id = await outsideApp("pinned_app");
        const other = await outsideApp("other_app");
        const taken = await createApp("pinned_app", { adopt: id, displayName: "Pinned" });
        assert.equal(taken.id, id);
        assert.equal(taken.outs.tookOver, true);
        assert.ok(!writes(emulator.current).includes("POST /applications/"));
        resetAdopted();
        emulator.current.clearLog();
        await assert.rejects(createApp("pinned_app", { adopt: other }), (e: Error) => {
          assert.match(e.message, new RegExp(`application "pinned_app" is application ${id}, not ${other}`));
          return true;
        });
        await assert.rejects(
          createApp("free_name", { adopt: other }),
          /application \d+ is named "other_app", not "free_name"/,
        );
        await assert.rejects(createApp("free_name", { adopt: "1234567" }), /there is no application 1234567/);
        assert.deepEqual(writes(emulator.current), [], "nothing written");
        const back = await app(other);
        assert.equal(back.name, "other_app");
      });
    });

    describe("app installs", () => {
      const device = () => emulator.current.deviceIds[0];
      const installInputs = async (appId: string, extra: Record<string, unknown> = {}) => {
        const { inputs, failures } = await runtime.appInstalls.check(
          {},
          { applicationId: appId, deviceId: device(), name: "pump", displayName: "Pump", deploy: false, ...extra },
        );
        assert.deepEqual(failures, []);
        return inputs;
      };

      it("one lookup on the device, then one POST; a taken name: no POST, the error", async () => {
        const appId = await outsideApp("pump_app", { allow_many: true });
        const first = await runtime.appInstalls.create(await installInputs(appId));
        assert.deepEqual(
          calls(emulator.current).filter((c) => !c.startsWith("GET /applications/")),
          [`GET /devices/${device()}/app_installs/ 200`, "POST /app_installs/ 201"],
        );
        emulator.current.clearLog();
        await assert.rejects(
          runtime.appInstalls.create(await installInputs(appId, { displayName: "Changed" })),
          new RegExp(`app install "pump" on device \\d+ already exists \\(id ${first.id}\\)`),
        );
        assert.ok(!writes(emulator.current).includes("POST /app_installs/"));
      });
    });
  });
}

describe("create path: a name another organisation takes between the lookup and the POST (upserting server)", function () {
  this.timeout(30_000);
  let e: Emulator;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "create-path-orgs-"));
    e = await startTwoOrganisationEmulator(dir);
  });
  after(async () => {
    await e.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    e.reset();
    resetAdopted();
    resetSeen();
    runtime.configure(stackConfig(emulatorConfig(e)));
  });
  afterEach(() => runtime.resetConfiguration());

  it("the API's 403 becomes an error that says names are global and what to check; nothing changed", async () => {
    const { inputs } = await apps.check(
      {},
      { name: "contested", displayName: "Ours", type: "processor", description: "d" },
    );
    let theirs = "";
    const { error } = await racing(
      e,
      "/applications/",
      async () => {
        const made = await emulatorFetch(e, "POST", "/applications/", {
          ...applicationBody(e, "contested", { display_name: "Theirs" }),
          organisation_id: SECOND_ORGANISATION_ID,
        });
        theirs = String(made.body.id);
      },
      () => apps.create(inputs),
    );
    assert.match(error!.message, /creating application "contested": the API refused it \(.*403/);
    assert.match(error!.message, /Application names are global/);
    assert.match(error!.message, /doover:organisationId/);
    assert.equal((await emulatorFetch(e, "GET", `/applications/${theirs}/`)).body.display_name, "Theirs");
    assert.deepEqual(e.upserts(), []);
  });
});

describe("create path: installs on a server that upserts them too (--upsert-installs)", function () {
  this.timeout(30_000);
  const emulator = useEmulator({ upsertInstalls: true, upsertStatus: 200, recordFile: null });
  beforeEach(() => {
    resetAdopted();
    resetSeen();
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
  });
  afterEach(() => runtime.resetConfiguration());

  it("an install made between the lookup and the POST: the upsert is seen (status 200) and reported, never taken for ours", async () => {
    const e = emulator.current;
    const appId = String((await emulatorFetch(e, "POST", "/applications/", applicationBody(e, "fleet_app"))).body.id);
    const device = e.deviceIds[0];
    const { inputs } = await runtime.appInstalls.check(
      {},
      { applicationId: appId, deviceId: device, name: "fleet", displayName: "Ours", deploy: false },
    );
    let otherId = "";
    const { result, error } = await racing(
      e,
      "/app_installs/",
      async () => {
        const made = await emulatorFetch(e, "POST", "/app_installs/", {
          application_id: appId,
          device_id: device,
          name: "fleet",
          display_name: "Theirs",
        });
        otherId = String(made.body.id);
      },
      () => runtime.appInstalls.create(inputs),
    );
    assert.equal(result, undefined);
    assert.match(
      error!.message,
      new RegExp(`app install "fleet" on device ${device} already exists \\(id ${otherId}\\)`),
    );
    assert.match(error!.message, /the API answered 200, not 201 Created/);
    assert.match(error!.message, /display_name/);
    assert.deepEqual(
      e.upserts().map((u) => [u.kind, u.id]),
      [["app install", otherId]],
    );
  });
});

describe("create path: tunnels and settings", function () {
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
