// DooverAppInstall on the real Pulumi engine + emulator, as ordered steps on one stack: an app going from
// declaration to a successful deployment on an emulated device in one `up`; a config the app's schema
// rejects fails the first preview with its pointer and writes nothing; a config change is one PATCH and
// one deployment; a failed deployment fails `up` with its log and the next `up` recovers; refresh shows
// out-of-band drift; an application update does not replace its installs; destroy deletes installs
// before the application is archived.
import assert from "node:assert/strict";
import { DooverAppInstall, DooverApplication } from "../../provider";
import { type Emulator, emulatorFetch } from "../support/emulator";
import { changes, type EngineSandbox, type TestStack, useEngineSandbox } from "../support/pulumi";
import { distinctiveToken, logIndex, writes } from "./helpers";

const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "",
  type: "object",
  properties: {
    max_kpa: { type: "number", minimum: 0, "x-name": "Max pressure (kPa)" },
    interval: { type: "integer", default: 10 },
  },
  required: ["max_kpa", "interval"],
  additionalProperties: false,
};

interface Variant {
  config?: Record<string, unknown>;
  description?: string;
  /** a second install, on this device */
  second?: string;
}

function program(deviceId: string, v: Variant = {}) {
  return async () => {
    const app = new DooverApplication("pump-app", {
      name: "e2e_pump",
      displayName: "E2E Pump",
      type: "device",
      description: v.description ?? "Pump monitor for the install test.",
      configSchema: SCHEMA,
    });
    const install = new DooverAppInstall("pump-on-1", {
      application: app,
      deviceId,
      deploymentConfig: v.config ?? { max_kpa: 500 },
      deployTimeoutSeconds: 60,
    });
    const second = v.second
      ? new DooverAppInstall("pump-on-2", { application: app, deviceId: v.second, deploymentConfig: { max_kpa: 100 } })
      : undefined;
    return {
      secondId: second?.installId,
      appId: app.applicationId,
      installId: install.installId,
      deployment: install.latestDeployment,
      synced: install.synced,
    };
  };
}

