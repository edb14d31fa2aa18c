// DooverAppInstall provider methods called directly, against the real HTTP emulator.

import assert from "node:assert/strict";
import { resetAdopted } from "../provider/create-path";
import { UNKNOWN } from "../provider/inputs";
import { captureProgress, PROGRESS } from "../provider/progress";
import * as runtime from "../provider/runtime";
import { DooverResourceInitError } from "../provider/runtime";
import { applicationBody, type Emulator, emulatorFetch, startTestEmulator, useEmulator } from "./support/emulator";
import { emulatorConfig, stackConfig, useFastDeploymentPolling, writes } from "./support/provider-host";

const install = runtime.appInstalls;
const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "",
  type: "object",
  properties: {
    max_kpa: { type: "number", minimum: 0, "x-name": "Max pressure" },
    interval: { type: "integer", default: 10 },
    site: { type: "object", properties: { code: { type: "string", maxLength: 4 } } },
    perms: { type: "string", format: "dd_permissions" },
  },
  required: ["max_kpa", "interval"],
  additionalProperties: false,
};

describe("DooverAppInstall provider", function () {
  this.timeout(30000);
  const emulator = useEmulator({ deploymentStepMs: 30 });
  const device = () => emulator.current.deviceIds[0];
  let appId = "";
  useFastDeploymentPolling();

  beforeEach(async () => {
    runtime.configure(stackConfig(emulatorConfig(emulator.current)));
    const r = await emulatorFetch(
      emulator.current,
      "POST",
      "/applications/",
      applicationBody(emulator.current, "pump_monitor", {
        type: "DEV",
        config_schema: SCHEMA,
        display_name: "Pump Monitor",
      }),
    );
    appId = r.body.id;
    emulator.current.clearLog();
  });
  afterEach(() => {
    runtime.resetConfiguration();
    resetAdopted();
  });

  /** Inputs as a DooverApplication of the same program passes them (declared name, display name, schema). */
  function fromApp(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      applicationId: appId,
      applicationName: "pump_monitor",
      applicationDisplayName: "Pump Monitor",
      applicationStaging: false,
      configSchema: SCHEMA,
      deviceId: device(),
      deploymentConfig: { max_kpa: 500 },
      ...extra,
    };
  }

  async function checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { inputs, failures } = await install.check({}, news);
    assert.deepEqual(failures, []);
    return inputs;
  }

  async function initError(p: Promise<unknown>): Promise<DooverResourceInitError> {
    const e = await p.then(
      () => assert.fail("expected the operation to fail"),
      (x: unknown) => x,
    );
    assert.ok(e instanceof DooverResourceInitError, String(e));
    return e as DooverResourceInitError;
  }

  const deploymentPosts = () => writes(emulator.current).filter((w) => /\/deployments\/$/.test(w));

  describe("check (no HTTP)", () => {
    it("applies the application's name and display name, deploy defaults, and accepts a fitting config", async () => {
      const inputs = await checked(fromApp());
      assert.equal(inputs.name, "pump_monitor");
      assert.equal(inputs.displayName, "Pump Monitor");
      assert.equal(inputs.deploy, true);
      assert.equal(inputs.deployTimeoutSeconds, 600);
      assert.deepEqual(inputs.deploymentConfig, { max_kpa: 500 }, "sent as declared, defaults not written in");
      assert.deepEqual(emulator.current.log(), []);
    });

    it("the application's schema (a hidden `__configSchema` input) is checked against, never stored", async () => {
      const { configSchema, ...rest } = fromApp();
      const { inputs, failures } = await install.check({}, { ...rest, __configSchema: configSchema });
      assert.deepEqual(failures, []);
      assert.equal("__configSchema" in inputs, false, "state does not hold the schema once per install");
      assert.equal("configSchema" in inputs, false);
      assert.equal(inputs.__configChecked, true);
      const bad = await install.check({}, { ...rest, __configSchema: configSchema, deploymentConfig: { max_kpa: -1 } });
      assert.deepEqual(
        bad.failures.map((f) => f.property),
        ["deploymentConfig/max_kpa"],
      );
      // Checked at check: create neither fetches the application nor validates again.
      const { outs } = await install.create(inputs);
      assert.equal("__configSchema" in outs, false);
      assert.deepEqual(
        emulator.current.log().filter((e) => e.method === "GET" && e.path.startsWith("/applications/")),
        [],
      );
    });

    it("names each bad config value by its JSON pointer under deploymentConfig", async () => {
      const { failures } = await install.check(
        {},
        fromApp({ deploymentConfig: { max_kpa: -1, interval: "often", site: { code: "TOOLONG" }, colour: "red" } }),
      );
      assert.deepEqual(failures.map((f) => f.property).sort(), [
        "deploymentConfig/colour",
        "deploymentConfig/interval",
        "deploymentConfig/max_kpa",
        "deploymentConfig/site/code",
      ]);
      assert.match(failures.find((f) => f.property === "deploymentConfig/max_kpa")!.reason, /must be >= 0/);
      const missing = await install.check({}, fromApp({ deploymentConfig: {} }));
      assert.deepEqual(
        missing.failures.map((f) => f.property),
        ["deploymentConfig/max_kpa"],
        "interval has a default, so only max_kpa is missing",
      );
      assert.deepEqual(emulator.current.log(), []);
    });

    it("tolerates unknowns and names other bad inputs", async () => {
      assert.deepEqual(
        (await install.check({}, fromApp({ applicationId: UNKNOWN, configSchema: UNKNOWN }))).failures,
        [],
      );
      assert.deepEqual((await install.check({}, fromApp({ deploymentConfig: { max_kpa: UNKNOWN } }))).failures, []);
      const { failures } = await install.check(
        {},
        {
          applicationId: "app",
          deviceId: "",
          version: "x".repeat(21),
          deploymentConfig: [1],
          deployTimeoutSeconds: 0,
          configProfileIds: ["x"],
          staging: true,
          applicationStaging: false,
          colour: 1,
        },
      );
      assert.deepEqual(failures.map((f) => f.property).sort(), [
        "applicationId",
        "colour",
        "configProfileIds[0]",
        "deployTimeoutSeconds",
        "deploymentConfig",
        "deviceId",
        "staging",
        "version",
      ]);
    });
  });

  describe("diff (no HTTP)", () => {
    const olds = () => ({
      ...fromApp(),
      name: "pump_monitor",
      displayName: "Pump Monitor",
      deploy: true,
      deployTimeoutSeconds: 600,
      staging: false,
      installId: "5",
    });
    it("config, version and display name update in place; application and device replace", async () => {
      const base = olds();
      assert.deepEqual(await install.diff("5", base, await checked(fromApp())), {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      });
      const cfg = await install.diff("5", base, await checked(fromApp({ deploymentConfig: { max_kpa: 600 } })));
      assert.deepEqual(cfg, { changes: true, replaces: [], deleteBeforeReplace: false });
      assert.deepEqual((await install.diff("5", base, await checked(fromApp({ version: "2.0" })))).replaces, []);
      const moved = await install.diff("5", base, await checked(fromApp({ deviceId: emulator.current.deviceIds[1] })));
      assert.deepEqual(moved, { changes: true, replaces: ["deviceId"], deleteBeforeReplace: false });
      const other = await install.diff(
        "5",
        base,
        await checked(fromApp({ applicationId: "77", applicationName: "other_app", name: "pump_monitor" })),
      );
      assert.deepEqual(
        other,
        { changes: true, replaces: ["applicationId"], deleteBeforeReplace: true },
        "same name on the same device: old goes first",
      );
      assert.deepEqual(emulator.current.log(), []);
    });

    it("an application being updated (id unknown in preview, same name) is not a replacement", async () => {
      const d = await install.diff("5", olds(), await checked(fromApp({ applicationId: UNKNOWN })));
      assert.deepEqual(d, { changes: false, replaces: [], deleteBeforeReplace: false });
      const renamed = await install.diff(
        "5",
        olds(),
        await checked(fromApp({ applicationId: UNKNOWN, applicationName: "new_app", name: "pm" })),
      );
      assert.deepEqual(renamed.replaces, ["applicationId"]);
    });
  });

  describe("create", () => {
    it("installs and deploys in one go: one POST, one deployment, waits for SUC", async () => {
      const { id, outs } = await install.create(await checked(fromApp()));
      assert.deepEqual(writes(emulator.current), ["POST /app_installs/", `POST /app_installs/${id}/deployments/`]);
      assert.equal(outs.installId, id);
      assert.equal((outs.latestDeployment as any).status, "SUC");
      assert.equal(outs.synced, "OK");
      assert.equal(outs.archived, false);
      const live = (await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/`)).body;
      assert.deepEqual([live.name, live.display_name, live.device.id], ["pump_monitor", "Pump Monitor", device()]);
      assert.deepEqual(live.deployment_config, { max_kpa: 500 });
    });

    it("a deployment that takes a while prints its status as it moves (QUE → RUN → SUC), throttled", async () => {
      const saved = { ...PROGRESS };
      Object.assign(PROGRESS, { intervalMs: 150, heartbeatMs: 10_000 });
      const lines: string[] = [];
      const restore = captureProgress((l) => lines.push(l));
      try {
        emulator.current.addFault({ path: "/app_installs/", deployment: { stepMs: 400 } });
        const { id } = await install.create(await checked(fromApp()));
        assert.ok(lines.length >= 2 && lines.length <= 8, lines.join("\n"));
        const status = lines.map((l) => /deployment \d+ (?:is|ended) (\w+)/.exec(l)?.[1]);
        assert.equal(status[0], "QUE", lines.join("\n"));
        assert.ok(status.includes("RUN"), lines.join("\n"));
        assert.equal(status.at(-1), "SUC", lines.join("\n"));
        assert.match(
          lines[0],
          new RegExp(
            `^doover: app install "pump_monitor" \\(${id}\\) on device \\d+: deployment \\d+ is QUE \\(queued\\) \\(\\d+ s; waiting up to 600 s, deployTimeoutSeconds\\)$`,
          ),
        );
        assert.match(lines.at(-1)!, /deployment \d+ ended SUC \(succeeded\) after \d+ s$/);
        // A deployment shorter than the interval prints nothing.
        lines.length = 0;
        await install.create(await checked(fromApp({ deviceId: emulator.current.deviceIds[1] })));
        assert.deepEqual(lines, []);
      } finally {
        restore();
        Object.assign(PROGRESS, saved);
      }
    });

    it("deploy: false installs without deploying", async () => {
      const { outs } = await install.create(await checked(fromApp({ deploy: false })));
      assert.deepEqual(writes(emulator.current), ["POST /app_installs/"]);
      assert.equal(outs.latestDeployment, null);
    });

    it("with only an application id, fetches the schema and refuses an invalid config before any write", async () => {
      const news = { applicationId: appId, deviceId: device(), deploymentConfig: { max_kpa: "high" } };
      const e = await install.create(await checked(news)).then(
        () => assert.fail("expected a failure"),
        (x: Error) => x,
      );
      assert.match(e.message, /deploymentConfig\/max_kpa must be number/);
      assert.match(e.message, /nothing was written/);
      assert.deepEqual(writes(emulator.current), []);
      const ok = await install.create(await checked({ ...news, deploymentConfig: { max_kpa: 1 } }));
      assert.equal(ok.outs.name, "pump_monitor", "name and display name from the fetched application");
      assert.equal(ok.outs.displayName, "Pump Monitor");
    });

    it("a failed deployment fails with its log and keeps the install; the next update deploys again", async () => {
      const armed = await fetch(`${emulator.current.url}/_emulator/faults/`, {
        method: "POST",
        body: JSON.stringify({
          path: "/app_installs/",
          deployment: { status: "FAI", log: "E: container exited 3: bad max_kpa" },
        }),
      });
      assert.equal(armed.status, 201);
      const inputs = await checked(fromApp());
      const e = await initError(install.create({ ...inputs, __provider: "PROVIDER" }));
      assert.match(e.message, /failed \(FAI\)/);
      assert.match(e.message, /E: container exited 3: bad max_kpa\nDeployment failed/);
      assert.match(e.message, /next `pulumi up` deploys it again/);
      assert.equal((e.properties.latestDeployment as any).status, "FAI");
      assert.equal(e.properties.__provider, "PROVIDER", "the engine keeps the provider with the partial state");
      assert.equal(
        (await emulatorFetch(emulator.current, "GET", `/app_installs/${e.id}/`)).status,
        200,
        "install kept",
      );
      emulator.current.clearLog();
      const fixed = await checked(fromApp({ deploymentConfig: { max_kpa: 400 } }));
      const { outs } = await install.update(e.id, e.properties, fixed);
      assert.deepEqual(writes(emulator.current), [
        `PATCH /app_installs/${e.id}/`,
        `POST /app_installs/${e.id}/deployments/`,
      ]);
      assert.equal((outs.latestDeployment as any).status, "SUC");
      // a cancelled roll-out of a new config; the retry with that config (nothing to PATCH) still deploys
      const changed = await checked(fromApp({ deploymentConfig: { max_kpa: 450 } }));
      const again = await initError(
        (async () => {
          await fetch(`${emulator.current.url}/_emulator/faults/`, {
            method: "POST",
            body: JSON.stringify({ path: "/app_installs/", deployment: { status: "CAN" } }),
          });
          return install.update(e.id, outs, changed);
        })(),
      );
      assert.match(again.message, /was cancelled \(CAN\)/);
      emulator.current.clearLog();
      const retried = await install.update(e.id, again.properties, changed);
      assert.deepEqual(writes(emulator.current), [`POST /app_installs/${e.id}/deployments/`]);
      assert.equal((retried.outs.latestDeployment as any).status, "SUC");
    });

    it("a deployment outlasting deployTimeoutSeconds fails the operation; the next update waits for that same deployment", async () => {
      emulator.current.addFault({ path: "/app_installs/", deployment: { stepMs: 1500 } });
      const inputs = await checked(fromApp({ deployTimeoutSeconds: 1 }));
      const e = await initError(install.create(inputs));
      assert.match(e.message, /did not finish within deployTimeoutSeconds \(1 s; still (QUE|RUN)\)/);
      const first = (e.properties.latestDeployment as any).id;
      emulator.current.clearLog();
      const { outs } = await install.update(e.id, e.properties, await checked(fromApp({ deployTimeoutSeconds: 30 })));
      assert.deepEqual(deploymentPosts(), [], "no second deployment");
      assert.deepEqual([(outs.latestDeployment as any).id, (outs.latestDeployment as any).status], [first, "SUC"]);
    });

    it("an existing install of that name: an error that says adopt; adopt takes it over; an archived one comes back", async () => {
      const body = {
        application_id: appId,
        device_id: device(),
        display_name: "Old",
        name: "pump_monitor",
        deployment_config: { max_kpa: 1 },
      };
      const existing = (await emulatorFetch(emulator.current, "POST", "/app_installs/", body)).body;
      emulator.current.clearLog();
      const e = await install.create(await checked(fromApp())).then(
        () => assert.fail("expected a failure"),
        (x: Error) => x,
      );
      assert.match(e.message, /app install "pump_monitor" on device \d+ already exists \(id \d+\)/);
      assert.match(
        e.message,
        new RegExp(`set \`adopt: "${existing.id}"\` \\(or \`adopt: true\`\\) on this DooverAppInstall`),
      );
      assert.match(e.message, /doover:adoptExisting=true/);
      const adopted = await install.create(await checked(fromApp({ adopt: true })));
      assert.equal(adopted.id, String(existing.id));
      const live = (await emulatorFetch(emulator.current, "GET", `/app_installs/${existing.id}/`)).body;
      assert.deepEqual([live.display_name, live.deployment_config], ["Pump Monitor", { max_kpa: 500 }]);
      assert.equal((adopted.outs.latestDeployment as any).status, "SUC");
      await emulatorFetch(emulator.current, "POST", `/app_installs/${existing.id}/archive/`);
      const back = await install.create(await checked(fromApp()));
      assert.equal(back.id, String(existing.id), "same id, unarchived");
      assert.equal((await emulatorFetch(emulator.current, "GET", "/app_installs/")).body.count, 1, "never a duplicate");
    });

    it("doover:adoptExisting takes over a live install of that name; a delete of it in the same process is skipped", async () => {
      const body = { application_id: appId, device_id: device(), display_name: "Old", name: "pump_monitor" };
      const existing = (await emulatorFetch(emulator.current, "POST", "/app_installs/", body)).body;
      runtime.configure(stackConfig(emulatorConfig(emulator.current, { "doover:adoptExisting": "true" })));
      emulator.current.clearLog();
      const { id, outs } = await install.create(await checked(fromApp()));
      assert.equal(id, String(existing.id));
      assert.deepEqual(writes(emulator.current), [
        `PATCH /app_installs/${id}/`,
        `POST /app_installs/${id}/deployments/`,
      ]);
      // the old resource of a rename whose new one adopted the install: its delete must not remove it
      await install.delete(id, outs);
      assert.equal((await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/`)).status, 200);
    });

    it("another install of an app that allows one per device: the error names it and how to adopt it", async () => {
      await emulatorFetch(emulator.current, "POST", "/app_installs/", {
        application_id: appId,
        device_id: device(),
        display_name: "X",
        name: "legacy",
      });
      const e = await install.create(await checked(fromApp())).then(
        () => assert.fail("expected a failure"),
        (x: Error) => x,
      );
      assert.match(e.message, /already installed on device \d+ as "legacy".*Set `name: "legacy"` and `adopt: true`/);
    });

    it("a lost POST answer is resolved by name: one install", async () => {
      emulator.current.addFault({ method: "POST", path: "/app_installs/", status: 502, afterCommit: true, times: 1 });
      const { id } = await install.create(await checked(fromApp()));
      const all = (await emulatorFetch(emulator.current, "GET", "/app_installs/")).body;
      assert.deepEqual(
        all.results.map((i: any) => String(i.id)),
        [id],
      );
    });
  });

  describe("faults", () => {
    it("connections dropped after the install POST and the deployment POST committed: one install, one deployment", async () => {
      emulator.current.addFault({ method: "POST", path: "/app_installs/", dropConnection: true, afterCommit: true });
      emulator.current.addFault({ method: "POST", path: "/app_installs/", dropConnection: true, afterCommit: true });
      const { id, outs } = await install.create(await checked(fromApp()));
      assert.equal((outs.latestDeployment as any).status, "SUC");
      const installs = (await emulatorFetch(emulator.current, "GET", "/app_installs/")).body;
      assert.deepEqual(
        installs.results.map((i: any) => String(i.id)),
        [id],
      );
      const deployments = (await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/deployments/`)).body;
      assert.equal(deployments.count, 1, "the lost deployment answer was resolved by listing, not by a second POST");
      const pending = await (await fetch(`${emulator.current.url}/_emulator/faults/`)).json();
      assert.deepEqual(pending, [], "both POSTs lost their answers");
    });

    it("a 503 burst on deployment polling is retried; the deployment still completes", async () => {
      emulator.current.addFault({ method: "GET", path: "/app_installs/", status: 503, times: 2, retryAfter: "0" });
      const { outs } = await install.create(await checked(fromApp()));
      assert.equal((outs.latestDeployment as any).status, "SUC");
    });
  });

  describe("read, update, delete", () => {
    it("read shows out-of-band config drift as inputs; archived or deleted is gone", async () => {
      const { id, outs } = await install.create(await checked(fromApp({ deploy: false })));
      await emulatorFetch(emulator.current, "PATCH", `/app_installs/${id}/`, {
        deployment_config: { max_kpa: 9 },
        display_name: "Hand edited",
      });
      const r = await install.read(id, outs);
      assert.deepEqual(r.inputs!.deploymentConfig, { max_kpa: 9 });
      assert.equal(r.inputs!.displayName, "Hand edited");
      const d = await install.diff(id, r.props!, await checked(fromApp({ deploy: false })));
      assert.deepEqual(d, { changes: true, replaces: [], deleteBeforeReplace: false });
      await emulatorFetch(emulator.current, "POST", `/app_installs/${id}/archive/`);
      assert.deepEqual(await install.read(id, outs), { id: "" });
      await emulatorFetch(emulator.current, "DELETE", `/app_installs/${id}/`);
      assert.deepEqual(await install.read(id, outs), { id: "" });
    });

    it("a config change is one PATCH and one deployment; a display name change is one PATCH and no deployment", async () => {
      const { id, outs } = await install.create(await checked(fromApp()));
      emulator.current.clearLog();
      const next = await install.update(id, outs, await checked(fromApp({ deploymentConfig: { max_kpa: 700 } })));
      assert.deepEqual(writes(emulator.current), [
        `PATCH /app_installs/${id}/`,
        `POST /app_installs/${id}/deployments/`,
      ]);
      assert.equal((next.outs.latestDeployment as any).status, "SUC");
      emulator.current.clearLog();
      await install.update(
        id,
        next.outs,
        await checked(fromApp({ deploymentConfig: { max_kpa: 700 }, displayName: "Pump 7" })),
      );
      assert.deepEqual(writes(emulator.current), [`PATCH /app_installs/${id}/`]);
    });

    it("update with only an application id checks a changed config against the live schema before writing", async () => {
      const news = { applicationId: appId, deviceId: device(), deploymentConfig: { max_kpa: 1 } };
      const { id, outs } = await install.create(await checked(news));
      emulator.current.clearLog();
      const e = await install
        .update(id, outs, await checked({ ...news, deploymentConfig: { max_kpa: 1, colour: 2 } }))
        .then(
          () => assert.fail("expected a failure"),
          (x: Error) => x,
        );
      assert.match(e.message, /deploymentConfig\/colour is not a property the schema allows/);
      assert.deepEqual(writes(emulator.current), []);
    });

    it("delete is a DELETE; a missing install counts as deleted", async () => {
      const { id, outs } = await install.create(await checked(fromApp({ deploy: false })));
      emulator.current.clearLog();
      await install.delete(id, outs);
      await install.delete(id, outs);
      assert.deepEqual(writes(emulator.current), [`DELETE /app_installs/${id}/`, `DELETE /app_installs/${id}/`]);
      assert.equal((await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/`)).status, 404);
    });

    it("a staging stack (doover:staging) installs and deploys on its API", async () => {
      runtime.configure(stackConfig(emulatorConfig(emulator.current, { "doover:staging": true })));
      const { id, outs } = await install.create(await checked(fromApp()));
      assert.equal((outs.latestDeployment as any).status, "SUC");
      assert.equal((await emulatorFetch(emulator.current, "GET", `/app_installs/${id}/`)).status, 200);
    });

    it("staging: true installs through the staging API", async () => {
      let staging: Emulator | undefined;
      try {
        staging = await startTestEmulator({ token: "staging-token", deploymentStepMs: 10 });
        runtime.configure(
          stackConfig(
            emulatorConfig(emulator.current, {
              "doover:stagingApiUrl": staging.url,
              "doover:stagingToken": staging.token,
            }),
          ),
        );
        const app = await emulatorFetch(
          staging,
          "POST",
          "/applications/",
          applicationBody(staging, "staged_app", { type: "DEV" }),
        );
        const { id, outs } = await install.create(
          await checked({ applicationId: app.body.id, deviceId: staging.deviceIds[0], staging: true }),
        );
        assert.deepEqual(writes(emulator.current), []);
        assert.equal((outs.latestDeployment as any).status, "SUC");
        await install.delete(id, outs);
        assert.equal((await emulatorFetch(staging, "GET", `/app_installs/${id}/`)).status, 404);
      } finally {
        await staging?.close();
      }
    });
  });
});
