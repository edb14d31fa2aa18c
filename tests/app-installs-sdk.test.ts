// SDK `client.appInstalls` and the seed methods against the real HTTP emulator's /app_installs/ family.

import * as assert from "node:assert/strict";
import { type AppInstallData, BadRequest, type Client, Conflict, type InstallDeploymentData, NotFound } from "../sdk";
import { applicationBody, type Emulator, emulatorClient, emulatorFetch, useEmulator } from "./support/emulator";

const TOKEN = "tok-installs-1";
const SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "",
  type: "object",
  properties: {
    max_kpa: { type: "number", minimum: 0, "x-name": "Max pressure" },
    interval: { type: "integer", default: 10 },
    perms: { type: "string", format: "dd_permissions" },
  },
  required: ["max_kpa", "interval"],
  additionalElements: true,
};

async function makeApp(e: Emulator, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await emulatorFetch(
    e,
    "POST",
    "/applications/",
    applicationBody(e, name, { type: "DEV", config_schema: SCHEMA, ...extra }),
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

/** Polls until the deployment ends (the emulator's step is a few ms here). */
async function settle(c: Client, d: InstallDeploymentData): Promise<InstallDeploymentData> {
  for (let i = 0; i < 200; i++) {
    if (["SUC", "FAI", "CAN"].includes(d.status)) return d;
    await new Promise((r) => setTimeout(r, 10));
    d = await c.appInstalls.retrieveDeployment(d.app_install, d.id);
  }
  throw new Error(`deployment ${d.id} did not end`);
}

describe("sdk: app installs against the emulator", function () {
  this.timeout(20000);
  const emu = useEmulator({ token: TOKEN, deploymentStepMs: 20, perPageDefault: 2 });
  const client = () => emulatorClient(emu.current);

  it("creates, retrieves, lists (every page, filters, per device, per application), patches and deletes", async () => {
    const c = client();
    const [d1, d2] = emu.current.deviceIds;
    const appId = await makeApp(emu.current, "pump_app", { allow_many: true });
    const made: AppInstallData[] = [];
    for (const [device, name] of [
      [d1, "pump_a"],
      [d1, "pump_b"],
      [d1, "pump_c"],
      [d2, "pump_a"],
    ]) {
      made.push(
        await c.installApplication({ applicationId: appId, deviceId: device, name, deploymentConfig: { max_kpa: 5 } }),
      );
    }
    assert.equal(made[0].display_name, "App pump_app", "display name defaults to the application's");
    assert.equal(made[0].application.id, appId);
    assert.deepEqual(made[0].device?.id, d1);
    assert.deepEqual(made[0].deployment_config, { max_kpa: 5 });
    assert.equal(made[0].latest_deployment, null);
    assert.equal((await c.getAppInstalls()).length, 4, "all pages (page size 2)");
    assert.equal((await c.getAppInstalls(d1)).length, 3);
    assert.equal((await c.appInstalls.list({ device: d2 })).length, 1);
    assert.equal((await c.appInstalls.listForApplication(appId, { name: "pump_a" })).length, 2);
    assert.equal((await c.appInstalls.findByName(d2, "pump_a"))?.id, made[3].id);
    assert.equal(await c.appInstalls.findByName(d2, "pump_b"), undefined);
    const patched = await c.appInstalls.patch(made[1].id, {
      display_name: "Pump B",
      deployment_config: { max_kpa: 7 },
    });
    assert.deepEqual([patched.display_name, patched.deployment_config], ["Pump B", { max_kpa: 7 }]);
    const put = await c.appInstalls.update(made[1].id, {
      application_id: appId,
      device_id: d1,
      display_name: "Pump B2",
      version: "1.2.0",
    });
    assert.deepEqual([put.display_name, put.version, put.deployment_config], ["Pump B2", "1.2.0", { max_kpa: 7 }]);
    await c.uninstallApplication(made[1].id);
    await assert.rejects(c.getAppInstall(made[1].id), (e) => NotFound.isInstance(e));
    await c.appInstalls.delete(made[1].id).then(
      () => assert.fail("a first DELETE of a missing install is a 404"),
      (e) => assert.ok(NotFound.isInstance(e)),
    );
  });

  it("validates like the API: required fields, unknown application/device, device and app fixed, 409 per device", async () => {
    const c = client();
    const [d1, d2] = emu.current.deviceIds;
    const appId = await makeApp(emu.current, "only_once");
    const missing = (await c.appInstalls.create({} as never).catch((e) => e)) as BadRequest;
    assert.ok(BadRequest.isInstance(missing));
    assert.deepEqual(Object.keys(missing.fieldErrors).sort(), ["application_id", "device_id", "display_name"]);
    const bad = (await c.appInstalls
      .create({ application_id: "1", device_id: "2", display_name: "x", version: "x".repeat(21) })
      .catch((e) => e)) as BadRequest;
    assert.deepEqual(Object.keys(bad.fieldErrors).sort(), ["application_id", "device_id", "version"]);
    const one = await c.installApplication({ applicationId: appId, deviceId: d1, name: "same" });
    assert.equal(one.name, "same");
    // same name on the same device: 409; on another device: fine
    const dup = await c.installApplication({ applicationId: appId, deviceId: d1, name: "same" }).catch((e) => e);
    assert.ok(Conflict.isInstance(dup), String(dup));
    // allow_many false: a second install of the app on that device is refused whatever its name
    const many = await c.installApplication({ applicationId: appId, deviceId: d1, name: "other" }).catch((e) => e);
    assert.ok(Conflict.isInstance(many), String(many));
    await c.installApplication({ applicationId: appId, deviceId: d2, name: "same" });
    const moved = (await c.appInstalls.patch(one.id, { device_id: d2 }).catch((e) => e)) as BadRequest;
    assert.deepEqual(Object.keys(moved.fieldErrors), ["device_id"]);
    const nameless = await c.installApplication({
      applicationId: await makeApp(emu.current, "nameless"),
      deviceId: d1,
    });
    assert.equal(nameless.name, "nameless", "the name defaults to the application's");
  });

  it("archive keeps the name taken and stops deployments; unarchive brings it back", async () => {
    const c = client();
    const [d1] = emu.current.deviceIds;
    const appId = await makeApp(emu.current, "arch_app");
    const i = await c.installApplication({
      applicationId: appId,
      deviceId: d1,
      name: "arch",
      deploymentConfig: { max_kpa: 1 },
    });
    const d = await settle(c, await c.deployAppInstall(i.id));
    const archived = await c.appInstalls.archive(i.id);
    assert.equal(archived.archived, true);
    assert.equal(archived.pre_archive_latest_deployment, d.id);
    assert.equal((await c.appInstalls.list({ archived: false })).length, 0);
    assert.equal((await c.appInstalls.findByName(d1, "arch"))?.archived, true);
    assert.ok(
      Conflict.isInstance(
        await c.installApplication({ applicationId: appId, deviceId: d1, name: "arch" }).catch((e) => e),
      ),
    );
    assert.ok(BadRequest.isInstance(await c.appInstalls.createDeployment(i.id, { after: d.id }).catch((e) => e)));
    assert.equal((await c.appInstalls.unarchive(i.id)).archived, false);
  });

  it("deployments go QUE → RUN → SUC on the emulator's clock and snapshot the config", async () => {
    const c = client();
    const appId = await makeApp(emu.current, "deploy_app");
    const i = await c.installApplication({
      applicationId: appId,
      deviceId: emu.current.deviceIds[0],
      deploymentConfig: { max_kpa: 3 },
    });
    const started = await c.deployAppInstall(i.id);
    assert.equal(started.status, "QUE");
    assert.equal(started.log_output, "");
    const seen = new Set<string>([started.status]);
    let d = started;
    while (!["SUC", "FAI", "CAN"].includes(d.status)) {
      await new Promise((r) => setTimeout(r, 5));
      d = await c.getDeployment(i.id, started.id);
      seen.add(d.status);
    }
    assert.equal(d.status, "SUC", d.log_output);
    assert.ok(seen.has("RUN") || seen.size === 2, [...seen].join(","));
    assert.match(d.log_output, /Deployment succeeded/);
    assert.deepEqual(d.deployment_config, { max_kpa: 3 });
    await c.appInstalls.patch(i.id, { deployment_config: { max_kpa: 4 } });
    const live = await c.getAppInstall(i.id);
    assert.equal(live.latest_deployment?.id, d.id);
    assert.deepEqual(live.latest_deployment?.deployment_config, { max_kpa: 3 }, "the deployment keeps its snapshot");
    assert.equal(live.synced, "NO");
    const second = await settle(c, await c.deployAppInstall(i.id));
    assert.equal((await c.getAppInstall(i.id)).synced, "OK");
    assert.deepEqual(
      (await c.appInstalls.listDeployments(i.id)).map((x) => x.id),
      [second.id, d.id],
      "newest first",
    );
    assert.equal((await c.appInstalls.list({ status: "SUC" })).length, 1);
    await assert.rejects(c.getDeployment(i.id, "1"), (e) => NotFound.isInstance(e));
  });

  it("a deployment fault over /_emulator/faults makes the next deployment FAI with its log; config the schema rejects fails too", async () => {
    const c = client();
    const appId = await makeApp(emu.current, "fail_app");
    const i = await c.installApplication({
      applicationId: appId,
      deviceId: emu.current.deviceIds[0],
      deploymentConfig: { max_kpa: 3 },
    });
    const armed = await fetch(`${emu.current.url}/_emulator/faults/`, {
      method: "POST",
      body: JSON.stringify({
        path: `/app_installs/${i.id}/`,
        deployment: { status: "FAI", log: "E: image pull failed: 401" },
      }),
    });
    assert.equal(armed.status, 201);
    const bad = await fetch(`${emu.current.url}/_emulator/faults/`, {
      method: "POST",
      body: JSON.stringify({ path: "/app_installs/", deployment: { status: "MAYBE" } }),
    });
    assert.equal(bad.status, 400);
    assert.equal((await c.getAppInstall(i.id)).id, i.id, "a deployment fault is not used up by other requests");
    const failed = await settle(c, await c.deployAppInstall(i.id));
    assert.equal(failed.status, "FAI");
    assert.match(failed.log_output, /E: image pull failed: 401\nDeployment failed/);
    const next = await settle(c, await c.deployAppInstall(i.id));
    assert.equal(next.status, "SUC", "the fault was used up");
    // config the app's schema rejects (max_kpa < 0, interval default applies so it is not missing)
    await c.appInstalls.patch(i.id, { deployment_config: { max_kpa: -1 } });
    const invalid = await settle(c, await c.deployAppInstall(i.id));
    assert.equal(invalid.status, "FAI");
    assert.match(invalid.log_output, /config \/max_kpa: must be >= 0/);
    assert.doesNotMatch(invalid.log_output, /interval/);
  });

  it("a deployment POST whose answer is lost is not sent twice", async () => {
    const c = client();
    const appId = await makeApp(emu.current, "lost_app");
    const i = await c.installApplication({ applicationId: appId, deviceId: emu.current.deviceIds[0] });
    const first = await settle(c, await c.deployAppInstall(i.id));
    emu.current.addFault({
      method: "POST",
      path: `/app_installs/${i.id}/deployments/`,
      status: 502,
      afterCommit: true,
    });
    const d = await c.appInstalls.createDeployment(i.id, { after: first.id });
    assert.notEqual(d.id, first.id);
    assert.equal((await c.appInstalls.listDeployments(i.id)).length, 2, "one new deployment, not two");
  });

  it("an install POST whose answer is lost is adopted by name, not duplicated", async () => {
    const c = client();
    const appId = await makeApp(emu.current, "lost_install", { allow_many: true });
    emu.current.addFault({ method: "POST", path: "/app_installs/", status: 503, afterCommit: true });
    const i = await c.installApplication({ applicationId: appId, deviceId: emu.current.deviceIds[0], name: "once" });
    assert.equal(i.name, "once");
    assert.equal((await c.getAppInstalls()).length, 1);
  });
});