/** The engine's error text for a failed operation (message plus captured output). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const x = e as { message?: string; stdout?: string; stderr?: string };
    return [x.message, x.stdout, x.stderr].join("\n");
  }
  assert.fail("expected the operation to fail");
}

describe("e2e DooverAppInstall (real Pulumi engine + emulator)", function () {
  this.timeout(300_000);
  const engine = useEngineSandbox({ token: distinctiveToken("installs"), deploymentStepMs: 50 });
  let sandbox: EngineSandbox;
  let emulator: Emulator;
  let s: TestStack;
  let deviceId: string;
  const ids: Record<string, string> = {};

  before(async () => {
    ({ sandbox, emulator } = engine);
    deviceId = emulator.deviceIds[0];
    s = await sandbox.stack({
      stackName: "installs",
      program: program(deviceId, { config: { max_kpa: -5 } }),
      api: emulator,
    });
  });
  beforeEach(() => emulator?.clearLog());

  it("1. a config the app's schema rejects fails the very first preview, naming deploymentConfig/<pointer>; nothing is written", async () => {
    const text = await failure(s.preview());
    assert.match(text, /deploymentConfig\/max_kpa must be >= 0/);
    assert.deepEqual(writes(emulator), []);
  });

  it("2. one `up` takes the app from declaration to a successful deployment on the device", async () => {
    s.setProgram(program(deviceId));
    const up = await s.up();
    assert.deepEqual(changes(up), ["create pump-app", "create pump-on-1"]);
    ids.app = String(up.outputs.appId);
    ids.install = String(up.outputs.installId);
    assert.deepEqual(writes(emulator), [
      "POST /applications/",
      "POST /app_installs/",
      `POST /app_installs/${ids.install}/deployments/`,
    ]);
    assert.equal((up.outputs.deployment as any).status, "SUC");
    assert.equal(up.outputs.synced, "OK");
    const live = (await emulatorFetch(emulator, "GET", `/app_installs/${ids.install}/`)).body;
    assert.deepEqual(
      [
        live.application.id,
        live.device.id,
        live.name,
        live.display_name,
        live.deployment_config,
        live.latest_deployment.status,
      ],
      [ids.app, deviceId, "e2e_pump", "E2E Pump", { max_kpa: 500 }, "SUC"],
    );
    emulator.clearLog();
    assert.deepEqual(changes(await s.preview({ expectNoChanges: true })), []);
    assert.deepEqual(writes(emulator), []);
  });

  it("3. a config change is one PATCH and one deployment", async () => {
    s.setProgram(program(deviceId, { config: { max_kpa: 650 } }));
    assert.deepEqual(changes(await s.preview()), ["update pump-on-1"]);
    const up = await s.up();
    assert.deepEqual(changes(up), ["update pump-on-1"]);
    assert.deepEqual(writes(emulator), [
      `PATCH /app_installs/${ids.install}/`,
      `POST /app_installs/${ids.install}/deployments/`,
    ]);
    assert.equal((up.outputs.deployment as any).status, "SUC");
  });

  it("4. a failed deployment fails `up` with its log and keeps the install; `up` after fixing the config succeeds", async () => {
    emulator.addFault({
      path: "/app_installs/",
      deployment: { status: "FAI", log: "E: pump_monitor: max_kpa 9999 above sensor range" },
    });
    s.setProgram(program(deviceId, { config: { max_kpa: 9999 } }));
    const text = await failure(s.up());
    assert.match(text, /failed \(FAI\)/);
    assert.match(text, /E: pump_monitor: max_kpa 9999 above sensor range/);
    const state = await s.resources();
    assert.equal(state["pump-on-1"].id, ids.install, "the install stays in state");
    assert.equal((state["pump-on-1"].outputs!.latestDeployment as any).status, "FAI");
    emulator.clearLog();
    s.setProgram(program(deviceId, { config: { max_kpa: 900 } }));
    const up = await s.up();
    assert.deepEqual(changes(up), ["update pump-on-1"]);
    assert.deepEqual(writes(emulator), [
      `PATCH /app_installs/${ids.install}/`,
      `POST /app_installs/${ids.install}/deployments/`,
    ]);
    assert.equal((up.outputs.deployment as any).status, "SUC");
    emulator.clearLog();
    assert.deepEqual(changes(await s.up({ expectNoChanges: true })), []);
    assert.deepEqual(writes(emulator), []);
  });

  it("4b. a deployment that fails on create keeps the new install in state; the next `up` with no change deploys again", async () => {
    const d2 = emulator.deviceIds[1];
    emulator.addFault({ path: "/app_installs/", deployment: { status: "FAI", log: "E: no space left on device" } });
    s.setProgram(program(deviceId, { config: { max_kpa: 900 }, second: d2 }));
    const text = await failure(s.up());
    assert.match(text, /E: no space left on device/);
    const state = await s.resources();
    const id = state["pump-on-2"]?.id;
    assert.match(String(id), /^\d+$/, "the install is in state although its deployment failed");
    emulator.clearLog();
    const up = await s.up();
    assert.deepEqual(changes(up), ["update pump-on-2"]);
    assert.deepEqual(
      writes(emulator),
      [`POST /app_installs/${id}/deployments/`],
      "no second install, one new deployment",
    );
    emulator.clearLog();
    s.setProgram(program(deviceId, { config: { max_kpa: 900 } }));
    await s.up();
    assert.deepEqual(writes(emulator), [`DELETE /app_installs/${id}/`]);
  });

  it("5. refresh after an out-of-band config change shows the drift; the next up puts the program's config back", async () => {
    await emulatorFetch(emulator, "PATCH", `/app_installs/${ids.install}/`, { deployment_config: { max_kpa: 1 } });
    emulator.clearLog();
    await s.refresh();
    assert.deepEqual(writes(emulator), []);
    const preview = await s.preview();
    assert.deepEqual(changes(preview), ["update pump-on-1"]);
    emulator.clearLog();
    await s.up();
    assert.deepEqual(writes(emulator), [
      `PATCH /app_installs/${ids.install}/`,
      `POST /app_installs/${ids.install}/deployments/`,
    ]);
    const live = (await emulatorFetch(emulator, "GET", `/app_installs/${ids.install}/`)).body;
    assert.deepEqual(live.deployment_config, { max_kpa: 900 });
  });

  it("6. an update of the application (its id unknown in preview) does not replace the install", async () => {
    s.setProgram(program(deviceId, { config: { max_kpa: 900 }, description: "A new description." }));
    assert.deepEqual(changes(await s.preview()), ["update pump-app"]);
    const up = await s.up();
    assert.deepEqual(changes(up), ["update pump-app"]);
    assert.deepEqual(writes(emulator), [`PATCH /applications/${ids.app}/`]);
  });

  it("6b. moving the install to another device replaces it: the new one is deployed before the old one goes", async () => {
    const d2 = emulator.deviceIds[1];
    s.setProgram(program(d2, { config: { max_kpa: 900 }, description: "A new description." }));
    assert.deepEqual(changes(await s.preview()), ["replace pump-on-1"]);
    const up = await s.up();
    assert.deepEqual(changes(up), ["replace pump-on-1"]);
    const moved = String(up.outputs.installId);
    assert.notEqual(moved, ids.install);
    assert.deepEqual(writes(emulator), [
      "POST /app_installs/",
      `POST /app_installs/${moved}/deployments/`,
      `DELETE /app_installs/${ids.install}/`,
    ]);
    assert.equal((up.outputs.deployment as any).status, "SUC");
    assert.equal((await emulatorFetch(emulator, "GET", `/app_installs/${moved}/`)).body.device.id, d2);
    ids.install = moved;
  });

  it("7. destroy deletes the install before the application is archived", async () => {
    await s.destroy();
    const del = logIndex(emulator, "DELETE", new RegExp(`^/app_installs/${ids.install}/$`));
    const archive = logIndex(emulator, "POST", new RegExp(`^/applications/${ids.app}/archive/$`));
    assert.ok(del >= 0 && archive > del, JSON.stringify(emulator.log()));
    assert.equal((await emulatorFetch(emulator, "GET", `/app_installs/${ids.install}/`)).status, 404);
  });

  it("8. `pulumi destroy` right after a create whose deployment failed removes the install (the partial state keeps its provider)", async () => {
    const other = await sandbox.stack({
      stackName: "partial",
      program: async () => {
        const app = new DooverApplication("p-app", {
          name: "e2e_partial",
          displayName: "P",
          type: "device",
          description: "d",
        });
        new DooverAppInstall("p-install", { application: app, deviceId: emulator.deviceIds[2] });
      },
      api: emulator,
    });
    emulator.addFault({ path: "/app_installs/", deployment: { status: "CAN" } });
    assert.match(await failure(other.up()), /was cancelled \(CAN\)/);
    const id = (await other.resources())["p-install"].id;
    emulator.clearLog();
    await other.destroy();
    assert.equal(writes(emulator)[0], `DELETE /app_installs/${id}/`);
    assert.equal((await emulatorFetch(emulator, "GET", `/app_installs/${id}/`)).status, 404);
  });
});
